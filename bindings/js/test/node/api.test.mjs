// The package's contract beyond the fixtures: typed errors (never a bare string, never a trap
// that escapes), bounded inputs, frames as RGBA or luma, issue → verify, decode, and recovery
// from a trapped instance.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadBuild } from '../../js/load.mjs';
import { Engine } from '../../js/engine.mjs';
import { makeApi } from '../../js/api.mjs';
import { Utf8Decoder, Utf8Encoder } from '../../js/utf8.mjs';
import { fixtures, packageDir, readPng } from '../helpers.mjs';

const full = await loadBuild('full');
const lite = await loadBuild('lite');
const NOW = 1_795_251_600; // 2026-11-21T09:00:00Z
const read = (p) => readFileSync(join(fixtures, p));
const rootPem = read('keys/root-1.pub.pem').toString();
const reference = read('samples/reference-code.txt').toString().trim();

function verifier(api, options = {}) {
  return new api.Verifier([read('trust/main.json')], { roots: rootPem, now: NOW, ...options });
}

/** Asserts `f` throws an HcxError with `code` (and `reason`, if given). */
function throwsHcx(api, f, code, reason) {
  assert.throws(f, (e) => {
    assert.ok(e instanceof api.HcxError, `not an HcxError: ${e}`);
    assert.equal(e.code, code, e.message);
    if (reason) assert.equal(e.reason, reason, e.message);
    assert.equal(typeof e.message, 'string');
    return true;
  });
}

for (const api of [full, lite]) {
  test(`${api.build}: verdicts, trust info and typed errors`, () => {
    const v = verifier(api);
    assert.equal(v.trust.inputs[0], 'hcx-trust-list');
    assert.equal(typeof v.trust.trust_list.sequence, 'number');
    const ok = v.verifyText(reference, NOW);
    assert.equal(ok.valid, true);
    assert.equal(ok.format, 'hcx');
    assert.equal(ok.claims.status, 'green');
    assert.equal(v.verifyText(reference, new Date(NOW * 1000)).valid, true);
    assert.equal(v.verifyText(reference, NOW + 2 * 86400).error.code, 'expired');
    assert.equal(v.verifyText(reference.replace('HCX1:', 'HCX1:A'), NOW).error.code, 'malformed');
    assert.equal(v.verifyText(read('samples/unknown-key-code.txt').toString().trim(), NOW).error.code, 'unknown_key');
    assert.deepEqual(v.trust.status_lists, []);
    // Status lists among the trust inputs: listed, and used by verdicts.
    const withStatus = new api.Verifier([read('trust/main.json'), read('status/dingtalk-5.snapshot.cbor')], { roots: rootPem, now: NOW });
    assert.equal(withStatus.trust.inputs[1], 'status-list');
    assert.equal(withStatus.trust.status_lists[0].issuer, 'dingtalk');
    assert.equal(withStatus.trust.status_lists[0].sequence, 5);
    assert.equal(withStatus.verifyText(reference, NOW).status_list.outcome, 'valid');
    const strict = new api.Verifier([read('trust/main.json')], { roots: rootPem, now: NOW, status: { whenMissing: 'reject' } });
    assert.equal(strict.verifyText(reference, NOW).error.reason, 'status_missing');
    // A one-text chunk list is the text.
    assert.deepEqual(v.verifyChunks([reference], NOW), ok);
    assert.equal(api.decode(reference).format, 'hcx');

    // Trust that cannot be used: thrown, typed.
    throwsHcx(api, () => verifier(api, { now: NOW + 365 * 86400 }), 'trust_list_expired');
    throwsHcx(api, () => new api.Verifier([read('trust/main.json')], { now: NOW }), 'usage', 'missing_roots');
    throwsHcx(api, () => verifier(api, { roots: 'not a key' }), 'invalid_key');
    throwsHcx(api, () => verifier(api, { minSequence: 10 ** 6 }), 'trust_list_rollback');
    throwsHcx(api, () => verifier(api, { threshold: 0.5 }), 'usage');
    throwsHcx(api, () => verifier(api, { skew: -1 }), 'usage');
    throwsHcx(api, () => verifier(api, { threshold: 'one' }), 'usage');
    throwsHcx(api, () => new api.Verifier([{}]), 'usage');
    // Wrong arguments: typed usage errors, before anything reaches WebAssembly.
    throwsHcx(api, () => v.verifyText(42), 'usage');
    throwsHcx(api, () => v.verifyText(reference, 'yesterday'), 'usage');
    throwsHcx(api, () => v.verifyText(reference, Number.NaN), 'usage');
    throwsHcx(api, () => v.verifyText(reference, -5), 'usage');
    throwsHcx(api, () => v.verifyChunks('shc:/1', NOW), 'usage');
    throwsHcx(api, () => v.verifyChunks([], NOW), 'usage');
    throwsHcx(api, () => v.verifyFrame(new Uint8Array(4), -1, 2, NOW), 'usage');
    throwsHcx(api, () => v.verifyImage('a string', NOW), 'usage');
    throwsHcx(api, () => api.decode(null), 'usage');
    throwsHcx(api, () => api.decode('HCX1:!!'), 'malformed');
    if (api.build === 'full') throwsHcx(api, () => api.issue(rootPem, { issuer: 'x', issuedAt: 0, expiresAt: 1 }, {}), 'invalid_key');
    else throwsHcx(api, () => api.issue(rootPem, { issuer: 'x', issuedAt: 0, expiresAt: 1 }, {}), 'usage');
    // A root given as its private key counts as its public key (the CLI's one rule,
    // hcx_verify::public_key_from_any_pem).
    assert.equal(verifier(api, { roots: read('keys/root-1.pem').toString() }).verifyText(reference, NOW).valid, true);
    // A root as an Ed25519 JWK.
    const x = Buffer.from(rootPem.replace(/-----[^-]+-----|\s/g, ''), 'base64').subarray(12).toString('base64url');
    assert.equal(verifier(api, { roots: JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x }) }).verifyText(reference, NOW).valid, true);
  });

  test(`${api.build}: inputs are bounded`, () => {
    const v = verifier(api);
    const L = api.limits;
    // A text of 50 MB: only limit + 1 characters are copied, and the verdict says too long.
    const huge = 'A'.repeat(50 * 1024 * 1024);
    const r = v.verifyText(huge, NOW);
    assert.equal(r.error.reason, 'text_too_long');
    throwsHcx(api, () => api.decode(huge), 'malformed', 'text_too_long');
    const chunks = v.verifyChunks([huge, huge], NOW);
    assert.equal(chunks.error.reason, 'text_too_long');
    throwsHcx(api, () => v.verifyChunks(Array(L.chunks + 1).fill('shc:/1/2/3'), NOW), 'usage');
    throwsHcx(api, () => new api.Verifier(Array(L.trust_inputs + 1).fill('x')), 'usage');
    throwsHcx(api, () => new api.Verifier([new Uint8Array(L.trust_bytes), 'x']), 'trust_list_invalid', 'too_large');
    if (api.build === 'full') throwsHcx(api, () => api.issue('k'.repeat(1 << 20), { issuer: 'x', issuedAt: 0, expiresAt: 1 }, {}), 'invalid_input', 'too_large');
  });
}

for (const api of [full, lite]) {
  test(`${api.build}: hostile inputs give typed errors or verdicts, never a trap`, () => {
    const v = verifier(api);
    /** A thrown error must be an HcxError with a code, a reason and a message. */
    const typed = (f) => {
      try {
        return f();
      } catch (e) {
        assert.ok(e instanceof api.HcxError, `not an HcxError: ${e}`);
        assert.equal(typeof e.code, 'string');
        assert.equal(typeof e.reason, 'string', `${e.code} without a reason`);
        assert.ok(e.message.length > 0);
        return e;
      }
    };
    // Bytes that are not UTF-8 (and not CBOR, DER or JSON) as trust inputs.
    for (const junk of [[0xff, 0xfe, 0xfd], [0xc3, 0x28, 0xa0, 0xa1], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0]]) {
      const e = typed(() => new api.Verifier([read('trust/main.json'), new Uint8Array(junk)], { roots: rootPem, now: NOW }));
      assert.ok(e instanceof api.HcxError, `junk trust input ${junk} was accepted`);
    }
    // A trust list whose bytes were cut or bit-flipped: refused, typed.
    const list = read('trust/main.json');
    for (const cut of [1, 10, list.length >> 1, list.length - 2]) {
      assert.ok(typed(() => new api.Verifier([list.subarray(0, cut)], { roots: rootPem, now: NOW })) instanceof api.HcxError);
    }
    // Lone surrogates (sent as U+FFFD), NULs, control and private-use characters in code texts.
    for (const t of ['HCX1:\ud800\udc00\ud800', 'HCX1:\0\0\0', '\u0001\u0002HCX1:', 'HCX1:\uffff\ue000', `${reference}\ud800`, 'shc:/\udfff', 'HC1:\u00ff\u00fe']) {
      const r = v.verifyText(t, NOW);
      assert.equal(r.valid, false, t);
      assert.equal(typeof r.error.code, 'string');
      assert.equal(typeof r.error.reason, 'string');
      assert.equal(typeof r.error.message, 'string');
      const d = typed(() => api.decode(t));
      assert.ok(d instanceof api.HcxError, `decode accepted ${JSON.stringify(t)}`);
    }
    // Root keys that are not keys: long, binary-looking, a JWK of the wrong kind.
    for (const root of ['\u0000'.repeat(100), 'x'.repeat(1 << 20), '{"kty":"RSA","n":"AQAB","e":"AQAB"}', '{', '-----BEGIN PUBLIC KEY-----\n\ud800\n-----END PUBLIC KEY-----']) {
      const e = typed(() => verifier(api, { roots: root }));
      assert.ok(e instanceof api.HcxError);
      assert.equal(e.code, 'invalid_key');
    }
    // Frames whose bytes do not match width × height, or whose area overflows 32 bits.
    for (const [bytes, w, h] of [[new Uint8Array(10), 4, 4], [new Uint8Array(17), 4, 4], [new Uint8Array(63), 4, 4], [new Uint8Array(65), 4, 4],
      [new Uint8Array(16), 0xffffffff, 0xffffffff], [new Uint8Array(16), 0x10000, 0x10000], [new Uint8Array(4), 1, 0xffffffff], [new Uint8Array(0), 1, 1]]) {
      const r = typed(() => v.verifyFrame(bytes, w, h, NOW));
      if (api.build === 'lite') {
        assert.ok(r instanceof api.HcxError && r.code === 'usage' && r.reason === 'unsupported_format', `lite frame ${w}x${h}`);
        continue;
      }
      assert.equal(r.valid, false, `${bytes.length} bytes as ${w}x${h}`);
      assert.ok(['invalid_dimensions', 'image_too_large'].includes(r.error.reason), `${bytes.length} bytes as ${w}x${h}: ${r.error.reason}`);
    }
    // Status options out of range: typed usage errors.
    for (const status of [{ maxAgeSeconds: -1 }, { maxAgeSeconds: 1e12 }, { whenMissing: 'maybe' }, { whenStale: 1 }, 'reject']) {
      const e = typed(() => verifier(api, { status }));
      assert.ok(e instanceof api.HcxError && e.code === 'usage', JSON.stringify(status));
    }
    for (const floors of [{ dingtalk: -1 }, { dingtalk: 0.5 }, { ['x'.repeat(1000)]: 1 }, { '': 1 }, { dingtalk: 'five' }]) {
      const e = typed(() => verifier(api, { statusMinSequence: floors }));
      assert.ok(e instanceof api.HcxError && e.code === 'usage', JSON.stringify(floors).slice(0, 40));
    }
    // Random bytes as trust inputs and random texts as codes: each call an HcxError or a verdict.
    let seed = 99;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let i = 0; i < 100; i++) {
      const junk = new Uint8Array(1 + (rand() << 2)).map(rand);
      if (i % 3 === 0) junk[0] = [0x7b, 0x30, 0xd2, 0x5b][rand() & 3]; // '{', DER, COSE, '['
      const made = typed(() => new api.Verifier([list, junk], { roots: rootPem, now: NOW }));
      if (!(made instanceof api.HcxError)) assert.equal(typeof made.trust, 'object');
      const t = String.fromCharCode(...Array.from({ length: 1 + rand() }, () => (rand() << 8) | rand()));
      assert.equal(typeof v.verifyText(`HCX1:${t}`, NOW).valid, 'boolean');
    }
    assert.equal(api.faults(), 0, 'a hostile input trapped the instance');
  });
}

for (const api of [full]) {
  test(`${api.build}: issue, then verify and decode`, () => {
    const key = read('keys/dingtalk-1.pem').toString();
    const text = api.issue(
      key,
      { issuer: 'dingtalk', issuedAt: new Date(1_795_248_000_000), expiresAt: '2026-11-22T00:00:00Z' },
      { status: 'yellow', subject: { name: '李四' }, region: 'CN-33' },
    );
    assert.match(text, /^HCX1:/);
    const v = verifier(api).verifyText(text, NOW);
    assert.equal(v.valid, true, JSON.stringify(v));
    assert.equal(v.claims.status, 'yellow');
    assert.equal(v.claims.subject.name, '李四');
    const d = api.decode(text);
    assert.equal(d.verified, false);
    assert.equal(d.format, 'hcx');
    assert.equal(d.claims.subject.name, '李四');
    // Two issues differ (random code ids from the host's crypto.getRandomValues).
    const again = api.issue(key, { issuer: 'dingtalk', issuedAt: 1_795_248_000, expiresAt: 1_795_334_400 }, '{"status":"green","subject":{"name":"A"},"region":"CN-33"}');
    assert.notEqual(api.decode(again).code_id, api.decode(text).code_id);
    throwsHcx(api, () => api.issue(key, { issuer: 'dingtalk', issuedAt: 10, expiresAt: 5 }, { status: 'green', subject: { name: 'A' } }), 'invalid_input');
    throwsHcx(api, () => api.issue(key, { issuer: 'dingtalk', issuedAt: 10, expiresAt: 50 }, { status: 'blue', subject: { name: 'A' } }), 'invalid_claims');
  });
}

test('full: pictures and frames, RGBA or luma, hostile ones included', () => {
  const v = verifier(full);
  const png = read('images/qr-reference-ecc-m.png');
  const fromPicture = v.verifyImage(png, NOW);
  assert.equal(fromPicture.valid, true);
  const [text] = full.scanImage(png);
  assert.match(text, /^HCX1:/);
  assert.deepEqual(fromPicture, v.verifyText(text, NOW));
  assert.deepEqual(full.scanFrame(readPng(png).rgba, readPng(png).width, readPng(png).height), [text]);
  assert.throws(() => full.scanFrame(new Uint8Array(64), 8, 8), (e) => e.code === 'no_code_found');
  // The same picture as an RGBA frame and as a luma frame.
  const { width, height, rgba, luma } = readPng(png);
  assert.deepEqual(v.verifyFrame(rgba, width, height, NOW), fromPicture);
  assert.deepEqual(v.verifyFrame(luma, width, height, NOW), fromPicture);
  assert.deepEqual(v.verifyFrame({ data: new Uint8ClampedArray(rgba.buffer), width, height }), v.verifyFrame(rgba, width, height));
  // Hostile frames and pictures: verdicts, never a trap.
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  const noise = new Uint8Array(320 * 240).map(rand);
  assert.equal(v.verifyFrame(noise, 320, 240, NOW).error.code, 'no_code_found');
  assert.equal(v.verifyFrame(new Uint8Array(10), 4, 4, NOW).error.reason, 'invalid_dimensions');
  assert.equal(v.verifyFrame(new Uint8Array(0), 5000, 5000, NOW).error.reason, 'image_too_large');
  assert.equal(v.verifyFrame(new Uint8Array(16), 0, 0, NOW).error.reason, 'invalid_dimensions');
  assert.equal(v.verifyImage(new Uint8Array(64 * 1024 * 1024), NOW).error.reason, 'file_too_large');
  assert.equal(v.verifyImage(png.subarray(0, 300), NOW).error.reason, 'unreadable_image');
  for (let i = 0; i < 40; i++) {
    const broken = new Uint8Array(png);
    for (let k = 0; k < 20; k++) broken[8 + ((rand() << 8) | rand()) % (broken.length - 8)] = rand();
    const r = v.verifyImage(broken, NOW);
    assert.equal(typeof r.valid, 'boolean');
  }
  assert.equal(full.faults(), 0, 'a hostile input trapped the instance');
});

test('full: the SIMD and plain variants read frames alike, and RGBA as its luma', async () => {
  const plain = await loadBuild('full', undefined, { simd: false });
  const { width: qw, height: qh, luma: code } = readPng(read('images/qr-reference-ecc-m.png'));
  let seed = 99;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
  const clamp = (x) => Math.max(0, Math.min(255, Math.round(x)));
  // The package's RGBA-to-luma definition (hcx-qr's simd.rs), written out once more here.
  const lumaOf = (rgba) => {
    const out = new Uint8Array(rgba.length / 4);
    for (let i = 0; i < out.length; i++) {
      const [r, g, b, a] = rgba.subarray(4 * i, 4 * i + 4);
      const y = (77 * r + 150 * g + 29 * b + 128) >> 8;
      out[i] = Math.floor((y * a + 255 * (255 - a)) / 255);
    }
    return out;
  };
  const outcome = (api, ...args) => {
    try {
      return api.scanFrame(...args);
    } catch (e) {
      return e.code;
    }
  };
  let reads = 0;
  const frames = [
    [640, 480, 1, 1, 0], [1280, 960, 2, 1, 8], [1280, 960, 1, 0.5, 20], [640, 480, 1, 0.25, 30],
    [320, 240, 0.5, 1, 0], [1000, 700, 1.5, 0.7, 40], [641, 479, 1, 0.12, 5], [1283, 967, 2.5, 0.4, 60],
  ];
  for (const [w, h, scale, contrast, noise] of frames) {
    // The reference code scaled (nearest neighbour), its contrast lowered, noise and colour
    // added, some pixels translucent: the conversion's every term, the halving, the passes.
    const rgba = new Uint8Array(4 * w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const sx = Math.floor((x - 20) / scale), sy = Math.floor((y - 15) / scale);
        const l = sx >= 0 && sy >= 0 && sx < qw && sy < qh ? code[sy * qw + sx] : 255;
        const v = 128 + (l - 128) * contrast + ((rand() - 128) * noise) / 128;
        const tint = (rand() - 128) / 4;
        const i = 4 * (y * w + x);
        rgba.set([clamp(v + tint), clamp(v), clamp(v - tint), rand() < 16 ? rand() : 255], i);
      }
    }
    const got = outcome(full, rgba, w, h);
    assert.deepEqual(outcome(plain, rgba, w, h), got, `${w}x${h} scale ${scale} contrast ${contrast} noise ${noise}`);
    const luma = lumaOf(rgba);
    assert.deepEqual(outcome(full, luma, w, h), got, `${w}x${h}: the RGBA frame and its luma`);
    assert.deepEqual(outcome(plain, luma, w, h), got);
    if (Array.isArray(got)) reads += 1;
  }
  assert.ok(reads >= 4 && reads < frames.length, `${reads} of ${frames.length} frames read: the set must have reads and misses`);
});

test('a trapped instance is replaced; verifiers rebuild themselves', async () => {
  const { readFile } = await import('node:fs/promises');
  const module = await WebAssembly.compile(await readFile(join(packageDir, 'pkg/full/hcx_js_bg.wasm')));
  const { createGlue } = await import('../../pkg/full/hcx_js_glue.js');
  const engine = await new Engine(createGlue, (imports) => WebAssembly.instantiate(module, imports)).start();
  const api = makeApi(engine, 'full');
  const v = verifier(api);
  const before = v.verifyText(reference, NOW);
  // A real trap: an allocation WebAssembly cannot satisfy aborts (`unreachable`).
  const answer = JSON.parse(engine.run(true, (_, inst) => inst.exports.__wbindgen_malloc(0xfffffff0, 8)));
  assert.equal(answer.ok.valid, false);
  assert.equal(answer.ok.error.reason, 'unreadable_image');
  assert.equal(api.faults(), 1);
  assert.deepEqual(v.verifyText(reference, NOW), before, 'the verifier rebuilt itself in the spare instance');
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(engine.spare, 'a new spare instance was made');
  const other = JSON.parse(engine.run(false, (_, inst) => inst.exports.__wbindgen_malloc(0xfffffff0, 8)));
  assert.equal(other.error.code, 'invalid_input');
  assert.deepEqual(v.verifyText(reference, NOW), before);
});

test('the UTF-8 fallback for hosts without TextEncoder agrees with the built-in one', () => {
  const samples = ['', 'ascii', '张三 李四', '😀 emoji \u{10ffff}', 'lone \ud800 surrogate', 'HCX1:' + 'A'.repeat(5000)];
  const enc = new Utf8Encoder();
  const dec = new Utf8Decoder('utf-8', { fatal: true });
  for (const s of samples) {
    assert.deepEqual(enc.encode(s), new TextEncoder().encode(s));
    assert.equal(dec.decode(new TextEncoder().encode(s)), new TextDecoder().decode(new TextEncoder().encode(s)));
  }
  assert.throws(() => dec.decode(new Uint8Array([0xc3, 0x28])), TypeError);
  assert.equal(new Utf8Decoder().decode(new Uint8Array([0xff, 0x41])), '\ufffdA');
});
