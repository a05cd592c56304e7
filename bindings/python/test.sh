#!/usr/bin/env bash
# Builds the hcx Python package and runs its tests, doing its own set-up on a fresh machine:
# a virtual environment under bindings/python/.venv (gitignored) with the pinned
# requirements.txt, the abi3 wheel built by maturin (dev profile) into the repository's target/, the wheel
# installed, the `hcx` CLI built (the verdicts must equal its JSON), then pytest.
#
#   bindings/python/test.sh [PYTEST ARGS...]
#
# Idempotent: a second run reuses the environment and cargo's build. Whatever cannot be set up
# stops the script with a non-zero status and the name of the tool that failed. With CI=true,
# tests whose data is missing (shared/peers) fail instead of being skipped.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VENV=$HERE/.venv
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}
PYTHON=${PYTHON:-python3}

fail() {
  echo "bindings/python/test.sh: FAILED: $*" >&2
  exit 1
}
now() { date +%s.%N; }
START=$(now)
PART_START=$START
TIMES=()
# Ends a part: prints and remembers how long it took.
part_done() {
  local t
  t=$(now)
  TIMES+=("$(printf '%-22s %6.1f s' "$1" "$(echo "$t - $PART_START" | bc -l)")")
  echo "== $1: $(printf '%.1f' "$(echo "$t - $PART_START" | bc -l)") s"
  PART_START=$t
}
# Runs a command; on failure stops with the tool's name.
run() {
  local tool=$1
  shift
  "$@" || fail "$tool failed (exit $?): $*"
}

# 1. The tools this script cannot install itself.
command -v "$PYTHON" >/dev/null || fail "$PYTHON not found (Debian: apt-get install python3 python3-venv)"
command -v cargo >/dev/null || fail "cargo not found (install the Rust toolchain with rustup)"
command -v bc >/dev/null || fail "bc not found (Debian: apt-get install bc)"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' ||
  fail "$PYTHON is $("$PYTHON" --version 2>&1); the hcx package needs Python 3.10 or later"

# 2. The virtual environment and the pinned tools, reinstalled only when requirements.txt changes.
# Debian splits venv (and its pip) into python3-venv: installed only when making a venv fails.
make_venv() {
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV" >/dev/null 2>&1 && "$VENV/bin/python" -m pip --version >/dev/null 2>&1
}
if ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
  if ! make_venv; then
    command -v apt-get >/dev/null ||
      fail "$PYTHON -m venv failed and there is no apt-get to install python3-venv"
    SUDO=()
    [ "$(id -u)" -eq 0 ] || SUDO=(sudo)
    VENV_PKG=python$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv
    echo "bindings/python/test.sh: $PYTHON -m venv failed; installing python3-venv ($VENV_PKG)"
    "${SUDO[@]}" apt-get install -y python3-venv "$VENV_PKG" ||
      "${SUDO[@]}" apt-get install -y python3-venv ||
      fail "sudo apt-get install -y python3-venv failed"
    make_venv || fail "$PYTHON -m venv failed even with python3-venv installed"
  fi
fi
STAMP=$VENV/.requirements.sha256
WANT=$(sha256sum "$HERE/requirements.txt" | cut -d' ' -f1)
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  run "pip install" "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$HERE/requirements.txt"
  echo "$WANT" >"$STAMP"
fi
part_done "venv + pip"

# 3. The wheel (abi3), then installed in place of any earlier one. The dev profile with the
# repository's settings for dependencies (optimised, line tables; the root Cargo.toml): the
# dependencies the workspace's test build compiled with the same features (aws-lc-sys's C
# among them) are reused from target/ instead of compiled again in release, and everything
# but the thin PyO3 glue, hcx-verify included, runs optimised. Nothing here measures speed
# (bench.sh builds its own release wheel).
rm -rf "$HERE/dist"
(cd "$HERE" && nice -n 10 "$VENV/bin/maturin" build --profile dev --locked --quiet --out "$HERE/dist" \
  --config 'profile.dev.package."*".opt-level=2' --config 'profile.dev.package."*".debug="line-tables-only"') ||
  fail "maturin build failed"
WHEEL=$(ls "$HERE"/dist/hcx-*.whl 2>/dev/null | head -n 1)
[ -n "$WHEEL" ] || fail "maturin build made no wheel in $HERE/dist"
part_done "maturin build"
run "pip install (wheel)" "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
  --no-deps --force-reinstall "$WHEEL"
part_done "pip install wheel"

# 4. The CLI whose JSON the verdicts must equal: the debug build `cargo test --workspace` also
# makes, built with the workspace's feature resolution so that it is that very build
# (tools/ci/ws-cargo.sh; a plain `cargo build --bin hcx` compiles ~120 crates again).
nice -n 10 "$ROOT/tools/ci/ws-cargo.sh" build --quiet --bin hcx ||
  fail "cargo build --workspace --bin hcx --examples failed"
export HCX_BIN=$CARGO_TARGET_DIR/debug/hcx
part_done "cargo build hcx"

# 5. The tests.
set +e
(cd "$HERE" && "$VENV/bin/python" -m pytest -q -rs "$@")
STATUS=$?
set -e
part_done "pytest"
echo "== bindings/python/test.sh: $(printf '%.1f' "$(echo "$(now) - $START" | bc -l)") s in all"
printf '   %s\n' "${TIMES[@]}"
[ "$STATUS" -eq 0 ] || fail "pytest failed (exit $STATUS)"
