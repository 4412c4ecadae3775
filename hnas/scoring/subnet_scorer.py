"""Scoring one code on a trained supernet: activate, optionally recalibrate BN, evaluate."""
from __future__ import annotations

from contextlib import nullcontext

import paddle
import paddle.nn.functional as F

from hnas.bn_calibration import recalibrated_bn

METRICS = ("acc", "loss")
DECIMALS = 6  # every score is rounded once, so journals, shards and merges agree byte for byte


class SubnetScorer:
    """`score(code, key)` -> top-1 accuracy x 100 (metric 'acc') or -mean cross-entropy
    ('loss'), rounded to 6 decimals.

    `val` and `calibration` are image-batch sources (`hnas.scoring.image_batches`);
    calibration None means the supernet's inherited running statistics are used, as the
    original toolkit did.
    """

    def __init__(self, net, val, calibration=None, metric: str = "acc"):
        if metric not in METRICS:
            raise ValueError(f"unknown metric {metric!r} (choose from {', '.join(METRICS)})")
        if len(val) == 0:
            raise ValueError("no validation images to score with")
        self.net, self.val, self.calibration, self.metric = net, val, calibration, metric
        self.net.eval()

    def _calibration_inputs(self):
        return (images for images, _ in self.calibration.batches())

    @paddle.no_grad()
    def score(self, code: str, key=None) -> float:
        self.net.activate(code, key)
        context = recalibrated_bn(self.net, self._calibration_inputs()) if self.calibration else nullcontext()
        correct, loss_sum, count = 0, 0.0, 0
        with context:
            for images, labels in self.val.batches():
                logits = self.net(images)
                if self.metric == "acc":
                    correct += int((logits.argmax(axis=1) == labels).astype("int64").sum().item())
                else:
                    loss_sum += float(F.cross_entropy(logits, labels, reduction="sum").item())
                count += int(labels.shape[0])
        value = 100.0 * correct / count if self.metric == "acc" else -loss_sum / count
        return round(value, DECIMALS)
