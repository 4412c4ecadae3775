"""Biased sampling (1st place, CVPR 2022 NAS Track 1): favour the larger subnets."""
from __future__ import annotations

import random
from functools import lru_cache

from hnas.flops import count_flops
from hnas.sampling.base import SamplingRule, check_epoch, check_rng, positive_int
from hnas.sampling.plan import SubnetTask


@lru_cache(maxsize=1 << 16)
def code_flops(code: str) -> int:
    """FLOPs of the 224x224 stand-alone network of `code`, cached: candidates repeat
    often in narrow spaces and the ranking only needs the relative order."""
    return count_flops(code)


class BiasedRule(SamplingRule):
    """[largest -> teacher] + the N-1 largest-FLOPs of K random candidates -> student.

    Ties keep draw order, so the plan depends on the RNG alone.
    """

    name = "biased"

    def __init__(self, search_space, num_subnets: int, candidates: int):
        super().__init__(search_space, num_subnets)
        self.candidates = positive_int(candidates, "sampling.candidates")
        if self.candidates < self.num_subnets - 1:
            raise ValueError(f"sampling.candidates ({self.candidates}) must be >= sampling.num_subnets - 1 "
                             f"({self.num_subnets - 1}) for the biased rule: it keeps that many of them")

    @classmethod
    def from_config(cls, cfg: dict, search_space, total_epochs: int) -> "BiasedRule":
        return cls(search_space, cfg.get("num_subnets", 4), cfg.get("candidates", 8))

    def plan(self, rng: random.Random, epoch: int) -> list[SubnetTask]:
        check_rng(rng)
        space = self.space_at(check_epoch(epoch))
        drawn = [space.random(rng) for _ in range(self.candidates)]
        order = sorted(range(len(drawn)), key=lambda i: (-code_flops(drawn[i].encode()), i))
        kept = [drawn[i] for i in order[:self.num_subnets - 1]]
        return [SubnetTask(space.largest(), "teacher")] + [SubnetTask(arch, "student") for arch in kept]
