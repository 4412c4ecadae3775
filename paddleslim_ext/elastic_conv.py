"""A 2-D convolution whose output width is chosen per step; input width follows the input."""
import paddle
import paddle.nn as nn
import paddle.nn.functional as F


class ElasticConv2D(nn.Layer):
    """Holds a `[max_out, max_in, k, k]` weight and uses `weight[:out, :in]`.

    `active_out_channels` is set by the supernet before each forward; the input width is
    read from the incoming tensor, so producer and consumer never disagree.  No bias, as in
    ResNet convs that feed a BatchNorm.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0):
        super().__init__()
        self.max_in_channels, self.max_out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.weight = self.create_parameter(
            [out_channels, in_channels, kernel_size, kernel_size],
            default_initializer=nn.initializer.KaimingNormal())
        self.active_out_channels = out_channels

    def active_weight(self, in_channels):
        out = self.active_out_channels
        if out == self.max_out_channels and in_channels == self.max_in_channels:
            return self.weight
        return self.weight[:out, :in_channels]

    def forward(self, x):
        weight = self.active_weight(x.shape[1])
        return F.conv2d(x, weight, stride=self.stride, padding=self.padding)

    def extra_repr(self):
        return (f"{self.max_in_channels}, {self.max_out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}")
