"""Run configuration: YAML files in configs/, command-line overrides, defaults.

A config is a nested dict.  Precedence: DEFAULTS < `--config FILE` (which may name a
`base:` file to inherit from) < the original toolkit's flags (`--lr 0.1`) < dotted
`key=value` pairs.  Every key is checked against DEFAULTS so a typo is an error that names
the key instead of a silently ignored setting.
"""
from __future__ import annotations

import copy
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = REPO_ROOT / "configs"

DEFAULTS = {
    "seed": 0,
    "model": {
        "backbone": "resnet48",
        "num_classes": 1000,
        "width_mult": 1.0,
        "small_input": False,
        "pretrained": None,  # static ResNet-48 .pdparams, loaded with channel reordering
    },
    "search_space": "test",  # 'full', 'test' or a mapping (see SearchSpace.from_config)
    "data": {
        "image_dir": None,  # class folders train/<class>/*, val/<class>/*; None: embedded demo data
        "image_size": 224,
        "resolutions": None,  # optional list: one resolution drawn per batch, same on every rank
        "num_workers": 4,
        "crop_scale": [0.08, 1.0],  # random-resized-crop area range of the training transform
    },
    "sampling": {
        "rule": "sandwich",  # spos | sandwich | fairnas | progressive_shrinking | biased
        "num_subnets": 4,
        "candidates": 8,  # biased: draw this many, keep the num_subnets largest (by FLOPs)
        "phases": [],  # progressive_shrinking: list of {epochs, depths, stem_codes, stage_codes}
    },
    "loss": {
        "distill": "inplace",  # none | inplace | alphanet  (for the non-largest subnets)
        "teacher": None,  # external teacher: a static ResNet-48 .pdparams or a supernet checkpoint
        "teacher_arch": None,  # code of the teacher subnet when `teacher` is a supernet checkpoint
        "kd_weight": 1.0,
        "alpha_min": -1.0,
        "alpha_max": 1.0,
        "iw_clip": 3.0,
        "rank": {
            "prior": None,  # flops | params | zenscore; None disables the pairwise rank loss
            "pairs": 2,
            "schedule": "warmup",  # constant | warmup | cosine | multistage
            "lambda_max": 2.0,
            "min_distance": 0,
            "prior_options": {},  # extra options for make_prior (e.g. zenscore: cache, batch_size, repeats)
        },
    },
    "train": {
        "epochs": 70,
        "batch_size": 256,
        "lr": 0.001,  # scaled by batch * world / 256
        "momentum": 0.9,
        "weight_decay": 0.0,
        "warmup_epochs": 5,
        "save_dir": "checkpoints/supernet",
        "save_freq": 5,
        "log_freq": 20,
        "visualdl_dir": None,
        "resume": None,
        "plan_log": None,  # file (may contain {rank}) that gets one line of subnet codes per step
        "steps_per_epoch": None,  # cap on steps per epoch (a fresh shuffle each epoch); None: whole dataset
    },
    "eval": {
        "json_path": "checkpoints/CVPR_2022_NAS_Track1_test.json",
        "out": "checkpoints/submit_results.json",
        "checkpoint": None,
        "batch_size": 256,
        "bn_calib": 8,  # training batches for BN recalibration per subnet; 0 disables it
        "bn_calib_batch_size": None,  # default: eval.batch_size
        "metric": "acc",  # acc (top-1 x 100) | loss (-mean CE)
        "val_limit": None,
        "cache_gb": 4.0,
    },
}

# The original toolkit's flags, mapped onto config keys.
LEGACY_FLAGS = {
    "backbone": "model.backbone",
    "image_size": "data.image_size",
    "max_epoch": "train.epochs",
    "lr": "train.lr",
    "weight_decay": "train.weight_decay",
    "momentum": "train.momentum",
    "batch_size": "train.batch_size",
    "dyna_batch_size": "sampling.num_subnets",
    "warmup": "train.warmup_epochs",
    "pretrained": "model.pretrained",
    "resume": "train.resume",
    "image_dir": "data.image_dir",
    "save_dir": "train.save_dir",
    "save_freq": "train.save_freq",
    "log_freq": "train.log_freq",
    "visualdl_dir": "train.visualdl_dir",
    "seed": "seed",
    "json_path": "eval.json_path",
}

# Keys whose value may be a mapping or list rather than a leaf of DEFAULTS' shape.
FREE_FORM = {"search_space", "sampling.phases", "data.resolutions", "loss.rank.prior_options"}


class ConfigError(ValueError):
    """A config file or override names an unknown key or carries a bad value."""


def _merge(base: dict, update: dict, prefix: str = "") -> dict:
    out = copy.deepcopy(base)
    for key, value in update.items():
        dotted = f"{prefix}{key}"
        if key not in out:
            raise ConfigError(f"unknown config key {dotted!r}")
        if isinstance(out[key], dict) and dotted not in FREE_FORM:
            if not isinstance(value, dict):
                raise ConfigError(f"config key {dotted!r} must be a mapping, got {value!r}")
            out[key] = _merge(out[key], value, dotted + ".")
        else:
            out[key] = copy.deepcopy(value)
    return out


def resolve_config_path(path: str | Path) -> Path:
    """A path as given, or a name in configs/ ('demo' -> configs/demo.yaml)."""
    candidate = Path(path)
    if candidate.is_file():
        return candidate
    for guess in (CONFIG_DIR / candidate, CONFIG_DIR / f"{candidate}.yaml"):
        if guess.is_file():
            return guess
    raise ConfigError(f"config file not found: {path}")


def load_yaml(path: str | Path) -> dict:
    """Read a config file, following `base:` inheritance (relative to the file)."""
    path = resolve_config_path(path)
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: malformed YAML: {err}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: top level must be a mapping")
    base = data.pop("base", None)
    if base is None:
        return data
    base_path = (path.parent / base) if not Path(base).is_absolute() else Path(base)
    return _deep_update(load_yaml(base_path), data)


def _deep_update(base: dict, update: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key != "search_space":
            out[key] = _deep_update(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def set_dotted(cfg: dict, dotted: str, raw_value) -> None:
    """Set `a.b.c` in place; string values are parsed as YAML scalars/lists."""
    value = yaml.safe_load(raw_value) if isinstance(raw_value, str) else raw_value
    keys = dotted.split(".")
    node = cfg
    for i, key in enumerate(keys[:-1]):
        prefix = ".".join(keys[: i + 1])
        if prefix in FREE_FORM:
            break
        if key not in node or not isinstance(node[key], dict):
            raise ConfigError(f"unknown config key {dotted!r}")
        node = node[key]
    else:
        if keys[-1] not in node:
            raise ConfigError(f"unknown config key {dotted!r}")
        node[keys[-1]] = value
        return
    raise ConfigError(f"config key {dotted!r} reaches inside {prefix!r}; set the whole value instead")


def build_config(config_file: str | Path | None = None, overrides: list[str] | None = None,
                 flags: dict | None = None) -> dict:
    """DEFAULTS <- config file <- legacy flags <- dotted overrides."""
    cfg = copy.deepcopy(DEFAULTS)
    if config_file is not None:
        cfg = _merge(cfg, load_yaml(config_file))
    for flag, value in (flags or {}).items():
        if value is not None:
            set_dotted(cfg, LEGACY_FLAGS[flag], value)
    for item in overrides or []:
        if "=" not in item:
            raise ConfigError(f"override {item!r} must look like key=value")
        key, value = item.split("=", 1)
        set_dotted(cfg, key.strip(), value)
    return cfg


def add_config_arguments(parser) -> None:
    """`--config`, every legacy flag, and free `key=value` overrides on an argparse parser."""
    parser.add_argument("--config", default=None, help="YAML file or a name in configs/ (e.g. demo)")
    for flag, dotted in LEGACY_FLAGS.items():
        parser.add_argument(f"--{flag}", default=None, help=f"sets {dotted}")
    parser.add_argument("overrides", nargs="*", help="dotted overrides, e.g. train.epochs=3 loss.rank.prior=flops")


def config_from_args(args) -> dict:
    flags = {flag: getattr(args, flag) for flag in LEGACY_FLAGS}
    return build_config(args.config, args.overrides, flags)


def dump_config(cfg: dict) -> str:
    return yaml.safe_dump(cfg, sort_keys=False)
