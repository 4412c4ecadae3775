"""Which loss each subnet of a plan trains with, chosen by configuration (DESIGN §4).

- ``teacher`` (the largest subnet in sandwich rules): CE on labels.
- ``student``: in-place distillation against the teacher's detached logits, as soft CE
  (``loss.distill: inplace``) or AlphaNet's adaptive alpha-divergence (``alphanet``);
  with ``loss.distill: none`` students are trained like ``ce`` subnets.
- ``ce``: CE on labels, or CE + weighted soft CE against an external teacher network when
  ``loss.teacher`` is set.
"""
from __future__ import annotations

from hnas.losses import alpha_divergence, cross_entropy, kd_loss, soft_cross_entropy

DISTILL_MODES = ("none", "inplace", "alphanet")


class LossComposer:
    """Maps (role, logits, labels, teacher logits) to the loss of one subnet.

    Called as `composer(logits, labels)` it is plain CE, which is what hapi's
    `evaluate` uses as the model's loss.
    """

    def __init__(self, loss_cfg: dict, has_external_teacher: bool = False):
        self.distill = loss_cfg["distill"]
        if self.distill not in DISTILL_MODES:
            raise ValueError(f"loss.distill must be one of {', '.join(DISTILL_MODES)}, got {self.distill!r}")
        self.kd_weight = float(loss_cfg["kd_weight"])
        self.alpha_min, self.alpha_max = float(loss_cfg["alpha_min"]), float(loss_cfg["alpha_max"])
        self.iw_clip = float(loss_cfg["iw_clip"])
        self.has_external_teacher = has_external_teacher

    def __call__(self, logits, labels):
        return cross_entropy(logits, labels)

    def uses_external_teacher(self, role: str) -> bool:
        return self.has_external_teacher and (role == "ce" or (role == "student" and self.distill == "none"))

    def loss(self, role: str, logits, labels, teacher_logits=None, external_logits=None):
        """The loss of one subnet; teachers' logits are detached inside the loss functions."""
        if role == "teacher":
            return cross_entropy(logits, labels)
        if role == "student" and self.distill != "none":
            if teacher_logits is None:
                raise ValueError("a 'student' subnet needs a 'teacher' earlier in the same plan")
            if self.distill == "alphanet":
                return alpha_divergence(logits, teacher_logits, self.alpha_min, self.alpha_max, self.iw_clip)
            return soft_cross_entropy(logits, teacher_logits)
        if role not in ("ce", "student"):
            raise ValueError(f"unknown subnet role {role!r}")
        if self.uses_external_teacher(role):
            if external_logits is None:
                raise ValueError("loss.teacher is set but no teacher logits were computed")
            return kd_loss(logits, labels, external_logits, self.kd_weight)
        return cross_entropy(logits, labels)
