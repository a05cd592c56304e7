#!/usr/bin/env bash
# Runs fuzz targets one after the other (one core each: -jobs=1 -workers=1), each until
# SECONDS_PER_TARGET have passed or RUNS executions are done, whichever comes first.
# Usage: fuzz/run.sh [target...]   (default: every target). Logs go to fuzz/logs/<target>.log.
# Needs: rustup toolchain nightly, `cargo install cargo-fuzz`. Seeds: fuzz/seeds.sh.
# FUZZ_TARGET_DIR reuses a build directory (e.g. when fuzzing a snapshot of the tree).
set -uo pipefail
cd "$(dirname "$0")"
secs=${SECONDS_PER_TARGET:-600}
runs=${RUNS:-10000000}
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(hcx_code trust_list dcc shc vdsnc foreign_trust qr_image status_list)
[ -d corpus ] || ./seeds.sh
mkdir -p logs
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  echo "== $t: up to ${secs}s or $runs runs"
  # Build first, untimed: a sanitizer build can take a quarter of an hour on two cores.
  cargo +nightly fuzz build -O ${FUZZ_TARGET_DIR:+--target-dir "$FUZZ_TARGET_DIR"} "$t" > "logs/$t.build.log" 2>&1 \
    || { echo "   build failed: logs/$t.build.log"; continue; }
  timeout $((secs + 300)) cargo +nightly fuzz run -O ${FUZZ_TARGET_DIR:+--target-dir "$FUZZ_TARGET_DIR"} "$t" "corpus/$t" -- \
    -jobs=1 -workers=1 -max_total_time="$secs" -runs="$runs" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="artifacts/$t/" -print_final_stats=1 > "logs/$t.log" 2>&1
  status=$?
  # With -jobs, libFuzzer's own output goes to fuzz-0.log: keep it with the target's log.
  [ -f fuzz-0.log ] && mv fuzz-0.log "logs/$t.fuzz.log"
  echo "   exit $status — $(grep -hE '(DONE|stat::number_of_executed_units|ERROR)' logs/"$t".*log | tail -n 3 | tr '\n' ' ')"
done
