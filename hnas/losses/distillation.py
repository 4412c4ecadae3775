"""Soft-label losses: in-place distillation from the largest subnet, and knowledge
distillation from an external teacher. The teacher never receives gradient."""
import paddle
import paddle.nn.functional as F

from hnas.losses.classification import cross_entropy


def soft_cross_entropy(logits: paddle.Tensor, teacher_logits: paddle.Tensor) -> paddle.Tensor:
    """Mean over the batch of -sum softmax(teacher) * log_softmax(student); teacher detached."""
    if logits.shape != teacher_logits.shape:
        raise ValueError(f"soft_cross_entropy: student logits {list(logits.shape)} and teacher logits "
                         f"{list(teacher_logits.shape)} differ in shape")
    target = F.softmax(teacher_logits.detach(), axis=-1)
    return -(target * F.log_softmax(logits, axis=-1)).sum(axis=-1).mean()


def kd_loss(logits: paddle.Tensor, labels: paddle.Tensor, teacher_logits: paddle.Tensor,
            kd_weight: float = 1.0) -> paddle.Tensor:
    """Cross-entropy on labels plus `kd_weight` times soft cross-entropy against the teacher."""
    return cross_entropy(logits, labels) + kd_weight * soft_cross_entropy(logits, teacher_logits)
