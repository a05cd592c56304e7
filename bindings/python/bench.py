"""One timed run of the Python side of bench.sh: read the codes, build the verifier, verify them
all with `verify_many`. Prints one line: `<verify_many seconds> <its CPU seconds, all threads>
<whole job CPU seconds, interpreter start included> <valid> <n>`.

    python bench.py WORK      (WORK as made by tools/bulk/run.sh: codes.txt, trust.json, ...)
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import hcx

AT = "2026-11-21T08:00:00Z"  # tools/bulk/run.sh issues and signs at this time


def main() -> None:
    work = Path(sys.argv[1])
    codes = (work / "codes.txt").read_text(encoding="utf-8").splitlines()
    verifier = hcx.Verifier(trust=work / "trust.json", roots=work / "root.pub.pem", at=AT)
    before, cpu_before = time.perf_counter(), time.process_time()
    verdicts = verifier.verify_many(codes, at=AT)
    after, cpu_after = time.perf_counter(), time.process_time()
    valid = sum(1 for v in verdicts if v["valid"])
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"{after - before:.6f} {cpu_after - cpu_before:.6f} {usage.ru_utime + usage.ru_stime:.6f}"
          f" {valid} {len(verdicts)}")


if __name__ == "__main__":
    main()
