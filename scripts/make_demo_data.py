"""Regenerate the embedded demo archive (hnas/data/demo/fashion_mnist_demo.npz) from the
Debian package `dataset-fashion-mnist`: a fixed-seed, class-balanced subset."""
import argparse
import io
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from hnas.atomic import atomic_write_bytes  # noqa: E402
from hnas.data.demo import ARCHIVE  # noqa: E402
from hnas.data.fashion_mnist import load_split, stratified_subset  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--train_per_class", type=int, default=200)
    parser.add_argument("--val_per_class", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--out", default=str(ARCHIVE))
    args = parser.parse_args(argv)
    train_x, train_y = load_split("train")
    val_x, val_y = load_split("t10k")
    ti = stratified_subset(train_y, args.train_per_class, args.seed)
    vi = stratified_subset(val_y, args.val_per_class, args.seed + 1)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, train_images=train_x[ti], train_labels=train_y[ti].astype(np.int64),
                        val_images=val_x[vi], val_labels=val_y[vi].astype(np.int64))
    out = atomic_write_bytes(args.out, buffer.getvalue())
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB): {len(ti)} train, {len(vi)} val images")


if __name__ == "__main__":
    main()
