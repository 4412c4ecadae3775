"""Seconds per code of the ZenScore prior, at the demo scale and (with --full) at ImageNet scale.

    python scripts/bench_zenscore.py --codes 5
    python scripts/bench_zenscore.py --full          # adds width 1.0, 224 px (slow on CPU)

Prints one row per scale and architecture kind (largest, smallest, mean over random codes),
measured side by side in the same process, plus what scoring all 45,000 official codes
would take at that rate without the cache."""
import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hnas.search_space import SearchSpace  # noqa: E402
from hnas.zenscore import zen_score  # noqa: E402

OFFICIAL_CODES = 45_000

SCALES = {
    "demo (w0.25, 32px, small stem)": dict(width_mult=0.25, small_input=True, resolution=32, num_classes=10),
    "half (w0.5, 32px, small stem)": dict(width_mult=0.5, small_input=True, resolution=32, num_classes=10),
    "imagenet (w1.0, 224px)": dict(width_mult=1.0, small_input=False, resolution=224, num_classes=1000),
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--codes", type=int, default=5, help="random codes timed per scale (default 5)")
    parser.add_argument("--batch", type=int, default=16, help="ZenScore batch size (default 16)")
    parser.add_argument("--repeats", type=int, default=1, help="ZenScore repeats (default 1)")
    parser.add_argument("--full", action="store_true", help="also time the ImageNet-scale network")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random codes")
    return parser.parse_args(argv)


def seconds_per_code(archs, options) -> float:
    zen_score(archs[0], **options)  # warm-up: first call pays for kernel selection
    start = time.perf_counter()
    for arch in archs:
        zen_score(arch, **options)
    return (time.perf_counter() - start) / len(archs)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.codes < 1:
        print("bench_zenscore: error: --codes must be >= 1", file=sys.stderr)
        return 2
    space = SearchSpace.full()
    rng = random.Random(args.seed)
    randoms = [space.random(rng) for _ in range(args.codes)]
    scales = {name: opts for name, opts in SCALES.items() if args.full or "imagenet" not in name}
    print(f"ZenScore timing: batch {args.batch}, repeats {args.repeats}, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")
    print(f"{'scale':<34}{'codes':<12}{'s/code':>10}{'45k codes (h)':>16}")
    for name, scale in scales.items():
        options = dict(scale, batch_size=args.batch, repeats=args.repeats)
        for kind, archs in (("largest", [space.largest()]), ("smallest", [space.smallest()]),
                            (f"random x{len(randoms)}", randoms)):
            per_code = seconds_per_code(archs, options)
            print(f"{name:<34}{kind:<12}{per_code:>10.3f}{per_code * OFFICIAL_CODES / 3600:>16.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
