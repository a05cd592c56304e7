#!/usr/bin/env bash
# Benchmarks hcx-interop (both crypto providers) against the `dgc` crate (docs/INTEROP.md).
# Builds this crate in release mode (its own workspace and lock file; ring 0.16 and AWS-LC need
# a C compiler) and runs it on the peers' test data, which is read in place and never copied.
#   tools/dgc-bench/run.sh [ROUNDS] [CASE…]     e.g. tools/dgc-bench/run.sh 21 dcc:DE/1 shc:00
#   tools/dgc-bench/run.sh count 'dgc 0.0.7' dcc:DE/1 2000    (under valgrind: see INTEROP.md)
# PEERS (default: the first shared/peers above the repository) and CARGO_TARGET_DIR may be set.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
peers="${PEERS:-}"
if [ -z "$peers" ]; then
  dir="$here"
  while [ "$dir" != / ]; do
    if [ -d "$dir/shared/peers/dcc" ]; then peers="$dir/shared/peers"; break; fi
    dir="$(dirname "$dir")"
  done
fi
[ -n "$peers" ] || { echo "shared/peers not found above $here; set PEERS" >&2; exit 2; }
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin="${CARGO_TARGET_DIR:-$here/target}/release/hcx-dgc-bench"
exec ${WRAP:-} "$bin" "$peers" "$@"
