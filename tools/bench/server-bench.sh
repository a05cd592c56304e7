#!/usr/bin/env bash
# `hcx serve` throughput as ratios to in-process verification of the same codes, measured in
# the same run, interleaved (baseline, server, baseline, server, …; the median round counts),
# with the issue's floors (#15):
#   single  POST /v1/verify, keep-alive            ≥ 0.5 × `hcx verify --batch` per core
#   batch   POST /v1/verify/batch, 1,000 codes     ≥ 0.9 × `hcx verify --batch` per core
#   304     GET /v1/index.json with If-None-Match  ≥ 20,000 requests/s (absolute, this machine)
#   p99     POST /v1/verify at half the measured maximum rate (wrk's delay(): an approximate
#           open-loop rate), with the latency distribution
#
# Per core: the server runs with one HTTP thread and one verify thread pinned to CPU 0
# (taskset), wrk on CPU 1; the baseline is `hcx verify --batch --jobs 1` pinned to CPU 0. On a
# shared machine read the ratios, not the absolute numbers.
#
#   tools/bench/server-bench.sh [ROUNDS] [SECONDS]      # default 3 rounds of 5 s
#   PROFILE=debug tools/bench/server-bench.sh 1 2        # check the script on a debug build
#                                                        # (its numbers mean nothing)
set -euo pipefail
ROUNDS=${1:-3}
SECS=${2:-5}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
cd "$ROOT"
command -v wrk >/dev/null || { echo "server-bench: wrk not found (apt-get install wrk)" >&2; exit 1; }
command -v taskset >/dev/null || { echo "server-bench: taskset not found (util-linux)" >&2; exit 1; }
PROFILE=${PROFILE:-release}
if [ "$PROFILE" = release ]; then nice -n 10 cargo build --release --quiet --bin hcx; fi
HCX=$TARGET/$PROFILE/hcx
[ -x "$HCX" ] || { echo "server-bench: $HCX not built" >&2; exit 1; }
WORK=$(mktemp -d /tmp/hcx-server-bench.XXXXXX)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
N=1000

# A root, an issuer, a signed trust list, N codes (valid now).
"$HCX" keygen -o "$WORK/root.pem" --force >/dev/null
"$HCX" pubkey "$WORK/root.pem" >"$WORK/root.pub.pem"
"$HCX" keygen -o "$WORK/issuer.pem" --force >/dev/null
"$HCX" pubkey "$WORK/issuer.pem" >"$WORK/issuer.pub.pem"
"$HCX" trust add "$WORK/trust.json" --issuer dingtalk --name DingTalk \
  --key "$WORK/issuer.pub.pem" >/dev/null
"$HCX" trust sign "$WORK/trust.json" --key "$WORK/root.pem" --valid-for 30d >/dev/null
python3 - "$N" >"$WORK/claims.jsonl" <<'PY'
import json, sys
for i in range(int(sys.argv[1])):
    print(json.dumps({"status": "green", "subject": {"name": f"张三{i}"}}, ensure_ascii=False))
PY
"$HCX" issue --batch "$WORK/claims.jsonl" -o "$WORK/issued.jsonl" --key "$WORK/issuer.pem" \
  --issuer dingtalk --valid-for 1d >/dev/null
python3 - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
codes = [json.loads(l)["code"] for l in open(f"{work}/issued.jsonl") if l.strip()]
open(f"{work}/codes.txt", "w").write("".join(c + "\n" for c in codes))
json.dump({"codes": codes}, open(f"{work}/batch.json", "w"))
body = json.dumps({"text": codes[0]})
open(f"{work}/verify.lua", "w").write(
    'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
    f"wrk.body = [[{body}]]\n")
open(f"{work}/batch.lua", "w").write(
    'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
    f'local f = io.open("{work}/batch.json"); wrk.body = f:read("*a"); f:close()\n')
PY

"$HCX" serve --listen 127.0.0.1:0 --trust "$WORK/trust.json" --root "$WORK/root.pub.pem" \
  --workers 1 --verify-threads 1 >"$WORK/serve.out" 2>"$WORK/serve.log" &
SERVER_PID=$!
for _ in $(seq 100); do grep -q http:// "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
ADDR=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/serve.out" | head -n 1)
[ -n "$ADDR" ] || { cat "$WORK/serve.log" >&2; exit 1; }
taskset -pac 0 "$SERVER_PID" >/dev/null
curl -sf -H 'Content-Type: application/json' -d @"$WORK/batch.json" "$ADDR/v1/verify/batch" \
  | python3 -c 'import json,sys; v=json.load(sys.stdin)["verdicts"]; assert len(v)=='"$N"' and all(x["valid"] for x in v), "codes do not verify"'
ETAG=$(curl -sfI "$ADDR/v1/index.json" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag" {print $2}')

# Codes per second of `hcx verify --batch` on one core (the file verified 20 times over).
for _ in $(seq 20); do cat "$WORK/codes.txt"; done >"$WORK/codes20.txt"
baseline() {
  local t0 t1
  t0=$(date +%s.%N)
  taskset -c 0 "$HCX" verify --batch "$WORK/codes20.txt" -o /dev/null --jobs 1 \
    --trust "$WORK/trust.json" --root "$WORK/root.pub.pem" || true
  t1=$(date +%s.%N)
  echo "$((N * 20)) / ($t1 - $t0)" | bc -l
}
wrk_rps() { # wrk args... → requests/s (fails on any error answer)
  taskset -c 1 wrk "$@" >"$WORK/wrk.out" 2>&1
  if grep -q 'Non-2xx or 3xx\|Socket errors' "$WORK/wrk.out"; then cat "$WORK/wrk.out" >&2; exit 1; fi
  awk '/^Requests\/sec/ {print $2}' "$WORK/wrk.out"
}
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

single=() batch=() notmod=() base=() maxrps=()
for r in $(seq "$ROUNDS"); do
  b1=$(baseline)
  s=$(wrk_rps -t 1 -c 8 -d "${SECS}s" -s "$WORK/verify.lua" "$ADDR/v1/verify")
  bt=$(wrk_rps -t 1 -c 2 -d "${SECS}s" --timeout 30s -s "$WORK/batch.lua" "$ADDR/v1/verify/batch")
  nm=$(wrk_rps -t 1 -c 16 -d "${SECS}s" -H "If-None-Match: $ETAG" "$ADDR/v1/index.json")
  b2=$(baseline)
  b=$(echo "($b1 + $b2) / 2" | bc -l)
  base+=("$b"); maxrps+=("$s")
  single+=("$(echo "$s / $b" | bc -l)")
  batch+=("$(echo "$bt * $N / $b" | bc -l)")
  notmod+=("$nm")
  printf 'round %d (load %s): baseline %.0f codes/s/core; single %.0f req/s (%.2f×); batch %.0f codes/s (%.2f×); 304 %.0f req/s\n' \
    "$r" "$(cut -d' ' -f1 /proc/loadavg)" "$b" "$s" "${single[-1]}" "$(echo "$bt * $N" | bc -l)" "${batch[-1]}" "$nm"
done

# Latency at half the maximum: 8 connections, each waiting so that together they send about
# half the measured single-verify maximum (delay() in ms per request).
half=$(echo "$(median "${maxrps[@]}") / 2" | bc -l)
delay=$(echo "8 * 1000 / $half" | bc -l)
cat "$WORK/verify.lua" >"$WORK/paced.lua"
printf 'function delay() return %.3f end\n' "$delay" >>"$WORK/paced.lua"
taskset -c 1 wrk -t 1 -c 8 -d "${SECS}s" --latency -s "$WORK/paced.lua" "$ADDR/v1/verify" >"$WORK/wrk.out" 2>&1
paced=$(awk '/^Requests\/sec/ {print $2}' "$WORK/wrk.out")
p99=$(awk '$1=="99%" {print $2}' "$WORK/wrk.out")

printf '\nmedian over %d rounds of %d s (floors from issue #15):\n' "$ROUNDS" "$SECS"
printf '  POST /v1/verify (keep-alive) / hcx verify --batch, per core: %.2f×  (floor 0.5×)\n' "$(median "${single[@]}")"
printf '  POST /v1/verify/batch (1000) / hcx verify --batch, per core: %.2f×  (floor 0.9×)\n' "$(median "${batch[@]}")"
printf '  GET /v1/index.json → 304: %.0f requests/s on one server core  (floor 20000/s)\n' "$(median "${notmod[@]}")"
printf '  p99 latency at ~half the maximum (%.0f req/s offered %.0f): %s  (floor 5 ms)\n' "$paced" "$half" "$p99"
