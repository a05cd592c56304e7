// WeChat mini-programs: loads a build through `WXWebAssembly`, which instantiates only files in
// the package (`.wasm`, or brotli `.wasm.br`), given by their path. See README.md.
//
//   import { loadWx } from './hcx/js/wx.mjs';
//   import { createGlue } from './hcx/pkg/lite/hcx_js_glue.js';
//   const hcx = await loadWx({ wasmPath: '/hcx/pkg/lite/hcx_js_bg.wasm.br', createGlue, build: 'lite' });
import './utf8.mjs';
import { Engine } from './engine.mjs';
import { makeApi } from './api.mjs';

/**
 * `simdWasmPath` (the full build's `hcx_js_bg.simd.wasm.br`, optional): tried first; where the
 * WebView has no WebAssembly SIMD it does not compile, and `wasmPath` is used instead.
 * @param {{wasmPath: string, simdWasmPath?: string, createGlue: () => object, build?: 'full' | 'lite'}} options
 */
export async function loadWx({ wasmPath, simdWasmPath, createGlue, build = 'lite' }) {
  if (typeof WXWebAssembly !== 'object') throw new Error('WXWebAssembly is not available: this is not a WeChat mini-program');
  const start = (path) => new Engine(createGlue, (imports) => WXWebAssembly.instantiate(path, imports)).start();
  let engine = null;
  if (simdWasmPath) engine = await start(simdWasmPath).catch(() => null);
  engine ??= await start(wasmPath);
  return makeApi(engine, build);
}
