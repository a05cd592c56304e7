// Floor of issue #12: WASM verify of an hcx code (decode + every check, through the package's
// `verifyText`, verdict object included) against Node's native `crypto.verify('ed25519')` over
// the same signed bytes, interleaved in one process. Prints the throughput ratio.
//
//   node bindings/js/bench/verify.mjs [rounds=15] [per-round=2000]
import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { loadBuild } from '../js/load.mjs';
import { fixtures } from '../test/helpers.mjs';

const rounds = Number(process.argv[2] ?? 15);
const perRound = Number(process.argv[3] ?? 2000);
const NOW = 1_795_251_600;
const read = (p) => readFileSync(join(fixtures, p));
const code = read('samples/reference-code.txt').toString().trim();

// ---- the signed bytes of the code, read here independently of the package (SPEC §3, §5).
const B45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
function base45(s) {
  const out = [];
  for (let i = 0; i < s.length; i += 3) {
    const [c, d, e] = [...s.slice(i, i + 3)].map((ch) => B45.indexOf(ch));
    const n = c + d * 45 + (e === undefined ? 0 : e * 45 * 45);
    if (e === undefined) out.push(n);
    else out.push(n >> 8, n & 0xff);
  }
  return Uint8Array.from(out);
}
/** A minimal CBOR reader for the COSE_Sign1 array: heads and byte strings. */
function cborItems(b) {
  let p = 0;
  const head = () => {
    const ib = b[p++];
    const info = ib & 31;
    let n = info;
    if (info === 24) n = b[p++];
    else if (info === 25) (n = (b[p] << 8) | b[p + 1]), (p += 2);
    else if (info === 26) (n = ((b[p] << 24) >>> 0) + (b[p + 1] << 16) + (b[p + 2] << 8) + b[p + 3]), (p += 4);
    return [ib >> 5, n];
  };
  let [major, n] = head();
  if (major === 6) [major, n] = head(); // tag 18
  if (major !== 4 || n !== 4) throw new Error('not a COSE_Sign1');
  const bstr = () => {
    const [m, len] = head();
    if (m !== 2) throw new Error('expected a byte string');
    const v = b.subarray(p, p + len);
    p += len;
    return v;
  };
  const protectedHeader = bstr();
  const [m, pairs] = head();
  if (m !== 5 || pairs !== 0) throw new Error('expected an empty unprotected map');
  const payload = bstr();
  const signature = bstr();
  return { protectedHeader, payload, signature };
}
function cborBstrHead(len) {
  if (len < 24) return [0x40 | len];
  if (len < 256) return [0x58, len];
  return [0x59, len >> 8, len & 0xff];
}
const { protectedHeader, payload, signature } = cborItems(base45(code.slice(5)));
const sigStructure = Uint8Array.from([
  0x84, 0x6a, ...Buffer.from('Signature1'), ...cborBstrHead(protectedHeader.length), ...protectedHeader, 0x40,
  ...cborBstrHead(payload.length), ...payload,
]);
const issuerKey = createPublicKey(read('keys/dingtalk-1.pub.pem'));
if (!verify(null, sigStructure, issuerKey, signature)) throw new Error('the signed bytes were not rebuilt right');

// ---- the contenders
const contenders = {};
for (const build of ['lite', 'full']) {
  const api = await loadBuild(build);
  const v = new api.Verifier([read('trust/main.json')], { roots: read('keys/root-1.pub.pem').toString(), now: NOW });
  if (!v.verifyText(code, NOW).valid) throw new Error(`${build}: the code does not verify`);
  contenders[`wasm-${build}`] = () => v.verifyText(code, NOW).valid;
}
contenders['node-crypto'] = () => verify(null, sigStructure, issuerKey, signature);

const time = (f) => {
  const t = process.hrtime.bigint();
  for (let i = 0; i < perRound; i++) if (!f()) throw new Error('a verification failed');
  return Number(process.hrtime.bigint() - t) / 1e3 / perRound; // µs per verification
};
for (const f of Object.values(contenders)) time(f); // warm-up
const samples = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
const names = Object.keys(contenders);
for (let r = 0; r < rounds; r++) {
  // Interleaved, the order turned each round, so load changes hit all alike.
  const order = r % 2 ? [...names].reverse() : names;
  for (const name of order) samples[name].push(time(contenders[name]));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const native = median(samples['node-crypto']);
console.log(`hcx verify vs Node crypto.verify('ed25519'), ${rounds} interleaved rounds of ${perRound}, median µs per verification:`);
for (const name of names) {
  const m = median(samples[name]);
  const ratios = samples[name].map((x, i) => samples['node-crypto'][i] / x);
  console.log(`  ${name.padEnd(12)} ${m.toFixed(1).padStart(7)} µs   throughput vs node-crypto: median ${(native / m).toFixed(2)}×, per-round range ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×`);
}
