#!/usr/bin/env bash
# `hcx verify` of one code as a whole process, two binaries against each other (issue #17:
# no slower than before). Instruction counts of each whole process (callgrind: load does not
# move them), then wall time with hyperfine, the two commands alternating ROUNDS times so that
# both see the same machine load; the median of the per-round ratios counts.
#
#   tools/bulk/run.sh 1000 WORK                        # once: keys, trust list, codes
#   tools/bulk/single.sh BEFORE_HCX AFTER_HCX WORK [ROUNDS]
set -euo pipefail
BEFORE=${1:?usage: single.sh BEFORE_HCX AFTER_HCX WORK [ROUNDS]}
AFTER=${2:?}
WORK=${3:?}
ROUNDS=${4:-5}
AT=2026-11-21T08:00:00Z
CODE=$(head -n 1 "$WORK/codes.txt")
args=(verify "$CODE" --trust "$WORK/trust.json" --root "$WORK/root.pub.pem" --at "$AT")
for bin in "$BEFORE" "$AFTER"; do
  "$bin" "${args[@]}" >/dev/null # must verify
  ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "${args[@]}" 2>&1 >/dev/null |
    grep -o 'Collected : [0-9]*' | awk '{print $3}')
  echo "instructions, whole process: $ir  $bin"
done
ratios=()
for r in $(seq "$ROUNDS"); do
  # -N splits the command line like a shell: quote the code (base45 has spaces, no quotes).
  rest="--trust $WORK/trust.json --root $WORK/root.pub.pem --at $AT"
  hyperfine -N --warmup 10 --runs 100 --export-json "$WORK/single.json" \
    "$BEFORE verify '$CODE' $rest" "$AFTER verify '$CODE' $rest" >/dev/null 2>&1
  read -r b a < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(r[0]["median"], r[1]["median"])' "$WORK/single.json")
  ratios+=("$(echo "$a / $b" | bc -l)")
  printf 'round %d (load %s): before %.2f ms, after %.2f ms, after/before %.3f\n' \
    "$r" "$(cut -d' ' -f1 /proc/loadavg)" "$(echo "$b * 1000" | bc -l)" "$(echo "$a * 1000" | bc -l)" "${ratios[-1]}"
done
printf '%s\n' "${ratios[@]}" | sort -g | awk '{a[NR]=$1} END {printf "median after/before over %d rounds: %.3f\n", NR, (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
