"""Multi-rank vs single-rank model checkpoints: the `_layers.` key prefix.

`paddle.DataParallel` stores the wrapped network as `_layers`, so a state dict saved from a
multi-rank run names every parameter `_layers.<name>`.  Converting between the two layouts
is a pure key rename; the tensors are untouched.
"""
from __future__ import annotations

import os
from pathlib import Path

from hnas.atomic import atomic_write_bytes
from hnas.models.state_io import RANK_PREFIX, load_state_file, state_bytes, strip_rank_prefix

SINGLE, MULTI = "single", "multi"


class CheckpointLayoutError(ValueError):
    """A checkpoint whose layout cannot be decided or converted; names file and key."""


def detect_layout(state: dict, source: str = "checkpoint") -> str:
    """'multi' when every key carries the prefix, 'single' when none does; mixed is an error."""
    if not state:
        raise CheckpointLayoutError(f"{source}: empty state dict")
    prefixed = [k for k in state if k.startswith(RANK_PREFIX)]
    if not prefixed:
        return SINGLE
    if len(prefixed) == len(state):
        return MULTI
    plain = next(k for k in state if not k.startswith(RANK_PREFIX))
    raise CheckpointLayoutError(f"{source}: mixed key layout: {len(prefixed)} of {len(state)} keys start "
                                f"with {RANK_PREFIX!r} (e.g. {prefixed[0]!r}) but {plain!r} does not")


def add_rank_prefix(state: dict) -> dict:
    """Prefix every key with `_layers.` (keys already prefixed stay as they are)."""
    return {(k if k.startswith(RANK_PREFIX) else RANK_PREFIX + k): v for k, v in state.items()}


def convert_layout(state: dict, to: str, source: str = "checkpoint") -> dict:
    """`state` renamed to the `to` layout ('single' or 'multi'), key order kept."""
    detect_layout(state, source)
    if to == SINGLE:
        return strip_rank_prefix(state)
    if to == MULTI:
        return add_rank_prefix(state)
    raise CheckpointLayoutError(f"unknown layout {to!r} (choose 'single' or 'multi')")


def load_model_state(path: str | os.PathLike) -> dict:
    """A `.pdparams` state dict as saved (keys untouched), with errors naming the file/key."""
    try:
        return load_state_file(path)
    except ValueError as err:
        raise CheckpointLayoutError(str(err)) from err


def save_state_atomic(state: dict, path: str | os.PathLike) -> Path:
    """`paddle.save` of `state`, written atomically over `path`."""
    return atomic_write_bytes(path, state_bytes(state))
