"""AlphaNet adaptive alpha-divergence: value against float64 numpy, gradient against
finite differences, and finiteness for extreme logits (the original toolkit's failure)."""
import numpy as np
import paddle
import pytest

from hnas.losses import alpha_divergence


def _np_softmax(x):
    shifted = x - x.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


def _np_divergence(student, teacher, alpha, iw_clip):
    """D_alpha(teacher || student) per sample, written directly from the definition."""
    q, p = _np_softmax(student.astype(np.float64)), _np_softmax(teacher.astype(np.float64))
    ratio = p / q
    if abs(alpha) < 1e-3:
        return (q * -np.log(np.minimum(ratio, iw_clip))).sum(axis=-1)
    if abs(alpha - 1) < 1e-3:
        return (p * np.log(ratio)).sum(axis=-1)
    return (q * (np.minimum(ratio ** alpha, iw_clip) - 1)).sum(axis=-1) / (alpha * (alpha - 1))


def _np_adaptive(student, teacher, alpha_min=-1.0, alpha_max=1.0, iw_clip=3.0):
    lo = _np_divergence(student, teacher, alpha_min, iw_clip)
    hi = _np_divergence(student, teacher, alpha_max, iw_clip)
    return np.maximum(lo, hi).mean()


@pytest.mark.parametrize("alphas", [(-1.0, 1.0), (-0.5, 0.5), (0.0, 2.0)])
def test_value_matches_float64_numpy_on_moderate_logits(alphas):
    rng = np.random.default_rng(1)
    student, teacher = rng.normal(scale=2.0, size=(2, 8, 10))
    got = alpha_divergence(paddle.to_tensor(student.astype("float32")), paddle.to_tensor(teacher.astype("float32")),
                           alpha_min=alphas[0], alpha_max=alphas[1]).item()
    assert got == pytest.approx(_np_adaptive(student, teacher, *alphas), rel=1e-4, abs=1e-6)


def test_both_branches_get_selected_on_some_samples():
    """The test above only means something if the max really switches between alphas."""
    rng = np.random.default_rng(1)
    student, teacher = rng.normal(scale=2.0, size=(2, 8, 10))
    lo = _np_divergence(student, teacher, -1.0, 3.0)
    hi = _np_divergence(student, teacher, 1.0, 3.0)
    assert (lo > hi).any() and (lo < hi).any()


def test_gradient_matches_finite_differences_when_clip_is_inactive():
    rng = np.random.default_rng(2)
    student, teacher = rng.normal(size=(2, 3, 5))
    x = paddle.to_tensor(student, dtype="float64", stop_gradient=False)
    alpha_divergence(x, paddle.to_tensor(teacher, dtype="float64"), iw_clip=1e6).backward()
    numeric = np.zeros_like(student)
    eps = 1e-6
    for index in np.ndindex(*student.shape):
        plus, minus = student.copy(), student.copy()
        plus[index] += eps
        minus[index] -= eps
        numeric[index] = (_np_adaptive(plus, teacher, iw_clip=1e6)
                          - _np_adaptive(minus, teacher, iw_clip=1e6)) / (2 * eps)
    np.testing.assert_allclose(x.grad.numpy(), numeric, rtol=1e-5, atol=1e-8)


def test_zero_for_identical_and_positive_for_different_distributions():
    rng = np.random.default_rng(3)
    logits = paddle.to_tensor(rng.normal(scale=3.0, size=(6, 10)).astype("float32"))
    assert abs(alpha_divergence(logits, logits).item()) < 1e-6
    other = paddle.to_tensor(rng.normal(scale=3.0, size=(6, 10)).astype("float32"))
    assert alpha_divergence(logits, other).item() > 1e-3


def test_teacher_is_detached():
    rng = np.random.default_rng(4)
    student = paddle.to_tensor(rng.normal(size=(3, 4)).astype("float32"), stop_gradient=False)
    teacher = paddle.to_tensor(rng.normal(size=(3, 4)).astype("float32"), stop_gradient=False)
    alpha_divergence(student, teacher).backward()
    assert teacher.grad is None
    assert np.abs(student.grad.numpy()).sum() > 0


@pytest.mark.parametrize("scale", [1e2, 1e4])
def test_loss_and_gradient_stay_finite_for_extreme_logits(scale):
    rng = np.random.default_rng(5)
    teacher = paddle.to_tensor((scale * rng.choice([-1.0, 1.0], size=(4, 10))).astype("float32"))
    student_np = (scale * rng.choice([-1.0, 1.0], size=(4, 10))).astype("float32")
    student = paddle.to_tensor(student_np, stop_gradient=False)
    loss = alpha_divergence(student, teacher)
    loss.backward()
    assert np.isfinite(loss.item()) and loss.item() > 0
    grad = student.grad.numpy()
    assert np.isfinite(grad).all() and np.abs(grad).sum() > 0
    same = paddle.to_tensor(student_np, stop_gradient=False)
    identical = alpha_divergence(same, paddle.to_tensor(student_np))
    identical.backward()
    assert abs(identical.item()) < 1e-6
    assert np.isfinite(same.grad.numpy()).all()


def test_rejects_bad_arguments():
    x = paddle.zeros([2, 3])
    with pytest.raises(ValueError, match="must both be"):
        alpha_divergence(x, paddle.zeros([2, 4]))
    with pytest.raises(ValueError, match="alpha_min"):
        alpha_divergence(x, x, alpha_min=1.0, alpha_max=-1.0)
    with pytest.raises(ValueError, match="iw_clip"):
        alpha_divergence(x, x, iw_clip=0.0)
