"""Reading Fashion-MNIST's idx files (Debian package `dataset-fashion-mnist`)."""
import gzip
from pathlib import Path

import numpy as np

DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
CLASS_NAMES = ("t-shirt_top", "trouser", "pullover", "dress", "coat",
               "sandal", "shirt", "sneaker", "bag", "ankle_boot")
LICENSE_NOTICE = ("Fashion-MNIST, Copyright (c) 2017 Zalando SE, https://tech.zalando.com. "
                  "Released under the MIT License.")


def read_idx(path: Path) -> np.ndarray:
    """Decode one gzipped idx file (magic: 0, 0, dtype code 0x08 = uint8, ndim)."""
    with gzip.open(path, "rb") as fh:
        raw = fh.read()
    if raw[:2] != b"\x00\x00" or raw[2] != 0x08:
        raise ValueError(f"{path}: not a uint8 idx file")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_split(split: str, root: Path = DEBIAN_DIR):
    """(images [N, 28, 28] uint8, labels [N] uint8) of 'train' or 't10k'."""
    images, labels = root / f"{split}-images-idx3-ubyte.gz", root / f"{split}-labels-idx1-ubyte.gz"
    for path in (images, labels):
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing: apt-get install dataset-fashion-mnist")
    return read_idx(images), read_idx(labels)


def stratified_subset(labels: np.ndarray, per_class: int, seed: int) -> np.ndarray:
    """Indices of `per_class` samples of every class, fixed by `seed`, sorted by class."""
    rng = np.random.default_rng(seed)
    picks = []
    for c in range(len(CLASS_NAMES)):
        members = np.flatnonzero(labels == c)
        if len(members) < per_class:
            raise ValueError(f"class {c} has only {len(members)} samples, {per_class} asked")
        picks.append(np.sort(rng.choice(members, per_class, replace=False)))
    return np.concatenate(picks)
