#!/usr/bin/env bash
# A single verify through JNI against the facade from Rust (issue #13: at most 1.5x), measured
# interleaved in one JVM (bench/org/hcx/Bench.java). Release build with the glue's `bench`
# feature, which adds the in-process baseline Bench.facadeNanos.
#   bindings/java/bench.sh [ROUNDS] [CALLS_PER_ROUND]      defaults: 21 rounds of 2000 calls
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
OUT="$TARGET/hcx-java-bench"
export CARGO_INCREMENTAL=0
# Both bindings' benchmarks build the same set, so the release artifacts are shared.
(cd "$ROOT" && cargo build -q --release -p hcx-c -p hcx-jni --features hcx-c/bench,hcx-jni/bench) || { echo "bench.sh: cargo build failed" >&2; exit 1; }
rm -rf "$OUT" && mkdir -p "$OUT"
javac -Xlint:all,-options -Werror --release 8 -d "$OUT" "$HERE"/java/org/hcx/*.java "$HERE"/bench/org/hcx/Bench.java \
    || { echo "bench.sh: javac failed" >&2; exit 1; }
java -Dhcx.library="$TARGET/release/libhcx_jni.so" -cp "$OUT" org.hcx.Bench "$ROOT/spec/fixtures" "${1:-21}" "${2:-2000}"
