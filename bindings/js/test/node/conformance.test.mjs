// Every case of spec/fixtures/cases through the package, with the outcome checks of
// tests/conformance.rs: exact code and reason for rejections; issuer, key id, times, claims and
// nothing more for valid codes. The full build runs every case, in both its variants (with
// WebAssembly SIMD and without); the hcx-only build runs every text case (and refuses the
// picture cases as a usage error).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { hasSimd, loadBuild } from '../../js/load.mjs';
import { fixtures, parseTime } from '../helpers.mjs';

assert.ok(hasSimd(), 'Node.js >= 20 has WebAssembly SIMD: the SIMD variant must be what loads by default');
const builds = {
  full: await loadBuild('full'),
  'full without SIMD': await loadBuild('full', undefined, { simd: false }),
  lite: await loadBuild('lite'),
};

/** Every field a case may have; a new one fails the test until the test reads it. */
const CASE_FIELDS = new Set([
  'name', 'description', 'at', 'roots', 'threshold', 'min_sequence', 'skew_seconds', 'trust_list',
  'status_lists', 'status_policy', 'status_min_sequence', 'input', 'expected', 'issued_from',
]);
const issuerKey = readFileSync(join(fixtures, 'keys/dingtalk-1.pem'), 'utf8');

function cases() {
  const dir = join(fixtures, 'cases');
  const out = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f.slice(0, -5), JSON.parse(readFileSync(join(dir, f), 'utf8'))]);
  assert.ok(out.length >= 60, `only ${out.length} fixtures`);
  return out;
}

/** The outcome in the fixtures' vocabulary, read from the verdict object (as the CLI pass). */
function outcomeOf(v) {
  if (v.valid === true) {
    const g = {
      valid: true,
      issuer: v.issuer.id,
      key_id: v.key_id,
      issued_at: v.issued_at,
      expires_at: v.expires_at,
      claims: v.claims,
    };
    if (v.not_before !== undefined && v.not_before !== null) g.not_before = v.not_before;
    if (v.status_list !== undefined) {
      // The parts the fixtures pin (its age depends on the clock), as tests/conformance.rs.
      const s = v.status_list;
      g.status_list = { outcome: s.outcome, sequence: s.sequence };
      for (const k of ['not_covered', 'stale']) if (s[k] !== undefined) g.status_list[k] = s[k];
    }
    return g;
  }
  assert.equal(v.valid, false);
  return { valid: false, error: v.error.code, reason: v.error.reason };
}

function run(api, c) {
  const roots = c.roots.map((r) => readFileSync(join(fixtures, r), 'utf8'));
  const at = parseTime(c.at);
  let verifier;
  try {
    // The trust list, then its status lists, as tests/conformance.rs gives them.
    const inputs = [c.trust_list, ...(c.status_lists ?? [])].map((f) => readFileSync(join(fixtures, f)));
    const policy = c.status_policy ?? {};
    verifier = new api.Verifier(inputs, {
      roots,
      threshold: c.threshold ?? 1,
      minSequence: c.min_sequence ?? undefined,
      skew: c.skew_seconds,
      now: at,
      status: { maxAgeSeconds: policy.max_age_seconds, whenMissing: policy.when_missing, whenStale: policy.when_stale },
      statusMinSequence: c.status_min_sequence,
    });
  } catch (e) {
    assert.ok(e instanceof api.HcxError, `not an HcxError: ${e}`);
    assert.equal(typeof e.code, 'string');
    return { valid: false, error: e.code, reason: e.reason };
  }
  if (typeof c.input.text === 'string') return outcomeOf(verifier.verifyText(c.input.text, at));
  if (typeof c.input.qr_image === 'string') {
    return outcomeOf(verifier.verifyImage(readFileSync(join(fixtures, c.input.qr_image)), at));
  }
  throw new Error('case has no input');
}

/** Every expected field matches exactly; a valid outcome carries no field the case lacks. */
function check(name, expected, got, failures) {
  let ok = Object.entries(expected).every(([k, v]) => {
    try {
      assert.deepStrictEqual(got[k], v);
      return true;
    } catch {
      return false;
    }
  });
  if (expected.valid === true) ok &&= Object.keys(got).every((k) => k in expected);
  if (!ok) failures.push(`${name}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`);
}

for (const build of Object.keys(builds)) {
  test(`every fixture through the ${build} build`, () => {
    const api = builds[build];
    const failures = [];
    let ran = 0;
    let pictures = 0;
    for (const [name, c] of cases()) {
      assert.equal(c.name, name, 'file name and case name differ');
      const unknown = Object.keys(c).filter((k) => !CASE_FIELDS.has(k));
      assert.deepEqual(unknown, [], `${name}: fields this test does not read (teach it them)`);
      if (build === 'lite' && typeof c.input.qr_image === 'string') {
        // The small build has no picture decoder: a usage error, typed, never a verdict.
        const v = new api.Verifier([], {});
        assert.throws(() => v.verifyImage(new Uint8Array(8)), (e) => e.code === 'usage' && e.reason === 'unsupported_format');
        pictures += 1;
        continue;
      }
      check(name, c.expected, run(api, c), failures);
      ran += 1;
      // SPEC.md §13: the claims an issuer given `issued_from` writes are `expected.claims`.
      if (c.issued_from !== undefined && build !== 'lite') {
        const text = api.issue(issuerKey, { issuer: 'dingtalk', issuedAt: 0, expiresAt: 86400 }, c.issued_from);
        const written = api.decode(text).claims;
        try {
          assert.deepStrictEqual(written, c.expected.claims);
        } catch {
          failures.push(`issue ${name}: issued_from gives ${JSON.stringify(written)}`);
        }
      }
    }
    assert.deepEqual(failures, [], `${failures.length} of ${ran} cases failed:\n${failures.join('\n')}`);
    console.log(`conformance (${build} build): ${ran} of ${ran} cases pass${pictures ? `; ${pictures} picture cases refused as this build should` : ''}`);
  });
}
