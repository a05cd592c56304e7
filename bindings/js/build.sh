#!/usr/bin/env bash
# Builds the hcx WebAssembly package: both builds into bindings/js/pkg/{lite,full}/ (with a
# brotli .wasm.br beside each .wasm, for mini-programs), and the full one into web/hcx/ for the
# offline verifier page. Needs the wasm32-unknown-unknown target and wasm-bindgen-cli at the
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
for build in "${builds[@]}"; do
  case "$build" in
    lite) features=() ;;
    full) features=(--features full) ;;
    *) fail "unknown build $build (lite or full)" ;;
  esac
  # One target directory per build: switching features in one would relink every time.
  target="$root/target/wasm-$build"
  nice -n 10 cargo build --quiet -p hcx-js --lib --target wasm32-unknown-unknown --profile wasm \
    --target-dir "$target" "${features[@]}"
  out="$here/pkg/$build"
  wasm="$target/wasm32-unknown-unknown/wasm/hcx_js.wasm"
  if [ ! -f "$out/hcx_js_glue.js" ] || [ ! -f "$out/hcx_js_bg.wasm.br" ] || [ "$wasm" -nt "$out/hcx_js_bg.wasm.br" ]; then
    rm -rf "$out"
    wasm-bindgen --target bundler --out-dir "$out" --out-name hcx_js "$wasm"
    # The bundler entry imports the .wasm as an ES module, which only bundlers can; js/load.mjs
    # and js/wx.mjs instantiate it themselves.
    rm -f "$out/hcx_js.js" "$out/package.json" "$out/README.md" "$out/hcx_js.d.ts" "$out/hcx_js_bg.wasm.d.ts"
    # The glue as a factory: one fresh copy per instance (tools/glue.mjs says why).
    node "$here/tools/glue.mjs" "$out/hcx_js_bg.js" "$out/hcx_js_glue.js"
    rm "$out/hcx_js_bg.js"
    # Binaryen's size optimiser (npm `binaryen`, from `npm ci`): only the features rustc's
    # wasm32 output already uses.
    wasm_opt="$here/node_modules/binaryen/bin/wasm-opt"
    [ -f "$wasm_opt" ] || fail "$wasm_opt not found: run npm ci in bindings/js (or bindings/js/test.sh)"
    nice -n 10 node "$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
      "$out/hcx_js_bg.wasm" -o "$out/hcx_js_bg.wasm"
    node -e '
      const fs = require("fs"), zlib = require("zlib");
      const [src] = process.argv.slice(1);
      const br = zlib.brotliCompressSync(fs.readFileSync(src), { params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_LGWIN]: 24,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: fs.statSync(src).size } });
      fs.writeFileSync(src + ".br", br);
    ' "$out/hcx_js_bg.wasm"
  fi
  printf 'build.sh: %-4s %8d bytes .wasm, %8d bytes .wasm.br\n' "$build" \
    "$(stat -c %s "$out/hcx_js_bg.wasm")" "$(stat -c %s "$out/hcx_js_bg.wasm.br")"
done

# The page serves the full build from its own folder (web/hcx/, git-ignored).
if [ -d "$here/pkg/full" ]; then
  rm -rf "$root/web/hcx"
  mkdir -p "$root/web/hcx/js" "$root/web/hcx/pkg/full"
  cp "$here"/js/{load,engine,api}.mjs "$root/web/hcx/js/"
  cp "$here"/pkg/full/hcx_js_glue.js "$here"/pkg/full/hcx_js_bg.wasm "$root/web/hcx/pkg/full/"
  # The demo trust bundle: the spec's main trust list under its root key.
  mkdir -p "$root/web/trust"
  node "$here/tools/bundle.mjs" --root "$root/spec/fixtures/keys/root-1.pub.pem" \
    "$root/spec/fixtures/trust/main.json" > "$root/web/trust/bundle.json"
fi
