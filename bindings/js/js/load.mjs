// Loads a build of the hcx package in Node (≥ 20) or a browser. Mini-programs use wx.mjs.

import { Engine } from './engine.mjs';
import { makeApi } from './api.mjs';

const isNode = typeof process === 'object' && typeof process.versions?.node === 'string';

// A module of one function using a SIMD instruction (`i8x16.splat`, `i8x16.popcnt`): it validates
// exactly where the engine has WebAssembly SIMD.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/** Whether this engine runs WebAssembly SIMD, which the full build's faster variant needs. */
export function hasSimd() {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

/**
 * The .wasm file of a build: the full build's SIMD variant where the engine has SIMD (or where
 * `simd` says so), the plain file otherwise. Both share one glue and give the same answers; the
 * SIMD one reads camera frames faster.
 * @param {'full' | 'lite'} build
 * @param {boolean} [simd]
 */
export function wasmFile(build, simd = hasSimd()) {
  return build === 'full' && simd ? 'hcx_js_bg.simd.wasm' : 'hcx_js_bg.wasm';
}

/** The compiled module of a build: from `source` if given (bytes, Response or Module). */
async function compile(dir, source, file) {
  if (source instanceof WebAssembly.Module) return source;
  if (source !== undefined) {
    if (typeof Response === 'function' && source instanceof Response) source = await source.arrayBuffer();
    return WebAssembly.compile(source);
  }
  const url = new URL(file, dir);
  if (isNode) {
    const { readFile } = await import('node:fs/promises');
    return WebAssembly.compile(await readFile(url));
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot load ${url}: ${response.status}`);
  return WebAssembly.compile(await response.arrayBuffer());
}

/**
 * Loads a build: `'full'` (every format, pictures and frames) or `'lite'` (hcx texts only).
 * @param {'full' | 'lite'} build
 * @param {BufferSource | Response | WebAssembly.Module} [source] the .wasm, when it is not
 *   beside this file (the default: `../pkg/<build>/` and the file `wasmFile` names)
 * @param {{simd?: boolean}} [options] `simd`: the full build's SIMD variant or not (the default:
 *   where the engine has SIMD)
 */
export async function loadBuild(build = 'full', source, { simd } = {}) {
  if (build !== 'full' && build !== 'lite') throw new TypeError(`unknown build ${build}`);
  const dir = new URL(`../pkg/${build}/`, import.meta.url);
  const [module, { createGlue }] = await Promise.all([
    compile(dir, source, wasmFile(build, simd)),
    import(new URL('hcx_js_glue.js', dir).href),
  ]);
  const engine = await new Engine(
    createGlue,
    (imports) => WebAssembly.instantiate(module, imports),
    (imports) => new WebAssembly.Instance(module, imports),
  ).start();
  return makeApi(engine, build);
}
