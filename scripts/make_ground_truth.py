"""Ground truth for the ranking benchmark: stand-alone accuracies of K official test codes.

Picks K codes from the official test JSON, stratified over the FLOPs range (sorted by
FLOPs at benchmark scale, one code drawn per equal-count stratum), trains each one from
scratch with scripts/train_standalone.py under one fixed protocol, and appends each
accuracy to benchmarks/ground_truth.json as it completes.  A second seed for R codes
spread over the FLOPs range goes to benchmarks/ground_truth_seed2.json: the Kendall tau between the
two seeds is the noise ceiling of the benchmark.  Rerunning skips finished codes, so the
run can be stopped and continued at any time.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from hnas.atomic import atomic_write_text  # noqa: E402
from hnas.flops import count_flops  # noqa: E402
from hnas.submission import load_submission  # noqa: E402

# The fixed stand-alone protocol of the benchmark (see benchmarks/RESULTS.md).
PROTOCOL = {
    "image_dir": "data/benchmark",
    "image_size": 16,
    "crop_scale_min": 0.35,
    "small_input": True,
    "width_mult": 0.25,
    "num_classes": 10,
    "epochs": 5,
    "batch_size": 64,
    "lr": 0.4,  # scaled by batch/256 inside the trainer -> 0.1
    "weight_decay": 1e-4,
    "warmup": 1,
    "num_workers": 0,
}


def benchmark_flops(code: str) -> int:
    return count_flops(code, input_size=PROTOCOL["image_size"], num_classes=PROTOCOL["num_classes"],
                       width_mult=PROTOCOL["width_mult"], small_input=PROTOCOL["small_input"])


def select_codes(test_json: Path, k: int, seed: int) -> dict:
    """K keys spread over the FLOPs range: sort by FLOPs, one random pick per stratum."""
    entries = load_submission(test_json)
    ranked = sorted(entries, key=lambda key: (benchmark_flops(entries[key]["arch"]), key))
    rng = random.Random(seed)
    chosen = []
    for i in range(k):
        lo, hi = len(ranked) * i // k, len(ranked) * (i + 1) // k
        chosen.append(ranked[rng.randrange(lo, hi)])
    return {key: {"acc": 0.0, "arch": entries[key]["arch"]} for key in chosen}


def protocol_args(seed: int) -> list[str]:
    args = []
    for name, value in PROTOCOL.items():
        if isinstance(value, bool):
            args += [f"--{name}"] if value else []
        else:
            args += [f"--{name}", str(value)]
    return args + ["--seed", str(seed)]


def repeat_keys(keys: list, count: int) -> list:
    """`count` keys spread over the FLOPs-sorted list: every step-th key, then the ones
    after them, until there are enough (earlier picks never change when `count` grows)."""
    step = max(1, -(-len(keys) // count))
    chosen = []
    for offset in range(step):
        chosen += keys[offset::step]
        if len(chosen) >= count:
            break
    return chosen[:count]


def done_keys(results: Path) -> set:
    return set(json.loads(results.read_text())) if results.is_file() else set()


def train_all(codes: dict, results: Path, seed: int, threads: int) -> None:
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), FLAGS_use_onednn="1")
    for key, entry in codes.items():
        if key in done_keys(results):
            continue
        start = time.time()
        cmd = [sys.executable, str(ROOT / "scripts" / "train_standalone.py"), "--arch", entry["arch"],
               "--key", key, "--results", str(results), *protocol_args(seed)]
        subprocess.run(cmd, check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        acc = json.loads(results.read_text())[key]["acc"]
        print(f"{results.name} {key} {entry['arch']} seed={seed} acc={acc:.2f} "
              f"({time.time() - start:.0f}s)", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--test_json", default=str(ROOT / "checkpoints" / "CVPR_2022_NAS_Track1_test.json"))
    parser.add_argument("--out_dir", default=str(ROOT / "benchmarks"))
    parser.add_argument("--k", type=int, default=40, help="codes to train")
    parser.add_argument("--repeats", type=int, default=12, help="codes retrained with a second seed")
    parser.add_argument("--select_seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="OMP threads per training")
    parser.add_argument("--only", choices=["select", "seed1", "seed2"], default=None)
    args = parser.parse_args(argv)
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    codes_file = out / "codes.json"
    if not codes_file.is_file():
        codes = select_codes(Path(args.test_json), args.k, args.select_seed)
        atomic_write_text(codes_file, json.dumps(codes))
        atomic_write_text(out / "protocol.json", json.dumps(PROTOCOL, indent=1) + "\n")
    codes = json.loads(codes_file.read_text())
    print(f"{len(codes)} codes, FLOPs {min(map(benchmark_flops, (c['arch'] for c in codes.values())))}"
          f"..{max(map(benchmark_flops, (c['arch'] for c in codes.values())))} at benchmark scale")
    if args.only == "select":
        return
    if args.only in (None, "seed1"):
        train_all(codes, out / "ground_truth.json", seed=1, threads=args.threads)
    if args.only in (None, "seed2"):
        repeat = {key: codes[key] for key in repeat_keys(list(codes), args.repeats)}
        train_all(repeat, out / "ground_truth_seed2.json", seed=2, threads=args.threads)


if __name__ == "__main__":
    main()
