"""Train one architecture from scratch as a plain network: the ground truth of a ranking.

The defaults are the original toolkit's stand-alone recipe (ImageNet scale): 90 epochs,
batch 256, lr 0.1 per 256 images, momentum 0.9, weight decay 1e-4, 2 warm-up epochs into
a cosine decay, 224 px.  Every knob can be shrunk for small benchmarks.  The run is
deterministic for a seed on CPU: model initialisation, shuffling and augmentation all draw
from generators seeded here (DataLoader workers are seeded from them too).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass
class StandaloneRecipe:
    image_dir: str | None = None  # class folders train/ and val/; None: embedded demo data
    image_size: int = 224
    small_input: bool = False
    width_mult: float = 1.0
    num_classes: int | None = None  # None: number of class folders
    activation: str = "relu"
    epochs: int = 90
    batch_size: int = 256
    lr: float = 0.1  # per 256 images; scaled by batch_size / 256
    momentum: float = 0.9
    weight_decay: float = 1e-4
    warmup_epochs: float = 2
    crop_scale_min: float = 0.08
    seed: int = 0
    num_workers: int = 4
    train_limit: int | None = None  # None: every image; else this many, evenly spaced over all classes
    val_limit: int | None = None

    def check(self) -> None:
        """Reject unusable settings with a message naming the option."""
        positive = {"image_size": self.image_size, "epochs": self.epochs, "batch_size": self.batch_size}
        for name, value in positive.items():
            if value < 1:
                raise ValueError(f"{name} must be at least 1, got {value}")
        if self.width_mult <= 0 or self.lr <= 0:
            raise ValueError(f"width_mult and lr must be positive, got {self.width_mult} and {self.lr}")
        if not 0 <= self.warmup_epochs <= self.epochs:
            raise ValueError(f"warmup of {self.warmup_epochs} epochs must lie in 0..epochs ({self.epochs})")
        if not 0 < self.crop_scale_min <= 1:
            raise ValueError(f"crop_scale_min must lie in (0, 1], got {self.crop_scale_min}")
        for name, value in (("train_limit", self.train_limit), ("val_limit", self.val_limit)):
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1, got {value}")
        if self.num_workers < 0:
            raise ValueError(f"num_workers must be non-negative, got {self.num_workers}")


def evenly_spaced(dataset, limit: int | None):
    """`limit` images spread evenly over the dataset (which is sorted by class), so every
    class keeps its share; the whole dataset when `limit` is None or not smaller."""
    from paddle.io import Subset

    n = len(dataset)
    if limit is None or limit >= n:
        return dataset
    return Subset(dataset, [i * n // limit for i in range(limit)])


def _datasets(recipe: StandaloneRecipe):
    from hnas.data import ClassFolderDataset, EvalTransform, TrainTransform, demo_data_dir

    root = Path(recipe.image_dir) if recipe.image_dir is not None else demo_data_dir()
    train = ClassFolderDataset(root / "train", TrainTransform(recipe.image_size, scale=(recipe.crop_scale_min, 1.0)))
    val = ClassFolderDataset(root / "val", EvalTransform(recipe.image_size))
    if train.classes != val.classes:
        raise ValueError(f"{root}: train/ and val/ hold different class folders "
                         f"({len(train.classes)} vs {len(val.classes)} classes)")
    num_classes = recipe.num_classes if recipe.num_classes is not None else len(train.classes)
    if num_classes < len(train.classes):
        raise ValueError(f"num_classes {num_classes} is smaller than the {len(train.classes)} class "
                         f"folders of {root / 'train'}")
    return evenly_spaced(train, recipe.train_limit), evenly_spaced(val, recipe.val_limit), num_classes


def seed_everything(seed: int) -> None:
    import paddle

    random.seed(seed)
    np.random.seed(seed)
    paddle.seed(seed)


def train_standalone(arch, recipe: StandaloneRecipe, verbose: int = 1) -> float:
    """Train `arch` (code or Arch) with `recipe`; return validation top-1 x 100."""
    import paddle
    from paddle.io import BatchSampler, DataLoader

    from hnas.models import ResNetSubnet
    from hnas.search_space import as_arch
    from hnas.training.schedule import build_optimizer, build_schedule

    recipe.check()
    arch = as_arch(arch)
    seed_everything(recipe.seed)
    train_set, val_set, num_classes = _datasets(recipe)
    net = ResNetSubnet(arch, num_classes=num_classes, activation=recipe.activation,
                       width_mult=recipe.width_mult, small_input=recipe.small_input)
    sampler = BatchSampler(train_set, shuffle=True, batch_size=recipe.batch_size, drop_last=False)
    train_loader = DataLoader(train_set, batch_sampler=sampler, num_workers=recipe.num_workers)
    val_loader = DataLoader(val_set, batch_size=recipe.batch_size, shuffle=False, num_workers=recipe.num_workers)
    train_cfg = {"epochs": recipe.epochs, "warmup_epochs": recipe.warmup_epochs, "lr": recipe.lr,
                 "batch_size": recipe.batch_size, "momentum": recipe.momentum,
                 "weight_decay": recipe.weight_decay}
    schedule = build_schedule(train_cfg, steps_per_epoch=len(sampler), world_size=1)
    optimizer = build_optimizer(net.parameters(), schedule, train_cfg)

    model = paddle.Model(net)
    model.prepare(optimizer, paddle.nn.CrossEntropyLoss(), paddle.metric.Accuracy(topk=(1,)))
    model.fit(train_loader, epochs=recipe.epochs, verbose=verbose, log_freq=max(1, len(sampler) // 5))
    result = model.evaluate(val_loader, verbose=verbose)
    return float(result["acc"]) * 100.0
