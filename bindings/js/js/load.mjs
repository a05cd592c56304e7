// Loads a build of the hcx package in Node (≥ 20) or a browser. Mini-programs use wx.mjs.

import { Engine } from './engine.mjs';
import { makeApi } from './api.mjs';

const isNode = typeof process === 'object' && typeof process.versions?.node === 'string';

/** The compiled module of a build: from `source` if given (bytes, Response or Module). */
async function compile(dir, source) {
  if (source instanceof WebAssembly.Module) return source;
  if (source !== undefined) {
    if (typeof Response === 'function' && source instanceof Response) source = await source.arrayBuffer();
    return WebAssembly.compile(source);
  }
  const url = new URL('hcx_js_bg.wasm', dir);
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
 *   beside this file (the default: `../pkg/<build>/hcx_js_bg.wasm`)
 */
export async function loadBuild(build = 'full', source) {
  if (build !== 'full' && build !== 'lite') throw new TypeError(`unknown build ${build}`);
  const dir = new URL(`../pkg/${build}/`, import.meta.url);
  const [module, { createGlue }] = await Promise.all([
    compile(dir, source),
    import(new URL('hcx_js_glue.js', dir).href),
  ]);
  const engine = await new Engine(
    createGlue,
    (imports) => WebAssembly.instantiate(module, imports),
    (imports) => new WebAssembly.Instance(module, imports),
  ).start();
  return makeApi(engine, build);
}
