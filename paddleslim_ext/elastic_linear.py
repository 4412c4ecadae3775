"""A linear layer whose input width follows the incoming features."""
import paddle.nn as nn
import paddle.nn.functional as F


class ElasticLinear(nn.Layer):
    """Paddle stores linear weights as `[in, out]`, so a subnet uses `weight[:in, :]`."""

    def __init__(self, in_features, out_features):
        super().__init__()
        self.max_in_features, self.out_features = in_features, out_features
        reference = nn.Linear(in_features, out_features)  # Paddle's default initialisation
        self.weight = self.create_parameter([in_features, out_features])
        self.bias = self.create_parameter([out_features], is_bias=True)
        self.weight.set_value(reference.weight)
        self.bias.set_value(reference.bias)

    def forward(self, x):
        in_features = x.shape[-1]
        weight = self.weight if in_features == self.max_in_features else self.weight[:in_features]
        return F.linear(x, weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.max_in_features}, out_features={self.out_features}"
