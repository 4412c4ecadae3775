"""Reading state dicts from disk in the form every loader here expects.

Checkpoints saved by multi-rank runs carry DataParallel's `_layers.` prefix on every key;
single-rank code never does, so the prefix is removed on load and either kind of file
works anywhere (DESIGN §4).
"""
from __future__ import annotations

import io
import os

import paddle

RANK_PREFIX = "_layers."


def strip_rank_prefix(state: dict) -> dict:
    """Remove a leading `_layers.` from every key that has it, keeping the order."""
    return {(k[len(RANK_PREFIX):] if k.startswith(RANK_PREFIX) else k): v for k, v in state.items()}


def load_state_file(path: str | os.PathLike) -> dict:
    """A `.pdparams` file as saved, keys untouched, as `{name: tensor}`.

    Raises ValueError naming the file when it is missing, unreadable or not a state dict.
    """
    path = str(path)
    if not os.path.isfile(path):
        raise ValueError(f"{path}: checkpoint file not found")
    try:
        state = paddle.load(path)
    except Exception as err:  # paddle raises assorted types for corrupt files
        raise ValueError(f"{path}: cannot load checkpoint: {type(err).__name__}: {err}") from err
    if not isinstance(state, dict) or not state:
        raise ValueError(f"{path}: expected a non-empty state dict of tensors, got {type(state).__name__}")
    for key, value in state.items():
        if not isinstance(key, str) or not hasattr(value, "shape"):
            raise ValueError(f"{path}: entry {key!r} is not a named tensor ({type(value).__name__}); "
                             f"is this an optimizer (.pdopt) file?")
    return state


def read_state_dict(path: str | os.PathLike) -> dict:
    """`load_state_file` without the rank prefix: the form every loader here expects."""
    return strip_rank_prefix(load_state_file(path))


def state_bytes(obj) -> bytes:
    """What `paddle.save` writes for `obj`, for an atomic write of the whole file."""
    buffer = io.BytesIO()
    paddle.save(obj, buffer)
    return buffer.getvalue()


def load_matching_state(layer, state: dict, source: str = "checkpoint") -> None:
    """Copy `state` into `layer`, which must have exactly the same names and shapes.

    The error names the first offending key and, for a shape mismatch, both shapes.
    """
    target = layer.state_dict()
    unknown = [k for k in state if k not in target]
    if unknown:
        raise ValueError(f"{source}: unknown key {unknown[0]!r} (not in the model"
                         + (f"; {len(unknown) - 1} more unknown" if len(unknown) > 1 else "") + ")")
    missing = [k for k in target if k not in state]
    if missing:
        raise ValueError(f"{source}: missing key {missing[0]!r}"
                         + (f" ({len(missing) - 1} more missing)" if len(missing) > 1 else ""))
    for key, tensor in target.items():
        shape, expected = list(state[key].shape), list(tensor.shape)
        if shape != expected:
            raise ValueError(f"{source}: key {key!r} has shape {shape} in the checkpoint but "
                             f"{expected} in the model")
    with paddle.no_grad():
        for key, tensor in target.items():
            value = state[key]
            if not isinstance(value, paddle.Tensor):
                value = paddle.to_tensor(value)
            tensor.set_value(value.astype(tensor.dtype))
