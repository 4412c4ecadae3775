"""Geometry shared by the supernet, the stand-alone network and the analytic FLOPs count:
stem shape and the channel widths an architecture gives each layer."""
from dataclasses import dataclass

import paddle.nn as nn

from hnas.search_space import (NUM_STAGES, STAGE_BASE_WIDTHS, STAGE_STRIDES, STEM_BASE_WIDTH,
                               Arch, channels)


@dataclass(frozen=True)
class StemSpec:
    """ImageNet stem (7x7 stride 2 + max-pool) or small-input stem (3x3 stride 1, no pool)."""

    kernel: int
    stride: int
    padding: int
    maxpool: bool

    @classmethod
    def of(cls, small_input: bool) -> "StemSpec":
        return cls(3, 1, 1, False) if small_input else cls(7, 2, 3, True)


@dataclass(frozen=True)
class BlockWidths:
    in_channels: int
    mid_channels: int
    out_channels: int
    stride: int
    downsample: bool


def max_widths(width_mult: float = 1.0):
    """(stem width, [stream width per stage]) of the largest architecture."""
    return (channels(STEM_BASE_WIDTH, 1, width_mult),
            [channels(base, 1, width_mult) for base in STAGE_BASE_WIDTHS])


def arch_widths(arch: Arch, width_mult: float = 1.0):
    """(stem width, [[BlockWidths per active block] per stage]) for one architecture."""
    stem = channels(STEM_BASE_WIDTH, arch.stem, width_mult)
    stages, in_c = [], stem
    for s in range(NUM_STAGES):
        base, blocks = STAGE_BASE_WIDTHS[s], []
        for b, (first, second) in enumerate(arch.stages[s]):
            out_c = channels(base, second, width_mult)
            stride = STAGE_STRIDES[s] if b == 0 else 1
            blocks.append(BlockWidths(in_c, channels(base, first, width_mult), out_c, stride,
                                      downsample=has_downsample(s, b)))
            in_c = out_c
        stages.append(blocks)
    return stem, stages


def has_downsample(stage: int, block: int) -> bool:
    """The first block of stages 2-4 changes resolution and width, so it needs a projection."""
    return block == 0 and STAGE_STRIDES[stage] != 1


ACTIVATIONS = ("relu", "prelu", "swish", "mish")


def make_activation(name: str) -> nn.Layer:
    """Outer (post-residual) activation; PReLU has one shared slope so it needs no slicing."""
    if name == "relu":
        return nn.ReLU()
    if name == "prelu":
        return nn.PReLU(num_parameters=1, init=0.25)
    if name == "swish":
        return nn.Swish()
    if name == "mish":
        return nn.Mish()
    raise ValueError(f"unknown activation {name!r} (choose from {', '.join(ACTIVATIONS)})")
