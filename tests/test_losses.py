"""Label CE, in-place distillation and KD: values against numpy, teacher detachment."""
import numpy as np
import paddle
import pytest

from hnas.losses import cross_entropy, kd_loss, soft_cross_entropy


def _np_log_softmax(x):
    x = np.asarray(x, dtype=np.float64)
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


@pytest.fixture
def logits():
    rng = np.random.default_rng(0)
    return rng.normal(size=(4, 6)).astype("float32"), rng.normal(size=(4, 6)).astype("float32")


@pytest.mark.parametrize("label_shape", [(4,), (4, 1)])
def test_cross_entropy_matches_numpy_for_both_label_shapes(logits, label_shape):
    student, _ = logits
    labels = np.array([0, 3, 5, 1], dtype="int64")
    expected = -_np_log_softmax(student)[np.arange(4), labels].mean()
    got = cross_entropy(paddle.to_tensor(student), paddle.to_tensor(labels.reshape(label_shape)))
    assert got.shape == []
    assert got.item() == pytest.approx(expected, rel=1e-5)


def test_cross_entropy_rejects_mismatched_label_count(logits):
    with pytest.raises(ValueError, match="3 labels for 4 rows"):
        cross_entropy(paddle.to_tensor(logits[0]), paddle.to_tensor(np.array([0, 1, 2], dtype="int64")))


def test_soft_cross_entropy_matches_numpy_and_detaches_teacher(logits):
    student_np, teacher_np = logits
    student = paddle.to_tensor(student_np, stop_gradient=False)
    teacher = paddle.to_tensor(teacher_np, stop_gradient=False)
    loss = soft_cross_entropy(student, teacher)
    target = np.exp(_np_log_softmax(teacher_np))
    expected = -(target * _np_log_softmax(student_np)).sum(axis=-1).mean()
    assert loss.item() == pytest.approx(expected, rel=1e-5)
    loss.backward()
    assert teacher.grad is None
    # d/dz of soft CE is (softmax(z) - target) / N
    expected_grad = (np.exp(_np_log_softmax(student_np)) - target) / 4
    np.testing.assert_allclose(student.grad.numpy(), expected_grad, atol=1e-6)


def test_soft_cross_entropy_is_entropy_when_student_equals_teacher(logits):
    student_np, _ = logits
    p = np.exp(_np_log_softmax(student_np))
    entropy = -(p * np.log(p)).sum(axis=-1).mean()
    got = soft_cross_entropy(paddle.to_tensor(student_np), paddle.to_tensor(student_np)).item()
    assert got == pytest.approx(entropy, rel=1e-5)


def test_soft_cross_entropy_rejects_shape_mismatch(logits):
    with pytest.raises(ValueError, match="differ in shape"):
        soft_cross_entropy(paddle.to_tensor(logits[0]), paddle.to_tensor(logits[1][:, :5]))


def test_kd_loss_is_ce_plus_weighted_soft_ce(logits):
    student_np, teacher_np = logits
    labels = paddle.to_tensor(np.array([1, 1, 2, 0], dtype="int64"))
    student, teacher = paddle.to_tensor(student_np), paddle.to_tensor(teacher_np, stop_gradient=False)
    ce = cross_entropy(student, labels).item()
    soft = soft_cross_entropy(student, teacher).item()
    loss = kd_loss(student, labels, teacher, kd_weight=0.5)
    assert loss.item() == pytest.approx(ce + 0.5 * soft, rel=1e-5)
    assert kd_loss(student, labels, teacher, kd_weight=0.0).item() == pytest.approx(ce, rel=1e-6)
    student.stop_gradient = False
    kd_loss(student, labels, teacher).backward()
    assert teacher.grad is None and student.grad is not None
