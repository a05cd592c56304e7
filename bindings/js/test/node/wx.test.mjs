// The WeChat path, as far as Node can play WeChat: a host with `WXWebAssembly` (instantiate by
// path, brotli `.wasm.br` accepted) and without TextEncoder/TextDecoder, loading each build
// through js/wx.mjs and the glue factory, then verifying the fixtures' reference code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { fixtures, packageDir } from '../helpers.mjs';

const script = `
  import { readFileSync } from 'node:fs';
  import { brotliDecompressSync } from 'node:zlib';
  delete globalThis.TextEncoder;
  delete globalThis.TextDecoder;
  const [build, dir, fixtures, simd] = process.argv.slice(1);
  const loaded = new Set();
  globalThis.WXWebAssembly = {
    instantiate: async (path, imports) => {
      // 'refused': a WebView without SIMD, where a module with SIMD does not compile.
      if (simd === 'refused' && path.includes('.simd.')) throw new WebAssembly.CompileError('SIMD unsupported');
      const bytes = readFileSync(path);
      const made = await WebAssembly.instantiate(path.endsWith('.br') ? brotliDecompressSync(bytes) : bytes, imports);
      loaded.add(path.slice(path.lastIndexOf('/') + 1));
      return made;
    },
  };
  const { loadWx } = await import(dir + '/js/wx.mjs');
  const { createGlue } = await import(dir + '/pkg/' + build + '/hcx_js_glue.js');
  const pkg = dir + '/pkg/' + build + '/';
  const hcx = await loadWx({
    wasmPath: pkg + 'hcx_js_bg.wasm.br',
    simdWasmPath: simd === 'none' ? undefined : pkg + 'hcx_js_bg.simd.wasm.br',
    createGlue,
    build,
  });
  const now = 1795251600;
  const v = new hcx.Verifier([readFileSync(fixtures + '/trust/main.json', 'utf8')], { roots: readFileSync(fixtures + '/keys/root-1.pub.pem', 'utf8'), now });
  const verdict = v.verifyText(readFileSync(fixtures + '/samples/reference-code.txt', 'utf8').trim(), now);
  console.log(JSON.stringify({ polyfilled: TextEncoder.name, valid: verdict.valid, name: verdict.claims.subject.name, issuer: verdict.issuer.names.zh, loaded: [...loaded] }));
`;

const cases = [
  ['lite', 'none', 'hcx_js_bg.wasm.br'],
  ['full', 'none', 'hcx_js_bg.wasm.br'],
  ['full', 'offered', 'hcx_js_bg.simd.wasm.br'],
  ['full', 'refused', 'hcx_js_bg.wasm.br'],
];
for (const [build, simd, file] of cases) {
  const what = { none: '', offered: ' (the SIMD file offered and taken)', refused: ' (the SIMD file refused: the plain one instead)' }[simd];
  test(`${build}: loads through WXWebAssembly from the .wasm.br, without TextEncoder${what}`, () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, build, packageDir, fixtures, simd], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out), { polyfilled: 'Utf8Encoder', valid: true, name: '张三', issuer: '钉钉', loaded: [file] });
  });
}
