"""What one training step runs: a list of subnets, each with the role it plays.

Roles:
- ``teacher``: trained with CE on labels; its detached logits are the soft target of every
  ``student`` in the same step (the largest subnet in sandwich rules).  At most one per
  plan, and it comes first.
- ``student``: trained by in-place distillation from the teacher's logits (soft CE, or the
  AlphaNet divergence when configured).
- ``ce``: trained with CE on labels (plus KD when an external teacher network is set).
"""
import hashlib
import random
from dataclasses import dataclass

from hnas.search_space import Arch

ROLES = ("teacher", "student", "ce")


@dataclass(frozen=True)
class SubnetTask:
    arch: Arch
    role: str

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValueError(f"unknown subnet role {self.role!r} (known: {', '.join(ROLES)})")


def step_rng(seed: int, epoch: int, step: int, stream: str = "subnets") -> random.Random:
    """A private RNG fixed by (run seed, epoch, step, stream): every rank draws the same
    subnets without sharing any global RNG state.  `stream` separates independent draws
    in one step (subnets, rank-loss pairs, resolution)."""
    digest = hashlib.sha256(f"{seed}/{epoch}/{step}/{stream}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))
