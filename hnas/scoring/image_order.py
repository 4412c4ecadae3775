"""Which images are used, in which order — fixed, so every code, shard and rank agrees.

Validation (`class_balanced_order`): classes are interleaved round-robin (the first image
of every class in sorted class order, then the second of every class, ...), each class's
files in sorted name order.  `--val_limit N` keeps the first N of that order, so a subset
is as class-balanced as the data allows and growing N only adds images.

Calibration (`calibration_selection`): a permutation of the training files drawn with a
fixed seed, independent of the run seed, cut to N batches.  Every code is recalibrated on
exactly the same images, in the same batches.
"""
from __future__ import annotations

import numpy as np

CALIBRATION_SEED = 2022


def class_balanced_order(samples: list, limit: int | None = None) -> list:
    """`samples` = [(path, label)] -> round-robin over labels, first `limit` kept."""
    by_label: dict[int, list] = {}
    for sample in sorted(samples, key=lambda s: (s[1], str(s[0]))):
        by_label.setdefault(sample[1], []).append(sample)
    queues = [by_label[label] for label in sorted(by_label)]
    ordered = []
    for rank in range(max((len(q) for q in queues), default=0)):
        ordered.extend(q[rank] for q in queues if rank < len(q))
    if limit is not None:
        if limit <= 0:
            raise ValueError(f"val_limit must be positive, got {limit}")
        ordered = ordered[:limit]
    return ordered


def calibration_selection(samples: list, num_batches: int, batch_size: int) -> list:
    """The fixed calibration images: a seeded permutation of `samples`, first
    num_batches * batch_size of it (fewer when the training split is smaller)."""
    if num_batches <= 0 or batch_size <= 0:
        raise ValueError(f"calibration needs positive batches and batch size, got {num_batches} x {batch_size}")
    ordered = sorted(samples, key=lambda s: (s[1], str(s[0])))
    permutation = np.random.RandomState(CALIBRATION_SEED).permutation(len(ordered))
    return [ordered[i] for i in permutation[: num_batches * batch_size]]
