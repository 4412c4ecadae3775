"""The embedded demo dataset: a Fashion-MNIST subset shipped as one compressed archive.

Fashion-MNIST is Copyright (c) 2017 Zalando SE and released under the MIT License (notice in
hnas/data/demo/NOTICE).  `scripts/make_demo_data.py` regenerates the archive from the Debian
package; `demo_data_dir()` unpacks it into class folders the first time it is needed.
"""
import fcntl
from pathlib import Path

import numpy as np

from hnas.data.class_folders import write_class_folders
from hnas.data.fashion_mnist import CLASS_NAMES

ARCHIVE = Path(__file__).resolve().parent / "demo" / "fashion_mnist_demo.npz"
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "data" / "demo"


def demo_data_dir(target: Path | str | None = None) -> Path:
    """Class-folder root (train/, val/) of the demo data, unpacked on first use."""
    target = Path(target) if target is not None else DEFAULT_DIR
    marker = target / ".complete"
    if marker.is_file():
        return target
    if not ARCHIVE.is_file():
        raise FileNotFoundError(f"demo archive {ARCHIVE} is missing; run scripts/make_demo_data.py")
    target.parent.mkdir(parents=True, exist_ok=True)
    # Several ranks may ask at once on a fresh checkout: one unpacks, the others wait for it.
    with open(target.parent / f".{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.is_file():
            with np.load(ARCHIVE) as data:
                splits = {split: (data[f"{split}_images"], data[f"{split}_labels"])
                          for split in ("train", "val")}
            write_class_folders(target, splits, CLASS_NAMES)
            marker.write_text("unpacked from " + ARCHIVE.name + "\n")
    return target
