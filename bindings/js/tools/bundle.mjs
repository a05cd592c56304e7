#!/usr/bin/env node
// Writes a trust bundle for the verifier page (web/): root keys and trust inputs in one JSON.
//
//   node bindings/js/tools/bundle.mjs --root ROOT.pem [--threshold N] [--max-age-days N] INPUT... > bundle.json
//
// INPUT: an hcx trust list, certificates (PEM or DER), a JWKS, a DCC signer list, an SHC
// revocation list or issuer directory: anything `hcx verify --trust` reads.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const args = process.argv.slice(2);
const bundle = { hcx_trust_bundle: 1, roots: [], threshold: 1, max_age_days: 7, inputs: [] };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--root') bundle.roots.push(readFileSync(args[++i], 'utf8'));
  else if (a === '--threshold') bundle.threshold = Number(args[++i]);
  else if (a === '--max-age-days') bundle.max_age_days = Number(args[++i]);
  else if (a.startsWith('--')) {
    console.error(`bundle.mjs: unknown option ${a}`);
    process.exit(2);
  } else {
    bundle.inputs.push({ name: basename(a), base64: readFileSync(a).toString('base64') });
  }
}
process.stdout.write(`${JSON.stringify(bundle, null, 1)}\n`);
