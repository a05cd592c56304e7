import type { Verifier, decode, issue, scanFrame, scanImage, HcxError, faults } from './index.js';

/** One loaded build of the package: the same API as the package's main export. */
export interface HcxApi {
  Verifier: typeof Verifier;
  decode: typeof decode;
  issue: typeof issue;
  scanFrame: typeof scanFrame;
  scanImage: typeof scanImage;
  HcxError: typeof HcxError;
  build: 'full' | 'lite';
  limits: Readonly<Record<string, number | boolean>>;
  faults: typeof faults;
}

/**
 * Loads a build (`full` or `lite`); `source` is the .wasm (bytes, a Response or a compiled
 * Module) when it is not beside the package's files. `simd`: the full build's SIMD variant or
 * not (by default, where the engine has WebAssembly SIMD).
 */
export function loadBuild(build?: 'full' | 'lite', source?: BufferSource | Response | WebAssembly.Module, options?: { simd?: boolean }): Promise<HcxApi>;

/** Whether this engine runs WebAssembly SIMD (the full build's faster variant needs it). */
export function hasSimd(): boolean;

/** The .wasm file `loadBuild` loads for a build: `hcx_js_bg.simd.wasm` (full, with SIMD) or `hcx_js_bg.wasm`. */
export function wasmFile(build: 'full' | 'lite', simd?: boolean): string;

/** WeChat mini-programs (js/wx.mjs): loads a build through `WXWebAssembly` from a file in the package. */
export function loadWx(options: { wasmPath: string; simdWasmPath?: string; createGlue: () => object; build?: 'full' | 'lite' }): Promise<HcxApi>;
