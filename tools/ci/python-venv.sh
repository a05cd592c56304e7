#!/usr/bin/env bash
# Creates (once) the Python venv the Rust key-interoperability test uses (tests/keys_interop.rs:
# pyca/cryptography loads and signs with every key hcx writes) and prints its interpreter.
#   export HCX_PYTHON=$(tools/ci/python-venv.sh)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VENV=${HCX_VENV:-$ROOT/target/venv-keys}
command -v python3 >/dev/null || { echo "python-venv.sh: python3 is missing (apt-get install python3 python3-venv)" >&2; exit 2; }
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import cryptography' 2>/dev/null; then
  if ! python3 -m venv "$VENV" >&2; then
    # Debian splits venv (and ensurepip) out of python3: install it when we may.
    rm -rf "$VENV"
    if [ "$(id -u)" = 0 ]; then
      apt-get install -y -qq python3-venv >&2 || true
    elif sudo -n true 2>/dev/null; then
      sudo -n apt-get install -y -qq python3-venv >&2 || true
    fi
    python3 -m venv "$VENV" >&2 || { echo "python-venv.sh: python3 -m venv failed (apt-get install python3-venv)" >&2; exit 2; }
  fi
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$ROOT/tools/ci/requirements-keys.txt" >&2 \
    || { echo "python-venv.sh: pip install cryptography failed" >&2; exit 2; }
fi
echo "$VENV/bin/python"
