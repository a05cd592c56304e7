#!/usr/bin/env bash
# Two hcx binaries against each other on the bulk commands, interleaved (before, after, before,
# after, … in every round, so both see the same machine load): lines per wall second and per
# CPU-second of `verify --batch` and `issue --batch`, and the after/before ratios. Where the
# machine is shared, the CPU-second ratio is the one to read: per-core cost, which load hardly
# moves, while wall time depends on how much of the 2 cores others leave.
#
#   tools/bulk/run.sh 100000 WORK                   # once: keys, trust list, claims, codes
#   tools/bulk/ab.sh BEFORE_HCX AFTER_HCX WORK [ROUNDS]
set -euo pipefail
BEFORE=${1:?usage: ab.sh BEFORE_HCX AFTER_HCX WORK [ROUNDS]}
AFTER=${2:?}
WORK=${3:?}
ROUNDS=${4:-5}
AT=2026-11-21T08:00:00Z
LINES=$(wc -l <"$WORK/codes.txt")
timed() { # prints "<wall s> <CPU s>"
  /usr/bin/time -f '%e %U %S' -o "$WORK/ab.time" "$@" >/dev/null 2>&1 || true
  tail -n 1 "$WORK/ab.time" | awk '{print $1, $2 + $3}'
}
verify() { timed "$1" verify --batch "$WORK/codes.txt" -o /dev/null --trust "$WORK/trust.json" --root "$WORK/root.pub.pem" --at "$AT"; }
issue() { timed "$1" issue --batch "$WORK/claims.jsonl" -o /dev/null --key "$WORK/issuer.pem" --issuer dingtalk --at "$AT"; }
vw=() vc=() iw=() ic=()
for r in $(seq "$ROUNDS"); do
  read -r bvw bvc < <(verify "$BEFORE"); read -r avw avc < <(verify "$AFTER")
  read -r biw bic < <(issue "$BEFORE"); read -r aiw aic < <(issue "$AFTER")
  vw+=("$(echo "$bvw / $avw" | bc -l)"); vc+=("$(echo "$bvc / $avc" | bc -l)")
  iw+=("$(echo "$biw / $aiw" | bc -l)"); ic+=("$(echo "$bic / $aic" | bc -l)")
  printf 'round %d (load %s): verify --batch %.0f → %.0f lines/CPU-s (%.3f), issue --batch %.0f → %.0f lines/CPU-s (%.3f)\n' \
    "$r" "$(cut -d' ' -f1 /proc/loadavg)" "$(echo "$LINES / $bvc" | bc -l)" "$(echo "$LINES / $avc" | bc -l)" "${vc[-1]}" \
    "$(echo "$LINES / $bic" | bc -l)" "$(echo "$LINES / $aic" | bc -l)" "${ic[-1]}"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
printf 'median after/before throughput over %d rounds, %s lines:\n' "$ROUNDS" "$LINES"
printf '  verify --batch: %.3f per CPU-second, %.3f wall\n' "$(median "${vc[@]}")" "$(median "${vw[@]}")"
printf '  issue --batch:  %.3f per CPU-second, %.3f wall\n' "$(median "${ic[@]}")" "$(median "${iw[@]}")"
