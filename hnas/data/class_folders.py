"""Writing image arrays out as an ImageNet-style class-folder tree (split/<class>/<n>.png)."""
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image


def write_class_folders(out_dir, splits: dict, class_names) -> Path:
    """`splits`: {'train': (images [N,H,W] uint8, labels [N]), 'val': ...}.  Grey images are
    stored as RGB, as an ImageNet pipeline expects.  The tree appears atomically: it is built
    in a temporary sibling folder and renamed into place, so a crash leaves no half tree."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        for split, (images, labels) in splits.items():
            counters = {}
            for image, label in zip(images, labels):
                name = class_names[int(label)]
                folder = staging / split / name
                if name not in counters:
                    folder.mkdir(parents=True, exist_ok=True)
                    counters[name] = 0
                rgb = np.repeat(image[..., None], 3, axis=2) if image.ndim == 2 else image
                Image.fromarray(rgb).save(folder / f"{counters[name]:05d}.png")
                counters[name] += 1
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(staging, out_dir)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return out_dir
