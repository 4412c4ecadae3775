"""Pairwise rank loss (direction, detached side) and the draw of rank pairs."""
import random

import paddle
import pytest

from hnas.losses import RankPairError, pairwise_rank_loss, pick_rank_pairs
from hnas.search_space import SearchSpace, hamming_distance


def _losses(a, b):
    return (paddle.to_tensor(a, stop_gradient=False), paddle.to_tensor(b, stop_gradient=False))


def test_larger_prior_b_pushes_b_below_detached_a():
    loss_a, loss_b = _losses(1.0, 1.5)
    out = pairwise_rank_loss(loss_a, loss_b, prior_a=10.0, prior_b=20.0, lam=2.0)
    assert out.item() == pytest.approx(2.0 * 0.5)
    out.backward()
    assert loss_a.grad is None or float(loss_a.grad.item()) == 0.0
    assert loss_b.grad.item() == pytest.approx(2.0)


def test_larger_prior_a_pushes_a_below_detached_b():
    loss_a, loss_b = _losses(3.0, 1.0)
    out = pairwise_rank_loss(loss_a, loss_b, prior_a=20.0, prior_b=10.0, lam=0.5)
    assert out.item() == pytest.approx(0.5 * 2.0)
    out.backward()
    assert loss_b.grad is None or float(loss_b.grad.item()) == 0.0
    assert loss_a.grad.item() == pytest.approx(0.5)


@pytest.mark.parametrize("prior_a,prior_b,loss_a,loss_b", [(1.0, 2.0, 2.0, 1.0), (2.0, 1.0, 1.0, 2.0)])
def test_zero_when_expected_better_subnet_already_has_lower_loss(prior_a, prior_b, loss_a, loss_b):
    a, b = _losses(loss_a, loss_b)
    out = pairwise_rank_loss(a, b, prior_a, prior_b, lam=1.0)
    assert out.item() == 0.0


def test_ties_treat_a_as_expected_better():
    a, b = _losses(2.0, 1.0)
    assert pairwise_rank_loss(a, b, 5.0, 5.0, lam=1.0).item() == pytest.approx(1.0)


def _code_prior(arch):
    """A cheap prior for tests: total depth plus narrowness of the stem."""
    return sum(arch.depths) * 10 - arch.stem


def test_pick_rank_pairs_respects_distance_and_distinct_priors():
    space = SearchSpace.full()
    pairs = pick_rank_pairs(random.Random(0), space.random, _code_prior, num_pairs=5, min_distance=20)
    assert len(pairs) == 5
    for arch_a, arch_b, prior_a, prior_b in pairs:
        assert hamming_distance(arch_a.encode(), arch_b.encode()) >= 20
        assert prior_a == _code_prior(arch_a) and prior_b == _code_prior(arch_b)
        assert prior_a != prior_b


def test_pick_rank_pairs_is_reproducible_from_the_rng():
    space = SearchSpace.full()
    first = pick_rank_pairs(random.Random(7), space.random, _code_prior, 3, min_distance=5)
    second = pick_rank_pairs(random.Random(7), space.random, _code_prior, 3, min_distance=5)
    assert [(a.encode(), b.encode()) for a, b, _, _ in first] == [(a.encode(), b.encode()) for a, b, _, _ in second]


def test_pick_rank_pairs_raises_when_no_pair_exists():
    space = SearchSpace.full()
    with pytest.raises(RankPairError, match="min_distance|Hamming distance >= 999"):
        pick_rank_pairs(random.Random(0), space.random, _code_prior, 1, min_distance=999, max_tries=20)
    with pytest.raises(RankPairError, match="different priors in 30 tries"):
        pick_rank_pairs(random.Random(0), space.random, lambda arch: 1.0, 1, max_tries=30)
