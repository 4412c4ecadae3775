"""hapi callbacks around the supernet step: the epoch clock, checkpoints, progress,
VisualDL scalars and an optional per-rank log of the subnets each step trained."""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np
from paddle.callbacks import Callback, ModelCheckpoint

from hnas.training.checkpoint import save_checkpoint
from hnas.training.distributed import World, average_bn_statistics, barrier


def current_lr(model) -> float:
    return float(model._optimizer.get_lr())


class EpochClock(Callback):
    """Turns hapi's epoch counter (0 at every `fit`) into the run's epoch.

    A resumed run starts at `start_epoch`; the model, the batch sampler and the
    augmentation RNG all follow the run's epoch, so plans, batches and crops are the same
    as in an uninterrupted run.  Augmentation draws from numpy's global RNG (and worker
    seeds derive from it), reseeded here from (seed, epoch, rank).
    """

    def __init__(self, start_epoch: int, sampler, seed: int, rank: int):
        super().__init__()
        self.start_epoch, self.sampler, self.seed, self.rank = start_epoch, sampler, seed, rank

    def run_epoch(self, epoch: int) -> int:
        return self.start_epoch + epoch

    def on_epoch_begin(self, epoch, logs=None):
        run_epoch = self.run_epoch(epoch)
        self.model.begin_epoch(run_epoch)
        if self.sampler is not None:
            self.sampler.set_epoch(run_epoch)
        digest = hashlib.sha256(f"{self.seed}/{run_epoch}/{self.rank}/augment".encode()).digest()
        np.random.seed(int.from_bytes(digest[:4], "big"))


class SupernetCheckpoint(ModelCheckpoint):
    """`final.*` after every epoch and `<n>.*` after every `save_freq`-th epoch (n counts
    finished epochs).  BN running statistics are averaged over ranks first; rank 0 writes.

    Subclassing ModelCheckpoint keeps hapi from adding its own, which would save the
    DataParallel-prefixed state without the training state this trainer needs.
    """

    def __init__(self, save_dir, save_freq: int, clock: EpochClock, world: World):
        super().__init__(save_freq, str(save_dir))
        if isinstance(save_freq, bool) or not isinstance(save_freq, int) or save_freq < 1:
            raise ValueError(f"train.save_freq must be a positive integer, got {save_freq!r}")
        self.clock, self.world = clock, world
        self.saved = []

    def on_epoch_end(self, epoch, logs=None):
        done = self.clock.run_epoch(epoch) + 1
        network = self.model.network
        average_bn_statistics(network, self.world)
        if self.world.is_main:
            tags = ["final"] + ([str(done)] if done % self.save_freq == 0 else [])
            for tag in tags:
                self.saved.append(save_checkpoint(self.save_dir, tag, network, self.model._optimizer, done,
                                                  self.world.size))
        barrier(self.world)

    def on_train_end(self, logs=None):
        """Every epoch already wrote `final`; nothing is left to save."""


class TqdmProgress(Callback):
    """A tqdm bar per epoch with loss, acc and lr (rank 0 only)."""

    def __init__(self, clock: EpochClock, total_epochs: int, world: World, log_freq: int = 1, stream=None):
        super().__init__()
        self.clock, self.total_epochs, self.world = clock, total_epochs, world
        self.log_freq, self.stream = max(1, int(log_freq)), stream or sys.stderr
        self.bar = None

    def on_epoch_begin(self, epoch, logs=None):
        if not self.world.is_main:
            return
        from tqdm import tqdm

        self.bar = tqdm(total=self.params.get("steps"), file=self.stream, dynamic_ncols=True, mininterval=1.0,
                        desc=f"epoch {self.clock.run_epoch(epoch) + 1}/{self.total_epochs}")

    def on_train_batch_end(self, step, logs=None):
        if self.bar is None:
            return
        self.bar.update(1)
        if step % self.log_freq == 0 or step + 1 == self.params.get("steps"):
            logs = logs or {}
            postfix = {"loss": f"{_scalar(logs.get('loss')):.4f}", "lr": f"{current_lr(self.model):.3g}"}
            if "acc" in logs:
                postfix["acc"] = f"{_scalar(logs['acc']):.3f}"
            self.bar.set_postfix(postfix, refresh=False)

    def on_epoch_end(self, epoch, logs=None):
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class VisualDLScalars(Callback):
    """train/loss, train/acc, train/lr and each role's mean loss, against the run's global
    step (continuous across `--resume`), written by rank 0."""

    def __init__(self, log_dir, clock: EpochClock, world: World):
        super().__init__()
        self.log_dir, self.clock, self.world = str(log_dir), clock, world
        self.writer, self.epoch = None, 0

    def on_train_begin(self, logs=None):
        if self.world.is_main:
            from visualdl import LogWriter

            self.writer = LogWriter(logdir=self.log_dir)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = self.clock.run_epoch(epoch)

    def on_train_batch_end(self, step, logs=None):
        if self.writer is None:
            return
        global_step = self.epoch * (self.params.get("steps") or 0) + step
        logs = logs or {}
        for key in ("loss", "acc"):
            if key in logs:
                self.writer.add_scalar(f"train/{key}", _scalar(logs[key]), global_step)
        self.writer.add_scalar("train/lr", current_lr(self.model), global_step)
        result = self.model.last_result
        if result is not None:
            by_role = {}
            for _, role, value in result.losses:
                by_role.setdefault(role, []).append(value)
            for role, values in by_role.items():
                self.writer.add_scalar(f"train/loss_{role}", float(np.mean(values)), global_step)

    def on_train_end(self, logs=None):
        if self.writer is not None:
            self.writer.close()
            self.writer = None


class PlanLog(Callback):
    """Appends `epoch step code,code,...` per step to a per-rank text file (the path may
    contain `{rank}`), and `params <sha256>` of the network after each epoch: evidence
    that every rank trained the same subnets and holds the same weights."""

    def __init__(self, path_pattern: str, world: World):
        super().__init__()
        self.path = Path(str(path_pattern).format(rank=world.rank))
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def on_train_batch_end(self, step, logs=None):
        result = self.model.last_result
        codes = ",".join(code for code, _, _ in result.losses)
        self._append(f"{self.model.epoch} {step} {codes}")

    def on_epoch_end(self, epoch, logs=None):
        digest = hashlib.sha256()
        for name, tensor in self.model.network.state_dict().items():
            digest.update(name.encode())
            digest.update(tensor.numpy().tobytes())
        self._append(f"params {digest.hexdigest()}")

    def _append(self, line: str) -> None:
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


def _scalar(value) -> float:
    if isinstance(value, (list, tuple)):
        value = value[0]
    return float(np.asarray(value).reshape(-1)[0]) if value is not None else float("nan")
