"""SPOS: uniform single-path sampling, every subnet trained on the labels."""
from __future__ import annotations

import random

from hnas.sampling.base import SamplingRule, check_epoch, check_rng
from hnas.sampling.plan import SubnetTask


class SposRule(SamplingRule):
    """`num_subnets` independent uniform draws, role `ce` (plus KD when an external
    teacher network is configured)."""

    name = "spos"

    @classmethod
    def from_config(cls, cfg: dict, search_space, total_epochs: int) -> "SposRule":
        return cls(search_space, cfg.get("num_subnets", 4))

    def plan(self, rng: random.Random, epoch: int) -> list[SubnetTask]:
        check_rng(rng)
        space = self.space_at(check_epoch(epoch))
        return [SubnetTask(space.random(rng), "ce") for _ in range(self.num_subnets)]
