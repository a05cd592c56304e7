#!/usr/bin/env bash
# Runs the PostgreSQL half of the registry tests against a real, throw-away PostgreSQL server
# from Debian's packages: installs the server if it is missing, starts one as the `postgres`
# user in a temporary directory (Unix socket only, no TCP port), creates a database, runs the
# tests with HCX_TEST_POSTGRES_URL set, and stops and removes the server, whatever happens.
#
#   tools/ci/postgres-tests.sh            # from anywhere; idempotent, prints timings
#
# Fails loudly (non-zero, naming the step and the tool) when it cannot set up. Without this
# script `cargo test` skips the PostgreSQL tests with a SKIPPED line; under CI=true this
# script is how they run, and it never skips.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}
START=$(date +%s.%N)
step_start=$START
say() { printf 'postgres-tests: %s\n' "$*" >&2; }
fail() { say "FAILED: $*"; exit 1; }
lap() { # prints the time of the step just done
  local now; now=$(date +%s.%N)
  say "$(printf '%-28s %6.1f s' "$1" "$(echo "$now - $step_start" | bc -l)")"
  step_start=$now
}

# 1. The server binaries (initdb, pg_ctl), from Debian's `postgresql` package.
find_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  return 1
}
if ! BIN=$(find_bindir); then
  say "no PostgreSQL server found: installing Debian's postgresql package"
  command -v apt-get >/dev/null || fail "apt-get not found: install PostgreSQL (initdb, pg_ctl) by hand"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q postgresql >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null && apt-get install -y -q postgresql >/dev/null; } \
    || fail "apt-get install postgresql failed"
  BIN=$(find_bindir) || fail "initdb/pg_ctl still missing after installing postgresql"
fi
command -v runuser >/dev/null || fail "runuser not found (util-linux)"
id postgres >/dev/null 2>&1 || fail "no 'postgres' user (the postgresql package creates it)"
PSQL=$(command -v psql || echo "$BIN/psql")
[ -x "$PSQL" ] || fail "psql not found"
lap "server binaries ($BIN)"

# 2. A fresh cluster in a temporary directory, owned by postgres (the server refuses root).
TMP=$(mktemp -d /tmp/hcx-postgres.XXXXXX)
chmod 755 "$TMP"
DATA=$TMP/data
PORT=5432  # names the socket file only: the server listens on no TCP address
cleanup() {
  if [ -f "$DATA/postmaster.pid" ]; then
    runuser -u postgres -- "$BIN/pg_ctl" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT
chown postgres: "$TMP"
runuser -u postgres -- "$BIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --no-sync \
  >"$TMP/initdb.log" 2>&1 || { cat "$TMP/initdb.log" >&2; fail "initdb failed"; }
lap "initdb"
runuser -u postgres -- "$BIN/pg_ctl" -D "$DATA" -l "$TMP/server.log" -w -t 60 \
  -o "-c listen_addresses='' -k $TMP -p $PORT" start >/dev/null \
  || { cat "$TMP/server.log" >&2; fail "pg_ctl start failed"; }
"$PSQL" -h "$TMP" -p "$PORT" -U postgres -d postgres -q -c "CREATE DATABASE hcx_test" \
  || fail "psql could not create the test database"
lap "server started"

# 3. The tests: the registry's suite and the CLI's registry tests, against this server.
export HCX_TEST_POSTGRES_URL="postgresql:///hcx_test?host=$TMP&port=$PORT&user=postgres"
LOG=$TMP/tests.log
if ! nice -n 10 cargo test -p hcx-registry --test store postgres 2>&1 | tee "$LOG" >&2; then
  fail "cargo test -p hcx-registry (PostgreSQL) failed"
fi
if ! nice -n 10 cargo test -p hcx --test status_registry postgres 2>&1 | tee -a "$LOG" >&2; then
  fail "cargo test -p hcx --test status_registry (PostgreSQL) failed"
fi
# A run that skipped or ran nothing would prove nothing.
if grep -q '^SKIPPED' "$LOG"; then fail "some PostgreSQL tests skipped although a server was up"; fi
RAN=$(awk '/^test result:/ { n += $4 } END { print n + 0 }' "$LOG")
[ "$RAN" -gt 0 ] || fail "no PostgreSQL test ran"
lap "tests ($RAN passed)"
say "$(printf 'total %.1f s' "$(echo "$(date +%s.%N) - $START" | bc -l)")"
