"""Multi-rank vs single-rank model checkpoints: the `_layers.` key prefix.

`paddle.DataParallel` stores the wrapped network as `_layers`, so a state dict saved from a
multi-rank run names every parameter `_layers.<name>`.  Converting between the two layouts
is a pure key rename; the tensors are untouched.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hnas.models.state_io import RANK_PREFIX, strip_rank_prefix

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
    import paddle

    path = Path(path)
    if not path.is_file():
        raise CheckpointLayoutError(f"{path}: checkpoint file not found")
    try:
        state = paddle.load(str(path))
    except Exception as err:  # paddle raises assorted types for corrupt files
        raise CheckpointLayoutError(f"{path}: cannot load checkpoint: {type(err).__name__}: {err}") from err
    if not isinstance(state, dict) or not state:
        raise CheckpointLayoutError(f"{path}: expected a non-empty state dict, got {type(state).__name__}")
    for key, value in state.items():
        if not isinstance(key, str) or not hasattr(value, "shape"):
            raise CheckpointLayoutError(f"{path}: entry {key!r} is not a named tensor "
                                        f"({type(value).__name__}); is this an optimizer (.pdopt) file?")
    return state


def save_state_atomic(state: dict, path: str | os.PathLike) -> Path:
    """`paddle.save` into a temp file beside `path`, then rename it over `path`."""
    import paddle

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        paddle.save(state, tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
