"""Build the ranking-benchmark dataset: a fixed-seed, class-balanced Fashion-MNIST subset
(Debian package `dataset-fashion-mnist`) written as RGB class folders train/ and val/.

Fashion-MNIST is Copyright (c) 2017 Zalando SE, MIT License (see hnas/data/demo/NOTICE).
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from hnas.data.class_folders import write_class_folders  # noqa: E402
from hnas.data.fashion_mnist import CLASS_NAMES, load_split, stratified_subset  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "data" / "benchmark"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="output root (train/, val/ inside)")
    parser.add_argument("--train_per_class", type=int, default=250)
    parser.add_argument("--val_per_class", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2022)
    args = parser.parse_args(argv)
    try:
        train_x, train_y = load_split("train")
        val_x, val_y = load_split("t10k")
    except FileNotFoundError as err:
        sys.exit(f"error: {err}")
    ti = stratified_subset(train_y, args.train_per_class, args.seed)
    vi = stratified_subset(val_y, args.val_per_class, args.seed + 1)
    out = write_class_folders(args.out, {"train": (train_x[ti], train_y[ti]), "val": (val_x[vi], val_y[vi])},
                              CLASS_NAMES)
    (out / "NOTICE").write_text("Fashion-MNIST subset. Copyright (c) 2017 Zalando SE. MIT License.\n"
                                f"train {len(ti)} images, val {len(vi)} images, seed {args.seed}\n")
    print(f"wrote {out}: {len(ti)} train and {len(vi)} val images in {len(CLASS_NAMES)} classes")


if __name__ == "__main__":
    main()
