#!/usr/bin/env bash
# The C binding's tests, with their own set-up; safe to run again (fast once set up).
#   bindings/c/test.sh               set up what is missing, then run every test below
#   bindings/c/test.sh --regenerate  rewrite include/hcx.h with cbindgen, then test
# Parts: the crate's Rust tests; include/hcx.h against cbindgen's output (stale = failure);
# the C test program (every spec/fixtures case, the call contract, threads, issuing) built
# with the system C compiler, natively and under valgrind; the README example, linked against
# the static library; a bounded fuzz run, natively and under valgrind (leaks and invalid
# accesses fail the run). A tool that is missing and cannot be installed stops the script
# with its name and a non-zero exit; nothing is skipped.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SCRIPT=bindings/c/test.sh
# shellcheck source=../test-lib.sh
. "$HERE/../test-lib.sh"
LIBDIR="$TARGET/debug"
OUT="$TARGET/hcx-c-tests"
# Iterations: the native fuzz run is cheap; valgrind's is ~50x slower per call.
FUZZ_ITERATIONS="${HCX_FUZZ_ITERATIONS:-20000}"
FUZZ_VALGRIND_ITERATIONS="${HCX_FUZZ_VALGRIND_ITERATIONS:-800}"
FUZZ_SEED="${HCX_FUZZ_SEED:-20261202}"

part "set-up"
command -v cargo >/dev/null 2>&1 || die "cargo is missing (install Rust: rustup)"
mkdir -p "$OUT"
apt_install cc gcc
apt_install valgrind valgrind
# The header is checked byte for byte, so every machine generates it with the same cbindgen.
CBINDGEN_VERSION=0.29.4
if [ "$(cbindgen --version 2>/dev/null)" != "cbindgen $CBINDGEN_VERSION" ]; then
    echo "installing cbindgen $CBINDGEN_VERSION with cargo (once, ~2 min)"
    cargo install --locked --version "$CBINDGEN_VERSION" cbindgen >"$OUT/cbindgen-install.log" 2>&1 \
        || { cat "$OUT/cbindgen-install.log" >&2; die "cargo install --locked --version $CBINDGEN_VERSION cbindgen failed"; }
    [ "$(cbindgen --version 2>/dev/null)" = "cbindgen $CBINDGEN_VERSION" ] \
        || die "cbindgen $CBINDGEN_VERSION was installed but '$(command -v cbindgen)' is $(cbindgen --version 2>&1) (is ~/.cargo/bin first on PATH?)"
fi

# Built with the workspace's feature resolution (tools/ci/ws-cargo.sh says why): after
# `cargo test --workspace` these two steps compile nothing again.
part "hcx-c's Rust unit tests"
"$ROOT/tools/ci/ws-cargo.sh" unit-tests hcx-c > "$OUT/cargo-test.log" 2>&1 \
    || { cat "$OUT/cargo-test.log" >&2; die "hcx-c's unit tests failed (tools/ci/ws-cargo.sh unit-tests hcx-c)"; }
grep -E "^test result" "$OUT/cargo-test.log" || true

part "build libhcx (cdylib + staticlib)"
"$ROOT/tools/ci/ws-cargo.sh" build -q --lib || die "cargo build --workspace --lib --examples failed"
[ -f "$LIBDIR/libhcx.so" ] && [ -f "$LIBDIR/libhcx.a" ] || die "no libhcx.so / libhcx.a in $LIBDIR"

part "header is current (cbindgen)"
if [ "${1:-}" = "--regenerate" ]; then
    (cd "$HERE" && cbindgen --quiet --config cbindgen.toml --crate hcx-c --output include/hcx.h) \
        || die "cbindgen failed"
fi
(cd "$HERE" && cbindgen --quiet --config cbindgen.toml --crate hcx-c --output "$OUT/hcx.h") || die "cbindgen failed"
diff -u "$HERE/include/hcx.h" "$OUT/hcx.h" >&2 \
    || die "include/hcx.h is stale: run bindings/c/test.sh --regenerate and commit it"
echo "include/hcx.h is what cbindgen generates"

part "compile the C programs (cc -Wall -Wextra -Werror)"
CFLAGS=(-std=c11 -D_DEFAULT_SOURCE -O1 -g -Wall -Wextra -Werror -pedantic -I"$HERE/include")
cc "${CFLAGS[@]}" "$HERE/tests/test_hcx.c" "$HERE/tests/json.c" -o "$OUT/test_hcx" \
    -L"$LIBDIR" -Wl,-rpath,"$LIBDIR" -lhcx -lpthread || die "cc could not build tests/test_hcx.c"
cc "${CFLAGS[@]}" "$HERE/tests/fuzz.c" -o "$OUT/fuzz" -L"$LIBDIR" -Wl,-rpath,"$LIBDIR" -lhcx \
    || die "cc could not build tests/fuzz.c"
# The README's example, against the static library (what an iOS app links).
cc "${CFLAGS[@]}" "$HERE/examples/verify.c" -o "$OUT/verify-example" "$LIBDIR/libhcx.a" -lpthread -ldl -lm \
    || die "cc could not build examples/verify.c against libhcx.a"
if command -v c++ >/dev/null 2>&1; then
    echo '#include "hcx.h"' | c++ -x c++ -std=c++11 -Wall -Werror -fsyntax-only -I"$HERE/include" - \
        || die "hcx.h does not compile as C++"
fi

part "C tests (native)"
"$OUT/test_hcx" "$FIXTURES" 200 || die "the C tests failed"

part "README example"
"$OUT/verify-example" "$FIXTURES/trust/main.json" "$FIXTURES/keys/root-1.pub.pem" \
    "$(tr -d '\n' < "$FIXTURES/samples/reference-code.txt")" 1795251600 > "$OUT/example.out" \
    || die "the README example failed: $(cat "$OUT/example.out")"
grep -q '"valid":true' "$OUT/example.out" || die "the README example did not print a valid verdict"
head -c 200 "$OUT/example.out"; echo " …"

part "fuzz (native, $FUZZ_ITERATIONS iterations)"
"$OUT/fuzz" "$FIXTURES" "$FUZZ_ITERATIONS" "$FUZZ_SEED" || die "the fuzz run failed"

# Valgrind: any invalid access or leak (definite, indirect or possible) fails the run. Memory
# still reachable at exit (std's lazily made statics) is no leak; tests/valgrind.supp names the
# one "possible" report that is not ours (the TLS of rayon's pool threads, alive at exit).
VALGRIND=(valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible
          --errors-for-leak-kinds=definite,indirect,possible --suppressions="$HERE/tests/valgrind.supp")

part "C tests under valgrind"
"${VALGRIND[@]}" "$OUT/test_hcx" "$FIXTURES" 10 || die "the C tests failed under valgrind"

part "fuzz under valgrind ($FUZZ_VALGRIND_ITERATIONS iterations)"
"${VALGRIND[@]}" "$OUT/fuzz" "$FIXTURES" "$FUZZ_VALGRIND_ITERATIONS" "$FUZZ_SEED" \
    || die "the fuzz run failed under valgrind"

finish
