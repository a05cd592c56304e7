#!/usr/bin/env bash
# The floors of issue #12, measured (the numbers belong in docs/PERFORMANCE.md): sizes with
# brotli -q 11, hcx verify against Node's crypto.verify, QR from frames against zxing-wasm and
# jsQR. Builds first (build.sh); photos are made by hcx-qr's generator (seeds 1..5 by default).
#
#   bindings/js/bench/run.sh [size|verify|qr]...     # all three when none is named
#   SEEDS="4 5" bindings/js/bench/run.sh qr
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
root=$(cd "$here/../.." && pwd)
export CARGO_INCREMENTAL=0
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(size verify qr)
"$here/build.sh" >/dev/null
[ -d "$here/node_modules/zxing-wasm" ] || (cd "$here" && npm ci --no-audit --no-fund)
for part in "${parts[@]}"; do
  case "$part" in
    size)
      command -v brotli >/dev/null || { echo "bench: brotli not found (apt-get install brotli)" >&2; exit 1; }
      echo "sizes (brotli -q 11):"
      for build in lite full; do
        files=(hcx_js_bg.wasm hcx_js_glue.js)
        [ "$build" = lite ] || files+=(hcx_js_bg.simd.wasm)
        for f in "${files[@]}"; do
          p="$here/pkg/$build/$f"
          printf '  %-4s %-20s %9d bytes raw %9d bytes brotli\n' "$build" "$f" "$(stat -c %s "$p")" "$(brotli -q 11 -c "$p" | wc -c)"
        done
      done
      ;;
    verify) node "$here/bench/verify.mjs" ;;
    qr)
      for seed in ${SEEDS:-1 2 3 4 5}; do
        photos="$root/target/qr-photos-$seed"
        if [ ! -f "$photos/manifest.tsv" ]; then
          (cd "$root" && nice -n 10 cargo run -q -p hcx-qr --release --example qr-photos -- --out "$photos" --seed "$seed" --count 200)
        fi
        node "$here/bench/qr.mjs" "$photos" "${REPEAT:-3}"
      done
      ;;
    *) echo "bench: unknown part $part (size, verify, qr)" >&2; exit 2 ;;
  esac
done
