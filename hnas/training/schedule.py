"""Learning rate and optimizer (DESIGN §4): lr = base lr × batch × world / 256, linear
warm-up over a number of steps measured on the real dataset, then cosine to zero; SGD
with momentum and L2 weight decay."""
from __future__ import annotations

import math

import paddle
from paddle.optimizer.lr import LRScheduler


def scaled_lr(base_lr: float, batch_size: int, world_size: int) -> float:
    """The linear scaling rule: `base_lr` is the rate for a total batch of 256."""
    return base_lr * batch_size * world_size / 256.0


class WarmupCosine(LRScheduler):
    """Per-step schedule: lr·(s+1)/W for the first W steps, then half a cosine from lr to 0
    at step `total_steps`.

    The rate is a closed form of the step counter, so the state (`last_epoch`, which
    counts steps here) is all a resumed run needs to continue the same curve.
    """

    def __init__(self, learning_rate: float, warmup_steps: int, total_steps: int, last_epoch: int = -1):
        if total_steps < 1:
            raise ValueError(f"the schedule needs at least one step, got total_steps={total_steps}")
        if not 0 <= warmup_steps <= total_steps:
            raise ValueError(f"warm-up of {warmup_steps} steps does not fit in {total_steps} steps "
                             f"(check train.warmup_epochs against train.epochs)")
        self.warmup_steps, self.total_steps = int(warmup_steps), int(total_steps)
        super().__init__(learning_rate, last_epoch)

    def get_lr(self) -> float:
        step = max(self.last_epoch, 0)
        if step < self.warmup_steps:
            return self.base_lr * (step + 1) / self.warmup_steps
        progress = min(1.0, (step - self.warmup_steps) / max(1, self.total_steps - self.warmup_steps))
        return self.base_lr * 0.5 * (1.0 + math.cos(math.pi * progress))


def build_schedule(train_cfg: dict, steps_per_epoch: int, world_size: int) -> WarmupCosine:
    """The schedule for `train.epochs` epochs of `steps_per_epoch` steps each."""
    epochs, warmup = train_cfg["epochs"], train_cfg["warmup_epochs"]
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"train.epochs must be a positive integer, got {epochs!r}")
    if not isinstance(warmup, (int, float)) or isinstance(warmup, bool) or not 0 <= warmup <= epochs:
        raise ValueError(f"train.warmup_epochs must lie in 0..train.epochs ({epochs}), got {warmup!r}")
    lr = scaled_lr(float(train_cfg["lr"]), train_cfg["batch_size"], world_size)
    return WarmupCosine(lr, warmup_steps=int(round(warmup * steps_per_epoch)),
                        total_steps=epochs * steps_per_epoch)


def build_optimizer(parameters, schedule: LRScheduler, train_cfg: dict) -> paddle.optimizer.Momentum:
    """Momentum SGD over the trainable parameters (BN running statistics are excluded)."""
    trainable = [p for p in parameters if not p.stop_gradient]
    decay = float(train_cfg["weight_decay"])
    return paddle.optimizer.Momentum(
        learning_rate=schedule, momentum=float(train_cfg["momentum"]), parameters=trainable,
        weight_decay=paddle.regularizer.L2Decay(decay) if decay > 0 else None)
