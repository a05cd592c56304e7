#!/usr/bin/env bash
# End-to-end bulk run: generate N claims lines, `hcx issue --batch` them, `hcx verify --batch`
# the codes, and report wall time, throughput and peak RSS (GNU time) for both, next to the raw
# ed25519-dalek limits measured in the same run by the criterion bench (docs/PERFORMANCE.md).
#
#   tools/bulk/run.sh [N] [WORKDIR]      default N=1000000, WORKDIR=target/bulk-run
#   JOBS=1 tools/bulk/run.sh ...         pass --jobs to both commands
#   SKIP_BENCH=1 tools/bulk/run.sh ...   skip the baseline bench (reuse the last one)
set -euo pipefail
N=${1:-1000000}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${2:-$ROOT/target/bulk-run}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
mkdir -p "$WORK"
cd "$ROOT"
cargo build --release --quiet
HCX=$TARGET/release/hcx
JOBS_ARG=()
if [ -n "${JOBS:-}" ]; then JOBS_ARG=(--jobs "$JOBS"); fi
AT=2026-11-21T08:00:00Z

# Keys and a trust list, fixed in time so the run is reproducible.
"$HCX" keygen -o "$WORK/root.pem" --force >/dev/null
"$HCX" pubkey "$WORK/root.pem" >"$WORK/root.pub.pem"
"$HCX" keygen -o "$WORK/issuer.pem" --force >/dev/null
"$HCX" pubkey "$WORK/issuer.pem" >"$WORK/issuer.pub.pem"
rm -f "$WORK/trust.json"
"$HCX" trust add "$WORK/trust.json" --issuer dingtalk --name DingTalk --name-zh 钉钉 \
  --key "$WORK/issuer.pub.pem" --regions CN >/dev/null
"$HCX" trust sign "$WORK/trust.json" --key "$WORK/root.pem" --valid-for 30d --at "$AT" >/dev/null

# N claims lines, names and dates varying; every 100000th line is broken on purpose.
python3 - "$N" >"$WORK/claims.jsonl" <<'PY'
import json, sys
n = int(sys.argv[1])
out = sys.stdout
for i in range(n):
    if i % 100000 == 99999:
        out.write('{"status":"purple"}\n')
        continue
    c = {"status": ["green", "yellow", "red"][i % 3],
         "subject": {"name": f"张三{i}", "birth_date": f"{1950 + i % 60}-0{1 + i % 9}-1{i % 10}",
                     "id_type": "CN-RIC", "id_suffix": f"{i % 10000:04d}"},
         "region": "CN-33"}
    out.write(json.dumps(c, ensure_ascii=False, separators=(",", ":")) + "\n")
PY

measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -v -o "$WORK/$label.time" "$@" 2>"$WORK/$label.stderr" || true
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/$label.time")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/$label.time")
  echo "$label: wall $wall, peak RSS $((rss / 1024)) MiB"
  tail -n 1 "$WORK/$label.stderr"
}

measure issue "$HCX" issue --batch "$WORK/claims.jsonl" -o "$WORK/issued.jsonl" \
  --key "$WORK/issuer.pem" --issuer dingtalk --at "$AT" "${JOBS_ARG[@]}"
# The codes, one per line; broken input lines become empty lines (judged malformed).
jq -r '.code // ""' "$WORK/issued.jsonl" >"$WORK/codes.txt"
measure verify "$HCX" verify --batch "$WORK/codes.txt" -o "$WORK/verdicts.jsonl" \
  --trust "$WORK/trust.json" --root "$WORK/root.pub.pem" --at "$AT" "${JOBS_ARG[@]}"
echo "lines: $(wc -l <"$WORK/codes.txt") codes, $(wc -l <"$WORK/verdicts.jsonl") verdicts"

if [ -z "${SKIP_BENCH:-}" ]; then
  # The single-core limits, in the same run.
  cargo bench --quiet --bench bulk -- '1core/ed25519_(sign|verify_strict)$' >"$WORK/baseline.txt" 2>&1
fi
python3 "$ROOT/tools/bulk/ratios.py" --e2e "$WORK" --lines "$N"
