#!/usr/bin/env bash
# The C API's per-call overhead over the facade from Rust (issue #13: at most 10 %), measured
# interleaved in one process (benches/bench.c). Release build with the `bench` feature, which
# adds the in-process baseline hcx_bench_facade (never in the header).
#   bindings/c/bench.sh [ROUNDS] [CALLS_PER_ROUND]      defaults: 21 rounds of 2000 calls
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
export CARGO_INCREMENTAL=0
# Both bindings' benchmarks build the same set, so the release artifacts are shared.
(cd "$ROOT" && cargo build -q --release -p hcx-c -p hcx-jni --features hcx-c/bench,hcx-jni/bench) || { echo "bench.sh: cargo build failed" >&2; exit 1; }
mkdir -p "$TARGET/hcx-c-bench"
cc -std=c11 -D_DEFAULT_SOURCE -O2 -Wall -Wextra -Werror -I"$HERE/include" "$HERE/benches/bench.c" \
    -o "$TARGET/hcx-c-bench/bench" -L"$TARGET/release" -Wl,-rpath,"$TARGET/release" -lhcx \
    || { echo "bench.sh: cc failed" >&2; exit 1; }
"$TARGET/hcx-c-bench/bench" "$ROOT/spec/fixtures" "${1:-21}" "${2:-2000}"
