"""Train one architecture code from scratch and record its top-1 in a results file.

    python scripts/train_standalone.py --arch 1252233313000000223212122253130000000000006515000000 \
        --key arch1 --results checkpoints/ground_truth.json --image_dir /data/imagenet
    python scripts/train_standalone.py --arch CODE --results gt.json --image_size 16 --small_input \
        --width_mult 0.25 --epochs 5 --batch_size 64 --lr 0.4 --warmup 1 --num_workers 0

Defaults are the original toolkit's stand-alone recipe (90 epochs, lr 0.1 x batch/256,
momentum 0.9, weight decay 1e-4, 2 warm-up epochs, cosine, batch 256, 224 px); without
--image_dir the embedded Fashion-MNIST demo data is used.  The result goes into --results
as `{key: {"acc": top1 x 100, "arch": code}}`: the file is locked, re-read, the key added
or replaced, and rewritten atomically, so trainers running in parallel never lose entries.
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hnas.results_file import update_results  # noqa: E402
from hnas.search_space import InvalidCodeError, parse_code  # noqa: E402
from hnas.standalone import StandaloneRecipe, train_standalone  # noqa: E402
from hnas.submission import SubmissionError  # noqa: E402

DEFAULTS = StandaloneRecipe()


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--arch", required=True, help="architecture code (52 characters)")
    parser.add_argument("--key", help="results key (default: the code itself)")
    parser.add_argument("--results", required=True, help="results JSON to add the accuracy to")
    data = parser.add_argument_group("data")
    data.add_argument("--image_dir", help="class folders train/<class>/*, val/<class>/* (default: demo data)")
    data.add_argument("--image_size", type=int, default=DEFAULTS.image_size)
    data.add_argument("--crop_scale_min", type=float, default=DEFAULTS.crop_scale_min,
                      help="smallest random-resized-crop area fraction")
    data.add_argument("--num_workers", type=int, default=DEFAULTS.num_workers)
    data.add_argument("--train_limit", type=int, help="train on this many images, spread over all classes")
    data.add_argument("--val_limit", type=int, help="validate on this many images, spread over all classes")
    model = parser.add_argument_group("model")
    model.add_argument("--small_input", action="store_true", help="3x3 stride-1 stem without max-pool")
    model.add_argument("--width_mult", type=float, default=DEFAULTS.width_mult)
    model.add_argument("--num_classes", type=int, help="classifier width (default: number of class folders)")
    model.add_argument("--activation", default=DEFAULTS.activation, choices=("relu", "prelu", "swish", "mish"))
    train = parser.add_argument_group("training")
    train.add_argument("--epochs", type=int, default=DEFAULTS.epochs)
    train.add_argument("--batch_size", type=int, default=DEFAULTS.batch_size)
    train.add_argument("--lr", type=float, default=DEFAULTS.lr, help="lr per 256 images (scaled by batch/256)")
    train.add_argument("--momentum", type=float, default=DEFAULTS.momentum)
    train.add_argument("--weight_decay", type=float, default=DEFAULTS.weight_decay)
    train.add_argument("--warmup", type=float, default=DEFAULTS.warmup_epochs, help="linear warm-up epochs")
    train.add_argument("--seed", type=int, default=DEFAULTS.seed)
    train.add_argument("--verbose", type=int, default=1, choices=(0, 1, 2), help="hapi progress output")
    return parser.parse_args(argv)


def recipe_of(args) -> StandaloneRecipe:
    return StandaloneRecipe(
        image_dir=args.image_dir, image_size=args.image_size, small_input=args.small_input,
        width_mult=args.width_mult, num_classes=args.num_classes, activation=args.activation,
        epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, momentum=args.momentum,
        weight_decay=args.weight_decay, warmup_epochs=args.warmup, crop_scale_min=args.crop_scale_min,
        seed=args.seed, num_workers=args.num_workers, train_limit=args.train_limit, val_limit=args.val_limit)


def main(argv=None) -> int:
    args = parse_args(argv)
    key = args.key or args.arch
    try:
        parse_code(args.arch)
        top1 = train_standalone(args.arch, recipe_of(args), verbose=args.verbose)
        update_results(args.results, {key: {"acc": top1, "arch": args.arch}})
    except (InvalidCodeError, SubmissionError, ValueError, FileNotFoundError) as err:
        print(f"train_standalone: error: {err}", file=sys.stderr)
        return 2
    print(f"train_standalone: {key} top1={top1:.2f} -> {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
