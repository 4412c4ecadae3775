"""Per-subnet BN recalibration: re-estimate every active BN layer's statistics on a few
training batches before scoring a subnet.

The supernet's shared running statistics are a compromise over all subnets and fit none of
them well.  For one subnet we run N fixed batches with every ElasticBatchNorm2D in
calibration mode (its `calibration` hook): each layer normalises with the batch's own
statistics, as in training, and the observer records them.  The layer then holds the
*plain average over the N batches* — mean of the batch means, and mean of the batch
(biased) variances — as once-for-all's `set_running_statistics` does.  We keep that choice
rather than pooling all pixels into one variance: it is what OFA and the 2021/2022 teams
measured with, and it does not depend on how the batches happen to differ in their means.

Only the leading slice `[:c]` the subnet uses is replaced.  The full shared buffers are
saved before and restored afterwards, so scoring one code never changes another code's
result and the order of codes does not matter.
"""
from __future__ import annotations

from contextlib import contextmanager

import paddle
import paddle.nn.functional as F

from paddleslim_ext import ElasticBatchNorm2D


class BatchStatisticsAverager:
    """The `calibration` observer: normalise with batch statistics, accumulate them per layer."""

    def __init__(self):
        self._sums = {}  # id(layer) -> [layer, sum of means, sum of variances, batches]

    def observe(self, layer, x):
        c = x.shape[1]
        mean = x.mean(axis=[0, 2, 3])
        variance = (x - mean.reshape([1, c, 1, 1])).square().mean(axis=[0, 2, 3])
        entry = self._sums.get(id(layer))
        if entry is None:
            self._sums[id(layer)] = [layer, mean, variance, 1]
        else:
            if entry[1].shape[0] != c:
                raise ValueError(f"BN layer saw {entry[1].shape[0]} and then {c} channels during one "
                                 "calibration; calibrate one subnet at a time")
            entry[1], entry[2], entry[3] = entry[1] + mean, entry[2] + variance, entry[3] + 1
        return F.batch_norm(x, mean, variance, layer.weight[:c], layer.bias[:c], training=False,
                            epsilon=layer.epsilon)

    def averages(self) -> list[tuple]:
        """[(layer, mean, variance)] for every layer observed, in first-seen order."""
        return [(layer, s_mean / count, s_var / count) for layer, s_mean, s_var, count in self._sums.values()]

    def write_into_layers(self) -> int:
        """Put the averages into each layer's leading `[:c]` slice; returns the layer count.

        The new buffer is assembled from copies (no slice views of the old one) and set
        as a whole, under no_grad, which sidesteps shared-memory slices of BN buffers."""
        with paddle.no_grad():
            for layer, mean, variance in self.averages():
                for buffer, value in ((layer._mean, mean), (layer._variance, variance)):
                    c = value.shape[0]
                    tail = buffer[c:].clone() if c < buffer.shape[0] else None
                    full = value if tail is None else paddle.concat([value, tail])
                    buffer.set_value(full.astype(buffer.dtype))
        return len(self._sums)


def batchnorm_layers(net) -> list:
    return [layer for layer in net.sublayers(include_self=True) if isinstance(layer, ElasticBatchNorm2D)]


@contextmanager
def preserved_bn_statistics(net):
    """Save every BN layer's full running mean/var and restore them on exit."""
    layers = batchnorm_layers(net)
    saved = [(layer._mean.clone(), layer._variance.clone()) for layer in layers]
    try:
        yield layers
    finally:
        with paddle.no_grad():
            for layer, (mean, variance) in zip(layers, saved):
                layer._mean.set_value(mean)
                layer._variance.set_value(variance)


def calibrate_bn(net, batches) -> BatchStatisticsAverager:
    """Run `batches` (normalised float NCHW tensors) through the active subnet in
    calibration mode and write the averaged statistics into its BN layers."""
    layers = batchnorm_layers(net)
    observer = BatchStatisticsAverager()
    with paddle.no_grad():
        for layer in layers:
            layer.calibration = observer
        try:
            count = 0
            for batch in batches:
                net(batch)
                count += 1
        finally:
            for layer in layers:
                layer.calibration = None
    if count == 0:
        raise ValueError("BN recalibration needs at least one batch")
    observer.write_into_layers()
    return observer


@contextmanager
def recalibrated_bn(net, batches):
    """Within the block the active subnet's BN layers hold statistics re-estimated on
    `batches`; on exit the supernet's shared statistics are back as they were."""
    with preserved_bn_statistics(net):
        yield calibrate_bn(net, batches)
