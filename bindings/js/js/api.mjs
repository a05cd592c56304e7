// The JavaScript API over one Engine: argument checks and conversions only. Every verdict,
// decoded payload and error object is the Rust facade's own JSON, parsed.

/** An error from hcx: `code` (stable, SPEC §8/§9) and `reason` (precise). Never a bare string. */
export class HcxError extends Error {
  /** @param {{code: string, reason?: string, message: string}} error */
  constructor(error) {
    super(error.message);
    this.name = 'HcxError';
    this.code = error.code;
    this.reason = error.reason ?? null;
  }
}

/** A call made wrongly from JavaScript (a wrong type), before anything reaches WebAssembly. */
function usage(message) {
  return new HcxError({ code: 'usage', reason: 'invalid_input', message });
}

/** The value of an envelope `{"ok":…}`, or the error it carries, thrown. */
function answer(json) {
  const parsed = JSON.parse(json);
  if (Object.prototype.hasOwnProperty.call(parsed, 'ok')) return parsed.ok;
  throw new HcxError(parsed.error);
}

/** Unix seconds from `at`: undefined (now), a number of seconds, or a Date. */
function seconds(at, what = 'at') {
  if (at === undefined || at === null) return Date.now() / 1000;
  if (at instanceof Date) return at.getTime() / 1000;
  if (typeof at === 'number') return at;
  throw usage(`${what} must be Unix seconds or a Date`);
}

const encoder = typeof TextEncoder === 'function' ? new TextEncoder() : null;

/** Bytes from a Uint8Array, any typed array or DataView, an ArrayBuffer, or a string (UTF-8). */
function bytesOf(x, what) {
  if (x instanceof Uint8Array) return x;
  if (ArrayBuffer.isView(x)) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  if (x instanceof ArrayBuffer) return new Uint8Array(x);
  if (typeof x === 'string') return encoder.encode(x);
  throw usage(`${what} must be bytes (Uint8Array, ArrayBuffer) or a string`);
}

/**
 * Never copies more than `limit + 1` units into WebAssembly memory: the Rust side then sees an
 * input over its limit and gives its own error, so the limit is written once, in Rust.
 */
function clip(x, limit) {
  if (x.length <= limit) return x;
  return typeof x === 'string' ? x.slice(0, limit + 1) : x.subarray(0, limit + 1);
}

function text(x, what) {
  if (typeof x !== 'string') throw usage(`${what} must be a string`);
  return x;
}

function u32(x, what) {
  if (!Number.isInteger(x) || x < 0 || x > 0xffffffff) {
    throw usage(`${what} must be a whole number of pixels`);
  }
  return x;
}

/** An ImageData, or anything shaped like one. */
function isImageLike(x) {
  return x !== null && typeof x === 'object' && 'data' in x && 'width' in x && 'height' in x;
}

/** Issue parameters with Dates as Unix seconds (JSON.stringify would write them with milliseconds). */
function datesAsSeconds(params) {
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) => [k, v instanceof Date ? Math.floor(v.getTime() / 1000) : v]),
  );
}

/**
 * The API over a started engine.
 * @param {import('./engine.mjs').Engine} engine
 * @param {'full' | 'lite'} build
 */
export function makeApi(engine, build) {
  const L = engine.limits;
  const chunksJsonLimit = L.text_bytes + 2 * L.chunks + 2;

  class Verifier {
    #roots;
    #inputs;
    #policy;
    #status;
    #floors;
    #owner = null;
    #wasm = null;

    /**
     * @param {Array<Uint8Array | ArrayBuffer | string> | Uint8Array | string} trustInputs
     * @param {{roots?: string | string[], threshold?: number, minSequence?: number,
     *          skew?: number, now?: number | Date,
     *          status?: {maxAgeSeconds?: number, whenMissing?: 'accept' | 'reject', whenStale?: 'accept' | 'reject'},
     *          statusMinSequence?: Record<string, number>}} [options]
     */
    constructor(trustInputs, options = {}) {
      const list = Array.isArray(trustInputs) ? trustInputs : [trustInputs];
      if (list.length > L.trust_inputs) throw usage(`at most ${L.trust_inputs} trust inputs`);
      let total = 0;
      this.#inputs = list.map((x, i) => {
        const b = clip(bytesOf(x, `trust input ${i}`), Math.max(0, L.trust_bytes - total));
        total += b.length;
        return b.slice();
      });
      const roots = options.roots === undefined ? [] : options.roots;
      const rootList = Array.isArray(roots) ? roots : [roots];
      if (rootList.length > L.roots) throw usage(`at most ${L.roots} root keys`);
      this.#roots = rootList.map((r, i) => clip(text(r, `root ${i}`), L.root_bytes));
      this.#policy = {
        threshold: options.threshold ?? 1,
        minSequence: options.minSequence ?? -1,
        skew: options.skew ?? 300,
        now: seconds(options.now, 'options.now'),
      };
      for (const k of ['threshold', 'minSequence', 'skew']) {
        if (typeof this.#policy[k] !== 'number') throw usage(`options.${k} must be a number`);
      }
      const status = options.status ?? {};
      if (typeof status !== 'object') throw usage('options.status must be an object');
      this.#status = {
        maxAgeSeconds: status.maxAgeSeconds ?? L.status_max_age_default,
        whenMissing: status.whenMissing ?? 'accept',
        whenStale: status.whenStale ?? 'reject',
      };
      if (typeof this.#status.maxAgeSeconds !== 'number') throw usage('options.status.maxAgeSeconds must be a number');
      for (const k of ['whenMissing', 'whenStale']) {
        if (typeof this.#status[k] !== 'string') throw usage(`options.status.${k} must be "accept" or "reject"`);
      }
      const floors = options.statusMinSequence ?? {};
      if (typeof floors !== 'object') throw usage('options.statusMinSequence must be an object: issuer → sequence');
      this.#floors = Object.entries(floors);
      if (this.#floors.length > L.status_floors) throw usage(`at most ${L.status_floors} status sequence floors`);
      for (const [issuer, seq] of this.#floors) {
        if (typeof seq !== 'number') throw usage(`options.statusMinSequence.${issuer} must be a number`);
      }
      /** What this verifier trusts: input kinds, and the hcx trust list's sequence and dates. */
      this.trust = this.#build();
    }

    /** Builds the Rust verifier in the engine's active instance; throws the trust error. */
    #build() {
      let made = null;
      const json = engine.run(false, (glue, instance) => {
        const w = new glue.WasmVerifier();
        for (const r of this.#roots) {
          const a = w.add_root(r);
          if (!a.startsWith('{"ok"')) return w.free(), a;
        }
        for (const b of this.#inputs) {
          const a = w.add_input(b);
          if (!a.startsWith('{"ok"')) return w.free(), a;
        }
        const st = this.#status;
        const sp = w.set_status_policy(st.maxAgeSeconds, clip(st.whenMissing, 16), clip(st.whenStale, 16));
        if (!sp.startsWith('{"ok"')) return w.free(), sp;
        for (const [issuer, seq] of this.#floors) {
          const a = w.add_status_min_sequence(clip(issuer, L.issuer_bytes), seq);
          if (!a.startsWith('{"ok"')) return w.free(), a;
        }
        const p = this.#policy;
        const a = w.load(p.threshold, p.minSequence, p.skew, p.now);
        if (a.startsWith('{"ok"')) made = { w, instance };
        else w.free();
        return a;
      });
      const info = answer(json);
      // A verifier is built once per instance; the one of a trapped instance is abandoned
      // with that instance, never called again.
      this.#wasm = made.w;
      this.#owner = made.instance;
      return info;
    }

    #call(picture, f) {
      if (this.#owner !== engine.active) {
        // The instance this verifier lived in trapped; rebuild it, same inputs, same load time.
        try {
          this.#build();
        } catch (e) {
          return JSON.stringify({ error: { code: e.code, reason: e.reason, message: e.message } });
        }
      }
      const w = this.#wasm;
      return engine.run(picture, () => f(w));
    }

    /** Verifies one scanned text of any format this build reads: the SPEC §9 verdict. */
    verifyText(code, at) {
      const t = clip(text(code, 'the code'), L.text_bytes);
      const s = seconds(at);
      return answer(this.#call(false, (w) => w.verify_text(t, s)));
    }

    /** Verifies a code given as several texts (a SMART Health Card's chunks, any order). */
    verifyChunks(texts, at) {
      if (!Array.isArray(texts) || !texts.every((t) => typeof t === 'string')) {
        throw usage('verifyChunks takes an array of strings');
      }
      const json = clip(JSON.stringify(texts), chunksJsonLimit);
      const s = seconds(at);
      return answer(this.#call(false, (w) => w.verify_chunks(json, s)));
    }

    /**
     * Verifies the code in a camera frame: RGBA (an ImageData, or 4 bytes a pixel) or 8-bit
     * luma (1 byte a pixel), told apart by length.
     */
    verifyFrame(pixels, width, height, at) {
      // verifyFrame(imageData, at?) as well as verifyFrame(pixels, width, height, at?).
      if (isImageLike(pixels) && height === undefined) [at, width] = [width, undefined];
      const [bytes, w, h] = frameArgs(pixels, width, height);
      const s = seconds(at);
      return answer(this.#call(true, (v) => v.verify_frame(bytes, w, h, s)));
    }

    /** Verifies the code in a PNG or JPEG picture. */
    verifyImage(image, at) {
      if (typeof image === 'string') throw usage('verifyImage takes the bytes of a PNG or JPEG');
      const bytes = clip(bytesOf(image, 'the picture'), L.image_bytes);
      const s = seconds(at);
      return answer(this.#call(true, (v) => v.verify_image(bytes, s)));
    }

    /** Frees the WebAssembly memory this verifier holds (also done when it is collected). */
    free() {
      this.#wasm?.free?.();
      this.#wasm = null;
      this.#owner = null;
    }
  }

  /** Frame arguments: an ImageData-like object, or pixels with a width and a height. */
  function frameArgs(pixels, width, height) {
    if (isImageLike(pixels) && width === undefined) {
      ({ width, height } = pixels);
      pixels = pixels.data;
    }
    return [clip(bytesOf(pixels, 'the frame'), 4 * L.frame_pixels), u32(width, 'width'), u32(height, 'height')];
  }

  /**
   * The texts of the code in a camera frame, unverified (the code `verifyFrame` would judge:
   * one text, or an SHC's chunks). Throws `no_code_found` when there is none.
   */
  function scanFrame(pixels, width, height) {
    const [bytes, w, h] = frameArgs(pixels, width, height);
    return answer(engine.run(true, (glue) => glue.scan_frame(bytes, w, h)));
  }

  /** The texts of the code in a PNG or JPEG picture, unverified. */
  function scanImage(image) {
    if (typeof image === 'string') throw usage('scanImage takes the bytes of a PNG or JPEG');
    const bytes = clip(bytesOf(image, 'the picture'), L.image_bytes);
    return answer(engine.run(true, (glue) => glue.scan_image(bytes)));
  }

  /** Reads a code without verifying it: its payload, marked `"verified": false`. */
  function decode(code) {
    const t = clip(text(code, 'the code'), L.text_bytes);
    return answer(engine.run(false, (glue) => glue.decode(t)));
  }

  /**
   * Issues an hcx code. `params`: {issuer, issuedAt, expiresAt, notBefore?} (Unix seconds,
   * Dates or RFC 3339 texts); `claims`: the health claims, an object or JSON text.
   */
  function issue(keyPem, params, claims) {
    const key = clip(text(keyPem, 'the key'), L.root_bytes);
    if (!params || typeof params !== 'object') throw usage('issue parameters must be an object');
    const p = clip(JSON.stringify(datesAsSeconds(params)), L.json_bytes);
    const c = clip(typeof claims === 'string' ? claims : JSON.stringify(claims ?? null), L.json_bytes);
    return answer(engine.run(false, (glue) => glue.issue(key, p, c)));
  }

  return {
    Verifier,
    decode,
    issue,
    scanFrame,
    scanImage,
    HcxError,
    build,
    limits: { ...L },
    /** How many WebAssembly traps this process recovered from (0 unless something failed). */
    faults: () => engine.faults,
  };
}
