// Shared by the Node and browser tests: where the fixtures and the peers' data are.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoDir = resolve(packageDir, '../..');
export const fixtures = join(repoDir, 'spec/fixtures');

/**
 * `shared/peers/<sub>`, found by walking up from the package (worktrees find it too). Absent,
 * it fails under CI (`CI=true`) and is reported loudly otherwise, as the Rust tests do.
 * @returns {string | null}
 */
export function peers(sub, t) {
  let dir = packageDir;
  for (;;) {
    const candidate = join(dir, 'shared', 'peers', sub);
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  if (process.env.CI === 'true') throw new Error(`shared/peers/${sub} not found above ${packageDir}`);
  const note = `!!!!!!!!!! shared/peers/${sub} NOT FOUND above ${packageDir}: conformance test SKIPPED !!!!!!!!!!`;
  console.error(`\n${note}\n`);
  t?.skip(note);
  return null;
}

/** Unix seconds of an RFC 3339 time, also accepting `+0200` offsets and no offset (UTC). */
export function parseTime(text) {
  let s = text.trim();
  const zoned = /(Z|[+-]\d\d:\d\d)$/i.test(s);
  if (!zoned) s = /[+-]\d{4}$/.test(s) ? `${s.slice(0, -2)}:${s.slice(-2)}` : `${s}Z`;
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) throw new Error(`bad time ${text}`);
  return Math.floor(ms / 1000);
}

/** The pixels of an 8-bit PNG (no interlace) as RGBA and luma frames: a minimal reader. */
export function readPng(png) {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let off = 8;
  let w = 0;
  let h = 0;
  let type = 0;
  const idat = [];
  while (off < png.length) {
    const len = view.getUint32(off);
    const kind = png.subarray(off + 4, off + 8).toString();
    const data = png.subarray(off + 8, off + 8 + len);
    if (kind === 'IHDR') {
      w = view.getUint32(off + 8);
      h = view.getUint32(off + 12);
      type = png[off + 17];
      assert.equal(png[off + 16], 8, 'fixture PNG bit depth');
    }
    if (kind === 'IDAT') idat.push(data);
    off += 12 + len;
  }
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[type];
  const raw = inflateSync(Buffer.concat(idat));
  const stride = w * channels;
  const px = new Uint8Array(w * h * channels);
  for (let y = 0; y < h; y++) {
    const f = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const cur = raw[y * (stride + 1) + 1 + x];
      const a = x >= channels ? px[y * stride + x - channels] : 0;
      const b = y > 0 ? px[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? px[(y - 1) * stride + x - channels] : 0;
      const p = a + b - c;
      const pr = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      px[y * stride + x] = (cur + [0, a, b, (a + b) >> 1, pr][f]) & 0xff;
    }
  }
  const luma = new Uint8Array(w * h);
  const rgba = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    const g = px[i * channels];
    luma[i] = g;
    rgba.set([g, g, g, 255], i * 4);
  }
  return { width: w, height: h, rgba, luma };
}

