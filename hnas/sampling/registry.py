"""Sampling rules by name: `build_rule(sampling_cfg, search_space, total_epochs)`.

Adding a rule is one file with a `from_config` classmethod and one entry in `RULES`.
"""
from __future__ import annotations

from hnas.sampling.base import SamplingRule
from hnas.sampling.biased import BiasedRule
from hnas.sampling.fairnas import FairNasRule
from hnas.sampling.progressive_shrinking import ProgressiveShrinkingRule
from hnas.sampling.sandwich import SandwichRule
from hnas.sampling.spos import SposRule
from hnas.search_space import SearchSpace

RULES: dict[str, type[SamplingRule]] = {
    rule.name: rule for rule in (SposRule, SandwichRule, FairNasRule, ProgressiveShrinkingRule, BiasedRule)
}

SAMPLING_KEYS = ("rule", "num_subnets", "candidates", "phases")


def build_rule(sampling_cfg: dict, search_space: SearchSpace, total_epochs: int) -> SamplingRule:
    """The rule named by `sampling_cfg['rule']`, configured from the `sampling` config
    section (keys: rule, num_subnets, candidates, phases)."""
    if not isinstance(sampling_cfg, dict):
        raise ValueError(f"the sampling config must be a mapping, got {sampling_cfg!r}")
    unknown = sorted(set(sampling_cfg) - set(SAMPLING_KEYS))
    if unknown:
        raise ValueError(f"unknown sampling config key(s) {unknown} (known: {', '.join(SAMPLING_KEYS)})")
    name = sampling_cfg.get("rule")
    if name not in RULES:
        raise ValueError(f"unknown sampling rule {name!r} (known: {', '.join(RULES)})")
    return RULES[name].from_config(sampling_cfg, search_space, total_epochs)
