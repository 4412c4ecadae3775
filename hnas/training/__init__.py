"""Supernet training (DESIGN §4): a hapi model whose step executes a sampling plan, with
the schedule, data, checkpoints, callbacks and multi-rank pieces around it."""
from hnas.training.checkpoint import CheckpointError, checkpoint_files, load_checkpoint, save_checkpoint
from hnas.training.loss_composer import LossComposer
from hnas.training.model import RankLossSettings, SupernetModel
from hnas.training.step import NonFiniteLossError, StepRunner
from hnas.training.trainer import build_model, train

__all__ = ["CheckpointError", "checkpoint_files", "load_checkpoint", "save_checkpoint", "LossComposer",
           "RankLossSettings", "SupernetModel", "NonFiniteLossError", "StepRunner", "build_model", "train"]
