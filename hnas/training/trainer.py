"""Supernet training from a resolved config: build every piece, then hand over to
`SupernetModel.fit`.  Used by the `hnas/train.py` CLI and by tests."""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import paddle

from hnas.atomic import atomic_write_text
from hnas.config import dump_config
from hnas.models import activation_of, build_supernet
from hnas.priors import make_prior
from hnas.sampling import build_rule
from hnas.search_space import SearchSpace
from hnas.training.callbacks import EpochClock, PlanLog, SupernetCheckpoint, TqdmProgress, VisualDLScalars
from hnas.training.checkpoint import load_checkpoint
from hnas.training.data import build_train_loader
from hnas.training.distributed import current_world
from hnas.training.loss_composer import LossComposer
from hnas.training.model import RankLossSettings, SupernetModel
from hnas.training.schedule import build_optimizer, build_schedule
from hnas.training.teacher import build_external_teacher


def seed_everything(seed: int, rank: int) -> None:
    """Same weights on every rank (paddle, python); per-rank augmentation (numpy)."""
    random.seed(seed)
    np.random.seed((seed * 1000 + rank) % 2**32)
    paddle.seed(seed)


def build_supernet_from_config(cfg: dict):
    model_cfg = cfg["model"]
    return build_supernet(model_cfg["backbone"], num_classes=model_cfg["num_classes"],
                          width_mult=model_cfg["width_mult"], small_input=model_cfg["small_input"],
                          search_space=SearchSpace.from_config(cfg["search_space"]))


def build_rank_loss(cfg: dict) -> RankLossSettings | None:
    rank_cfg = cfg["loss"]["rank"]
    if rank_cfg["prior"] is None:
        return None
    model_cfg = cfg["model"]
    options = {"input_size": cfg["data"]["image_size"], "num_classes": model_cfg["num_classes"],
               "width_mult": model_cfg["width_mult"], "small_input": model_cfg["small_input"],
               "activation": activation_of(model_cfg["backbone"])}
    extra = rank_cfg["prior_options"] or {}
    if not isinstance(extra, dict):
        raise ValueError(f"loss.rank.prior_options must be a mapping, got {extra!r}")
    return RankLossSettings(rank_cfg, make_prior(rank_cfg["prior"], **{**options, **extra}))


def write_run_config(cfg: dict, save_dir: Path) -> Path:
    """`<save_dir>/config.yaml`: how to rebuild this supernet (read by the scoring tool)."""
    return atomic_write_text(save_dir / "config.yaml", dump_config(cfg))


def build_model(cfg: dict):
    """(SupernetModel prepared with its optimizer, train loader, batch sampler)."""
    world = current_world()
    seed_everything(int(cfg["seed"]), world.rank)
    supernet = build_supernet_from_config(cfg)
    if cfg["model"]["pretrained"] is not None:
        from hnas.models.pretrained import load_pretrained

        load_pretrained(supernet, cfg["model"]["pretrained"], reorder=True)
    total_epochs = cfg["train"]["epochs"]
    rule = build_rule(cfg["sampling"], supernet.search_space, total_epochs)
    teacher = build_external_teacher(cfg)
    composer = LossComposer(cfg["loss"], has_external_teacher=teacher is not None)
    loader, sampler = build_train_loader(cfg, world.rank, world.size)
    schedule = build_schedule(cfg["train"], len(loader), world.size)
    optimizer = build_optimizer(supernet.parameters(), schedule, cfg["train"])
    model = SupernetModel(supernet, rule, composer, seed=int(cfg["seed"]), total_epochs=total_epochs,
                          rank_loss=build_rank_loss(cfg), external_teacher=teacher)
    model.prepare(optimizer, composer, paddle.metric.Accuracy())
    return model, loader, sampler


def train(cfg: dict, extra_callbacks=()) -> Path:
    """Train (or resume) the supernet described by `cfg`; returns the save directory."""
    world = current_world()
    train_cfg = cfg["train"]
    save_dir = Path(train_cfg["save_dir"])
    model, loader, sampler = build_model(cfg)
    start_epoch = 0
    if train_cfg["resume"] is not None:
        start_epoch = load_checkpoint(train_cfg["resume"], model.network, model._optimizer)
    if world.is_main:
        save_dir.mkdir(parents=True, exist_ok=True)
        write_run_config(cfg, save_dir)
    remaining = train_cfg["epochs"] - start_epoch
    if remaining <= 0:
        if world.is_main:
            print(f"{train_cfg['resume']} already finished {start_epoch} of {train_cfg['epochs']} epochs")
        return save_dir
    clock = EpochClock(start_epoch, sampler, int(cfg["seed"]), world.rank)
    callbacks = [clock, TqdmProgress(clock, train_cfg["epochs"], world, train_cfg["log_freq"]),
                 SupernetCheckpoint(save_dir, train_cfg["save_freq"], clock, world)]
    if train_cfg["visualdl_dir"]:
        callbacks.append(VisualDLScalars(train_cfg["visualdl_dir"], clock, world))
    if train_cfg["plan_log"]:
        callbacks.append(PlanLog(train_cfg["plan_log"], world))
    callbacks.extend(extra_callbacks)
    model.fit(loader, epochs=remaining, callbacks=callbacks, verbose=0, save_dir=None,
              log_freq=max(1, int(train_cfg["log_freq"])))
    return save_dir
