"""AlphaNet's adaptive alpha-divergence (Wang et al. 2021) for in-place distillation.

For each sample both f-divergences D_alpha(teacher || student) at alpha_min and alpha_max
are evaluated and the larger one is trained, which penalises the student both for
over- and for under-estimating the teacher's uncertainty. The gradient comes from
AlphaNet's surrogate -sum q * rho_f(p / q) * log q with q the student, p the teacher, the
importance weight (p / q)^alpha clipped at `iw_clip` and everything but log q detached; its
gradient equals the divergence's own gradient wherever the clip is inactive.

The original toolkit dropped this loss because p / q computed from probabilities
underflows to 0/0 for confident logits. Here every ratio is a difference of
log-probabilities, clipping happens in log space and only bounded quantities are
exponentiated, so value and gradient stay finite for logits of any finite size.
"""
import math

import paddle
import paddle.nn.functional as F

_ALPHA_TOL = 1e-3


def alpha_divergence(student_logits: paddle.Tensor, teacher_logits: paddle.Tensor,
                     alpha_min: float = -1.0, alpha_max: float = 1.0,
                     iw_clip: float = 3.0) -> paddle.Tensor:
    """Batch mean of the per-sample larger alpha-divergence.

    The returned value is the divergence itself (0 when student and teacher agree); its
    gradient is AlphaNet's clipped surrogate. The teacher is detached."""
    if student_logits.shape != teacher_logits.shape or student_logits.ndim != 2:
        raise ValueError(f"alpha_divergence: student logits {list(student_logits.shape)} and teacher "
                         f"logits {list(teacher_logits.shape)} must both be [N, C]")
    if not alpha_min < alpha_max:
        raise ValueError(f"alpha_divergence: alpha_min ({alpha_min}) must be below alpha_max ({alpha_max})")
    if not iw_clip > 0:
        raise ValueError(f"alpha_divergence: iw_clip must be positive, got {iw_clip}")
    log_q = F.log_softmax(student_logits, axis=-1)
    log_p = F.log_softmax(teacher_logits.detach(), axis=-1)
    value_lo, surrogate_lo = f_divergence_terms(log_q, log_p, alpha_min, iw_clip)
    value_hi, surrogate_hi = f_divergence_terms(log_q, log_p, alpha_max, iw_clip)
    take_lo = value_lo > value_hi
    value = paddle.where(take_lo, value_lo, value_hi)
    surrogate = paddle.where(take_lo, surrogate_lo, surrogate_hi)
    # Value of the divergence, gradient of the surrogate.
    return (value + surrogate - surrogate.detach()).mean()


def f_divergence_terms(log_q: paddle.Tensor, log_p: paddle.Tensor, alpha: float, iw_clip: float):
    """Per-sample (divergence value, gradient surrogate) of D_alpha(p || q) from log-probabilities.

    `log_q` is the student's (the only input carrying gradient), `log_p` the teacher's."""
    log_q_const = log_q.detach()
    q = paddle.exp(log_q_const)
    log_ratio = log_p - log_q_const  # log(p / q), never formed as a quotient of probabilities
    log_clip = math.log(iw_clip)
    if abs(alpha) < _ALPHA_TOL:
        # KL(q || p) with the ratio clipped at iw_clip: f(t) = -log t, rho_f(t) = log t - 1.
        clipped = paddle.clip(log_ratio, max=log_clip)
        value = -(q * clipped).sum(axis=-1)
        weight = q * (clipped - 1.0)
    elif abs(alpha - 1.0) < _ALPHA_TOL:
        # KL(p || q): f(t) = t log t, rho_f(t) = t, so q * rho_f = p exactly.
        p = paddle.exp(log_p)
        value = (p * log_ratio).sum(axis=-1)
        weight = p
    else:
        # f(t) = (t^alpha - 1) / (alpha (alpha - 1)), rho_f(t) = t^alpha / alpha + 1 / (alpha (alpha - 1)).
        clipped = paddle.clip(alpha * log_ratio, max=log_clip)  # log of min(t^alpha, iw_clip)
        scale = 1.0 / (alpha * (alpha - 1.0))
        value = scale * (q * paddle.expm1(clipped)).sum(axis=-1)
        weight = paddle.exp(log_q_const + clipped) / alpha + scale * q
    surrogate = -(weight * log_q).sum(axis=-1)
    return value, surrogate
