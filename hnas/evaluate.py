"""Score every code of a submission file on a trained supernet (`eval_supernet.sh`).

    bash eval_supernet.sh [JSON] [--checkpoint RUN_DIR|FILE.pdparams] [--out FILE] [key=value ...]

Fills `acc` of every key — top-1 x 100 on the validation images, or with `--metric loss`
the negative mean cross-entropy — and writes the submission (default
checkpoints/submit_results.json) with the same keys in the same order, `arch` untouched.

Per code: activate it, recalibrate BN on `--bn_calib` fixed training batches (0 = the
supernet's inherited statistics, as the original toolkit scored), evaluate.  Validation
images are decoded once and cached as uint8 tensors for all codes (streamed from disk if
they exceed --cache_gb).  `--val_limit N` scores on the first N images of a fixed
class-balanced order (classes interleaved round-robin, files sorted by name).

Results are appended to a journal as they complete, so an interrupted run resumes where it
stopped: `<out>.journal.jsonl`, or `<out>.shard-i-of-n.jsonl` with `--shard i/n` (merge the
shards with utils/merge_results.py).  Under `paddle.distributed.launch` rank r scores shard
r/world and rank 0 merges.  Settings come from the checkpoint's config.yaml, then --config,
then flags, then key=value overrides.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DEFAULT_CHECKPOINT = "checkpoints/demo"
EXIT_ERROR = 2

# Flags of this command (and the original toolkit's eval flags) -> config keys.
EVAL_FLAGS = {
    "json_path": "eval.json_path",
    "out": "eval.out",
    "batch_size": "eval.batch_size",
    "bn_calib": "eval.bn_calib",
    "bn_calib_batch_size": "eval.bn_calib_batch_size",
    "metric": "eval.metric",
    "val_limit": "eval.val_limit",
    "cache_gb": "eval.cache_gb",
    "image_dir": "data.image_dir",
    "image_size": "data.image_size",
    "backbone": "model.backbone",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="eval_supernet", description=__doc__.split("\n\n")[0],
                                     epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("positional", nargs="*", metavar="JSON | key=value",
                        help="the submission to score (default eval.json_path) and dotted overrides")
    parser.add_argument("--checkpoint", help=f"run directory or .pdparams (default eval.checkpoint, "
                                             f"else {DEFAULT_CHECKPOINT})")
    parser.add_argument("--resume", help="original toolkit's name for --checkpoint")
    parser.add_argument("--save_dir", help="training run directory; the checkpoint when neither "
                                           "--checkpoint nor --resume is given")
    parser.add_argument("--config", help="YAML file or a name in configs/, applied over the run's config.yaml")
    parser.add_argument("--json_path", help="the submission to score (same as the positional JSON)")
    parser.add_argument("--out", help="output file (default eval.out = checkpoints/submit_results.json)")
    parser.add_argument("--metric", choices=["acc", "loss"], help="acc: top-1 x 100; loss: -mean CE")
    parser.add_argument("--batch_size", type=int, help="evaluation batch size (eval.batch_size)")
    parser.add_argument("--bn_calib", type=int, help="BN recalibration batches per code, 0 = off")
    parser.add_argument("--bn_calib_batch_size", type=int, help="calibration batch size (default batch_size)")
    parser.add_argument("--val_limit", type=int, help="score on the first N validation images only")
    parser.add_argument("--cache_gb", type=float, help="memory budget for cached images (GiB)")
    parser.add_argument("--image_dir", help="class folders with train/ and val/ (default: demo data)")
    parser.add_argument("--image_size", type=int, help="evaluation resolution")
    parser.add_argument("--backbone", help="supernet name, if the run's config.yaml is missing")
    parser.add_argument("--shard", help="score only shard i/n of the keys into <out>.shard-i-of-n.jsonl")
    parser.add_argument("--wait_timeout", type=float, default=0.0,
                        help="multi-rank: seconds rank 0 waits for the other shards (0 = no limit)")
    return parser


def split_positionals(items: list) -> tuple[str | None, list[str]]:
    """JSON path and key=value overrides; a leading 'run' (original toolkit's syntax) is ignored."""
    json_paths, overrides = [], []
    for index, item in enumerate(items):
        if "=" in item:
            overrides.append(item)
        elif item == "run" and index == 0:
            continue
        else:
            json_paths.append(item)
    if len(json_paths) > 1:
        raise ValueError(f"expected one JSON file, got {json_paths}")
    return (json_paths[0] if json_paths else None), overrides


def rank_and_world() -> tuple[int, int]:
    """From paddle.distributed.launch's environment (1 rank without it)."""
    return int(os.environ.get("PADDLE_TRAINER_ID", "0")), int(os.environ.get("PADDLE_TRAINERS_NUM", "1"))


def select_device() -> None:
    import paddle

    count = paddle.device.cuda.device_count() if paddle.is_compiled_with_cuda() else 0
    if count > 0:
        # launch names this rank's GPU; if only that GPU is visible, it is gpu:0 here
        gpu = int(os.environ.get("FLAGS_selected_gpus", "0").split(",")[0] or 0)
        paddle.set_device(f"gpu:{gpu if gpu < count else 0}")


def run(args) -> int:
    from hnas.scoring.checkpoint import (file_digest, layered_config, load_trained_supernet,
                                         resolve_checkpoint, run_config_of)
    from hnas.scoring.eval_data import eval_images
    from hnas.scoring.journal import ResultJournal, read_journal
    from hnas.scoring.merge import merge_submission
    from hnas.scoring.runner import score_into_journal, wait_for_shards
    from hnas.scoring.shards import journal_path, parse_shard, shard_keys, shard_path
    from hnas.scoring.subnet_scorer import SubnetScorer
    from hnas.submission import load_submission, with_scores, write_submission

    json_arg, overrides = split_positionals(args.positional)
    if json_arg is not None and args.json_path is not None and json_arg != args.json_path:
        raise ValueError(f"two JSON files given: {json_arg} and --json_path {args.json_path}")
    settings = {dotted: getattr(args, flag) for flag, dotted in EVAL_FLAGS.items()}
    settings["eval.json_path"] = json_arg or args.json_path

    rank, world = rank_and_world()
    shard = parse_shard(args.shard) if args.shard else None
    if shard and world > 1:
        raise ValueError("--shard cannot be combined with paddle.distributed.launch (each rank takes its own shard)")
    if world > 1:
        shard = (rank, world)

    # The checkpoint decides which config.yaml forms the base, so find it first.
    preliminary = layered_config(None, args.config, settings, overrides)
    checkpoint = (args.checkpoint or args.resume or args.save_dir or preliminary["eval"]["checkpoint"]
                  or DEFAULT_CHECKPOINT)
    weights = resolve_checkpoint(checkpoint)
    run_config = run_config_of(weights)
    if run_config is None:
        print(f"eval_supernet: warning: no config.yaml next to {weights}; using defaults, --config and "
              "overrides for the model settings", file=sys.stderr)
    cfg = layered_config(run_config, args.config, settings, overrides)
    ev = cfg["eval"]

    submission = load_submission(ev["json_path"])
    keys = list(submission)
    out = Path(ev["out"])
    my_keys = shard_keys(keys, *shard) if shard else keys

    select_device()
    net = load_trained_supernet(cfg, weights)
    images = eval_images(cfg)
    scorer = SubnetScorer(net, images.val, images.calibration, metric=ev["metric"])
    run_settings = {
        "checkpoint_sha256": file_digest(weights),
        "backbone": cfg["model"]["backbone"],
        "image_size": int(cfg["data"]["image_size"]),
        "metric": ev["metric"],
        "batch_size": int(ev["batch_size"]),
        "bn_calib": int(ev["bn_calib"] or 0),
        "bn_calib_batch_size": int(ev["bn_calib_batch_size"] or ev["batch_size"]),
        "val_images": len(images.val),
    }
    journal_file = shard_path(out, *shard) if shard else journal_path(out)
    print(f"eval_supernet: {weights} | {len(my_keys)} of {len(keys)} codes | {len(images.val)} val images "
          f"({'cached' if images.val.cached else 'streamed'}) | bn_calib {run_settings['bn_calib']} | "
          f"metric {ev['metric']} | journal {journal_file}", file=sys.stderr, flush=True)
    items = [(key, submission[key]["arch"]) for key in my_keys]
    desc = f"shard {shard[0]}/{shard[1]}" if shard else "scoring"
    with ResultJournal(journal_file, run_settings) as journal:
        score_into_journal(scorer, items, journal, desc)
        scores = dict(journal.scores)

    if shard is None:
        write_submission(out, with_scores(submission, scores))
        journal_file.unlink()
        print(f"eval_supernet: wrote {out}", file=sys.stderr)
        return 0
    if world == 1:
        print(f"eval_supernet: shard {shard[0]}/{shard[1]} complete in {journal_file}; merge with "
              f"utils/merge_results.py --json {ev['json_path']} {out}.shard-*-of-{shard[1]}.jsonl --out {out}",
              file=sys.stderr)
        return 0
    if rank != 0:
        return 0
    shard_files = [shard_path(out, r, world) for r in range(world)]
    wait_for_shards([(path, shard_keys(keys, r, world)) for r, path in enumerate(shard_files)],
                    lambda path: read_journal(path)[1], timeout_s=args.wait_timeout)
    write_submission(out, merge_submission(submission, shard_files))
    for path in shard_files:
        path.unlink()
    print(f"eval_supernet: merged {world} shards into {out}", file=sys.stderr)
    return 0


def main(argv=None) -> int:
    args = build_parser().parse_intermixed_args(argv)
    try:
        return run(args)
    except (ValueError, OSError) as err:
        print(f"eval_supernet: error: {err}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    if __package__ in (None, ""):
        # Run as a script: import the package from the repository root, not from hnas/ itself.
        sys.path[0] = str(Path(__file__).resolve().parents[1])
    sys.exit(main())
