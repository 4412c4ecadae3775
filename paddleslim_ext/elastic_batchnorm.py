"""Batch normalisation over a leading slice of the channels, with shared running stats."""
import paddle
import paddle.nn as nn
import paddle.nn.functional as F


class ElasticBatchNorm2D(nn.Layer):
    """Same parameter names as `nn.BatchNorm2D` (weight, bias, _mean, _variance).

    Training on a slice must update only that slice of the running statistics.  A slice of
    a buffer can share memory with it under Paddle's stride kernels, so the slice is cloned,
    updated by `F.batch_norm`, and written back under `no_grad`.

    `calibration` switches the layer into BN recalibration: it normalises with the batch's
    own statistics and accumulates them (see `hnas.bn_calibration`) instead of updating the
    running averages with momentum.
    """

    def __init__(self, num_features, momentum=0.9, epsilon=1e-5):
        super().__init__()
        self.num_features, self.momentum, self.epsilon = num_features, momentum, epsilon
        self.weight = self.create_parameter([num_features], default_initializer=nn.initializer.Constant(1.0))
        self.bias = self.create_parameter([num_features], is_bias=True)
        self._mean = self.create_parameter(
            [num_features], default_initializer=nn.initializer.Constant(0.0))
        self._variance = self.create_parameter(
            [num_features], default_initializer=nn.initializer.Constant(1.0))
        self._mean.stop_gradient = True
        self._variance.stop_gradient = True
        self.calibration = None

    def forward(self, x):
        c = x.shape[1]
        if self.calibration is not None:
            return self.calibration.observe(self, x)
        if c == self.num_features:
            return F.batch_norm(x, self._mean, self._variance, self.weight, self.bias,
                                training=self.training, momentum=self.momentum, epsilon=self.epsilon)
        weight, bias = self.weight[:c], self.bias[:c]
        if not self.training:
            return F.batch_norm(x, self._mean[:c], self._variance[:c], weight, bias,
                                training=False, epsilon=self.epsilon)
        mean, variance = self._mean[:c].clone(), self._variance[:c].clone()
        out = F.batch_norm(x, mean, variance, weight, bias, training=True,
                           momentum=self.momentum, epsilon=self.epsilon)
        with paddle.no_grad():
            self._mean[:c] = mean
            self._variance[:c] = variance
        return out

    def extra_repr(self):
        return f"num_features={self.num_features}, momentum={self.momentum}, epsilon={self.epsilon}"
