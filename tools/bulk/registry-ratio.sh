#!/usr/bin/env bash
# Bulk issue with an SQLite registry against bulk issue without one, measured in the same run
# (issue #14's floor: with ≥ 0.8× without). Each round runs `hcx issue --batch` without a
# registry, then with a fresh SQLite registry (`--registry WORK/ratio-registry.db`, on the
# same disk as the output, WAL + synchronous=FULL: one durable commit per 8192-line chunk),
# then without again, and divides the middle run's lines/s by the mean of the two around it.
# The median round counts. Two ratios: wall time (the floor) and CPU time (lines per CPU
# second: what recording costs in work, robust to other load).
#
#   tools/bulk/run.sh 200000 WORK                # once: keys, claims (tools/bulk/run.sh)
#   tools/bulk/registry-ratio.sh WORK [ROUNDS]   # default 5 rounds
set -euo pipefail
WORK=${1:?usage: tools/bulk/registry-ratio.sh WORK [ROUNDS]}
ROUNDS=${2:-5}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
cd "$ROOT"
cargo build --release --quiet --bin hcx
HCX=$TARGET/release/hcx
AT=2026-11-21T08:00:00Z
LINES=$(wc -l <"$WORK/claims.jsonl")
DB=$WORK/ratio-registry.db

# Runs a command and prints "<wall seconds> <CPU seconds>" (GNU time; output discarded).
timed() {
  /usr/bin/time -f '%e %U %S' -o "$WORK/ratio.time" "$@" >/dev/null 2>&1 || true
  tail -n 1 "$WORK/ratio.time" | awk '{print $1, $2 + $3}'
}
issue() { timed "$HCX" issue --batch "$WORK/claims.jsonl" -o "$WORK/ratio-out.jsonl" \
  --key "$WORK/issuer.pem" --issuer dingtalk --at "$AT" "$@"; }

rw=() rc=()
for r in $(seq "$ROUNDS"); do
  read -r w1 c1 < <(issue)
  rm -f "$DB" "$DB-wal" "$DB-shm"
  read -r w c < <(issue --registry "$DB")
  read -r w2 c2 < <(issue)
  # Rates: with over the mean rate of the two runs without.
  rw+=("$(echo "2 / ($w * (1 / $w1 + 1 / $w2))" | bc -l)")
  rc+=("$(echo "2 / ($c * (1 / $c1 + 1 / $c2))" | bc -l)")
  printf 'round %d (load %s): without %.0f lines/s, with registry %.0f lines/s, %.0f lines/s; with/without %.3f wall, %.3f CPU\n' \
    "$r" "$(cut -d' ' -f1 /proc/loadavg)" "$(echo "$LINES / $w1" | bc -l)" "$(echo "$LINES / $w" | bc -l)" \
    "$(echo "$LINES / $w2" | bc -l)" "${rw[-1]}" "${rc[-1]}"
done
rm -f "$DB" "$DB-wal" "$DB-shm" "$WORK/ratio-out.jsonl"
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
printf 'median of %d rounds, %s lines: issue --batch with an SQLite registry / without = %.3f (wall), %.3f (CPU)\n' \
  "$ROUNDS" "$LINES" "$(median "${rw[@]}")" "$(median "${rc[@]}")"
