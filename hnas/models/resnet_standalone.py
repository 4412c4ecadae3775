"""A plain ResNet built from one architecture code, with ordinary Paddle layers.

It is what a subnet looks like outside the supernet: exportable with `paddle.jit.save`,
countable by `paddle.flops`, and trainable from scratch for ground truth."""
import paddle.nn as nn

from hnas.search_space import Arch, as_arch
from hnas.models.layout import StemSpec, arch_widths, make_activation


class BasicBlock(nn.Layer):
    def __init__(self, widths, activation):
        super().__init__()
        w = widths
        self.conv1 = nn.Conv2D(w.in_channels, w.mid_channels, 3, w.stride, 1, bias_attr=False)
        self.bn1 = nn.BatchNorm2D(w.mid_channels)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2D(w.mid_channels, w.out_channels, 3, 1, 1, bias_attr=False)
        self.bn2 = nn.BatchNorm2D(w.out_channels)
        self.downsample = (nn.Sequential(
            nn.Conv2D(w.in_channels, w.out_channels, 1, w.stride, 0, bias_attr=False),
            nn.BatchNorm2D(w.out_channels)) if w.downsample else None)
        self.act = make_activation(activation)

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.act(out + identity)


class ResNetSubnet(nn.Layer):
    """Same parameter names as the supernet, holding only the active blocks and widths."""

    def __init__(self, arch: Arch | str, num_classes=1000, activation="relu", width_mult=1.0,
                 small_input=False):
        super().__init__()
        self.arch = as_arch(arch)
        stem_c, stages = arch_widths(self.arch, width_mult)
        stem = StemSpec.of(small_input)
        self.conv1 = nn.Conv2D(3, stem_c, stem.kernel, stem.stride, stem.padding, bias_attr=False)
        self.bn1 = nn.BatchNorm2D(stem_c)
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2D(3, 2, 1) if stem.maxpool else None
        for s, blocks in enumerate(stages):
            setattr(self, f"layer{s + 1}", nn.Sequential(*(BasicBlock(w, activation) for w in blocks)))
        self.avgpool = nn.AdaptiveAvgPool2D(1)
        self.fc = nn.Linear(stages[-1][-1].out_channels, num_classes)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        if self.maxpool is not None:
            x = self.maxpool(x)
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = self.avgpool(x).flatten(1)
        return self.fc(x)
