"""Sampling rules: which subnets each training step trains, and in which role."""
from hnas.sampling.base import SamplingRule
from hnas.sampling.plan import ROLES, SubnetTask, step_rng
from hnas.sampling.registry import RULES, build_rule

__all__ = ["build_rule", "RULES", "ROLES", "SamplingRule", "SubnetTask", "step_rng"]
