"""One training step: execute a plan of subnets on one batch and accumulate their gradients.

Each subnet is activated, run forward, given its loss and back-propagated at once, so at
most one subnet's graph is alive at a time.  Rank-loss pairs follow the plan: the pair's
expected-worse subnet (lower prior) trains on CE, and its detached loss is the margin
the expected-better one is pushed below (CE + λ·ReLU(L_better − L_worse)).  Because the
rank term only sends gradient to the better subnet, running the worse one first and
back-propagating each separately gives exactly the gradients of the pair's summed loss.

Gradients are synchronised once per step: every backward but the last runs under
`DataParallel.no_sync`, and the last one lets the reducer average all accumulated
gradients.  Before that backward the ranks agree on whether any loss was non-finite; if so
every rank raises `NonFiniteLossError` and no optimizer step is taken.
"""
from __future__ import annotations

import math
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Callable

import paddle

from hnas.losses import cross_entropy, pairwise_rank_loss
from hnas.search_space import Arch
from hnas.training.distributed import World, any_rank_true


class NonFiniteLossError(FloatingPointError):
    """A subnet's loss was NaN or infinite; raised before any optimizer step."""


@dataclass
class SubnetPass:
    arch: Arch
    label: str  # plan role, or rank-worse / rank-better for rank-loss pairs
    loss_of: Callable  # (logits, step state) -> loss tensor


@dataclass
class StepResult:
    losses: list = field(default_factory=list)  # (code, label, value) per subnet pass
    first_logits: paddle.Tensor | None = None  # detached logits of the plan's first subnet

    @property
    def first_loss(self) -> float:
        return self.losses[0][2]


class StepRunner:
    """Runs plans on a supernet; `data_parallel` is its DataParallel wrapper in multi-rank runs."""

    def __init__(self, supernet, composer, world: World, data_parallel=None, external_teacher=None):
        self.supernet, self.composer, self.world = supernet, composer, world
        self.data_parallel, self.external_teacher = data_parallel, external_teacher

    def passes(self, plan, pairs, lam: float) -> list[SubnetPass]:
        """The forward/backward passes of one step, in execution order."""
        out = []
        for task in plan:
            out.append(SubnetPass(task.arch, task.role, self._task_loss(task.role)))
        for index, (arch_a, arch_b, prior_a, prior_b) in enumerate(pairs):
            a_is_better = not prior_a < prior_b  # pairwise_rank_loss: the larger prior should win
            worse, better = (arch_b, arch_a) if a_is_better else (arch_a, arch_b)
            out.append(SubnetPass(worse, "rank-worse", self._worse_loss(index)))
            out.append(SubnetPass(better, "rank-better",
                                  self._better_loss(index, a_is_better, prior_a, prior_b, lam)))
        return out

    def _task_loss(self, role):
        def loss_of(logits, state):
            if role == "teacher":
                state["teacher_logits"] = logits.detach()
            external = state["external"]() if self.composer.uses_external_teacher(role) else None
            return self.composer.loss(role, logits, state["labels"], state.get("teacher_logits"), external)
        return loss_of

    @staticmethod
    def _worse_loss(index):
        def loss_of(logits, state):
            loss = cross_entropy(logits, state["labels"])
            state[f"pair{index}"] = loss.detach()
            return loss
        return loss_of

    @staticmethod
    def _better_loss(index, a_is_better, prior_a, prior_b, lam):
        def loss_of(logits, state):
            loss, worse = cross_entropy(logits, state["labels"]), state[f"pair{index}"]
            loss_a, loss_b = (loss, worse) if a_is_better else (worse, loss)
            return loss + pairwise_rank_loss(loss_a, loss_b, prior_a, prior_b, lam)
        return loss_of

    def _external_logits(self, images):
        cache = {}

        def compute():
            if "logits" not in cache:
                with paddle.no_grad():
                    cache["logits"] = self.external_teacher(images)
            return cache["logits"]
        return compute

    def _forward(self, arch, images, synchronise: bool):
        self.supernet.activate(arch)
        if self.data_parallel is None:
            return self.supernet(images)
        context = nullcontext() if synchronise else self.data_parallel.no_sync()
        with context:
            return self.data_parallel(images)

    def run(self, images, labels, plan, pairs=(), lam: float = 0.0, epoch: int = 0, step: int = 0) -> StepResult:
        """Forward and backward every pass; gradients are left accumulated for one optimizer step."""
        passes = self.passes(plan, pairs, lam)
        if not passes:
            raise ValueError(f"epoch {epoch} step {step}: the sampling rule planned no subnets")
        state = {"labels": labels, "external": self._external_logits(images)}
        result, failure, final_loss = StepResult(), None, None
        for index, subnet_pass in enumerate(passes):
            last = index == len(passes) - 1
            logits = self._forward(subnet_pass.arch, images, synchronise=last)
            loss = subnet_pass.loss_of(logits, state)
            value = loss.item()
            result.losses.append((subnet_pass.arch.encode(), subnet_pass.label, value))
            if index == 0:
                result.first_logits = logits.detach()
            if not math.isfinite(value):
                failure = (subnet_pass, value)
                break
            if last:
                final_loss = loss
            else:
                loss.backward()
            del logits, loss
        if any_rank_true(failure is not None, self.world):
            raise NonFiniteLossError(self._failure_message(failure, epoch, step))
        final_loss.backward()
        return result

    def _failure_message(self, failure, epoch, step) -> str:
        where = f"epoch {epoch} step {step} (both counted from 0)"
        if failure is None:
            return (f"non-finite loss on another rank at {where}; rank {self.world.rank} stops too "
                    f"(no optimizer step was taken, the last checkpoint is untouched)")
        subnet_pass, value = failure
        return (f"non-finite loss {value} for subnet {subnet_pass.arch.encode()} (role {subnet_pass.label}) "
                f"at {where}; no optimizer step was taken, the last checkpoint is untouched")
