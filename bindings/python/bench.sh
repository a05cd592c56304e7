#!/usr/bin/env bash
# The Python floor of issue #13: `Verifier.verify_many` against `hcx verify --batch` on the same
# codes, interleaved in one run (CLI, Python, CLI, ... for ROUNDS rounds), medians reported.
#
#   bindings/python/test.sh                 # once: makes the venv (and tests a dev-profile wheel)
#   bindings/python/bench.sh [N] [ROUNDS]   # N codes (default 20000), ROUNDS (default 5)
#
# It builds and installs the release wheel itself: test.sh installs a dev-profile one.
#
# Two Python figures: the `verify_many` call alone (codes already in a list: what an app that
# holds them pays), and the whole job in a fresh interpreter (start, read the file, load the
# trust, verify) against the CLI's whole process (start, read, verify, write the verdicts).
# Each as a wall-time ratio (the floor) and a CPU-time ratio (CPU seconds of all threads, which
# moves less when other work shares the machine).
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
[ -x "$HERE/.venv/bin/maturin" ] || fail "no maturin in $HERE/.venv: run bindings/python/test.sh first"
# The release wheel (test.sh tests a dev-profile one), in place of whatever is installed.
mkdir -p "$WORK"
rm -rf "$WORK/dist"
(cd "$HERE" && nice -n 10 "$HERE/.venv/bin/maturin" build --release --locked --quiet --out "$WORK/dist") ||
  fail "maturin build --release failed"
WHEEL=$(ls "$WORK"/dist/hcx-*.whl 2>/dev/null | head -n 1)
[ -n "$WHEEL" ] || fail "maturin build --release made no wheel in $WORK/dist"
"$PY" -m pip install --quiet --disable-pip-version-check --no-deps --force-reinstall "$WHEEL" ||
  fail "pip install $WHEEL failed"
"$PY" -c 'import hcx' 2>/dev/null || fail "hcx does not import after installing $WHEEL"
if [ ! -s "$WORK/codes.txt" ] || [ "$(wc -l <"$WORK/codes.txt")" -ne "$N" ]; then
  # run.sh makes the keys, trust list and codes, then times them itself; its closing report
  # needs a criterion baseline this benchmark does not use, so only the codes are checked.
  SKIP_BENCH=1 "$ROOT/tools/bulk/run.sh" "$N" "$WORK" >/dev/null 2>&1 || true
  [ "$(wc -l <"$WORK/codes.txt" 2>/dev/null || echo 0)" -eq "$N" ] ||
    fail "tools/bulk/run.sh made no $N codes in $WORK/codes.txt"
fi
(cd "$ROOT" && cargo build --release --quiet --bin hcx) || fail "cargo build --release --bin hcx"
HCX=$TARGET/release/hcx
AT=2026-11-21T08:00:00Z

cli=() clic=() many=() manyc=() whole=() wholew=()
for r in $(seq "$ROUNDS"); do
  t0=$(date +%s.%N)
  /usr/bin/time -f '%U %S' -o "$WORK/cli.time" "$HCX" verify --batch "$WORK/codes.txt" -o /dev/null \
    --trust "$WORK/trust.json" --root "$WORK/root.pub.pem" --at "$AT" 2>/dev/null
  t1=$(date +%s.%N)
  read -r m mc wc valid n < <("$PY" "$HERE/bench.py" "$WORK")
  t2=$(date +%s.%N)
  [ "$valid" -eq "$N" ] || fail "only $valid of $n codes verified"
  cli+=("$(echo "$t1 - $t0" | bc -l)") clic+=("$(tail -n 1 "$WORK/cli.time" | awk '{print $1 + $2}')")
  many+=("$m") manyc+=("$mc") whole+=("$wc") wholew+=("$(echo "$t2 - $t1" | bc -l)")
  printf 'round %d (load %s): CLI %.0f codes/s, %.2f CPU-s | verify_many %.0f codes/s = %.2fx, %.2f CPU-s = %.2fx per CPU-second\n' \
    "$r" "$(cut -d' ' -f1 /proc/loadavg)" "$(echo "$N / ${cli[-1]}" | bc -l)" "${clic[-1]}" \
    "$(echo "$N / $m" | bc -l)" "$(echo "${cli[-1]} / $m" | bc -l)" "$mc" "$(echo "${clic[-1]} / $mc" | bc -l)"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
C=$(median "${cli[@]}") CC=$(median "${clic[@]}") M=$(median "${many[@]}") MC=$(median "${manyc[@]}")
W=$(median "${wholew[@]}") WC=$(median "${whole[@]}")
printf 'median of %d rounds, %d codes, %d cores, load %s:\n' "$ROUNDS" "$N" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '  hcx verify --batch (whole process)  %.3f s %6.0f codes/s   %.3f CPU-s\n' "$C" "$(echo "$N / $C" | bc -l)" "$CC"
printf '  verify_many (the call)              %.3f s %6.0f codes/s   %.3f CPU-s   %.2fx wall (floor 0.8x), %.2fx per CPU-second\n' \
  "$M" "$(echo "$N / $M" | bc -l)" "$MC" "$(echo "$C / $M" | bc -l)" "$(echo "$CC / $MC" | bc -l)"
printf '  whole Python job (fresh interpreter) %.3f s %6.0f codes/s   %.3f CPU-s   %.2fx wall, %.2fx per CPU-second\n' \
  "$W" "$(echo "$N / $W" | bc -l)" "$WC" "$(echo "$C / $W" | bc -l)" "$(echo "$CC / $WC" | bc -l)"
