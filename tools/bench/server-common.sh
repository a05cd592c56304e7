# Shared by tools/bench/server-bench.sh and tools/bench/server-overload.sh (sourced, not run):
# the tools and builds they need, a made-up world of N valid codes, request bodies for wrk and
# loadgen, and one `hcx serve` on 127.0.0.1 pinned to CPU 0 with one HTTP thread and one
# verify thread (per-core figures; load generators go on CPU 1).

# build NAME: checks wrk and taskset, builds `hcx` and loadgen (PROFILE, release by default;
#   nothing when HCX_BIN names another build), sets HCX, LOADGEN and WORK (a scratch directory).
build() {
  local name=$1 root target
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  target=${CARGO_TARGET_DIR:-$root/target}
  command -v wrk >/dev/null || { echo "$name: wrk not found (apt-get install wrk)" >&2; exit 1; }
  command -v taskset >/dev/null || { echo "$name: taskset not found (util-linux)" >&2; exit 1; }
  PROFILE=${PROFILE:-release}
  if [ -n "${HCX_BIN:-}" ]; then
    : # a given binary (to compare builds); loadgen must be built already
  elif [ "$PROFILE" = release ]; then
    (cd "$root" && nice -n 10 cargo build --release --quiet --bin hcx \
      && nice -n 10 cargo build --release --quiet -p hcx-server --example loadgen)
  else
    (cd "$root" && cargo build --quiet --bin hcx && cargo build --quiet -p hcx-server --example loadgen)
  fi
  HCX=${HCX_BIN:-$target/$PROFILE/hcx}
  LOADGEN=$target/$PROFILE/examples/loadgen
  [ -x "$HCX" ] && [ -x "$LOADGEN" ] || { echo "$name: $HCX or $LOADGEN not built" >&2; exit 1; }
  WORK=$(mktemp -d "/tmp/hcx-$name.XXXXXX")
}

# world N: root and issuer keys, a signed trust list, N codes valid for a day, and
#   codes.txt (one a line), batch.json ({"codes": [...]}), verify.json ({"text": code 0}),
#   verify.lua / batch.lua (wrk scripts posting them).
world() {
  local n=$1
  "$HCX" keygen -o "$WORK/root.pem" --force >/dev/null
  "$HCX" pubkey "$WORK/root.pem" >"$WORK/root.pub.pem"
  "$HCX" keygen -o "$WORK/issuer.pem" --force >/dev/null
  "$HCX" pubkey "$WORK/issuer.pem" >"$WORK/issuer.pub.pem"
  "$HCX" trust add "$WORK/trust.json" --issuer dingtalk --name DingTalk \
    --key "$WORK/issuer.pub.pem" >/dev/null
  "$HCX" trust sign "$WORK/trust.json" --key "$WORK/root.pem" --valid-for 30d >/dev/null
  python3 - "$n" >"$WORK/claims.jsonl" <<'PY'
import json, sys
for i in range(int(sys.argv[1])):
    print(json.dumps({"status": "green", "subject": {"name": f"张三{i}"}}, ensure_ascii=False))
PY
  "$HCX" issue --batch "$WORK/claims.jsonl" -o "$WORK/issued.jsonl" --key "$WORK/issuer.pem" \
    --issuer dingtalk --valid-for 1d >/dev/null 2>&1
  python3 - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
codes = [json.loads(l)["code"] for l in open(f"{work}/issued.jsonl") if l.strip()]
open(f"{work}/codes.txt", "w").write("".join(c + "\n" for c in codes))
json.dump({"codes": codes}, open(f"{work}/batch.json", "w"))
json.dump({"text": codes[0]}, open(f"{work}/verify.json", "w"))
for name, body in (("verify", "verify.json"), ("batch", "batch.json")):
    open(f"{work}/{name}.lua", "w").write(
        'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
        f'local f = io.open("{work}/{body}"); wrk.body = f:read("*a"); f:close()\n')
PY
}

# start_server ARGS...: `hcx serve` on an ephemeral loopback port, all its threads on CPU 0;
#   sets SERVER_PID and ADDR (http://127.0.0.1:PORT).
start_server() {
  "$HCX" serve --listen 127.0.0.1:0 --trust "$WORK/trust.json" --root "$WORK/root.pub.pem" \
    --workers 1 --verify-threads 1 "$@" >"$WORK/serve.out" 2>"$WORK/serve.log" &
  SERVER_PID=$!
  local i
  for i in $(seq 100); do grep -q http:// "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
  ADDR=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/serve.out" | head -n 1)
  [ -n "$ADDR" ] || { cat "$WORK/serve.log" >&2; echo "hcx serve did not start" >&2; exit 1; }
  taskset -pac 0 "$SERVER_PID" >/dev/null
}

stop_server() {
  if [ -n "${SERVER_PID:-}" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
  fi
}

# server_cpu: CPU seconds (user + system, all threads) the server has used so far.
server_cpu() {
  awk -v hz="$(getconf CLK_TCK)" '{printf "%.3f\n", ($14 + $15) / hz}' "/proc/$SERVER_PID/stat"
}

# rss_kib: the server's resident set now, KiB.
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status"; }

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
loadavg() { cut -d' ' -f1 /proc/loadavg; }
