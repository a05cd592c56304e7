// Floor of issue #12: QR codes from camera frames. On hcx-qr's synthetic phone photos
// (crates/hcx-qr/examples/qr-photos.rs), the package's `scanFrame` (the full build's SIMD
// variant, which Node and current browsers load, and its plain variant, for engines without
// SIMD) against zxing-wasm (zxing-cpp in WebAssembly) and jsQR, all from npm, in this one
// process, each given the same
// RGBA frame already in memory (file decoding not timed), photo by photo, the order turned
// each photo; each decoder `repeat` times per photo, the fastest counting.
//
//   node bindings/js/bench/qr.mjs PHOTO_DIR [repeat=3]
//   SKIP_JSQR=1 node bindings/js/bench/qr.mjs PHOTO_DIR   # hcx and zxing-wasm only (jsQR takes
//                                                         # about half a second a photo)
//   HCX_WASM_B=old/hcx_js_bg.wasm node bindings/js/bench/qr.mjs PHOTO_DIR
//       # also a second full-build .wasm ("hcx B", with the package's glue): a change measured
//       # against the build before it, interleaved in the same run
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

import jpeg from 'jpeg-js';
import jsQR from 'jsqr';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';

import { loadBuild } from '../js/load.mjs';
import { readPng } from '../test/helpers.mjs';

const [dir, repeatArg] = process.argv.slice(2);
if (!dir) {
  console.error('usage: node bench/qr.mjs PHOTO_DIR [repeat]');
  process.exit(2);
}
const repeat = Number(repeatArg ?? 3);
const require = createRequire(import.meta.url);
// zxing-wasm's .wasm from its npm package, not from a CDN.
await prepareZXingModule({
  overrides: { wasmBinary: readFileSync(require.resolve('zxing-wasm/reader/zxing_reader.wasm')) },
  fireImmediately: true,
});
const hcx = await loadBuild('full', undefined, { simd: true });
const hcxPlain = await loadBuild('full', undefined, { simd: false });
const hcxB = process.env.HCX_WASM_B ? await loadBuild('full', readFileSync(process.env.HCX_WASM_B)) : null;

/** RGBA frame of a photo (grey JPEG or PNG), decoded once, outside the timing. */
function frame(file) {
  const bytes = readFileSync(join(dir, file));
  if (file.endsWith('.png')) {
    const { width, height, rgba } = readPng(bytes);
    return { width, height, data: new Uint8ClampedArray(rgba.buffer) };
  }
  const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 512 });
  return { width: img.width, height: img.height, data: new Uint8ClampedArray(img.data.buffer) };
}

/** A build's `scanFrame`, with "no code found" as no texts. */
const scanWith = (build) => (f) => {
  try {
    return build.scanFrame(f);
  } catch (e) {
    if (e.code === 'no_code_found') return [];
    throw e;
  }
};
const decoders = {
  'hcx (simd)': scanWith(hcx),
  'hcx (plain)': scanWith(hcxPlain),
  ...(hcxB ? { 'hcx B': scanWith(hcxB) } : {}),
  'zxing-wasm': async (f) => (await readBarcodes(f, { formats: ['QRCode'], maxNumberOfSymbols: 1 })).map((r) => r.text),
  jsqr: (f) => {
    const r = jsQR(f.data, f.width, f.height);
    return r ? [r.data] : [];
  },
};
if (process.env.SKIP_JSQR === '1') delete decoders.jsqr;

const manifest = readFileSync(join(dir, 'manifest.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t'));
const names = Object.keys(decoders);
const stats = Object.fromEntries(names.map((n) => [n, { ok: 0, times: [] }]));
for (const [i, [file, expected]] of manifest.entries()) {
  const f = frame(file);
  const order = i % 2 ? [...names].reverse() : names;
  for (const name of order) {
    let best = Infinity;
    let texts = [];
    for (let r = 0; r < repeat; r++) {
      const t = process.hrtime.bigint();
      texts = await decoders[name](f);
      best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6);
    }
    stats[name].times.push(best);
    if (texts.includes(expected)) stats[name].ok += 1;
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = stats['zxing-wasm'];
console.log(`QR from frames, ${manifest.length} photos of ${dir}, fastest of ${repeat} per photo, interleaved:`);
for (const name of names) {
  const s = stats[name];
  console.log(
    `  ${name.padEnd(12)} decoded ${String(s.ok).padStart(3)}/${manifest.length} (${(s.ok / base.ok).toFixed(2)}× zxing-wasm)` +
      `  median ${median(s.times).toFixed(2)} ms (${(median(s.times) / median(base.times)).toFixed(2)}× zxing-wasm's)`,
  );
}
