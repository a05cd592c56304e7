#!/usr/bin/env python3
"""Prints the figures of docs/PERFORMANCE.md from the last `cargo bench --bench bulk` run (and,
with --e2e DIR, from a tools/bulk/run.sh run): throughput of each bench and its ratio to the raw
ed25519-dalek baseline measured in the same run."""
import argparse, json, os, re, sys

ap = argparse.ArgumentParser()
ap.add_argument("--target", default=os.environ.get("CARGO_TARGET_DIR") or
                os.path.join(os.path.dirname(__file__), "..", "..", "target"))
ap.add_argument("--e2e", help="work directory of tools/bulk/run.sh")
ap.add_argument("--lines", type=int, default=0)
a = ap.parse_args()
crit = os.path.join(a.target, "criterion")

def rate(group, bench, per_iter):
    """Elements per second from criterion's mean estimate (ns per iteration)."""
    path = os.path.join(crit, group, bench, "new", "estimates.json")
    try:
        with open(path) as f:
            ns = json.load(f)["mean"]["point_estimate"]
    except OSError:
        return None
    return per_iter * 1e9 / ns

cores = sorted(d for d in os.listdir(crit) if re.fullmatch(r"\d+cores", d)) if os.path.isdir(crit) else []
multi = cores[0] if cores else None
sign = rate("1core", "ed25519_sign", 64)
strict = rate("1core", "ed25519_verify_strict", 64)
if not sign or not strict:
    sys.exit(f"no baseline in {crit}: run `cargo bench --bench bulk` first")

rows = [
    ("raw ed25519 sign (baseline)", "1core", "ed25519_sign", 64, sign),
    ("raw ed25519 verify_strict (baseline)", "1core", "ed25519_verify_strict", 64, strict),
    ("dalek verify_batch, 64 (not used)", "1core", "ed25519_verify_batch_dalek", 64, strict),
    ("StrictVerifier, 64 signatures", "1core", "strict_verifier", 64, strict),
    ("hcx decode (parse only)", "1core", "hcx_decode", 64, strict),
    ("hcx issue, 1 core", "1core", "hcx_issue", 64, sign),
    ("hcx BatchIssuer, 64 codes, 1 core", "1core", "hcx_issue_batch", 64, sign),
    ("hcx verify single, 1 core", "1core", "hcx_verify_single", 64, strict),
    ("hcx verify_many, 1 core", "1core", "hcx_verify_many", 64, strict),
    ("hcx verify_many + JSON, 1 core", "1core", "hcx_verify_many_json", 64, strict),
]
if multi:
    rows += [
        (f"hcx BatchIssuer, {multi}", multi, "hcx_issue", 4096, sign),
        (f"hcx verify_many, {multi}", multi, "hcx_verify_many", 4096, strict),
    ]
rows += [
    ("QR encode (hcx code)", "qr", "encode_hcx_code", 1, None),
    ("QR decode (PNG, 4 px/module)", "qr", "decode_hcx_code_png", 1, None),
]
print(f"{'figure':40} {'per second':>12}  ratio to baseline")
for label, group, bench, n, base in rows:
    r = rate(group, bench, n)
    if r is None:
        continue
    ratio = f"{r / base:5.2f}x" if base else ""
    print(f"{label:40} {r:12,.0f}  {ratio}")

if a.e2e:
    for label, base, name in (("issue", sign, "sign"), ("verify", strict, "verify_strict")):
        try:
            text = open(os.path.join(a.e2e, f"{label}.time")).read()
        except OSError:
            continue
        wall = re.search(r"Elapsed \(wall clock\) time.*: (.*)", text).group(1)
        parts = [float(p) for p in wall.split(":")]
        secs = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
        rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
        per_s = a.lines / secs if secs else 0
        print(f"end-to-end {label} --batch: {a.lines} lines in {secs:.2f} s = {per_s:,.0f}/s, "
              f"{per_s / base:.2f}x raw 1-core {name}; peak RSS {rss / 1024:.1f} MiB")
