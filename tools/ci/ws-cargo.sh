#!/usr/bin/env bash
# Cargo builds for the parts of tools/ci/test-all.sh that resolve features like the rust part's
# `cargo test --workspace`, so that after it they compile nothing again.
#
#   tools/ci/ws-cargo.sh build [CARGO ARGS...]       # e.g. --lib, or --bin hcx (debug)
#   tools/ci/ws-cargo.sh unit-tests PACKAGE [TEST ARGS...]  # PACKAGE's library unit tests
#
# Why: cargo enables a dependency's features from the packages a command selects, and a
# dependency's features from dev-dependencies only when the command builds tests or examples.
# `cargo test -p hcx-c` or `cargo build --bin hcx` therefore compile ed25519-dalek, hcx-interop,
# hcx-verify and about a hundred more crates a second time, with fewer features, into the same
# target/ (measured with `cargo +nightly … --unit-graph`: 90 to 135 units each; together about
# 20 minutes of a cold run on two cores). Selecting the whole workspace, with examples (which
# brings the dev-dependencies' features in, as tests do), gives the same resolution, so these
# builds reuse the rust part's units; run alone, they build what they need from scratch.
#
# `unit-tests` runs the test binary `cargo test --workspace --lib` builds for PACKAGE's library,
# from the package's directory with CARGO_MANIFEST_DIR set, as `cargo test` does. It runs the
# unit tests only: the package's doctests and integration tests run in the rust part (and with
# `cargo test --workspace --test NAME`, which resolves like the workspace, wherever needed).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}
say() { printf 'ws-cargo.sh: %s\n' "$*" >&2; }

case ${1:-} in
  build)
    shift
    # --examples: builds the one example too (small), but above all resolves features with
    # the dev-dependencies, as `cargo test` does (a plain `cargo build` leaves them out).
    exec cargo build --workspace --examples "$@"
    ;;
  unit-tests)
    shift
    [ $# -ge 1 ] || { say "usage: ws-cargo.sh unit-tests PACKAGE [TEST ARGS...]"; exit 2; }
    pkg=$1; shift
    command -v python3 >/dev/null || { say "python3 is missing (it reads cargo's JSON messages)"; exit 2; }
    # The diagnostics go to stderr as usual; stdout carries one JSON message a line.
    found=$(cargo test --workspace --lib --no-run --message-format=json-render-diagnostics \
      | python3 -c '
import json, os, sys
pkg = sys.argv[1]
for line in sys.stdin:
    try:
        m = json.loads(line)
    except ValueError:
        continue
    if m.get("reason") != "compiler-artifact" or not m.get("profile", {}).get("test") or not m.get("executable"):
        continue
    # package_id: "path+file:///dir#name@version", or "path+file:///dir#version" when the
    # directory is named after the package.
    url, _, frag = m["package_id"].partition("#")
    name = frag.split("@")[0] if "@" in frag else os.path.basename(url)
    if name == pkg:
        print(os.path.dirname(m["manifest_path"]) + "\t" + m["executable"])
' "$pkg") || { say "cargo test --workspace --lib --no-run failed"; exit 1; }
    [ -n "$found" ] || { say "no library test binary for package $pkg"; exit 1; }
    [ "$(printf '%s\n' "$found" | wc -l)" = 1 ] || { say "more than one library test binary for $pkg: $found"; exit 1; }
    dir=${found%%$'\t'*}
    exe=${found#*$'\t'}
    say "running $pkg's unit tests: $exe (from $dir)"
    cd "$dir"
    CARGO_MANIFEST_DIR=$dir CARGO_PKG_NAME=$pkg exec "$exe" "$@"
    ;;
  *)
    say "usage: ws-cargo.sh build [CARGO ARGS...] | unit-tests PACKAGE [TEST ARGS...]"
    exit 2
    ;;
esac
