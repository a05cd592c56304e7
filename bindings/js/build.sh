#!/usr/bin/env bash
# Builds the hcx WebAssembly package: both builds into bindings/js/pkg/{lite,full}/ (with a
# brotli .wasm.br beside each .wasm, for mini-programs; the full build also as
# hcx_js_bg.simd.wasm, with WebAssembly SIMD), and the full one into web/hcx/ for the offline
# verifier page. Needs the wasm32-unknown-unknown target and wasm-bindgen-cli at the
# version in Cargo.lock (test.sh installs both).
#
#   bindings/js/build.sh            # both builds
#   bindings/js/build.sh lite       # one
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export CARGO_INCREMENTAL=0

fail() { echo "build.sh: $*" >&2; exit 1; }
command -v cargo >/dev/null || fail "cargo not found"
command -v node >/dev/null || fail "node not found (Node.js >= 20 is needed to compress the builds)"
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$root/Cargo.lock")
[ -n "$want" ] || fail "no wasm-bindgen in Cargo.lock"
command -v wasm-bindgen >/dev/null || fail "wasm-bindgen not found: cargo install --locked wasm-bindgen-cli --version $want (or run bindings/js/test.sh)"
have=$(wasm-bindgen --version | awk '{print $2}')
[ "$have" = "$want" ] || fail "wasm-bindgen $have installed, Cargo.lock has $want: cargo install --locked wasm-bindgen-cli --version $want --force"
rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
  || fail "the wasm32-unknown-unknown target is missing: rustup target add wasm32-unknown-unknown"

builds=("$@")
[ ${#builds[@]} -gt 0 ] || builds=(lite full)

# Binaryen's optimiser (npm `binaryen`, from `npm ci`) on one .wasm: only the features rustc's
# wasm32 output already uses (plus SIMD for the SIMD variant), then its brotli .wasm.br.
wasm_opt="$here/node_modules/binaryen/bin/wasm-opt"
optimise() {
  local wasm=$1
  shift
  [ -f "$wasm_opt" ] || fail "$wasm_opt not found: run npm ci in bindings/js (or bindings/js/test.sh)"
  nice -n 10 node "$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
    --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
    "$@" "$wasm" -o "$wasm"
  node -e '
    const fs = require("fs"), zlib = require("zlib");
    const [src] = process.argv.slice(1);
    const br = zlib.brotliCompressSync(fs.readFileSync(src), { params: {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_LGWIN]: 24,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: fs.statSync(src).size } });
    fs.writeFileSync(src + ".br", br);
  ' "$wasm"
}

# One variant of a build: cargo, then wasm-bindgen into $stage (the glue and the .wasm).
# One target directory per variant: switching features or flags in one would relink every time.
compile() {
  local variant=$1 stage=$2
  shift 2
  local target="$root/target/wasm-$variant"
  nice -n 10 cargo build --quiet -p hcx-js --lib --target wasm32-unknown-unknown --profile wasm \
    --target-dir "$target" "$@"
  local wasm="$target/wasm32-unknown-unknown/wasm/hcx_js.wasm"
  if [ ! -f "$stage/hcx_js_bg.wasm" ] || [ "$wasm" -nt "$stage/hcx_js_bg.wasm" ]; then
    rm -rf "$stage"
    wasm-bindgen --target bundler --out-dir "$stage" --out-name hcx_js "$wasm"
    # The bundler entry imports the .wasm as an ES module, which only bundlers can; js/load.mjs
    # and js/wx.mjs instantiate it themselves.
    rm -f "$stage/hcx_js.js" "$stage/package.json" "$stage/README.md" "$stage/hcx_js.d.ts" "$stage/hcx_js_bg.wasm.d.ts"
    # The glue as a factory: one fresh copy per instance (tools/glue.mjs says why).
    node "$here/tools/glue.mjs" "$stage/hcx_js_bg.js" "$stage/hcx_js_glue.js"
    rm "$stage/hcx_js_bg.js"
    touch "$stage/.fresh"
  fi
}

report() {
  printf 'build.sh: %-9s %8d bytes .wasm, %8d bytes .wasm.br\n' "$1" \
    "$(stat -c %s "$2")" "$(stat -c %s "$2.br")"
}

for build in "${builds[@]}"; do
  case "$build" in
    lite) features=() ;;
    full) features=(--features full) ;;
    *) fail "unknown build $build (lite or full)" ;;
  esac
  out="$here/pkg/$build"
  stage="$root/target/wasm-stage/$build"
  compile "$build" "$stage" "${features[@]}"
  if [ -f "$stage/.fresh" ] || [ ! -f "$out/hcx_js_bg.wasm.br" ]; then
    mkdir -p "$out"
    cp "$stage/hcx_js_glue.js" "$stage/hcx_js_bg.wasm" "$out/"
    optimise "$out/hcx_js_bg.wasm"
    rm -f "$stage/.fresh"
  fi
  report "$build" "$out/hcx_js_bg.wasm"
  [ "$build" = full ] || continue
  # The full build again with WebAssembly SIMD (the QR decoder's pixel loops 16 pixels an
  # instruction: hcx-qr's simd.rs), beside the plain one with the same glue; js/load.mjs picks it
  # where the engine has SIMD. A module with SIMD does not load at all without it (WebViews on iOS
  # before 16.4), hence both.
  stage="$root/target/wasm-stage/full-simd"
  RUSTFLAGS="-C target-feature=+simd128" compile full-simd "$stage" "${features[@]}"
  if [ -f "$stage/.fresh" ] || [ ! -f "$out/hcx_js_bg.simd.wasm.br" ]; then
    cmp -s "$stage/hcx_js_glue.js" "$out/hcx_js_glue.js" \
      || fail "the SIMD build's glue differs from the plain one's: they must share one"
    cp "$stage/hcx_js_bg.wasm" "$out/hcx_js_bg.simd.wasm"
    optimise "$out/hcx_js_bg.simd.wasm" --enable-simd
    rm -f "$stage/.fresh"
  fi
  report full-simd "$out/hcx_js_bg.simd.wasm"
done

# The page serves the full build from its own folder (web/hcx/, git-ignored).
if [ -d "$here/pkg/full" ]; then
  rm -rf "$root/web/hcx"
  mkdir -p "$root/web/hcx/js" "$root/web/hcx/pkg/full"
  cp "$here"/js/{load,engine,api}.mjs "$root/web/hcx/js/"
  cp "$here"/pkg/full/hcx_js_glue.js "$here"/pkg/full/hcx_js_bg.wasm "$here"/pkg/full/hcx_js_bg.simd.wasm \
    "$root/web/hcx/pkg/full/"
  # The demo trust bundle: the spec's main trust list under its root key.
  mkdir -p "$root/web/trust"
  node "$here/tools/bundle.mjs" --root "$root/spec/fixtures/keys/root-1.pub.pem" \
    "$root/spec/fixtures/trust/main.json" > "$root/web/trust/bundle.json"
fi
