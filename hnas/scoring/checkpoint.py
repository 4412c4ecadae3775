"""Finding a trained supernet and the settings it was trained with.

`--checkpoint` may name a `.pdparams` file, a run directory (its `final.pdparams`), or a
prefix without the suffix (the original toolkit's `--resume checkpoints/run/final`).  The
run's `config.yaml`, next to the weights, supplies the model and data settings; then
`--config`, then command-line flags and `key=value` overrides win.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from hnas.config import FREE_FORM, build_config, load_yaml, set_dotted
from hnas.models import build_supernet
from hnas.models.state_io import load_matching_state, read_state_dict
from hnas.search_space import SearchSpace

FINAL_NAME = "final.pdparams"
RUN_CONFIG_NAME = "config.yaml"


class CheckpointError(ValueError):
    """No usable checkpoint; the message names the path."""


def resolve_checkpoint(path) -> Path:
    """The `.pdparams` file meant by a file, run directory or suffix-less prefix."""
    path = Path(path)
    if path.is_dir():
        final = path / FINAL_NAME
        if not final.is_file():
            epochs = sorted(p.name for p in path.glob("*.pdparams"))
            hint = f" (it has {', '.join(epochs)}; pass one with --checkpoint)" if epochs else ""
            raise CheckpointError(f"run directory {path} has no {FINAL_NAME}{hint}")
        return final
    if path.is_file():
        return path
    with_suffix = path.with_name(path.name + ".pdparams")
    if with_suffix.is_file():
        return with_suffix
    raise CheckpointError(f"checkpoint not found: {path}")


def run_config_of(weights: Path) -> Path | None:
    candidate = weights.parent / RUN_CONFIG_NAME
    return candidate if candidate.is_file() else None


def _dotted_items(mapping: dict, prefix: str = ""):
    for key, value in mapping.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and value and dotted not in FREE_FORM:
            yield from _dotted_items(value, dotted + ".")
        else:
            yield dotted, value


def layered_config(run_config: Path | None, config_file=None, settings: dict | None = None,
                   overrides: list[str] | None = None) -> dict:
    """DEFAULTS <- the run's config.yaml <- `config_file` <- `settings` {dotted: value} <-
    `key=value` overrides (every key checked against DEFAULTS)."""
    cfg = build_config(run_config)
    if config_file is not None:
        for dotted, value in _dotted_items(load_yaml(config_file)):
            set_dotted(cfg, dotted, value)
    for dotted, value in (settings or {}).items():
        if value is not None:
            set_dotted(cfg, dotted, value)
    return build_config_overrides(cfg, overrides or [])


def build_config_overrides(cfg: dict, overrides: list[str]) -> dict:
    for item in overrides:
        if "=" not in item:
            raise ValueError(f"override {item!r} must look like key=value")
        key, value = item.split("=", 1)
        set_dotted(cfg, key.strip(), value)
    return cfg


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_trained_supernet(cfg: dict, weights: Path):
    """Build the supernet `cfg['model']` describes and load `weights` into it (keys with or
    without the multi-rank `_layers.` prefix; unknown or mis-shaped keys are errors)."""
    model = cfg["model"]
    net = build_supernet(model["backbone"], num_classes=int(model["num_classes"]),
                         width_mult=float(model["width_mult"]), small_input=bool(model["small_input"]),
                         search_space=SearchSpace.from_config(cfg["search_space"]))
    load_matching_state(net, read_state_dict(weights), source=str(weights))
    net.eval()
    return net
