"""Benchmark: analytic FLOPs of all 45,000 official codes vs `paddle.flops` per code.

    python scripts/bench_flops.py [--json FILE] [--paddle_codes 20]

Prints one table.  The analytic count is timed over every code in-process and as a whole
process (the prior_score CLI: interpreter start, imports, load + validate, count, atomic
write).  `paddle.flops` is timed on a sample of codes (network build and the call itself)
and extrapolated to the whole file; the sample's counts are also checked for equality.
"""
import argparse
import contextlib
import io
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import paddle  # noqa: E402

from hnas.flops import count_flops  # noqa: E402
from hnas.models import ResNetSubnet  # noqa: E402
from hnas.search_space import parse_code  # noqa: E402


def time_analytic(codes):
    start = time.perf_counter()
    archs = [parse_code(code) for code in codes]
    parsed = time.perf_counter()
    flops = [count_flops(arch) for arch in archs]
    done = time.perf_counter()
    return parsed - start, done - parsed, flops


def time_whole_process(json_path):
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, str(ROOT / "utils" / "prior_score.py"), "--prior", "flops",
                               "--json", str(json_path), "--out", str(Path(tmp) / "flops.json")],
                              capture_output=True, text=True)
        elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"prior_score.py failed:\n{proc.stderr}")
    return elapsed


def time_paddle_flops(codes, analytic):
    build = call = 0.0
    mismatches = 0
    for code in codes:
        start = time.perf_counter()
        net = ResNetSubnet(code)
        net.eval()
        built = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            value = paddle.flops(net, [1, 3, 224, 224])
        call += time.perf_counter() - built
        build += built - start
        mismatches += value != analytic[code]
    return build / len(codes), call / len(codes), mismatches


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", default=str(ROOT / "checkpoints" / "CVPR_2022_NAS_Track1_test.json"))
    parser.add_argument("--paddle_codes", type=int, default=20, help="codes timed with paddle.flops")
    args = parser.parse_args(argv)

    with open(args.json) as handle:
        codes = [entry["arch"] for entry in json.load(handle).values()]
    n = len(codes)
    parse_s, count_s, flops = time_analytic(codes)
    whole_s = time_whole_process(args.json)
    sample = random.Random(0).sample(codes, min(args.paddle_codes, n))
    build_s, call_s, mismatches = time_paddle_flops(sample, dict(zip(codes, flops)))
    paddle_total = (build_s + call_s) * n

    rows = [
        ("analytic: parse + validate all codes", f"{parse_s:.2f} s", f"{parse_s / n * 1e6:.1f} us"),
        ("analytic: count FLOPs+params, all codes", f"{count_s:.2f} s", f"{count_s / n * 1e6:.1f} us"),
        ("analytic: whole process (prior_score.py CLI)", f"{whole_s:.2f} s", f"{whole_s / n * 1e6:.1f} us"),
        (f"paddle.flops: build ResNetSubnet ({len(sample)} codes)", f"{build_s * n:.0f} s (extrap.)",
         f"{build_s * 1e3:.0f} ms"),
        (f"paddle.flops: call ({len(sample)} codes)", f"{call_s * n:.0f} s (extrap.)", f"{call_s * 1e3:.0f} ms"),
        ("paddle.flops: build + call, all codes", f"{paddle_total:.0f} s = {paddle_total / 3600:.1f} h", ""),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"FLOPs of {n} codes at 224x224, full width, 1000 classes")
    print(f"{'what':<{width}}  {'all codes':>22}  {'per code':>10}")
    for name, total, per in rows:
        print(f"{name:<{width}}  {total:>22}  {per:>10}")
    print(f"speed-up, in-process analytic vs paddle.flops (build + call): "
          f"{paddle_total / (parse_s + count_s):,.0f}x; whole process: {paddle_total / whole_s:,.0f}x")
    print(f"paddle.flops == analytic on the sample: {len(sample) - mismatches}/{len(sample)}")
    print(f"target: all {n} codes in under 10 s whole process -> {'met' if whole_s < 10 else 'MISSED'}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
