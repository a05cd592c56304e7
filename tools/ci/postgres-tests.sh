#!/usr/bin/env bash
# The registry's PostgreSQL tests against a real, throw-away PostgreSQL server from Debian's
# packages (issue #14): installs the server if it is missing, starts a fresh cluster in a
# temporary directory (Unix socket only, no TCP port) as the current user, runs every test
# marked PostgreSQL (they are `#[ignore]`d in a plain `cargo test`) with HCX_TEST_POSTGRES_URL
# set, and stops and removes the server on exit, whatever happens.
#
#   bash tools/ci/postgres-tests.sh     # from the repo root (tools/ci/test-all.sh does)
#
# Quick when all is installed (the server starts in about a second); fails loudly, naming the
# step, when it cannot set up; never skips. Bounded: the server gets 60 s to start, the test
# build HCX_PG_BUILD_TIMEOUT (default 3600 s, a first build on two cores), the tests
# HCX_PG_TEST_TIMEOUT (default 600 s).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}
BUILD_TIMEOUT=${HCX_PG_BUILD_TIMEOUT:-3600}
TEST_TIMEOUT=${HCX_PG_TEST_TIMEOUT:-600}
START=$SECONDS
say() { printf 'postgres-tests: %s\n' "$*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

# 1. The server binaries (initdb, pg_ctl) from Debian's `postgresql` package.
find_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return 0; fi
  done
  return 1
}
if ! BIN=$(find_bindir); then
  say "no PostgreSQL server in /usr/lib/postgresql: installing Debian's postgresql package"
  command -v apt-get >/dev/null || fail "apt-get not found: install PostgreSQL (initdb, pg_ctl) by hand"
  SUDO=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || fail "not root and no sudo: cannot install postgresql"
    SUDO=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get install -y postgresql \
    || { "${SUDO[@]}" apt-get update && "${SUDO[@]}" apt-get install -y postgresql; } \
    || fail "apt-get install -y postgresql failed"
  BIN=$(find_bindir) || fail "initdb/pg_ctl still missing after installing postgresql"
fi
say "server binaries: $BIN ($("$BIN/pg_ctl" --version))"

# 2. A fresh cluster in a temporary directory. The server runs as the current user; it
#    refuses to run as root, so root runs it as the `postgres` user the package created.
AS=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || fail "running as root and no 'postgres' user to run the server as"
  command -v runuser >/dev/null || fail "running as root and runuser (util-linux) is missing"
  AS=(runuser -u postgres --)
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/hcx-postgres.XXXXXX")
DATA=$TMP/data
PORT=5432 # names the socket file only: the server listens on no TCP address
cleanup() {
  if [ -f "$DATA/postmaster.pid" ]; then
    "${AS[@]}" "$BIN/pg_ctl" -D "$DATA" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
[ ${#AS[@]} = 0 ] || { chmod 755 "$TMP"; chown postgres: "$TMP"; }
DBUSER=$(id -un)
[ ${#AS[@]} = 0 ] || DBUSER=postgres
"${AS[@]}" "$BIN/initdb" -D "$DATA" -U "$DBUSER" -A trust -E UTF8 --no-sync \
  >"$TMP/initdb.log" 2>&1 || { cat "$TMP/initdb.log" >&2; fail "initdb failed"; }
# fsync stays on (the default): the tests check that acknowledged changes survive kill -9.
"${AS[@]}" "$BIN/pg_ctl" -D "$DATA" -l "$TMP/server.log" -w -t 60 \
  -o "-c listen_addresses='' -k $TMP -p $PORT" start >/dev/null \
  || { cat "$TMP/server.log" >&2; fail "pg_ctl start failed"; }
"$BIN/psql" -h "$TMP" -p "$PORT" -U "$DBUSER" -d postgres -q -c "CREATE DATABASE hcx_test" \
  || fail "psql could not create the test database"
say "server up in $TMP ($((SECONDS - START)) s)"

# 3. The tests: the registry's suite and the CLI's registry tests, each against this server.
export HCX_TEST_POSTGRES_URL="postgresql:///hcx_test?host=$TMP&port=$PORT&user=$DBUSER"
# --workspace (the two test targets' names are unique in it): features resolve as in
# `cargo test --workspace`, so after it nothing is compiled again (tools/ci/ws-cargo.sh).
TESTS=(--workspace --test store --test status_registry)
timeout "$BUILD_TIMEOUT" nice -n 10 cargo test --no-run "${TESTS[@]}" \
  || fail "building the registry tests failed (or took over $BUILD_TIMEOUT s)"
LOG=$TMP/tests.log
# `postgres::` selects exactly the PostgreSQL half of each suite; --ignored runs them.
if ! timeout "$TEST_TIMEOUT" nice -n 10 cargo test "${TESTS[@]}" -- --ignored postgres:: \
  2>&1 | tee "$LOG" >&2; then
  fail "the registry's PostgreSQL tests failed (or took over $TEST_TIMEOUT s); server log: $(tail -n 20 "$TMP/server.log")"
fi
# A run that ran nothing would prove nothing.
RAN=$(awk '/^test result:/ { n += $4 } END { print n + 0 }' "$LOG")
[ "$RAN" -ge 10 ] || fail "only $RAN PostgreSQL tests ran"
say "$RAN PostgreSQL tests passed; total $((SECONDS - START)) s"
