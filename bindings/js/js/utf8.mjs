// UTF-8 TextEncoder/TextDecoder for JavaScript hosts without them (WeChat's iOS runtime among
// them): the wasm-bindgen glue passes every string through these. Installed only when missing.

class Utf8Encoder {
  get encoding() {
    return 'utf-8';
  }

  encode(s = '') {
    const out = [];
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
        }
      }
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // a lone surrogate, as TextEncoder does
      if (c < 0x80) out.push(c);
      else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
      else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
    return new Uint8Array(out);
  }
}

class Utf8Decoder {
  constructor(label = 'utf-8', options = {}) {
    this.fatal = Boolean(options.fatal);
  }

  get encoding() {
    return 'utf-8';
  }

  decode(bytes) {
    if (bytes === undefined) return '';
    const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes.buffer ?? bytes, bytes.byteOffset ?? 0, bytes.byteLength);
    let out = '';
    for (let i = 0; i < b.length; ) {
      const x = b[i];
      let c = 0xfffd;
      let n = 1;
      if (x < 0x80) c = x;
      else if (x >= 0xc2 && x < 0xe0 && (b[i + 1] & 0xc0) === 0x80) (c = ((x & 31) << 6) | (b[i + 1] & 63)), (n = 2);
      else if (x >= 0xe0 && x < 0xf0 && (b[i + 1] & 0xc0) === 0x80 && (b[i + 2] & 0xc0) === 0x80) {
        const v = ((x & 15) << 12) | ((b[i + 1] & 63) << 6) | (b[i + 2] & 63);
        if (v >= 0x800 && (v < 0xd800 || v > 0xdfff)) (c = v), (n = 3);
      } else if (x >= 0xf0 && x < 0xf5 && (b[i + 1] & 0xc0) === 0x80 && (b[i + 2] & 0xc0) === 0x80 && (b[i + 3] & 0xc0) === 0x80) {
        const v = ((x & 7) << 18) | ((b[i + 1] & 63) << 12) | ((b[i + 2] & 63) << 6) | (b[i + 3] & 63);
        if (v >= 0x10000 && v <= 0x10ffff) (c = v), (n = 4);
      }
      if (c === 0xfffd && n === 1 && x >= 0x80 && this.fatal) throw new TypeError('invalid UTF-8');
      out += String.fromCodePoint(c);
      i += n;
    }
    return out;
  }
}

if (typeof globalThis.TextEncoder !== 'function') globalThis.TextEncoder = Utf8Encoder;
if (typeof globalThis.TextDecoder !== 'function') globalThis.TextDecoder = Utf8Decoder;

export { Utf8Encoder, Utf8Decoder };
