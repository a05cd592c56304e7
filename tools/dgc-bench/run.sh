#!/usr/bin/env bash
# Benchmarks hcx-interop against the `dgc` crate (docs/INTEROP.md). Builds this crate in
# release mode (its own workspace and lock file; ring 0.16 needs a C compiler) and runs it on
# the peers' DCC test data, which is read in place and never copied.
#   tools/dgc-bench/run.sh [ROUNDS] [CASE…]        e.g. tools/dgc-bench/run.sh 21 DE/1 CH/1
# PEERS (default: the first shared/peers/dcc above the repository) and CARGO_TARGET_DIR may be
# set; FEATURES is passed to cargo (e.g. FEATURES="--features hcx-interop/rust-crypto").
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
peers="${PEERS:-}"
if [ -z "$peers" ]; then
  dir="$here"
  while [ "$dir" != / ]; do
    if [ -d "$dir/shared/peers/dcc" ]; then peers="$dir/shared/peers/dcc"; break; fi
    dir="$(dirname "$dir")"
  done
fi
[ -n "$peers" ] || { echo "shared/peers/dcc not found above $here; set PEERS" >&2; exit 2; }
# shellcheck disable=SC2086
cargo run --release --quiet --manifest-path "$here/Cargo.toml" ${FEATURES:-} -- "$peers" "$@"
