"""Tiny training setups shared by the trainer tests: a 3-class image folder of 16-px
images and a config for a quarter-width, shallow supernet that trains in a second."""
from pathlib import Path

import numpy as np
from PIL import Image

from hnas.config import build_config

TINY_SPACE = "{base: test, stage_depths: [[2, 3], [2, 3], [2, 3], [2, 3]]}"


def make_image_folder(root: Path, classes: int = 3, per_class: int = 8, size: int = 20, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    for split in ("train", "val"):
        for c in range(classes):
            folder = root / split / f"class{c}"
            folder.mkdir(parents=True, exist_ok=True)
            for i in range(per_class):
                pixels = rng.integers(0, 255, size=(size, size, 3), dtype=np.uint8)
                pixels[..., c] = 255 - 20 * c  # a class-dependent colour so there is something to learn
                Image.fromarray(pixels).save(folder / f"{i}.png")
    return root


def tiny_config(tmp_path: Path, *overrides: str, image_dir: Path | None = None) -> dict:
    image_dir = image_dir or make_image_folder(tmp_path / "images")
    base = [
        "model.num_classes=3", "model.width_mult=0.25", "model.small_input=true",
        f"search_space={TINY_SPACE}", f"data.image_dir={image_dir}", "data.image_size=16",
        "data.num_workers=0", "data.crop_scale=[0.5, 1.0]", "train.batch_size=8", "train.epochs=1",
        "train.lr=0.2", "train.warmup_epochs=0", "train.weight_decay=0.0001", "train.log_freq=1",
        f"train.save_dir={tmp_path / 'run'}", "train.save_freq=1", "sampling.num_subnets=3",
    ]
    return build_config(None, base + list(overrides))
