#!/usr/bin/env python3
"""Prints the status-list figures of docs/PERFORMANCE.md from the last
`cargo bench -p hcx-status --bench status` run: ns per lookup, and bulk verification with status
checking as a fraction of bulk verification alone, both measured in that run."""
import json, os, sys

target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(os.path.dirname(__file__), "..", "..", "..", "target")
crit = os.path.join(target, "criterion", "status")

def ns(bench):
    """Mean nanoseconds per code (criterion's mean per iteration of 64 codes)."""
    with open(os.path.join(crit, bench, "new", "estimates.json")) as f:
        return json.load(f)["mean"]["point_estimate"] / 64

try:
    base = ns("verify_many")
except OSError:
    sys.exit(f"no results in {crit}: run `cargo bench -p hcx-status --bench status` first")
print(f"bulk verify alone: {base:,.0f} ns per code")
for state in ["snapshot", "24_deltas"]:
    lookup = ns(f"lookup_{state}")
    both = ns(f"verify_many_status_{state}")
    print(f"{state:10} lookup {lookup:7.0f} ns ({lookup / base:.4f} of a bulk verify); "
          f"bulk verify with status {base / both:.3f}x the throughput without (floor 0.95)")
