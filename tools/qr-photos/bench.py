#!/usr/bin/env python3
"""Benchmark hcx-qr against zxing-cpp and zbarimg on the same synthetic phone photos.

Usage (from the workspace root):
    cargo run -p hcx-qr --release --example qr-photos -- --out /tmp/qr-photos --seed 1 --count 200
    python3 tools/qr-photos/bench.py /tmp/qr-photos [--decoders hcx,rxing,rqrr] [--repeat 3] [--dump times.tsv] [--no-zbar]

Needs: `pip install zxing-cpp pillow` and `apt-get install zbar-tools` (each is skipped with a note if absent).
All decoders see the same pictures. hcx/rxing/rqrr and zxing-cpp are timed on raw 8-bit luma already in
memory (file decoding not timed), each `--repeat` times keeping the fastest per picture; zbarimg is timed per file as a whole process (file decoding and process
start included), so its times are not comparable, only its count.
"""
import os
import statistics
import subprocess
import sys
import time


def median_ms(values):
    return statistics.median(values) / 1000.0 if values else float("nan")


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    folder = args[0]
    decoders = "hcx,rxing,rqrr"
    if "--decoders" in args:
        decoders = args[args.index("--decoders") + 1]
    dump = None
    if "--dump" in args:
        dump = args[args.index("--dump") + 1]
    repeat = 3
    if "--repeat" in args:
        repeat = int(args[args.index("--repeat") + 1])
    rows = [line.split("\t") for line in open(os.path.join(folder, "manifest.tsv"), encoding="utf-8").read().splitlines()]
    expected = {r[0]: r[1] for r in rows}
    results = {}  # decoder -> list of (ok, micros)

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    cmd = ["cargo", "run", "-q", "-p", "hcx-qr", "--release", "--example", "qr-bench", "--", folder, decoders, str(repeat)]
    out = subprocess.run(cmd, cwd=root, check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        name, dec, ok, us = line.split("\t")
        results.setdefault(dec, []).append((ok == "1", float(us)))

    try:
        import zxingcpp
        from PIL import Image

        res = []
        for name, text in expected.items():
            im = Image.open(os.path.join(folder, name)).convert("L")
            w, h = im.size
            buf = memoryview(im.tobytes()).cast("B", (h, w))
            us = float("inf")
            for _ in range(max(1, repeat)):
                t0 = time.perf_counter()
                found = zxingcpp.read_barcodes(buf, formats=zxingcpp.BarcodeFormat.QRCode)
                us = min(us, (time.perf_counter() - t0) * 1e6)
            res.append((any(b.text == text for b in found), us))
        results["zxing-cpp"] = res
    except ImportError as e:
        print(f"zxing-cpp skipped: {e}", file=sys.stderr)

    try:
        if "--no-zbar" in args:
            raise FileNotFoundError
        res = []
        for name, text in expected.items():
            t0 = time.perf_counter()
            p = subprocess.run(["zbarimg", "-q", "--raw", os.path.join(folder, name)], capture_output=True)
            us = (time.perf_counter() - t0) * 1e6
            texts = p.stdout.decode("utf-8", "replace").splitlines()
            res.append((text in texts, us))
        results["zbarimg"] = res
    except FileNotFoundError:
        print("zbarimg skipped: not installed or --no-zbar", file=sys.stderr)

    n = len(expected)
    if dump:
        with open(dump, "w", encoding="utf-8") as f:
            for dec, res in results.items():
                for name, (ok, us) in zip(expected, res):
                    f.write(f"{name}\t{dec}\t{int(ok)}\t{us:.0f}\n")
    ref = results.get("zxing-cpp")
    ref_ok = sum(ok for ok, _ in ref) if ref else None
    ref_med = median_ms([us for _, us in ref]) if ref else None
    print(f"{n} photos in {folder}")
    print(f"| decoder | decoded | rate | median ms (all) | median ms (decoded) | count vs zxing-cpp | median time vs zxing-cpp |")
    print(f"|---|---|---|---|---|---|---|")
    for dec, res in results.items():
        ok = sum(o for o, _ in res)
        med = median_ms([us for _, us in res])
        med_ok = median_ms([us for o, us in res if o])
        vs_count = f"{ok / ref_ok:.2f}" if ref_ok else "-"
        vs_time = f"{med / ref_med:.2f}" if ref_med else "-"
        print(f"| {dec} | {ok}/{n} | {100 * ok / n:.1f}% | {med:.2f} | {med_ok:.2f} | {vs_count} | {vs_time} |")
    if "hcx" in results and ref:
        hcx_only = [name for (name, (a, _), (b, _)) in zip(expected, results["hcx"], ref) if a and not b]
        zx_only = [name for (name, (a, _), (b, _)) in zip(expected, results["hcx"], ref) if b and not a]
        print(f"decoded by hcx only: {len(hcx_only)}; by zxing-cpp only: {len(zx_only)} {' '.join(zx_only)}")


if __name__ == "__main__":
    main()
