"""Pairwise rank loss (the original toolkit's contribution): a prior such as FLOPs says
which of two subnets should be better, and the one expected to be better is pushed
below the other's (detached) loss whenever it is not already lower."""
from __future__ import annotations

import random
from typing import Callable

import paddle
import paddle.nn.functional as F

from hnas.search_space import Arch, hamming_distance


def pairwise_rank_loss(loss_a: paddle.Tensor, loss_b: paddle.Tensor, prior_a: float, prior_b: float,
                       lam: float) -> paddle.Tensor:
    """lam * ReLU(L_better - detach(L_worse)), `better` being the subnet with the larger prior
    (a when the priors tie). Only the expected-better subnet's loss receives gradient."""
    if prior_a < prior_b:
        return lam * F.relu(loss_b - loss_a.detach())
    return lam * F.relu(loss_a - loss_b.detach())


class RankPairError(RuntimeError):
    """No admissible pair of subnets could be drawn."""


def pick_rank_pairs(rng: random.Random, sample_arch: Callable[[random.Random], Arch],
                    prior: Callable[[Arch], float], num_pairs: int, min_distance: int = 0,
                    max_tries: int = 1000) -> list[tuple[Arch, Arch, float, float]]:
    """Draw `num_pairs` (arch_a, arch_b, prior_a, prior_b) whose codes differ in at least
    `min_distance` characters (chars 5..) and whose priors differ.

    All draws come from `rng`, so every rank seeding it alike gets the same pairs."""
    if num_pairs < 0:
        raise ValueError(f"pick_rank_pairs: num_pairs must be non-negative, got {num_pairs}")
    pairs = []
    for index in range(num_pairs):
        for _ in range(max_tries):
            arch_a, arch_b = sample_arch(rng), sample_arch(rng)
            if hamming_distance(arch_a.encode(), arch_b.encode()) < min_distance:
                continue
            prior_a, prior_b = float(prior(arch_a)), float(prior(arch_b))
            if prior_a != prior_b:
                pairs.append((arch_a, arch_b, prior_a, prior_b))
                break
        else:
            raise RankPairError(
                f"pick_rank_pairs: found no pair #{index + 1} with Hamming distance >= {min_distance} "
                f"and different priors in {max_tries} tries; lower min_distance or widen the search space")
    return pairs
