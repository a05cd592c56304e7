#!/usr/bin/env bash
# Two hcx binaries against each other on `hcx qr decode`, interleaved (before, after in every
# round): CPU seconds to decode every PNG of the peers' data (../shared/peers, 144 pictures)
# ten times over, the after/before speed ratio per round and its median, and whether both
# printed the same codes.
#
#   tools/bench/qr-ab.sh BEFORE_HCX AFTER_HCX [ROUNDS]
set -uo pipefail
BEFORE=${1:?usage: qr-ab.sh BEFORE_HCX AFTER_HCX [ROUNDS]}
AFTER=${2:?usage: qr-ab.sh BEFORE_HCX AFTER_HCX [ROUNDS]}
ROUNDS=${3:-7}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PEERS=$(cd "$ROOT/.." && pwd)/shared/peers
[ -d "$PEERS" ] || { echo "qr-ab.sh: no peers' data at $PEERS" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mapfile -t one < <(find "$PEERS" -name '*.png' | sort)
images=()
for _ in 1 2 3 4 5 6 7 8 9 10; do images+=("${one[@]}"); done
cpu() { # BINARY NAME: decodes every picture, prints user + system CPU seconds
  /usr/bin/time -f '%U %S' -o "$WORK/time" "$1" qr decode "${images[@]}" >"$WORK/$2" 2>/dev/null
  tail -n 1 "$WORK/time" | awk '{print $1 + $2}'
}
ratios=()
for r in $(seq "$ROUNDS"); do
  b=$(cpu "$BEFORE" before); a=$(cpu "$AFTER" after)
  ratios+=("$(echo "$b / $a" | bc -l)")
  printf 'round %d: before %.2f s, after %.2f s CPU (after/before speed %.3f)\n' "$r" "$b" "$a" "${ratios[-1]}"
done
cmp -s "$WORK/before" "$WORK/after" && echo "same codes decoded ($(wc -l <"$WORK/after") lines)" || echo "OUTPUT DIFFERS"
printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR] = $1} END {printf "median after/before speed over %d rounds, %d pictures: %.3f\n", NR, '"${#images[@]}"', a[int((NR + 1) / 2)]}'
