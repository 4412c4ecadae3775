"""Cost of weight sharing in one training step (not a test; prints a table).

1. Wall time of one sandwich step on the supernet (4 subnets: forward, loss, backward
   each) against the same 4 subnets extracted as plain networks and run the same way.
   Target: ratio <= 1.15.
2. Peak memory: RSS growth during one sandwich step against one forward+backward of the
   largest subnet alone as a plain network.  Each is measured in a fresh process: the
   baseline is the RSS after building the model and a batch-1 warm-up pass, the peak is
   VmHWM (reset through /proc/self/clear_refs where the kernel allows).  Target <= 1.2x.

    python scripts/bench_train_step.py [--batch 32] [--size 32] [--width 0.25] [--repeats 5]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def proc_status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def build(args):
    import paddle

    from hnas.losses import cross_entropy, soft_cross_entropy
    from hnas.models import build_supernet, extract_subnet
    from hnas.sampling import build_rule
    from hnas.sampling.plan import step_rng
    from hnas.search_space import SearchSpace
    from hnas.training.distributed import World
    from hnas.training.loss_composer import LossComposer
    from hnas.training.step import StepRunner

    paddle.seed(0)
    supernet = build_supernet("resnet48", num_classes=10, width_mult=args.width, small_input=True,
                              search_space=SearchSpace.test_distribution())
    supernet.train()
    rule = build_rule({"rule": "sandwich", "num_subnets": 4}, supernet.search_space, 1)
    plan = rule.plan(step_rng(0, 0, 0), 0)
    loss_cfg = {"distill": "inplace", "kd_weight": 1.0, "alpha_min": -1.0, "alpha_max": 1.0, "iw_clip": 3.0}
    runner = StepRunner(supernet, LossComposer(loss_cfg), World(0, 1))
    images = paddle.randn([args.batch, 3, args.size, args.size])
    labels = paddle.randint(0, 10, [args.batch, 1])

    def supernet_step():
        runner.run(images, labels, plan)
        supernet.clear_gradients(set_to_zero=False)

    plain = [extract_subnet(supernet, task.arch) for task in plan]
    for net in plain:
        net.train()

    def plain_step():
        teacher = None
        for net, task in zip(plain, plan):
            logits = net(images)
            if task.role == "teacher":
                teacher = logits.detach()
                loss = cross_entropy(logits, labels)
            else:
                loss = soft_cross_entropy(logits, teacher)
            loss.backward()
        for net in plain:
            net.clear_gradients(set_to_zero=False)

    def largest_alone():
        loss = cross_entropy(plain[0](images), labels)
        loss.backward()
        plain[0].clear_gradients(set_to_zero=False)

    def warm_up():
        small = images[:1]
        with paddle.no_grad():
            supernet.activate(plan[0].arch)
            supernet(small)
            plain[0](small)

    return {"sandwich": supernet_step, "plain": plain_step, "largest": largest_alone, "warm_up": warm_up,
            "plan": [task.arch.encode() for task in plan]}


def measure_memory(args) -> dict:
    """Runs in a child process: RSS growth of one `args.memory` step."""
    parts = build(args)
    parts["warm_up"]()
    baseline = proc_status_kib("VmRSS")
    reset = reset_peak_rss()
    parts[args.memory]()
    return {"baseline_kib": baseline, "peak_kib": proc_status_kib("VmHWM"), "reset": reset}


def memory_in_child(args, what: str) -> dict:
    command = [sys.executable, __file__, "--memory", what, "--batch", str(args.batch), "--size", str(args.size),
               "--width", str(args.width)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--width", type=float, default=0.25)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--memory", choices=("sandwich", "largest"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory:
        print(json.dumps(measure_memory(args)))
        return 0

    parts = build(args)
    parts["sandwich"]()
    parts["plain"]()
    times = {"sandwich": [], "plain": []}
    for _ in range(args.repeats):  # interleaved, so load changes hit both sides alike
        for name in times:
            start = time.perf_counter()
            parts[name]()
            times[name].append(time.perf_counter() - start)
    sandwich_s, plain_s = statistics.median(times["sandwich"]), statistics.median(times["plain"])
    memory = {what: memory_in_child(args, what) for what in ("sandwich", "largest")}
    growth = {what: (m["peak_kib"] - m["baseline_kib"]) / 1024 for what, m in memory.items()}

    print(f"sandwich step, 4 subnets, batch {args.batch}, {args.size}px, width_mult {args.width}, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '?')}, median of {args.repeats}")
    print(f"plan: {', '.join(parts['plan'])}")
    rows = [
        ("time: supernet sandwich step", f"{sandwich_s:.3f} s", ""),
        ("time: same subnets as plain networks", f"{plain_s:.3f} s", ""),
        ("time ratio supernet / plain", f"{sandwich_s / plain_s:.3f}", "<= 1.15"),
        ("RSS growth: sandwich step", f"{growth['sandwich']:.1f} MiB", ""),
        ("RSS growth: largest subnet fwd+bwd alone", f"{growth['largest']:.1f} MiB", ""),
        ("memory ratio sandwich / largest", f"{growth['sandwich'] / growth['largest']:.3f}", "<= 1.2"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>12}  target")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>12}  {target}")
    if not all(m["reset"] for m in memory.values()):
        print("note: peak RSS could not be reset; peaks include model construction")
    return 0


if __name__ == "__main__":
    sys.exit(main())
