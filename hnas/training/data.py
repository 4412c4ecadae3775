"""Training data: class-folder datasets and a batch sampler that every rank plans alike.

The sampler shuffles with a private RNG fixed by (seed, epoch), gives each rank its own
share (padded so every rank runs the same number of steps, as DistributedBatchSampler
does), and, when a resolution list is configured, tags every index of a batch with one
resolution drawn from `step_rng(seed, epoch, step, "resolution")`.  The sampler runs in
the main process and only the `(index, resolution)` items travel to DataLoader workers,
so the per-batch resolution works with any number of workers and is the same on all ranks.
"""
from __future__ import annotations

import math
from pathlib import Path

from paddle.io import BatchSampler, DataLoader

from hnas.data import ClassFolderDataset, EvalTransform, TrainTransform, demo_data_dir
from hnas.sampling.plan import step_rng


class PlannedBatchSampler(BatchSampler):
    """Shuffled, rank-sharded batches with an optional per-batch resolution.

    Yields lists of dataset indices, or of `(index, resolution)` pairs when `resolutions`
    is given; at most `max_steps` batches per epoch when set (each epoch reshuffles, so
    a capped epoch still sees different images).  Call `set_epoch(epoch)` before
    iterating each epoch.
    """

    def __init__(self, dataset_len: int, batch_size: int, seed: int = 0, rank: int = 0,
                 world_size: int = 1, shuffle: bool = True, drop_last: bool = True,
                 resolutions=None, max_steps: int | None = None):
        if batch_size < 1:
            raise ValueError(f"train.batch_size must be a positive integer, got {batch_size!r}")
        if not 0 <= rank < world_size:
            raise ValueError(f"rank {rank} is outside a world of {world_size}")
        self.dataset_len, self.batch_size = dataset_len, batch_size
        self.seed, self.rank, self.world_size = seed, rank, world_size
        self.shuffle, self.drop_last = shuffle, drop_last
        self.resolutions = check_resolutions(resolutions)
        self.per_rank = math.ceil(dataset_len / world_size)
        if drop_last and self.per_rank < batch_size:
            raise ValueError(f"each of {world_size} rank(s) gets {self.per_rank} training images, fewer "
                             f"than one batch of {batch_size}; lower train.batch_size")
        if max_steps is not None and (isinstance(max_steps, bool) or not isinstance(max_steps, int)
                                      or max_steps < 1):
            raise ValueError(f"train.steps_per_epoch must be a positive integer or null, got {max_steps!r}")
        self.max_steps = max_steps
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def _rank_indices(self) -> list[int]:
        order = list(range(self.dataset_len))
        if self.shuffle:
            step_rng(self.seed, self.epoch, 0, "shuffle").shuffle(order)
        padded = order + order[: self.per_rank * self.world_size - len(order)]
        return padded[self.rank::self.world_size]

    def __iter__(self):
        indices = self._rank_indices()
        for step in range(len(self)):
            batch = indices[step * self.batch_size:(step + 1) * self.batch_size]
            if self.resolutions is None:
                yield batch
            else:
                resolution = step_rng(self.seed, self.epoch, step, "resolution").choice(self.resolutions)
                yield [(index, resolution) for index in batch]

    def __len__(self) -> int:
        full = self.per_rank // self.batch_size if self.drop_last else math.ceil(self.per_rank / self.batch_size)
        return full if self.max_steps is None else min(full, self.max_steps)


def check_resolutions(resolutions):
    """None, or a non-empty list of positive ints (config key data.resolutions)."""
    if resolutions is None:
        return None
    if isinstance(resolutions, int) and not isinstance(resolutions, bool):
        resolutions = [resolutions]
    if (not isinstance(resolutions, (list, tuple)) or not resolutions
            or any(isinstance(r, bool) or not isinstance(r, int) or r < 1 for r in resolutions)):
        raise ValueError(f"data.resolutions must be a non-empty list of positive integers, got {resolutions!r}")
    return list(resolutions)


def data_root(image_dir) -> Path:
    """`data.image_dir`, or the embedded demo data when it is None."""
    return demo_data_dir() if image_dir is None else Path(image_dir)


def build_train_dataset(cfg: dict) -> ClassFolderDataset:
    scale = cfg["data"]["crop_scale"]
    if (not isinstance(scale, (list, tuple)) or len(scale) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in scale)
            or not 0 < scale[0] <= scale[1] <= 1):
        raise ValueError(f"data.crop_scale must be [low, high] with 0 < low <= high <= 1, got {scale!r}")
    transform = TrainTransform(cfg["data"]["image_size"], scale=tuple(float(v) for v in scale))
    return ClassFolderDataset(data_root(cfg["data"]["image_dir"]) / "train", transform)


def build_val_dataset(cfg: dict) -> ClassFolderDataset:
    return ClassFolderDataset(data_root(cfg["data"]["image_dir"]) / "val", EvalTransform(cfg["data"]["image_size"]))


def build_train_loader(cfg: dict, rank: int = 0, world_size: int = 1):
    """(DataLoader, its PlannedBatchSampler) for the training split."""
    dataset = build_train_dataset(cfg)
    sampler = PlannedBatchSampler(len(dataset), cfg["train"]["batch_size"], seed=cfg["seed"], rank=rank,
                                  world_size=world_size, resolutions=cfg["data"]["resolutions"],
                                  max_steps=cfg["train"]["steps_per_epoch"])
    workers = cfg["data"]["num_workers"]
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
        raise ValueError(f"data.num_workers must be a non-negative integer, got {workers!r}")
    loader = DataLoader(dataset, batch_sampler=sampler, num_workers=workers, return_list=True)
    return loader, sampler
