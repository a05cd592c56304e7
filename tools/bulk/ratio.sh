#!/usr/bin/env bash
# Bulk throughput as a ratio to the raw single-core Ed25519 limit, measured in the same run:
# each round runs the baseline (examples/ed25519-limit.rs: ed25519-dalek's verify_strict or
# sign on one core, over the same codes), then the CLI over the whole file, then the baseline
# again, and takes hcx's lines/s over the mean of the two baselines. The median round counts.
# Two ratios: wall time (the target: all cores against one) and CPU time (lines per CPU
# second against operations per CPU second: per-core efficiency, robust to machine load).
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

# Runs a command and prints "<wall seconds> <CPU seconds>" (GNU time; output discarded).
timed() {
  /usr/bin/time -f '%e %U %S' -o "$WORK/ratio.time" "$@" >/dev/null 2>&1 || true
  tail -n 1 "$WORK/ratio.time" | awk '{print $1, $2 + $3}'
}
mean() { echo "($1 + $2) / 2" | bc -l; }

rv=() rvc=() ri=() ric=() rl=() rlc=()
for r in $(seq "$ROUNDS"); do
  read -r bw1 bc1 < <("$LIMIT" verify "$WORK/codes.txt" "$WORK/issuer.pub.pem" 2)
  read -r tw tc < <(timed "$HCX" verify --batch "$WORK/codes.txt" -o /dev/null --trust "$WORK/trust.json" \
    --root "$WORK/root.pub.pem" --at "$AT" "${JOBS_ARG[@]}")
  read -r bw2 bc2 < <("$LIMIT" verify "$WORK/codes.txt" "$WORK/issuer.pub.pem" 2)
  read -r lw lc < <("$LIMIT" library "$WORK/codes.txt" "$WORK/trust.json" "$WORK/root.pub.pem" "$AT" 3)
  read -r bw3 bc3 < <("$LIMIT" verify "$WORK/codes.txt" "$WORK/issuer.pub.pem" 2)
  read -r sw1 sc1 < <("$LIMIT" sign "$WORK/codes.txt" "$WORK/issuer.pem" 2)
  read -r iw ic < <(timed "$HCX" issue --batch "$WORK/claims.jsonl" -o /dev/null --key "$WORK/issuer.pem" \
    --issuer dingtalk --at "$AT" "${JOBS_ARG[@]}")
  read -r sw2 sc2 < <("$LIMIT" sign "$WORK/codes.txt" "$WORK/issuer.pem" 2)
  # Wall: lines per second against the baseline's operations per second.
  rv+=("$(echo "$LINES / $tw / $(mean "$bw1" "$bw2")" | bc -l)")
  rl+=("$(echo "$lw / $(mean "$bw2" "$bw3")" | bc -l)")
  rlc+=("$(echo "$lc / $(mean "$bc2" "$bc3")" | bc -l)")
  ri+=("$(echo "$LINES / $iw / $(mean "$sw1" "$sw2")" | bc -l)")
  # CPU: lines per CPU second against operations per CPU second (per-core efficiency).
  rvc+=("$(echo "$LINES / $tc / $(mean "$bc1" "$bc2")" | bc -l)")
  ric+=("$(echo "$LINES / $ic / $(mean "$sc1" "$sc2")" | bc -l)")
  printf 'round %d (load %s): verify --batch %.0f lines/s, %.2fx wall, %.2fx per CPU-second | issue --batch %.0f lines/s, %.2fx wall, %.2fx per CPU-second\n' \
    "$r" "$(cut -d' ' -f1 /proc/loadavg)" "$(echo "$LINES / $tw" | bc -l)" "${rv[-1]}" "${rvc[-1]}" \
    "$(echo "$LINES / $iw" | bc -l)" "${ri[-1]}" "${ric[-1]}"
  printf '         library verify_many %.0f codes/s, %.2fx wall, %.2fx per CPU-second\n' "$lw" "${rl[-1]}" "${rlc[-1]}"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
printf 'median of %d rounds, %s lines, jobs %s:\n' "$ROUNDS" "$LINES" "${JOBS:-all}"
printf '  verify --batch: %.2fx raw 1-core verify_strict (wall), %.2fx per CPU-second\n' \
  "$(median "${rv[@]}")" "$(median "${rvc[@]}")"
printf '  library verify_many: %.2fx raw 1-core verify_strict (wall), %.2fx per CPU-second\n' \
  "$(median "${rl[@]}")" "$(median "${rlc[@]}")"
printf '  issue --batch:  %.2fx raw 1-core sign (wall), %.2fx per CPU-second\n' \
  "$(median "${ri[@]}")" "$(median "${ric[@]}")"
