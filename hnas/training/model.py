"""`SupernetModel`: a `paddle.Model` whose training step executes a sampling plan.

hapi's `fit` calls `train_batch` by name, so overriding it is all it takes for `prepare`,
`fit`, `evaluate`, callbacks and VisualDL to work on a weight-sharing supernet.  One call
draws the step's subnets (and rank-loss pairs) from `step_rng(seed, epoch, step)` —
identical on every rank — runs them with `StepRunner`, then takes one optimizer step.
"""
from __future__ import annotations

import numpy as np
import paddle
from paddle.static import InputSpec

from hnas.losses import lambda_schedule, pick_rank_pairs
from hnas.sampling.plan import step_rng
from hnas.training.distributed import current_world, wrap_data_parallel
from hnas.training.step import StepRunner


class RankLossSettings:
    """The pairwise rank loss of `loss.rank`: a prior, pairs per step, a λ schedule."""

    def __init__(self, rank_cfg: dict, prior):
        self.prior, self.pairs = prior, int(rank_cfg["pairs"])
        self.schedule, self.lambda_max = rank_cfg["schedule"], float(rank_cfg["lambda_max"])
        self.min_distance = int(rank_cfg["min_distance"])
        if self.pairs < 0:
            raise ValueError(f"loss.rank.pairs must be non-negative, got {rank_cfg['pairs']!r}")

    def lam(self, epoch: int, total_epochs: int) -> float:
        return lambda_schedule(self.schedule, self.lambda_max, epoch, total_epochs)


class SupernetModel(paddle.Model):
    """hapi model over a supernet.

    `rule` plans each step (`rule.plan(rng, epoch)`), `composer` picks each subnet's loss,
    `rank_loss` (optional `RankLossSettings`) adds prior-ranked pairs.  The current epoch
    and step come from `begin_epoch` (see `hnas.training.callbacks.EpochClock`); `step`
    advances with every `train_batch`.

    In a multi-rank run hapi wraps the network in `DataParallel(find_unused_parameters=False)`,
    which cannot train subnets that skip blocks.  This model runs its own wrapper with
    `find_unused_parameters=True` instead.  hapi's wrapper is kept referenced but never run:
    its reducer's gradient hooks return at once unless its own forward prepared a backward.
    """

    def __init__(self, supernet, rule, composer, *, seed: int = 0, total_epochs: int = 1,
                 rank_loss: RankLossSettings | None = None, external_teacher=None):
        super().__init__(supernet, inputs=[InputSpec([None, 3, None, None], "float32", "image")],
                         labels=[InputSpec([None, 1], "int64", "label")])
        self.world = current_world()
        self.data_parallel = wrap_data_parallel(supernet, self.world)
        if self.data_parallel is not None:
            self._unused_hapi_wrapper = self._adapter.ddp_model
            self._adapter.ddp_model = self.data_parallel
        self.rule, self.composer, self.rank_loss = rule, composer, rank_loss
        self.seed, self.total_epochs = seed, total_epochs
        self.runner = StepRunner(supernet, composer, self.world, self.data_parallel, external_teacher)
        self.epoch, self.step, self.last_result = 0, 0, None

    def begin_epoch(self, epoch: int) -> None:
        self.epoch, self.step = epoch, 0

    def plan_step(self, epoch: int, step: int):
        """(plan, rank pairs, λ) of one step: a pure function of (seed, epoch, step)."""
        plan = self.rule.plan(step_rng(self.seed, epoch, step), epoch)
        if self.rank_loss is None or self.rank_loss.pairs == 0:
            return plan, [], 0.0
        space = self.rule.space_at(epoch)
        pairs = pick_rank_pairs(step_rng(self.seed, epoch, step, "pairs"), space.random, self.rank_loss.prior,
                                self.rank_loss.pairs, self.rank_loss.min_distance)
        return plan, pairs, self.rank_loss.lam(epoch, self.total_epochs)

    def train_batch(self, inputs, labels=None, update=True):
        if self._optimizer is None:
            raise RuntimeError("SupernetModel: call prepare(optimizer, ...) before training")
        self.network.train()
        self.mode = "train"
        images = paddle.to_tensor(_first(inputs))
        targets = paddle.to_tensor(_first(labels)).astype("int64").reshape([-1, 1])
        plan, pairs, lam = self.plan_step(self.epoch, self.step)
        result = self.runner.run(images, targets, plan, pairs, lam, self.epoch, self.step)
        if update:
            self._optimizer.step()
            self._optimizer.clear_grad(set_to_zero=False)
        self.last_result = result
        self.step += 1
        # Progress metrics follow the plan's first subnet (the largest in sandwich rules).
        metrics = []
        for metric in self._metrics:
            outs = metric.compute(result.first_logits, targets)
            outs = outs if isinstance(outs, (list, tuple)) else [outs]
            metrics.append(metric.update(*[np.asarray(o) for o in outs]))
        losses = [np.array(result.first_loss, dtype="float32")]
        return (losses, metrics) if metrics else losses


def _first(batch):
    if batch is None:
        raise ValueError("SupernetModel.train_batch needs images and labels")
    return batch[0] if isinstance(batch, (list, tuple)) else batch
