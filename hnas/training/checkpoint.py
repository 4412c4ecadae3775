"""Training checkpoints: `<tag>.pdparams` (the supernet) and `<tag>.pdopt` (everything
else a resumed run needs), each written atomically.

- `.pdparams` is the bare supernet's state dict: no DataParallel `_layers.` prefix, so the
  file loads anywhere (and files that do carry the prefix load too).
- `.pdopt` holds the optimizer's accumulators keyed by structured parameter names
  (Paddle's own keys embed auto-generated tensor names that differ between processes),
  the LR schedule's state, the number of finished epochs and the python/numpy/paddle RNG
  states.
"""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import paddle

from hnas.atomic import atomic_write_bytes
from hnas.models.state_io import RANK_PREFIX, load_matching_state, state_bytes, strip_rank_prefix

FORMAT_VERSION = 1
SCHEDULER_KEY = "LR_Scheduler"


class CheckpointError(ValueError):
    """A checkpoint that is missing, unreadable, or does not fit the run; names the file."""


def canonical_tensors(state: dict) -> dict:
    """CPU copies of `state`'s tensors named after their keys.

    `paddle.save` stores each tensor's name, which Paddle generates from a per-process
    counter; naming the copies by key makes equal weights give byte-identical files."""
    return {key: paddle.Tensor(value=value.numpy(), place=paddle.CPUPlace(), name=key)
            if isinstance(value, paddle.Tensor) else value for key, value in state.items()}


def capture_rng_states() -> dict:
    return {"python": random.getstate(), "numpy": np.random.get_state(), "paddle": paddle.get_rng_state()}


def restore_rng_states(states: dict) -> None:
    random.setstate(_as_python_state(states["python"]))
    np.random.set_state(tuple(states["numpy"]))
    paddle.set_rng_state(states["paddle"])


def _as_python_state(state):
    """random.setstate wants tuples; a round trip through paddle.save may hand back lists."""
    version, internal, gauss = state
    return (version, tuple(internal), gauss)


def portable_optimizer_state(optimizer_state: dict, network) -> dict:
    """Optimizer accumulators as `{"<parameter path>@<kind>": tensor}`.

    Parameters that have no accumulator yet (never trained so far) get zeros, so a
    resumed optimizer has an entry for every parameter it may meet later, just as the
    uninterrupted run would create zeros on first use.
    """
    by_name = {param.name: path for path, param in network.named_parameters()}
    out, kinds = {}, set()
    for key, value in optimizer_state.items():
        if key == SCHEDULER_KEY:
            continue
        owner = _owner_of(key, by_name)
        if owner is None:
            raise CheckpointError(f"optimizer state {key!r} belongs to no parameter of the network")
        kind = key[len(owner) + 1:]
        kinds.add(kind)
        out[f"{by_name[owner]}@{kind}"] = value
    for path, param in network.named_parameters():
        if param.stop_gradient:
            continue
        for kind in kinds:
            out.setdefault(f"{path}@{kind}", paddle.zeros_like(param))
    return out


def _owner_of(key: str, by_name: dict):
    """The parameter name an accumulator key starts with (`<param.name>_<kind>`)."""
    owners = [name for name in by_name if key.startswith(name + "_")]
    return max(owners, key=len) if owners else None


def restore_optimizer_state(optimizer, network, portable: dict, scheduler_state: dict, source: str) -> None:
    params = dict(network.named_parameters())
    state = {}
    for key, value in portable.items():
        path, _, kind = key.rpartition("@")
        if path not in params:
            raise CheckpointError(f"{source}: optimizer state for unknown parameter {path!r}")
        state[f"{params[path].name}_{kind}"] = value
    if scheduler_state is not None:
        state[SCHEDULER_KEY] = scheduler_state
    optimizer.set_state_dict(state)


def checkpoint_files(path) -> tuple[Path, Path]:
    """(.pdparams, .pdopt) for a run directory (its `final` pair) or a checkpoint path
    given with or without its suffix."""
    path = Path(path)
    if path.is_dir():
        path = path / "final"
    if path.suffix in (".pdparams", ".pdopt"):
        path = path.with_suffix("")
    return path.with_name(path.name + ".pdparams"), path.with_name(path.name + ".pdopt")


def save_checkpoint(save_dir, tag: str, network, optimizer, epochs_done: int, world_size: int = 1) -> Path:
    """Write `<save_dir>/<tag>.pdparams` and `.pdopt`; both are serialised before either
    replaces an old file, so an interrupted save leaves the previous pair readable."""
    params_path, opt_path = checkpoint_files(Path(save_dir) / tag)
    params = state_bytes(canonical_tensors(strip_rank_prefix(network.state_dict())))
    optimizer_state = optimizer.state_dict()
    extra = state_bytes({
        "format": FORMAT_VERSION,
        "epoch": epochs_done,
        "world_size": world_size,
        "optimizer": canonical_tensors(portable_optimizer_state(optimizer_state, network)),
        "lr_scheduler": optimizer_state.get(SCHEDULER_KEY),
        "rng": capture_rng_states(),
    })
    atomic_write_bytes(opt_path, extra)
    atomic_write_bytes(params_path, params)
    return params_path


def _load(path: Path, what: str):
    if not path.is_file():
        raise CheckpointError(f"{path}: {what} not found")
    try:
        return paddle.load(str(path))
    except Exception as err:  # paddle raises assorted types for corrupt files
        raise CheckpointError(f"{path}: cannot load {what}: {type(err).__name__}: {err}") from err


def load_checkpoint(path, network, optimizer=None, restore_rng: bool = True) -> int:
    """Load a checkpoint pair into `network` (and `optimizer` with its LR schedule);
    return the number of epochs it had finished."""
    params_path, opt_path = checkpoint_files(path)
    state = _load(params_path, "checkpoint parameters")
    if not isinstance(state, dict):
        raise CheckpointError(f"{params_path}: expected a state dict, got {type(state).__name__}")
    load_matching_state(network, strip_rank_prefix(state), str(params_path))
    if optimizer is None:
        return 0
    extra = _load(opt_path, "optimizer checkpoint")
    if not isinstance(extra, dict) or extra.get("format") != FORMAT_VERSION:
        raise CheckpointError(f"{opt_path}: not a training-state file of format {FORMAT_VERSION}")
    restore_optimizer_state(optimizer, network, extra["optimizer"], extra["lr_scheduler"], str(opt_path))
    if restore_rng:
        restore_rng_states(extra["rng"])
    return int(extra["epoch"])


__all__ = ["CheckpointError", "RANK_PREFIX", "checkpoint_files", "save_checkpoint", "load_checkpoint",
           "portable_optimizer_state", "restore_optimizer_state", "capture_rng_states", "restore_rng_states"]
