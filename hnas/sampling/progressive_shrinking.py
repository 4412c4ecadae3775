"""Progressive shrinking (Once-for-All): the allowed space grows phase by phase.

Training starts from the largest network alone, then admits shallower stages (the depth
task), then narrower widths (the width task), always distilling from the largest subnet
of the current phase.  A phase is `{epochs, depths, stem_codes, stage_codes}`; a null set
keeps the search space's full set.  Phases cover consecutive epochs counted from 0, and
any epoch past the last phase stays in the last phase.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from hnas.sampling.base import SamplingRule, check_epoch, check_rng, positive_int
from hnas.sampling.plan import SubnetTask
from hnas.search_space import NUM_STAGES, SearchSpace

PHASE_KEYS = ("epochs", "depths", "stem_codes", "stage_codes")

# Relative lengths of the default phases: largest only, depth x2, width x2 (the last one
# is the whole space and takes what rounding leaves).
DEFAULT_PHASE_WEIGHTS = (2, 3, 3, 4, 8)


@dataclass(frozen=True)
class Phase:
    """Epochs [start, end) train subnets of `space`."""

    start: int
    end: int
    space: SearchSpace


def _subset(values, allowed, key: str) -> tuple[int, ...]:
    if not isinstance(values, (list, tuple)) or not values:
        raise ValueError(f"{key} must be a non-empty list, got {values!r}")
    outside = [v for v in values if v not in allowed]
    if outside:
        raise ValueError(f"{key} {list(values)} is not a subset of the search space's {list(allowed)} "
                         f"(outside: {outside})")
    return tuple(sorted(set(values)))


def _per_stage(values, allowed, key: str) -> tuple[tuple[int, ...], ...]:
    if not isinstance(values, (list, tuple)) or len(values) != NUM_STAGES:
        raise ValueError(f"{key} must be a list of {NUM_STAGES} lists (one per stage), got {values!r}")
    return tuple(_subset(v, allowed[s], f"{key}[{s}] (stage{s + 1})") for s, v in enumerate(values))


def phase_space(phase: dict, space: SearchSpace, index: int) -> tuple[int, SearchSpace]:
    """Validate one configured phase: (its epoch count, its allowed space)."""
    where = f"sampling.phases[{index}]"
    if not isinstance(phase, dict):
        raise ValueError(f"{where} must be a mapping with keys {', '.join(PHASE_KEYS)}, got {phase!r}")
    unknown = sorted(set(phase) - set(PHASE_KEYS))
    if unknown:
        raise ValueError(f"{where} has unknown key(s) {unknown} (known: {', '.join(PHASE_KEYS)})")
    if "epochs" not in phase:
        raise ValueError(f"{where} needs 'epochs'")
    epochs = positive_int(phase["epochs"], f"{where}.epochs")
    depths, stem, stages = phase.get("depths"), phase.get("stem_codes"), phase.get("stage_codes")
    allowed = SearchSpace(
        stem_codes=space.stem_codes if stem is None else _subset(stem, space.stem_codes, f"{where}.stem_codes"),
        stage_codes=space.stage_codes if stages is None else _per_stage(
            stages, space.stage_codes, f"{where}.stage_codes"),
        stage_depths=space.stage_depths if depths is None else _per_stage(
            depths, space.stage_depths, f"{where}.depths"),
        image_codes=space.image_codes,
        name=f"phase{index}")
    return epochs, allowed


def default_phase_spaces(space: SearchSpace) -> list[SearchSpace]:
    """OFA's order: largest only; the deeper half of each stage's depths, then all depths;
    the wider half of each width set, then the whole space."""
    deep = tuple(tuple(sorted(d)[len(d) // 2:]) for d in space.stage_depths)
    deepest = tuple((max(d),) for d in space.stage_depths)

    def wide(codes):
        return tuple(sorted(codes)[:(len(codes) + 1) // 2])

    def widest(codes):
        return (min(codes),)

    def restricted(name, depths, pick):
        return SearchSpace(stem_codes=pick(space.stem_codes), stage_codes=tuple(pick(c) for c in space.stage_codes),
                           stage_depths=depths, image_codes=space.image_codes, name=name)

    return [restricted("largest", deepest, widest),
            restricted("depth-1", deep, widest),
            restricted("depth-2", space.stage_depths, widest),
            restricted("width-1", space.stage_depths, wide),
            space]


def default_phases(space: SearchSpace, total_epochs: int) -> list[Phase]:
    """The default schedule over `total_epochs`, lengths in proportion to
    DEFAULT_PHASE_WEIGHTS; phases rounded down to no epochs are dropped, the final
    (whole-space) phase always keeps at least one."""
    total = positive_int(total_epochs, "train.epochs")
    weights = DEFAULT_PHASE_WEIGHTS
    cumulative = [sum(weights[:i + 1]) for i in range(len(weights))]
    ends = [min(total - 1, total * c // cumulative[-1]) for c in cumulative[:-1]] + [total]
    phases, start = [], 0
    for end, allowed in zip(ends, default_phase_spaces(space)):
        if end > start:
            phases.append(Phase(start, end, allowed))
            start = end
    return phases


def configured_phases(phases: list, space: SearchSpace) -> list[Phase]:
    if not isinstance(phases, (list, tuple)):
        raise ValueError(f"sampling.phases must be a list of phases, got {phases!r}")
    out, start = [], 0
    for index, phase in enumerate(phases):
        epochs, allowed = phase_space(phase, space, index)
        out.append(Phase(start, start + epochs, allowed))
        start += epochs
    return out


class ProgressiveShrinkingRule(SamplingRule):
    """[largest of the phase -> teacher, N-1 random from the phase's space -> student].

    In a phase whose space holds a single subnet (the default first phase) the plan is the
    teacher alone: a student identical to its teacher would get a zero distillation
    gradient, only costing a forward and backward pass.
    """

    name = "progressive_shrinking"

    def __init__(self, search_space: SearchSpace, num_subnets: int, phases: list[Phase]):
        super().__init__(search_space, num_subnets)
        if not phases:
            raise ValueError("progressive shrinking needs at least one phase")
        self.phases = list(phases)

    @classmethod
    def from_config(cls, cfg: dict, search_space, total_epochs: int) -> "ProgressiveShrinkingRule":
        configured = cfg.get("phases") or []
        phases = (configured_phases(configured, search_space) if configured
                  else default_phases(search_space, total_epochs))
        return cls(search_space, cfg.get("num_subnets", 4), phases)

    def phase_index(self, epoch: int) -> int:
        check_epoch(epoch)
        for index, phase in enumerate(self.phases):
            if epoch < phase.end:
                return index
        return len(self.phases) - 1

    def space_at(self, epoch: int) -> SearchSpace:
        return self.phases[self.phase_index(epoch)].space

    def plan(self, rng: random.Random, epoch: int) -> list[SubnetTask]:
        check_rng(rng)
        space = self.space_at(epoch)
        tasks = [SubnetTask(space.largest(), "teacher")]
        if space.size() > 1:
            tasks += [SubnetTask(space.random(rng), "student") for _ in range(self.num_subnets - 1)]
        return tasks
