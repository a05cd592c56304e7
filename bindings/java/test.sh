#!/usr/bin/env bash
# The Java binding's tests, with their own set-up; safe to run again (fast once set up).
# Parts: the glue's Rust tests; the JNI library (cargo); the Java sources compiled with the
# JDK's javac (Debian's default-jdk-headless when javac is missing; nothing from Maven); every
# spec/fixtures case and the binding's contract through org.hcx.Verifier (java -ea); a bounded
# fuzz run across the boundary that also fails when the library holds more memory after each
# round (the glue is built with `leak-check`, which counts the bytes its allocator holds). A
# tool that is missing and cannot be installed stops the script with its name and a non-zero
# exit.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SCRIPT=bindings/java/test.sh
# shellcheck source=../test-lib.sh
. "$HERE/../test-lib.sh"
LIB="$TARGET/debug/libhcx_jni.so"
OUT="$TARGET/hcx-java-tests"
FUZZ_ITERATIONS="${HCX_FUZZ_ITERATIONS:-3000}"
FUZZ_SEED="${HCX_FUZZ_SEED:-20261202}"
FUZZ_SECONDS="${HCX_FUZZ_SECONDS:-120}"

part "set-up"
command -v cargo >/dev/null 2>&1 || die "cargo is missing (install Rust: rustup)"
apt_install javac default-jdk-headless
apt_install java default-jdk-headless
mkdir -p "$OUT"

# Built with the workspace's feature resolution (tools/ci/ws-cargo.sh says why): after
# `cargo test --workspace` the first compiles nothing, the second only the glue crate.
part "hcx-jni's Rust unit tests"
"$ROOT/tools/ci/ws-cargo.sh" unit-tests hcx-jni > "$OUT/cargo-test.log" 2>&1 \
    || { cat "$OUT/cargo-test.log" >&2; die "hcx-jni's unit tests failed (tools/ci/ws-cargo.sh unit-tests hcx-jni)"; }
grep -E "^test result" "$OUT/cargo-test.log" || true

part "build libhcx_jni (cargo, with the leak-check allocator counter)"
"$ROOT/tools/ci/ws-cargo.sh" build -q --lib --features hcx-jni/leak-check \
    || die "cargo build --workspace --lib --examples --features hcx-jni/leak-check failed"
[ -f "$LIB" ] || die "no $LIB"

part "javac"
rm -rf "$OUT/classes"
mkdir -p "$OUT/classes"
# Java 8 bytecode: what every Android toolchain and server JVM reads.
javac -Xlint:all,-options -Werror --release 8 -d "$OUT/classes" \
    "$HERE"/java/org/hcx/*.java "$HERE"/test/org/hcx/*.java || die "javac failed"

JAVA=(java -ea -Dhcx.library="$LIB" -cp "$OUT/classes")

part "Java tests (every fixture case, the contract)"
"${JAVA[@]}" org.hcx.ConformanceTest "$FIXTURES" || die "the Java tests failed"

part "fuzz across JNI ($FUZZ_ITERATIONS calls a round)"
"${JAVA[@]}" org.hcx.FuzzTest "$FIXTURES" "$FUZZ_ITERATIONS" "$FUZZ_SEED" "$FUZZ_SECONDS" \
    || die "the fuzz run failed"

finish
