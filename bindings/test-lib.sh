# Shared by bindings/*/test.sh: where things are, failing loudly, and timing each part. Source
# it after setting SCRIPT (the name in messages).

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FIXTURES="$ROOT/spec/fixtures"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

die() { echo "$SCRIPT: $*" >&2; exit 1; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
seconds() { local ms=$(( $(now_ms) - $1 )); printf '%d.%d s' $((ms / 1000)) $((ms % 1000 / 100)); }
started=$(now_ms)
part_start=$started
apt_install() { # apt_install TOOL PACKAGE: Debian's package when the tool is missing.
    command -v "$1" >/dev/null 2>&1 && return 0
    echo "installing $2 (for $1) from Debian's packages"
    command -v apt-get >/dev/null 2>&1 || die "$1 is missing and there is no apt-get to install $2"
    local sudo=()
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null 2>&1 || die "$1 is missing and there is no sudo to install $2 with"
        sudo=(sudo)
    fi
    # Install first; refresh the package lists only when the install cannot find the package.
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1 \
        || { "${sudo[@]}" apt-get update -qq >/dev/null \
             && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; } \
        || die "$1 is missing and installing Debian's $2 failed (sudo apt-get install -y $2)"
    command -v "$1" >/dev/null 2>&1 || die "$1 is still missing after installing $2"
}

# part NAME: prints how long the previous part took, then names the next ("" ends the last).
part() {
    [ -n "${PART:-}" ] && echo "== $PART: $(seconds "$part_start")"
    PART="$1"; part_start=$(now_ms)
    [ -n "$PART" ] && echo "== $PART"
    return 0
}
# finish: the last part's time and the total.
finish() {
    part ""
    echo "== $SCRIPT: all passed in $(seconds "$started")"
}
