//! Limits on untrusted input, each enforced before the work it bounds (see SPEC.md, "Limits").

/// Longest code text accepted, in characters (prefix included). A version 40-L QR code holds
/// 4296 alphanumeric characters; no legitimate hcx code comes near this.
pub const MAX_TEXT_LEN: usize = 4096;
/// Deepest CBOR nesting accepted, per item (SPEC.md §5.4): each array, map and tag is one level
/// for what it contains, and the protected header and payload count from their own bytes. A
/// code's envelope uses 3 levels (tag 18, array, unprotected map) and its payload 4 (CWT map,
/// health map, evidence list, evidence entry); the slack leaves room for extensions.
pub const MAX_CBOR_DEPTH: usize = 16;
/// Most entries in each evidence list (`vaccinations`, `tests`, `recoveries`).
pub const MAX_EVIDENCE_ENTRIES: usize = 8;
/// Longest subject name, in Unicode scalar values (not bytes: names in any script get the same room).
pub const MAX_NAME_CHARS: usize = 64;
/// Longest of any other text claim, in bytes.
pub const MAX_SHORT_TEXT_BYTES: usize = 64;
/// Largest trust list document accepted, in bytes.
pub const MAX_TRUST_LIST_BYTES: usize = 4 * 1024 * 1024;
/// Most issuers in one trust list.
pub const MAX_ISSUERS: usize = 10_000;
/// Most keys of one issuer.
pub const MAX_KEYS_PER_ISSUER: usize = 64;
/// Longest issuer display name in a trust list, in bytes of UTF-8, not characters (the schema's
/// `maxLength` counts characters and so only approximates it).
pub const MAX_ISSUER_NAME_BYTES: usize = 256;
/// Most signatures on one trust list.
pub const MAX_TRUST_LIST_SIGNATURES: usize = 16;
/// Default tolerance for clock differences between issuer and verifier, in seconds.
pub const DEFAULT_SKEW_SECS: i64 = 300;
