#!/usr/bin/env bash
# Every test of hcx, with its own set-up: the README's one test command, and what CI runs.
#
#   tools/ci/test-all.sh            # everything
#   HCX_ONLY="rust js" tools/ci/test-all.sh   # a subset: rust js c java python postgres server
#
# Each part does its own set-up on a fresh machine (toolchains, packages, venvs) and fails
# loudly, naming what it could not set up; nothing is skipped silently. With CI=true, tests
# that read ../shared (the peers' data and third-party vectors) fail when it is missing.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
ONLY=${HCX_ONLY:-"rust js c java python postgres server"}
# As every part's own script does: incremental compilation only costs time and disk in a build
# made once (and this keeps the rust part's defaults the same as the others').
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}
LOG_DIR=${HCX_TEST_LOGS:-$ROOT/target/test-logs}
mkdir -p "$LOG_DIR"
declare -a RESULTS=()
FAILED=0

# Runs one part, its output teed to a log, and records its status and time.
part() {
  local name=$1; shift
  case " $ONLY " in *" $name "*) ;; *) return 0 ;; esac
  local start=$SECONDS status
  echo "━━━ $name: $*"
  "$@" 2>&1 | tee "$LOG_DIR/$name.log"
  status=${PIPESTATUS[0]}
  # The load average beside the time: the machine may be shared, and a part's time means
  # little without it.
  RESULTS+=("$(printf '%-9s %-6s %5ss   load %s' "$name" "$([ "$status" = 0 ] && echo ok || echo FAILED)" \
    $((SECONDS - start)) "$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')")")
  [ "$status" = 0 ] || FAILED=1
}

rust() {
  local py
  py=$(tools/ci/python-venv.sh) || return 2
  # The data path is one straight line: no module imports another that imports it back.
  python3 tools/ci/module-cycles.py || return 1
  # --no-fail-fast: one run shows every failing test binary, not just the first.
  HCX_PYTHON=$py cargo test --workspace --no-fail-fast || return 1
  # Lints as errors (workspace lints deny unwrap/expect/indexing/panic outside tests).
  cargo clippy --workspace --all-targets -- -D warnings || return 1
}

part rust rust
# Every part's script must be there: a missing one fails its part, never skips it.
for script in bindings/js/test.sh bindings/c/test.sh bindings/java/test.sh bindings/python/test.sh; do
  part "$(basename "$(dirname "$script")")" bash "$script"
done
part postgres bash tools/ci/postgres-tests.sh
part server bash tools/ci/server-tests.sh

# Opt-in: a short fuzz run of every target (docs/HARDENING.md); the sanitizer build alone takes
# about 15 minutes on two cores, so it is not part of the default run.
if [ "${HCX_FUZZ_SMOKE:-0}" = 1 ]; then
  part_fuzz() { SECONDS_PER_TARGET=30 fuzz/run.sh; }
  ONLY="$ONLY fuzz" part fuzz part_fuzz
fi

echo "━━━ summary (load: 1, 5 and 15 minute averages when the part ended)"
printf '%s\n' "${RESULTS[@]}"
echo "total     $(printf '%5ss' "$SECONDS")"
# One closing line over every Rust test binary and doctest. Skipped: tests marked #[ignore],
# plus tests that could not run here and said so with `hcx-test: SKIPPED <test>: <why>`
# (tests/common/skip.rs), which the harness counted as passed.
if [ -f "$LOG_DIR/rust.log" ]; then
  awk '/^test result:/ { passed += $4; failed += $6; ignored += $8 }
       /^hcx-test: SKIPPED / { skipped += 1 }
       END { printf "%d passed, %d failed, %d skipped\n", passed - skipped, failed, skipped + ignored }' "$LOG_DIR/rust.log"
fi
exit $FAILED
