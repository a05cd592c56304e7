#!/usr/bin/env bash
# Every test of the hcx WebAssembly package and the offline verifier page, with its own set-up
# on a fresh machine. Idempotent: set-up steps that are already done cost nothing.
#
#   bindings/js/test.sh
#
# Set-up: the wasm32-unknown-unknown target; wasm-bindgen-cli at the version in Cargo.lock;
# `npm ci`; Debian's chromium. A tool that cannot be set up stops the run, named, non-zero:
# nothing is skipped silently. Then: both builds (build.sh), `node --test` (the spec fixtures
# through both builds, the peers' DCC/SHC/VDS-NC data through the full one, the API contract),
# and the browser tests of the page in headless Chromium (playwright-core).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export CARGO_INCREMENTAL=0
# playwright-core never downloads a browser; this says so to anything that might.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
cd "$here"

fail() { echo "bindings/js/test.sh: FAILED: $*" >&2; exit 1; }
t0=$SECONDS
part_start=$SECONDS
timings=()
part() {
  local now=$SECONDS
  [ -z "${current:-}" ] || timings+=("$(printf '%-28s %4ds' "$current" $((now - part_start)))")
  current=$1
  part_start=$now
  echo "== $1"
}

part "set-up: wasm32 target"
command -v rustup >/dev/null || fail "rustup not found (the wasm32 target is added with it)"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown || fail "rustup target add wasm32-unknown-unknown"
fi

part "set-up: wasm-bindgen-cli"
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$root/Cargo.lock")
[ -n "$want" ] || fail "no wasm-bindgen in Cargo.lock"
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
  echo "wasm-bindgen-cli ${have:-missing}, want $want: installing"
  # --locked first: the CLI's own Cargo.lock, so the install is the same on every machine. That
  # lock can name a version the registry no longer serves (0.2.130's names webpki-roots 1.0.11,
  # missing from this registry on 2026-12-02, which failed a fresh machine's set-up): then the
  # same CLI version with its dependencies resolved afresh. Only the CLI's own dependencies float;
  # the wasm-bindgen it must match is pinned above by Cargo.lock and checked below.
  nice -n 10 cargo install --locked wasm-bindgen-cli --version "$want" --force \
    || { echo "wasm-bindgen-cli $want: its Cargo.lock does not resolve here; installing unlocked"
         nice -n 10 cargo install wasm-bindgen-cli --version "$want" --force; } \
    || fail "cargo install wasm-bindgen-cli --version $want (locked and unlocked)"
  have=$(wasm-bindgen --version | awk '{print $2}')
  [ "$have" = "$want" ] || fail "wasm-bindgen is $have after installing $want (is another one first in PATH?)"
fi

part "set-up: node, npm ci"
command -v node >/dev/null || fail "node not found (Node.js >= 20)"
command -v npm >/dev/null || fail "npm not found"
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] || fail "node $(node --version): Node.js >= 20 is needed"
# npm ci again only when package-lock.json changed since the last one.
stamp=node_modules/.hcx-package-lock.sha256
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
  npm ci --no-audit --no-fund || fail "npm ci"
  echo "$lock_sum" > "$stamp"
fi

part "set-up: chromium"
if [ ! -x /usr/bin/chromium ]; then
  command -v apt-get >/dev/null || fail "chromium: /usr/bin/chromium missing and no apt-get to install Debian's chromium"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq || fail "chromium: apt-get update"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null || fail "chromium: apt-get install chromium"
  [ -x /usr/bin/chromium ] || fail "chromium: installed, but /usr/bin/chromium is missing"
fi

part "build (both builds)"
./build.sh || fail "build.sh"

part "node --test"
node --test --test-reporter=spec test/node/*.test.mjs || fail "node --test test/node/"

part "chromium (playwright-core)"
node --test --test-reporter=spec --test-concurrency=1 test/browser/*.test.mjs || fail "node --test test/browser/ (headless chromium)"

part "done"
echo "bindings/js/test.sh: all passed in $((SECONDS - t0))s"
printf '  %s\n' "${timings[@]}"
