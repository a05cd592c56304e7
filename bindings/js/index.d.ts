// Types of the hcx WebAssembly package (both builds share them; the hcx-only build answers
// pictures and frames with a `usage` HcxError).

/** Seconds since 1970 (UTC), or a Date. Omitted: now. */
export type At = number | Date;

/** Bytes of a trust input, a picture or a frame. Strings are read as UTF-8. */
export type Bytes = Uint8Array | Uint8ClampedArray | ArrayBuffer | ArrayBufferView;

/** The SPEC §9 error object of a rejected or unjudgeable code. */
export interface VerdictError {
  /** Stable code (SPEC §8/§9): `malformed`, `bad_signature`, `expired`, `unknown_key`, … */
  code: string;
  /** Precise reason, e.g. `non_canonical_base45`. */
  reason?: string;
  /** For people. */
  message: string;
}

/** Display names and ids of the issuer. */
export interface VerdictIssuer {
  id: string;
  name: string | null;
  /** hcx only: display names by language tag (`en`, `zh`, …). */
  names?: Record<string, string>;
}

/** The same summary for every format. */
export interface VerdictSummary {
  name: string | null;
  birth_date: string | null;
  issuer: string | null;
  valid_from: string | null;
  valid_until: string | null;
  evidence: Array<{ kind: string; date: string | null; detail: string | null; disease: string | null }>;
}

/** A valid code (SPEC §9): exactly `hcx verify --json`'s object. */
export interface ValidVerdict {
  valid: true;
  format: 'hcx' | 'eu-dcc' | 'shc' | 'icao-vds-nc';
  issuer: VerdictIssuer;
  key_id: string;
  issued_at: string | null;
  expires_at: string | null;
  not_before?: string;
  code_id?: string;
  /** hcx: the health claims (`status`, `subject`, …); foreign formats: their payload. */
  claims: Record<string, unknown>;
  summary: VerdictSummary;
  /** hcx only, when the verifier holds the issuer's status lists (SPEC §14): what they say of the code. */
  status_list?: {
    issuer: string;
    sequence: number;
    issued_at: string;
    age_seconds: number;
    outcome: 'valid' | 'now_green' | 'now_yellow' | 'now_red' | 'not_covered';
    not_covered?: 'issued_after_list' | 'expired_before_list';
    stale?: true;
  };
  /** Fields later SPEC editions add pass through unchanged. */
  [more: string]: unknown;
}

/** A rejected code, or one that could not be judged. */
export interface InvalidVerdict {
  valid: false;
  error: VerdictError;
}

/** The SPEC §9 verdict object. */
export type Verdict = ValidVerdict | InvalidVerdict;

/** What a verifier trusts, as loaded. */
export interface TrustInfo {
  /** The kind of each trust input, in order: `hcx-trust-list`, `certificates`, `jwks`, … */
  inputs: string[];
  loaded_at: string;
  skew_seconds: number;
  /** The hcx trust list, when one was loaded. */
  trust_list: null | {
    sequence: number;
    issued_at: string;
    expires_at: string;
    issuers: Array<{ id: string; names: Record<string, string> }>;
  };
  /** Each issuer's status lists (SPEC §14): the newest applied, or why they cannot be used. */
  status_lists: Array<{
    issuer: string;
    sequence?: number;
    issued_at?: string;
    expires_at?: string;
    error?: { code: string; reason?: string; message: string };
  }>;
}

/** What a verdict does with status lists (SPEC §14). */
export interface StatusOptions {
  /** Status data older than this many seconds is stale (default 48 hours). */
  maxAgeSeconds?: number;
  /** A code whose issuer has no status data here: judged without it (`accept`, default) or refused (`reject`, `status_stale`). */
  whenMissing?: 'accept' | 'reject';
  /** A code whose issuer's status data is stale: refused (`reject`, default) or judged with it, marked stale (`accept`). */
  whenStale?: 'accept' | 'reject';
}

export interface VerifierOptions {
  /** Root keys the hcx trust list must be signed by: PEM (SPKI public or PKCS#8) or Ed25519 JWK. */
  roots?: string | string[];
  /** How many distinct roots must have signed (default 1). */
  threshold?: number;
  /** The highest trust-list sequence accepted before: older lists are refused (rollback). */
  minSequence?: number;
  /** How status lists (given among the trust inputs) are used. */
  status?: StatusOptions;
  /** Per issuer, the highest status-list sequence accepted before: older status data is a rollback. */
  statusMinSequence?: Record<string, number>;
  /** Clock-skew tolerance in seconds (default 300). */
  skew?: number;
  /** When the trust is loaded and checked (default now). */
  now?: At;
}

/** Thrown for calls that cannot be carried out: a bad key, an unusable trust input, a wrong argument. */
export class HcxError extends Error {
  readonly name: 'HcxError';
  /** Stable code: `trust_list_expired`, `invalid_key`, `usage`, … */
  readonly code: string;
  /** Precise reason, or null. */
  readonly reason: string | null;
}

/** Verifies codes against one set of trust inputs, offline. */
export class Verifier {
  /**
   * @param trustInputs an hcx trust list, hcx status lists, certificates (PEM/DER), a JWKS, a DCC
   *   signer list, an SHC revocation list or issuer directory: each detected by content, as the CLI does.
   * @throws HcxError when a trust input cannot be used (expired, untrusted, rolled back, unreadable).
   */
  constructor(trustInputs: Bytes | string | Array<Bytes | string>, options?: VerifierOptions);
  /** What this verifier trusts. */
  readonly trust: TrustInfo;
  /** Verifies one scanned text of any format the build reads. */
  verifyText(text: string, at?: At): Verdict;
  /** Verifies a code given as several texts (a SMART Health Card's `shc:/K/N/` chunks, any order). */
  verifyChunks(texts: string[], at?: At): Verdict;
  /** Verifies the code in a camera frame: an ImageData, or RGBA (4 bytes a pixel) or luma (1 byte a pixel) bytes. */
  verifyFrame(frame: { data: Bytes; width: number; height: number }, at?: At): Verdict;
  verifyFrame(rgbaOrLuma: Bytes, width: number, height: number, at?: At): Verdict;
  /** Verifies the code in a PNG or JPEG picture. */
  verifyImage(pngOrJpeg: Bytes, at?: At): Verdict;
  /** Frees the WebAssembly memory it holds (also done when it is garbage-collected). */
  free(): void;
}

/** The payload of a code, read without verifying anything (`"verified": false`). */
export function decode(text: string): Record<string, unknown> & { verified: false; warning: string; format: string };

/** Parameters of an issued code. Times: Unix seconds, Dates or RFC 3339 texts. */
export interface IssueParams {
  issuer: string;
  issuedAt: number | Date | string;
  expiresAt: number | Date | string;
  notBefore?: number | Date | string;
}

/** Issues an hcx code (`HCX1:…`) signed with a PKCS#8 Ed25519 private key. */
export function issue(keyPem: string, params: IssueParams, claims: Record<string, unknown> | string): string;

/** A camera frame: an ImageData, or RGBA (4 bytes a pixel) or luma (1 byte a pixel) bytes with its size. */
export type Frame = { data: Bytes; width: number; height: number };

/**
 * The texts of the code in a camera frame, not verified: the code `verifyFrame` would judge
 * (one text, or a SMART Health Card's chunks). Throws HcxError `no_code_found` when there is none.
 */
export function scanFrame(frame: Frame): string[];
export function scanFrame(rgbaOrLuma: Bytes, width: number, height: number): string[];

/** The texts of the code in a PNG or JPEG picture, not verified. */
export function scanImage(pngOrJpeg: Bytes): string[];

/** Which build this is. */
export const build: 'full' | 'lite';

/** The input limits this build enforces (bytes, pixels, counts). */
export const limits: Readonly<Record<string, number | boolean>>;

/** How many WebAssembly traps this process recovered from (0 unless something failed). */
export function faults(): number;

export { loadBuild } from './load.js';
