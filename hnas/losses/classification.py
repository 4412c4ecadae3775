"""Hard-label cross-entropy, the loss every subnet trained on labels uses."""
import paddle
import paddle.nn.functional as F


def cross_entropy(logits: paddle.Tensor, labels: paddle.Tensor) -> paddle.Tensor:
    """Mean cross-entropy of `logits` [N, C] against integer `labels` [N] or [N, 1]."""
    if logits.ndim != 2:
        raise ValueError(f"cross_entropy: logits must be [N, C], got shape {list(logits.shape)}")
    labels = labels.reshape([-1])
    if labels.shape[0] != logits.shape[0]:
        raise ValueError(f"cross_entropy: {labels.shape[0]} labels for {logits.shape[0]} rows of logits")
    return F.cross_entropy(logits, labels.astype("int64"), reduction="mean")
