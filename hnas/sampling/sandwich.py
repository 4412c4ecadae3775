"""Sandwich rule (AutoSlim / BigNAS): largest, smallest and random subnets per step."""
from __future__ import annotations

import random

from hnas.sampling.base import SamplingRule, check_epoch, check_rng
from hnas.sampling.plan import SubnetTask


class SandwichRule(SamplingRule):
    """[largest -> teacher, smallest -> student, N-2 random -> student].

    Largest and smallest are those of the search space, so per-stage candidate sets are
    respected: with the test-distribution space the smallest uses code 3 for the stem and
    stages 1-2 and code 5 for stage 3, not the out-of-distribution all-0.7 network.
    """

    name = "sandwich"

    def __init__(self, search_space, num_subnets: int):
        super().__init__(search_space, num_subnets)
        if self.num_subnets < 2:
            raise ValueError(f"sampling.num_subnets must be >= 2 for the sandwich rule "
                             f"(largest and smallest), got {self.num_subnets}")

    @classmethod
    def from_config(cls, cfg: dict, search_space, total_epochs: int) -> "SandwichRule":
        return cls(search_space, cfg.get("num_subnets", 4))

    def plan(self, rng: random.Random, epoch: int) -> list[SubnetTask]:
        check_rng(rng)
        space = self.space_at(check_epoch(epoch))
        tasks = [SubnetTask(space.largest(), "teacher"), SubnetTask(space.smallest(), "student")]
        tasks += [SubnetTask(space.random(rng), "student") for _ in range(self.num_subnets - 2)]
        return tasks
