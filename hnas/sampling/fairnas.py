"""FairNAS strict fairness: every width choice of every layer trained equally often per step."""
from __future__ import annotations

import random

from hnas.sampling.base import SamplingRule, check_epoch, check_rng
from hnas.sampling.plan import SubnetTask
from hnas.search_space import NUM_STAGES, Arch, SearchSpace


def fair_column(rng: random.Random, choices, count: int) -> list[int]:
    """`count` values for one layer: random permutations of `choices` laid end to end.

    Each choice appears floor(count/len) or ceil(count/len) times, exactly count/len when
    len(choices) divides count.
    """
    column: list[int] = []
    while len(column) < count:
        column += rng.sample(list(choices), len(choices))
    return column[:count]


def fair_subnet_count(space: SearchSpace) -> int:
    """One subnet per choice of the layer with the most choices."""
    return max(len(space.stem_codes), *(len(codes) for codes in space.stage_codes))


class FairNasRule(SamplingRule):
    """Per layer a random permutation of its width choices; subnet j takes element j.

    Layers are the stem (whose code is also stage 1's residual stream), every block
    slot's first conv, and the residual stream of stages 2-4.  The step trains
    `fair_subnet_count(space)` subnets (7 with the full or test-distribution space);
    `sampling.num_subnets` does not apply.  Exact equality of the per-choice counts holds
    for every layer whose choice set size divides that count: with the full space every
    set has 7 choices, so every choice of every layer is assigned exactly once per step.
    Smaller sets (e.g. the test space's {1,2,3}) use concatenated permutations, so their
    counts differ by at most one.

    Depths are drawn per subnet, uniformly from each stage's depth set; a block slot
    beyond a subnet's depth is not trained, so for the slots that are not always active
    the assignment is fair among the subnets that reach them (no choice repeats before
    every choice has appeared).  Role `ce`.
    """

    name = "fairnas"

    def __init__(self, search_space: SearchSpace):
        super().__init__(search_space, fair_subnet_count(search_space))

    @classmethod
    def from_config(cls, cfg: dict, search_space, total_epochs: int) -> "FairNasRule":
        return cls(search_space)

    def plan(self, rng: random.Random, epoch: int) -> list[SubnetTask]:
        check_rng(rng)
        space = self.space_at(check_epoch(epoch))
        n = self.num_subnets
        stems = fair_column(rng, space.stem_codes, n)
        firsts = [[fair_column(rng, space.stage_codes[s], n) for _ in range(max(space.stage_depths[s]))]
                  for s in range(NUM_STAGES)]
        streams = [stems] + [fair_column(rng, space.stage_codes[s], n) for s in range(1, NUM_STAGES)]
        tasks = []
        for j in range(n):
            depths = [rng.choice(space.stage_depths[s]) for s in range(NUM_STAGES)]
            stages = tuple(
                tuple((firsts[s][b][j], streams[s][j]) for b in range(depths[s])) for s in range(NUM_STAGES))
            arch = Arch(image=rng.choice(space.image_codes), stem=stems[j], stages=stages)
            tasks.append(SubnetTask(arch, "ce"))
        return tasks
