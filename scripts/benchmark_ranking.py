"""Ranking-fidelity benchmark: how well does each supernet recipe (and each free prior)
rank the ground-truth codes of benchmarks/ground_truth.json?

For every recipe config it trains a supernet at benchmark scale under one equal budget
(same data, epochs, batch, learning rate; each recipe keeps its own sampling rule, subnets
per step and losses), scores the K ground-truth codes with and without BN recalibration,
and correlates the scores with the stand-alone accuracies (Kendall tau-b, Pearson,
Spearman; aligned by key).  The priors FLOPs, params and ZenScore are scored the same way.
Each finished step is kept (checkpoints under benchmarks/runs/, scores under
benchmarks/scores/), so a rerun continues where it stopped; results.json and RESULTS.md
are rewritten after every row.

    python scripts/benchmark_ranking.py                # everything
    python scripts/benchmark_ranking.py --recipes sandwich spos --epochs 4
"""
import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from hnas.atomic import atomic_write_text  # noqa: E402
from hnas.plots import plot_rank_scatter  # noqa: E402
from hnas.ranking import align_by_key, compare_submissions, correlations  # noqa: E402
from hnas.submission import load_submission  # noqa: E402

RECIPES = ("spos", "sandwich", "fairnas", "ofa_ps", "sandwich_rank_flops", "sandwich_rank_zenscore",
           "sandwich_alphanet", "biased")
PRIORS = ("flops", "params", "zenscore")
BENCH = ROOT / "benchmarks"


def protocol() -> dict:
    return json.loads((BENCH / "protocol.json").read_text())


def training_overrides(recipe: str, epochs: int, proto: dict) -> list[str]:
    """The equal budget: the stand-alone protocol's data and model scale for every recipe."""
    return [
        f"model.width_mult={proto['width_mult']}", f"model.small_input={str(proto['small_input']).lower()}",
        f"model.num_classes={proto['num_classes']}", f"data.image_dir={proto['image_dir']}",
        f"data.image_size={proto['image_size']}", f"data.crop_scale=[{proto['crop_scale_min']},1.0]",
        "data.num_workers=0", "search_space=test", f"train.epochs={epochs}",
        f"train.batch_size={proto['batch_size']}", f"train.lr={proto['lr']}",
        f"train.weight_decay={proto['weight_decay']}", "train.warmup_epochs=1",
        f"train.save_dir=benchmarks/runs/{recipe}", f"train.save_freq={epochs}", "train.log_freq=1000",
        "model.pretrained=null", "loss.teacher=null",
        # SPOS trains one path per step; four paths give it the same compute as the others.
        *(["sampling.num_subnets=4"] if recipe == "spos" else []),
    ]


def timed_once(out: Path, cmd: list[str], threads: int, log: Path) -> float:
    """Run `cmd` unless `out` exists; its wall seconds are kept beside the log for reruns."""
    seconds_file = log.with_suffix(".seconds")
    if not out.is_file():
        atomic_write_text(seconds_file, f"{run(cmd, threads, log):.1f}\n")
    return float(seconds_file.read_text()) if seconds_file.is_file() else float("nan")


def run(cmd: list[str], threads: int, log: Path) -> float:
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), FLAGS_use_onednn="1")
    start = time.time()
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "w") as fh:
        done = subprocess.run(cmd, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        sys.exit(f"benchmark_ranking: command failed (see {log}): {' '.join(cmd)}")
    return time.time() - start


def train_recipe(recipe: str, args, proto: dict) -> tuple[float, str]:
    """Train unless the run finished (its last epoch file exists); wall seconds of the run
    are read from the files it wrote first (config.yaml) and last (final.pdparams)."""
    run_dir = BENCH / "runs" / recipe
    cmd = [sys.executable, "hnas/train.py", "--config", recipe, *training_overrides(recipe, args.epochs, proto)]
    if not (run_dir / f"{args.epochs}.pdparams").is_file():
        run(cmd, args.threads, BENCH / "logs" / f"train_{recipe}.log")
    seconds = (run_dir / "final.pdparams").stat().st_mtime - (run_dir / "config.yaml").stat().st_mtime
    return seconds, " ".join(cmd[1:])


def score_recipe(recipe: str, bn_calib: int, args) -> tuple[Path, float, str]:
    out = BENCH / "scores" / f"{recipe}{'_bncalib' if bn_calib else ''}.json"
    cmd = [sys.executable, "utils/eval_supernet.py", str(BENCH / "codes.json"), "--checkpoint",
           str(BENCH / "runs" / recipe), "--out", str(out), "--bn_calib", str(bn_calib),
           "--bn_calib_batch_size", "64", "--batch_size", "250", "--val_limit", str(args.val_limit)]
    seconds = timed_once(out, cmd, args.threads, BENCH / "logs" / f"score_{out.stem}.log")
    return out, seconds, " ".join(cmd[1:])


def score_prior(prior: str, proto: dict, args) -> tuple[Path, float, str]:
    out = BENCH / "scores" / f"prior_{prior}.json"
    cmd = [sys.executable, "utils/prior_score.py", "--prior", prior, "--json", str(BENCH / "codes.json"),
           "--out", str(out), "--input_size", str(proto["image_size"]), "--num_classes",
           str(proto["num_classes"]), "--width_mult", str(proto["width_mult"])]
    cmd += ["--small_input"] if proto["small_input"] else []
    if prior == "zenscore":
        cmd += ["--zen_batch", "16", "--zen_repeats", "3"]
    seconds = timed_once(out, cmd, args.threads, BENCH / "logs" / f"prior_{prior}.log")
    return out, seconds, " ".join(cmd[1:])


def noise_ceiling(truth: dict) -> dict | None:
    second = BENCH / "ground_truth_seed2.json"
    if not second.is_file():
        return None
    _, x, y = align_by_key(load_submission(second), truth, intersect=True)
    return correlations(x, y) if len(x) >= 2 else None


def headline(rows: list, ceiling: dict | None) -> str:
    recipes = [r for r in rows if r["method"] in RECIPES]
    flops = next((r for r in rows if r["method"] == "flops"), None)
    if not recipes or flops is None:
        return "Not every row is measured yet."
    best = max(recipes, key=lambda r: r["kendall"])
    label = f"`{best['method']}`{' with BN recalibration' if best['bn_calib'] else ' without BN recalibration'}"
    verdict = ("beats" if best["kendall"] > flops["kendall"] else "does not beat")
    text = (f"Best recipe: {label}, Kendall {best['kendall']:.3f} (Pearson {best['pearson']:.3f}); "
            f"it {verdict} the free FLOPs prior (Kendall {flops['kendall']:.3f}, Pearson {flops['pearson']:.3f}).")
    priors = [r for r in rows if r["method"] in PRIORS]
    if flops["kendall"] < 0:
        text += (" Note the sign: at this scale the FLOPs prior is anti-correlated with stand-alone "
                 "accuracy, because under the short training protocol larger networks end lower.")
    strongest = max(priors, key=lambda r: abs(r["kendall"]))
    if abs(strongest["kendall"]) > best["kendall"]:
        text += (f" The strongest single signal is the `{strongest['method']}` prior"
                 f"{' with its sign flipped' if strongest['kendall'] < 0 else ''} "
                 f"(|Kendall| {abs(strongest['kendall']):.3f}), ahead of every supernet.")
    if ceiling:
        text += (f" Noise ceiling (the same codes trained with two seeds): Kendall {ceiling['kendall']:.3f} "
                 f"over {ceiling['n']} codes.")
    return text


def seconds(value) -> str:
    return "—" if value is None or value != value else f"{value:.0f}"


def write_report(rows: list, ceiling: dict | None, args, proto: dict) -> None:
    results = {"rows": rows, "noise_ceiling_kendall": ceiling["kendall"] if ceiling else None,
               "noise_ceiling": ceiling, "protocol": proto, "epochs": args.epochs,
               "val_limit": args.val_limit, "bn_calib_batches": args.bn_calib}
    atomic_write_text(BENCH / "results.json", json.dumps(results, indent=1) + "\n")
    lines = ["| method | BN recalib | Kendall | Pearson | Spearman | n | mean top-1 | train s | score s |",
             "|---|---|---|---|---|---|---|---|---|"]
    for row in sorted(rows, key=lambda r: -r["kendall"]):
        calib = {True: "yes", False: "no", None: "—"}[row.get("bn_calib")]
        lines.append(f"| {row['method']} | {calib} | {row['kendall']:.3f} | {row['pearson']:.3f} | "
                     f"{row['spearman']:.3f} | {row['n']} | {row.get('mean_top1', '—')} | "
                     f"{seconds(row.get('train_seconds'))} | "
                     f"{seconds(row.get('score_seconds'))} |")
    commands = [f"- `{row['method']}`{' (BN recalib)' if row.get('bn_calib') else ''}: "
                + (f"`python {row['train_command']}` then " if row.get("train_command") else "")
                + f"`python {row['command']}`" for row in rows]
    report = REPORT.format(headline=headline(rows, ceiling), table="\n".join(lines),
                           protocol=json.dumps(proto), epochs=args.epochs, val_limit=args.val_limit,
                           bn_calib=args.bn_calib, commands="\n".join(commands),
                           ceiling=(f"Kendall {ceiling['kendall']:.3f}, Pearson {ceiling['pearson']:.3f}, "
                                    f"n = {ceiling['n']}" if ceiling else "not measured yet"))
    atomic_write_text(BENCH / "RESULTS.md", report)


REPORT = """# Ranking-fidelity benchmark

Generated by `scripts/benchmark_ranking.py`; do not edit by hand.

{headline}

## Table

Correlation of each method's scores with the stand-alone accuracies of the ground-truth codes
(`benchmarks/ground_truth.json`), aligned by key; higher is better. Recipes are named as
their configs, priors as `flops`, `params`, `zenscore`. "mean top-1" is the supernet's
average accuracy over the codes (the stand-alone models average about 67%). Recipes whose
non-largest subnets learn only by in-place distillation (sandwich, AlphaNet, biased, OFA-PS)
learn little in this budget: from scratch, their students are distilled towards a teacher
that is itself still near chance (the original recipe starts from a pretrained ResNet-48).
The rank-loss recipes add label-trained pair subnets every step and learn as well as SPOS.

{table}

Noise ceiling (codes retrained with a second seed, `benchmarks/ground_truth_seed2.json`
against `ground_truth.json`): {ceiling}.

## Protocol

- Data: Fashion-MNIST subset from the Debian package `dataset-fashion-mnist`, 250 train and
  100 val images per class (`scripts/make_benchmark_data.py`), RGB, 16 px, small-input stem,
  `width_mult` 0.25, 10 classes.
- Ground truth: 40 official test codes stratified over the FLOPs range
  (`benchmarks/codes.json`), each trained from scratch with `scripts/train_standalone.py`
  under `benchmarks/protocol.json`: {protocol}; 12 of them again with a second seed.
- Supernets: every recipe config trained for {epochs} epochs on the same data, batch, learning
  rate (per 256 images, cosine, 1 warm-up epoch) and weight decay as the ground truth, over the
  test-distribution search space; each keeps its own sampling rule, subnets per step and
  losses (SPOS gets 4 paths per step so its compute matches the 4-subnet sandwich recipes).
- Scoring: top-1 on the first {val_limit} validation images of a fixed class-balanced order;
  with BN recalibration on {bn_calib} training batches of 64 per code, or with the
  supernet's inherited statistics.
- Priors are computed at the benchmark scale (16 px, `width_mult` 0.25); ZenScore averages
  3 Gaussian initialisations of batch 16.

## Compute

One CPU thread per process on a 2-core machine shared with other work; the train and score
seconds are in the table and in `benchmarks/results.json`.

## How to rerun

```bash
bash scripts/setup.sh && apt-get install -y dataset-fashion-mnist
.venv/bin/python scripts/make_benchmark_data.py
.venv/bin/python scripts/make_ground_truth.py          # about 90 s per code on one core
.venv/bin/python scripts/benchmark_ranking.py          # trains, scores and writes this file
```

Per row:

{commands}
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recipes", nargs="*", default=list(RECIPES), choices=RECIPES)
    parser.add_argument("--priors", nargs="*", default=list(PRIORS), choices=PRIORS)
    parser.add_argument("--epochs", type=int, default=4, help="supernet epochs, equal for every recipe")
    parser.add_argument("--bn_calib", type=int, default=4, help="calibration batches (of 64) per code")
    parser.add_argument("--val_limit", type=int, default=500, help="validation images per code")
    parser.add_argument("--threads", type=int, default=1, help="OMP threads per child process")
    args = parser.parse_args(argv)
    proto = protocol()
    truth_file = BENCH / "ground_truth.json"
    truth = load_submission(truth_file) if truth_file.is_file() else {}
    codes = load_submission(BENCH / "codes.json")
    missing = [key for key in codes if key not in truth]
    if missing:
        # Train and score anyway (the expensive part); correlate once the ground truth is complete.
        print(f"benchmark_ranking: ground truth lacks {len(missing)} of {len(codes)} codes "
              f"(first: {missing[:3]}); training and scoring only", flush=True)
    previous = json.loads((BENCH / "results.json").read_text())["rows"] if (BENCH / "results.json").is_file() else []
    rows = {(r["method"], r.get("bn_calib")): r for r in previous}
    ceiling = None if missing else noise_ceiling(truth)

    def add(method, bn_calib, scores_path, extra):
        if missing:
            return
        result = compare_submissions(load_submission(scores_path), truth, pred_name=scores_path.name,
                                     truth_name="ground_truth.json")
        if method in RECIPES:
            accs = [entry["acc"] for entry in load_submission(scores_path).values()]
            extra = {**extra, "mean_top1": round(sum(accs) / len(accs), 2)}
        rows[(method, bn_calib)] = {"method": method, "bn_calib": bn_calib, **result, **extra,
                                    "scores": str(scores_path.relative_to(ROOT))}
        print(f"{method:24s} bn_calib={bn_calib!s:5s} kendall={result['kendall']:.3f} "
              f"pearson={result['pearson']:.3f} spearman={result['spearman']:.3f}", flush=True)
        write_report(list(rows.values()), ceiling, args, proto)

    for prior in args.priors:
        path, seconds, cmd = score_prior(prior, proto, args)
        add(prior, None, path, {"score_seconds": round(seconds, 1), "command": cmd})
    for recipe in args.recipes:
        train_seconds, train_cmd = train_recipe(recipe, args, proto)
        for bn_calib in (0, args.bn_calib):
            path, seconds, cmd = score_recipe(recipe, bn_calib, args)
            add(recipe, bool(bn_calib), path, {"train_seconds": round(train_seconds, 1),
                                                "score_seconds": round(seconds, 1),
                                                "train_command": train_cmd, "command": cmd})
    if missing:
        return
    best = max((r for r in rows.values() if r["method"] in RECIPES), key=lambda r: r["kendall"], default=None)
    if best is not None:
        _, x, y = align_by_key(load_submission(ROOT / best["scores"]), truth)
        label = f"{best['method']}{' + BN recalib' if best['bn_calib'] else ''}"
        plot_rank_scatter(x, y, correlations(x, y), BENCH / "best_recipe_scatter.png", pred_label=label,
                          truth_label="stand-alone accuracy")
    if ceiling:
        print(f"noise ceiling (seed 1 vs seed 2, n={ceiling['n']}): kendall={ceiling['kendall']:.3f}")


if __name__ == "__main__":
    main()
