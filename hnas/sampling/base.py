"""What every sampling rule shares: the search space, the subnet count, input checks.

A rule turns (private RNG, epoch) into the list of `SubnetTask`s one training step runs
(DESIGN §4).  Rules draw only from the `random.Random` they are handed, which comes from
`step_rng(seed, epoch, step)`, so every rank plans the same subnets without any shared
global RNG state.  Epochs count from 0, as `paddle.Model.fit` counts them.
"""
from __future__ import annotations

import random
from abc import ABC, abstractmethod

from hnas.sampling.plan import SubnetTask
from hnas.search_space import Arch, SearchSpace


def positive_int(value, key: str) -> int:
    """`value` as an int >= 1, or a ValueError naming the config key."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{key} must be a positive integer, got {value!r}")
    return value


def check_epoch(epoch) -> int:
    if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
        raise ValueError(f"epoch must be a non-negative integer, got {epoch!r}")
    return epoch


def check_rng(rng) -> random.Random:
    """Refuse the `random` module itself: drawing from it would use the global state."""
    if not isinstance(rng, random.Random):
        raise TypeError(f"a sampling rule needs a private random.Random (see step_rng), got {rng!r}")
    return rng


class SamplingRule(ABC):
    """A rule drawing `num_subnets` subnets per step from `search_space`."""

    name = "rule"

    def __init__(self, search_space: SearchSpace, num_subnets: int):
        if not isinstance(search_space, SearchSpace):
            raise TypeError(f"sampling rule {self.name!r} needs a SearchSpace, got {type(search_space).__name__}")
        self.search_space = search_space
        self.num_subnets = positive_int(num_subnets, "sampling.num_subnets")

    def space_at(self, epoch: int) -> SearchSpace:
        """The candidate sets allowed at `epoch` (the whole space unless a rule shrinks it)."""
        check_epoch(epoch)
        return self.search_space

    def largest(self, epoch: int) -> Arch:
        """The largest subnet allowed at `epoch`: the distillation teacher, and what logs show."""
        return self.space_at(epoch).largest()

    @abstractmethod
    def plan(self, rng: random.Random, epoch: int) -> list[SubnetTask]:
        """The subnets of one step, each with its role, drawn from `rng` alone."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(num_subnets={self.num_subnets}, space={self.search_space.name!r})"
