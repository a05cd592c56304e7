#!/usr/bin/env bash
# The Python floor of issue #13: `Verifier.verify_many` against `hcx verify --batch` on the same
# codes, interleaved in one run (CLI, Python, CLI, ... for ROUNDS rounds), medians reported.
#
#   bindings/python/test.sh                 # once: builds and installs the wheel
#   bindings/python/bench.sh [N] [ROUNDS]   # N codes (default 20000), ROUNDS (default 5)
#
# Two Python figures: the `verify_many` call alone (codes already in a list: what an app that
# holds them pays), and the whole job in a fresh interpreter (start, read the file, load the
# trust, verify) against the CLI's whole process (start, read, verify, write the verdicts).
set -euo pipefail
N=${1:-20000}
ROUNDS=${2:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$TARGET/python-bench
PY=$HERE/.venv/bin/python
fail() {
  echo "bindings/python/bench.sh: FAILED: $*" >&2
  exit 1
}
"$PY" -c 'import hcx' 2>/dev/null || fail "hcx is not installed in $HERE/.venv: run bindings/python/test.sh first"
if [ ! -s "$WORK/codes.txt" ] || [ "$(wc -l <"$WORK/codes.txt")" -ne "$N" ]; then
  SKIP_BENCH=1 "$ROOT/tools/bulk/run.sh" "$N" "$WORK" >/dev/null || fail "tools/bulk/run.sh"
fi
(cd "$ROOT" && cargo build --release --quiet --bin hcx) || fail "cargo build --release --bin hcx"
HCX=$TARGET/release/hcx
AT=2026-11-21T08:00:00Z

cli=() many=() whole=()
for r in $(seq "$ROUNDS"); do
  t0=$(date +%s.%N)
  "$HCX" verify --batch "$WORK/codes.txt" -o /dev/null --trust "$WORK/trust.json" \
    --root "$WORK/root.pub.pem" --at "$AT" 2>/dev/null
  t1=$(date +%s.%N)
  read -r m w valid n < <("$PY" "$HERE/bench.py" "$WORK")
  [ "$valid" -eq "$N" ] || fail "only $valid of $n codes verified"
  cli+=("$(echo "$t1 - $t0" | bc -l)") many+=("$m") whole+=("$w")
  printf 'round %d (load %s): hcx verify --batch %.0f codes/s | verify_many %.0f codes/s (%.2fx) | whole Python job %.0f codes/s (%.2fx)\n' \
    "$r" "$(cut -d' ' -f1 /proc/loadavg)" "$(echo "$N / ${cli[-1]}" | bc -l)" \
    "$(echo "$N / $m" | bc -l)" "$(echo "${cli[-1]} / $m" | bc -l)" \
    "$(echo "$N / $w" | bc -l)" "$(echo "${cli[-1]} / $w" | bc -l)"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
C=$(median "${cli[@]}") M=$(median "${many[@]}") W=$(median "${whole[@]}")
printf 'median of %d rounds, %d codes, %d cores:\n' "$ROUNDS" "$N" "$(nproc)"
printf '  hcx verify --batch  %.3f s  %.0f codes/s\n' "$C" "$(echo "$N / $C" | bc -l)"
printf '  verify_many         %.3f s  %.0f codes/s  = %.2fx the CLI (floor 0.8x)\n' "$M" "$(echo "$N / $M" | bc -l)" "$(echo "$C / $M" | bc -l)"
printf '  whole Python job    %.3f s  %.0f codes/s  = %.2fx the CLI\n' "$W" "$(echo "$N / $W" | bc -l)" "$(echo "$C / $W" | bc -l)"
