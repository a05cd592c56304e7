#!/usr/bin/env bash
# Bulk throughput as a ratio to the raw single-core Ed25519 limit, measured in the same run:
# each round runs the baseline (examples/ed25519-limit.rs: ed25519-dalek's verify_strict or
# sign on one core, over the same codes), then the CLI over the whole file, then the baseline
# again, and takes hcx's lines/s over the mean of the two baselines. The median round counts.
#
#   tools/bulk/run.sh 200000 WORK        # once: keys, trust list, claims, codes
#   tools/bulk/ratio.sh WORK [ROUNDS]    # ratios for issue --batch and verify --batch
#   JOBS=1 tools/bulk/ratio.sh WORK      # the same on one core (--jobs 1)
set -euo pipefail
WORK=${1:?usage: tools/bulk/ratio.sh WORK [ROUNDS]}
ROUNDS=${2:-5}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
cd "$ROOT"
cargo build --release --quiet --bin hcx --example ed25519-limit
HCX=$TARGET/release/hcx
LIMIT=$TARGET/release/examples/ed25519-limit
JOBS_ARG=()
if [ -n "${JOBS:-}" ]; then JOBS_ARG=(--jobs "$JOBS"); fi
AT=2026-11-21T08:00:00Z
LINES=$(wc -l <"$WORK/codes.txt")

wall() { # seconds of wall time of a command, its output discarded
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || true
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}

ratios_v=() ratios_i=()
for r in $(seq "$ROUNDS"); do
  b1=$("$LIMIT" verify "$WORK/codes.txt" "$WORK/issuer.pub.pem" 2)
  t=$(wall "$HCX" verify --batch "$WORK/codes.txt" -o /dev/null --trust "$WORK/trust.json" \
    --root "$WORK/root.pub.pem" --at "$AT" "${JOBS_ARG[@]}")
  b2=$("$LIMIT" verify "$WORK/codes.txt" "$WORK/issuer.pub.pem" 2)
  rv=$(echo "$LINES / $t / (($b1 + $b2) / 2)" | bc -l)
  s1=$("$LIMIT" sign "$WORK/codes.txt" "$WORK/issuer.pem" 2)
  t2=$(wall "$HCX" issue --batch "$WORK/claims.jsonl" -o /dev/null --key "$WORK/issuer.pem" \
    --issuer dingtalk --at "$AT" "${JOBS_ARG[@]}")
  s2=$("$LIMIT" sign "$WORK/codes.txt" "$WORK/issuer.pem" 2)
  ri=$(echo "$LINES / $t2 / (($s1 + $s2) / 2)" | bc -l)
  printf 'round %d: verify --batch %.0f lines/s vs verify_strict %s/%s = %.2fx | issue --batch %.0f lines/s vs sign %s/%s = %.2fx | load %s\n' \
    "$r" "$(echo "$LINES / $t" | bc -l)" "$b1" "$b2" "$rv" "$(echo "$LINES / $t2" | bc -l)" "$s1" "$s2" "$ri" \
    "$(cut -d' ' -f1 /proc/loadavg)"
  ratios_v+=("$rv") ratios_i+=("$ri")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
printf 'median over %d rounds (%s lines, jobs %s): verify --batch %.2fx raw verify_strict, issue --batch %.2fx raw sign\n' \
  "$ROUNDS" "$LINES" "${JOBS:-all}" "$(median "${ratios_v[@]}")" "$(median "${ratios_i[@]}")"
