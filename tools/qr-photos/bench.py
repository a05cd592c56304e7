#!/usr/bin/env python3
"""Benchmark hcx-qr against zxing-cpp and zbarimg on the same synthetic phone photos.

Usage (from the workspace root):
    cargo run -p hcx-qr --release --example qr-photos -- --out /tmp/qr-photos --seed 1 --count 200
    python3 tools/qr-photos/bench.py /tmp/qr-photos [--decoders hcx,rxing,rqrr] [--repeat 3] [--dump times.tsv] [--no-zbar] [--sequential]

Needs: `pip install zxing-cpp pillow` and `apt-get install zbar-tools` (each is skipped with a note if absent).
All decoders see the same pictures. hcx/rxing/rqrr and zxing-cpp are timed on raw 8-bit luma already in
memory (file decoding not timed), each `--repeat` times keeping the fastest per picture; zbarimg is timed per file as a whole process (file decoding and process
start included), so its times are not comparable, only its count.
By default the in-memory decoders are interleaved photo by photo (hcx-qr's `qr-bench --serve` and zxing-cpp,
alternating which goes first), so a change in machine load hits them alike; `--sequential` runs each
decoder over the whole set in turn instead.
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
    sequential = "--sequential" in args
    build = ["cargo", "build", "-q", "-p", "hcx-qr", "--release", "--example", "qr-bench"]
    subprocess.run(build, cwd=root, check=True)
    target = os.path.join(root, os.environ.get("CARGO_TARGET_DIR", "target"))
    exe = os.path.join(target, "release", "examples", "qr-bench")
    dec_list = decoders.split(",")

    try:
        import zxingcpp
        from PIL import Image
    except ImportError as e:
        zxingcpp = None
        print(f"zxing-cpp skipped: {e}", file=sys.stderr)

    def zxing_one(name, text):
        im = Image.open(os.path.join(folder, name)).convert("L")
        w, h = im.size
        buf = memoryview(im.tobytes()).cast("B", (h, w))
        us = float("inf")
        found = []
        for _ in range(max(1, repeat)):
            t0 = time.perf_counter()
            found = zxingcpp.read_barcodes(buf, formats=zxingcpp.BarcodeFormat.QRCode)
            us = min(us, (time.perf_counter() - t0) * 1e6)
        return any(b.text == text for b in found), us

    def record(line):
        name, dec, ok, us = line.split("\t")
        results.setdefault(dec, []).append((ok == "1", float(us)))

    if sequential:
        # Each decoder over the whole set, one after the other.
        out = subprocess.run([exe, folder, decoders, str(repeat)], check=True, capture_output=True, text=True).stdout
        for line in out.splitlines():
            record(line)
        if zxingcpp:
            results["zxing-cpp"] = [zxing_one(name, text) for name, text in expected.items()]
    else:
        # Interleaved per photo (order alternating), so load changes hit every decoder alike.
        server = subprocess.Popen([exe, folder, decoders, str(repeat), "--serve"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, bufsize=1)
        if zxingcpp:
            results["zxing-cpp"] = []
        for i, (name, text) in enumerate(expected.items()):
            if zxingcpp and i % 2 == 1:
                results["zxing-cpp"].append(zxing_one(name, text))
            server.stdin.write(name + "\n")
            server.stdin.flush()
            for _ in dec_list:
                record(server.stdout.readline().rstrip("\n"))
            if zxingcpp and i % 2 == 0:
                results["zxing-cpp"].append(zxing_one(name, text))
        server.stdin.close()
        server.wait()
        # Keep the decoders in the order asked for, zxing-cpp after them.
        if zxingcpp:
            results["zxing-cpp"] = results.pop("zxing-cpp")

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
