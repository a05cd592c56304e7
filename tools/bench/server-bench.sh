#!/usr/bin/env bash
# `hcx serve` throughput as ratios to in-process verification of the same codes, measured in
# the same run, interleaved (baseline, server, baseline, server, …; the median round counts),
# with the issue's floors (#15):
#   single  POST /v1/verify, keep-alive            ≥ 0.5 × `hcx verify --batch` per core
#   batch   POST /v1/verify/batch, 1,000 codes     ≥ 0.9 × `hcx verify --batch` per core
#   304     GET /v1/index.json with If-None-Match  ≥ 20,000 requests/s (absolute, this machine)
#   p99     POST /v1/verify at half the measured maximum rate ≤ 5 ms
# The overload floor (3× the maximum) is tools/bench/server-overload.sh.
#
# Per core: the server runs with one HTTP thread and one verify thread, all its threads pinned
# to CPU 0 (taskset), the load generators on CPU 1; the baseline is `hcx verify --batch
# --jobs 1` pinned to CPU 0. Two ratios per round:
#   per CPU-second  answers (200) per CPU-second the server used (/proc/PID/stat) over codes
#                   per CPU-second of the baseline (user + system): what a core buys, even
#                   when other processes share CPU 0 — the figure to read on a shared machine;
#   wall            answers/s over codes/s, both pinned to CPU 0: equal to the above on an
#                   idle machine, at the mercy of whoever else runs on CPU 0 otherwise.
# Single verifies use 32 keep-alive connections (wrk); a 503 (load shedding, limits.shed_lag)
# is counted and reported, never as throughput. The p99 comes from loadgen (an open-loop
# generator, crates/hcx-server/examples/loadgen.rs; wrk has no fixed-rate mode) at half the
# median single-verify maximum over 16 connections, from the moment each request is written.
#
#   tools/bench/server-bench.sh [ROUNDS] [SECONDS]      # default 5 rounds of 5 s
#   HCX_BIN=/path/to/other/hcx tools/bench/server-bench.sh  # another build (nothing is built)
#   PROFILE=debug tools/bench/server-bench.sh 1 2        # check the script on a debug build
#                                                        # (its numbers mean nothing)
set -euo pipefail
ROUNDS=${1:-5}
SECS=${2:-5}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
SERVER_PID=
# shellcheck source=server-common.sh
. "$ROOT/tools/bench/server-common.sh"
build server-bench
trap 'stop_server; rm -rf "$WORK"' EXIT
N=1000

world "$N"
start_server
curl -sf -H 'Content-Type: application/json' -d @"$WORK/batch.json" "$ADDR/v1/verify/batch" \
  | python3 -c 'import json,sys; v=json.load(sys.stdin)["verdicts"]; assert len(v)=='"$N"' and all(x["valid"] for x in v), "codes do not verify"'
ETAG=$(curl -sfI "$ADDR/v1/index.json" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag" {print $2}')
[ -n "$ETAG" ] || { echo "server-bench: no ETag on /v1/index.json" >&2; exit 1; }

# `hcx verify --batch --jobs 1` on CPU 0 over the codes 20 times over: "codes/s codes/CPU-s".
for _ in $(seq 20); do cat "$WORK/codes.txt"; done >"$WORK/codes20.txt"
baseline() {
  python3 - "$((N * 20))" taskset -c 0 "$HCX" verify --batch "$WORK/codes20.txt" -o /dev/null \
    --jobs 1 --trust "$WORK/trust.json" --root "$WORK/root.pub.pem" <<'PY'
import resource, subprocess, sys, time
n, cmd = int(sys.argv[1]), sys.argv[2:]
t = time.monotonic()
subprocess.run(cmd, check=True, stderr=subprocess.DEVNULL)
wall = time.monotonic() - t
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{n / wall:.1f} {n / (r.ru_utime + r.ru_stime):.1f}")
PY
}
# Answers so far that were neither 200, 304 nor 503 (the server's own count, /metrics).
odd_answers() {
  curl -sf "$ADDR/metrics" | awk '/^hcx_http_requests_total\{/ && !/status="(200|304|503)"/ {n += $NF} END {print n + 0}'
}
# wrk ARGS… on CPU 1 → "answers/s answers/CPU-s non2xx_share" (2xx/3xx answers only; fails on
# socket errors or on any answer but 200, 304 or 503).
wrk_run() {
  local c0 c1 total bad secs odd
  odd=$(odd_answers)
  c0=$(server_cpu)
  taskset -c 1 wrk "$@" >"$WORK/wrk.out" 2>&1 || { cat "$WORK/wrk.out" >&2; exit 1; }
  c1=$(server_cpu)
  if grep -q 'Socket errors' "$WORK/wrk.out"; then cat "$WORK/wrk.out" >&2; exit 1; fi
  total=$(awk '/requests in/ {print $1}' "$WORK/wrk.out")
  secs=$(awk '/requests in/ {sub(/s,$/, "", $4); print $4}' "$WORK/wrk.out")
  bad=$(awk '/Non-2xx or 3xx/ {print $NF}' "$WORK/wrk.out")
  bad=${bad:-0}
  if [ "$(odd_answers)" != "$odd" ]; then
    cat "$WORK/wrk.out" >&2; echo "server-bench: answers other than 200, 304 or 503" >&2; exit 1
  fi
  echo "$(echo "($total - $bad) / $secs" | bc -l) $(echo "($total - $bad) / ($c1 - $c0)" | bc -l) $(echo "$bad / $total" | bc -l)"
}

single=() single_w=() batch=() batch_w=() notmod=() notmod_cpu=() maxrps=() shed=()
for r in $(seq "$ROUNDS"); do
  read -r bw1 bc1 < <(baseline)
  read -r s s_cpu s_bad < <(wrk_run -t 1 -c 32 -d "${SECS}s" -s "$WORK/verify.lua" "$ADDR/v1/verify")
  read -r bt bt_cpu bt_bad < <(wrk_run -t 1 -c 2 -d "${SECS}s" --timeout 30s -s "$WORK/batch.lua" "$ADDR/v1/verify/batch")
  read -r nm nm_cpu _ < <(wrk_run -t 1 -c 16 -d "${SECS}s" -H "If-None-Match: $ETAG" "$ADDR/v1/index.json")
  read -r bw2 bc2 < <(baseline)
  bw=$(echo "($bw1 + $bw2) / 2" | bc -l); bc=$(echo "($bc1 + $bc2) / 2" | bc -l)
  maxrps+=("$s"); shed+=("$s_bad")
  single+=("$(echo "$s_cpu / $bc" | bc -l)"); single_w+=("$(echo "$s / $bw" | bc -l)")
  batch+=("$(echo "$bt_cpu * $N / $bc" | bc -l)"); batch_w+=("$(echo "$bt * $N / $bw" | bc -l)")
  notmod+=("$nm"); notmod_cpu+=("$nm_cpu")
  printf 'round %d (load %s): baseline %.0f codes/CPU-s (%.0f/s); single %.0f/CPU-s %.2f× (wall %.0f/s %.2f×, 503 %.1f%%); batch %.0f codes/CPU-s %.2f× (wall %.2f×, 503 %.1f%%); 304 %.0f/s (%.0f/CPU-s)\n' \
    "$r" "$(loadavg)" "$bc" "$bw" "$s_cpu" "${single[-1]}" "$s" "${single_w[-1]}" "$(echo "$s_bad * 100" | bc -l)" \
    "$(echo "$bt_cpu * $N" | bc -l)" "${batch[-1]}" "${batch_w[-1]}" "$(echo "$bt_bad * 100" | bc -l)" "$nm" "$nm_cpu"
done

# Latency at half the maximum, open loop.
half=$(echo "$(median "${maxrps[@]}") / 2" | bc -l)
taskset -c 1 "$LOADGEN" "${ADDR#http://}" /v1/verify "$WORK/verify.json" application/json \
  "$half" 16 "$SECS" >"$WORK/paced.json"
read -r paced ok_share p50 p99 sp99 < <(python3 - "$WORK/paced.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ok = d["status"].get("200", {"count": 0, "share": 0, "service_ms": {}, "from_schedule_ms": {}})
print(d["answered_rate"], ok["share"], ok["service_ms"].get("p50"), ok["service_ms"].get("p99"),
      ok["from_schedule_ms"].get("p99"))
PY
)

printf '\nmedian over %d rounds of %d s (floors from issue #15), load average now %s:\n' "$ROUNDS" "$SECS" "$(loadavg)"
printf '  POST /v1/verify (keep-alive) / hcx verify --batch, per CPU-second: %.2f×, wall %.2f×  (floor 0.5×; 503 share %.2f%%)\n' \
  "$(median "${single[@]}")" "$(median "${single_w[@]}")" "$(echo "$(median "${shed[@]}") * 100" | bc -l)"
printf '  POST /v1/verify/batch (1000) / hcx verify --batch, per CPU-second: %.2f×, wall %.2f×  (floor 0.9×)\n' \
  "$(median "${batch[@]}")" "$(median "${batch_w[@]}")"
printf '  GET /v1/index.json → 304: %.0f requests/s on one server core, %.0f per CPU-second  (floor 20000/s)\n' \
  "$(median "${notmod[@]}")" "$(median "${notmod_cpu[@]}")"
printf '  POST /v1/verify at half the maximum (%.0f/s offered, %.0f/s answered, %.1f%% 200): p50 %s ms, p99 %s ms (from schedule %s ms)  (floor p99 5 ms)\n' \
  "$half" "$paced" "$(echo "$ok_share * 100" | bc -l)" "$p50" "$p99" "$sp99"
