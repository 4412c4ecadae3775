"""Rank-loss weight schedules at chosen epochs, including the 70-epoch breakpoints."""
import math

import pytest

from hnas.losses import lambda_schedule


def test_constant():
    assert [lambda_schedule("constant", 2.0, e, 70) for e in (0, 35, 70)] == [2.0, 2.0, 2.0]


def test_warmup_is_epoch_over_ten_capped_at_lambda_max():
    assert lambda_schedule("warmup", 2.0, 0, 70) == 0.0
    assert lambda_schedule("warmup", 2.0, 5, 70) == pytest.approx(0.5)
    assert lambda_schedule("warmup", 2.0, 20, 70) == pytest.approx(2.0)
    assert lambda_schedule("warmup", 2.0, 69, 70) == pytest.approx(2.0)


def test_cosine():
    assert lambda_schedule("cosine", 1.0, 0, 70) == 0.0
    assert lambda_schedule("cosine", 1.0, 35, 70) == pytest.approx(math.sin(math.pi * 0.4))
    assert lambda_schedule("cosine", 3.0, 70 * 0.625, 70) == pytest.approx(3.0)  # sin(pi/2): the peak, at 0.625 E
    assert lambda_schedule("cosine", 1.0, 70, 70) == pytest.approx(math.sin(math.pi * 0.8))


@pytest.mark.parametrize("epoch,expected", [(0, 0.0), (5, 0.0), (12.5, 1.0), (20, 2.0), (35, 2.0),
                                            (50, 2.0), (60, 1.0), (70, 0.0)])
def test_multistage_at_70_epoch_breakpoints(epoch, expected):
    assert lambda_schedule("multistage", 2.0, epoch, 70) == pytest.approx(expected)


def test_multistage_scales_breakpoints_to_total_epochs():
    # E = 140 doubles every breakpoint: 10, 40, 100, 140
    assert lambda_schedule("multistage", 1.0, 10, 140) == 0.0
    assert lambda_schedule("multistage", 1.0, 25, 140) == pytest.approx(0.5)
    assert lambda_schedule("multistage", 1.0, 40, 140) == pytest.approx(1.0)
    assert lambda_schedule("multistage", 1.0, 100, 140) == pytest.approx(1.0)
    assert lambda_schedule("multistage", 1.0, 120, 140) == pytest.approx(0.5)


def test_unknown_kind_and_bad_epochs_raise():
    with pytest.raises(ValueError, match="'linear'"):
        lambda_schedule("linear", 1.0, 0, 70)
    with pytest.raises(ValueError, match="total_epochs"):
        lambda_schedule("constant", 1.0, 0, 0)
    with pytest.raises(ValueError, match="epoch"):
        lambda_schedule("constant", 1.0, -1, 70)
