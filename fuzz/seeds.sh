#!/usr/bin/env bash
# Builds the seed corpora under fuzz/corpus/<target>/ (git-ignored): our own conformance
# fixtures, plus the peers' public test data when ../shared/peers exists. Corpora copied from
# the peers are never committed; re-run this script instead.
set -euo pipefail
cd "$(dirname "$0")"
root=..
peers=${PEERS:-$root/../shared/peers}
mkdir -p corpus/{hcx_code,trust_list,qr_image,dcc,shc,vdsnc,foreign_trust,status_list}

# hcx codes: the "text" input of every conformance case (valid and invalid alike).
for f in "$root"/spec/fixtures/cases/*.json; do
  python3 - "$f" <<'PY' > "corpus/hcx_code/$(basename "$f" .json)" || true
import json, sys
t = json.load(open(sys.argv[1]))["input"].get("text")
if t is None: sys.exit(1)
sys.stdout.write(t)
PY
done
find corpus/hcx_code -size 0 -delete
cp "$root"/spec/fixtures/trust/*.json corpus/trust_list/
cp "$root"/spec/fixtures/images/*.png corpus/qr_image/
# Status lists (signed files and bare payloads) from the hcx-status seed writer.
(cd "$root" && cargo run -q -p hcx-status --example status_seeds -- fuzz/corpus/status_list)

if [ -d "$peers" ]; then
  # DCC: the PREFIX (HC1:…) member of each test file.
  find "$peers/dcc" -name '*.json' | while read -r f; do
    python3 - "$f" <<'PY' > "corpus/dcc/$(echo "$f" | md5sum | cut -c1-16)" || true
import json, sys
try: t = json.load(open(sys.argv[1])).get("PREFIX")
except Exception: sys.exit(1)
if not isinstance(t, str): sys.exit(1)
sys.stdout.write(t)
PY
  done
  find corpus/dcc -size 0 -delete
  find "$peers/shc" -type f \( -name '*.txt' -o -name '*.json' -o -name '*.smart-health-card' \) \
    -size -200k -exec cp {} corpus/shc/ \;
  find "$peers/vdsnc" -type f -size -200k ! -name LICENSE -exec cp {} corpus/vdsnc/ \;
  find "$peers" -type f \( -name '*.der' -o -name '*.pem' -o -name 'jwks.json' -o -name '*key*.json' \) \
    -size -200k | while read -r f; do cp "$f" "corpus/foreign_trust/$(echo "$f" | md5sum | cut -c1-16)"; done
  # A few small peer QR pictures (large photos only slow the image fuzzer down).
  find "$peers" -type f \( -name '*.png' -o -name '*.jpg' \) -size -40k | head -20 | while read -r f; do
    cp "$f" "corpus/qr_image/$(echo "$f" | md5sum | cut -c1-16)"; done
fi
for d in corpus/*; do echo "$d: $(ls "$d" | wc -l) seeds"; done
