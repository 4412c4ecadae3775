"""The weight-sharing ResNet-48 supernet: elastic depth per stage, elastic width per conv."""
import paddle.nn as nn

from hnas.search_space import (NUM_STAGES, STAGE_BASE_WIDTHS, STAGE_MAX_DEPTHS, STAGE_STRIDES,
                               STEM_BASE_WIDTH, Arch, SearchSpace, channels, parse_code)
from hnas.models.layout import StemSpec, has_downsample, make_activation, max_widths
from paddleslim_ext import ElasticBatchNorm2D, ElasticConv2D, ElasticLinear, ElasticSupernet


class ElasticBasicBlock(nn.Layer):
    """Two 3x3 convs; the inner activation is always ReLU, the outer one configurable."""

    def __init__(self, in_channels, mid_channels, out_channels, stride, downsample, activation):
        super().__init__()
        self.conv1 = ElasticConv2D(in_channels, mid_channels, 3, stride, 1)
        self.bn1 = ElasticBatchNorm2D(mid_channels)
        self.relu = nn.ReLU()
        self.conv2 = ElasticConv2D(mid_channels, out_channels, 3, 1, 1)
        self.bn2 = ElasticBatchNorm2D(out_channels)
        self.downsample = (nn.Sequential(ElasticConv2D(in_channels, out_channels, 1, stride, 0),
                                         ElasticBatchNorm2D(out_channels)) if downsample else None)
        self.act = make_activation(activation)
        self.codes = None  # (first, second) width codes while active, None when skipped

    def set_widths(self, codes, mid_channels, out_channels):
        self.codes = codes
        self.conv1.active_out_channels = mid_channels
        self.conv2.active_out_channels = out_channels
        if self.downsample is not None:
            self.downsample[0].active_out_channels = out_channels

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.act(out + identity)


class ResNet48Supernet(ElasticSupernet):
    """Parameter names match a plain ResNet (conv1, bn1, layerN.i.*, fc), so a static
    ResNet-48 loads directly and extraction is a slice per tensor."""

    def __init__(self, num_classes=1000, activation="relu", width_mult=1.0, small_input=False,
                 search_space: SearchSpace | None = None):
        super().__init__()
        self.num_classes, self.activation = num_classes, activation
        self.width_mult, self.small_input = width_mult, small_input
        self.search_space = search_space or SearchSpace.full()
        stem_c, stream_c = max_widths(width_mult)
        stem = StemSpec.of(small_input)
        self.conv1 = ElasticConv2D(3, stem_c, stem.kernel, stem.stride, stem.padding)
        self.bn1 = ElasticBatchNorm2D(stem_c)
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2D(3, 2, 1) if stem.maxpool else None
        in_c = stem_c
        for s in range(NUM_STAGES):
            blocks = []
            for b in range(STAGE_MAX_DEPTHS[s]):
                stride = STAGE_STRIDES[s] if b == 0 else 1
                blocks.append(ElasticBasicBlock(in_c, stream_c[s], stream_c[s], stride,
                                                has_downsample(s, b), activation))
                in_c = stream_c[s]
            setattr(self, f"layer{s + 1}", nn.LayerList(blocks))
        self.avgpool = nn.AdaptiveAvgPool2D(1)
        self.fc = ElasticLinear(in_c, num_classes)
        self.stem_code, self.image_code = 1, 1
        self.activate(self.search_space.largest())

    @property
    def stages(self):
        return [getattr(self, f"layer{s + 1}") for s in range(NUM_STAGES)]

    def _parse(self, code, key=None):
        return parse_code(code, key)

    def _apply_arch(self, arch: Arch):
        self.image_code, self.stem_code = arch.image, arch.stem
        self.conv1.active_out_channels = channels(STEM_BASE_WIDTH, arch.stem, self.width_mult)
        for s, layer in enumerate(self.stages):
            base = STAGE_BASE_WIDTHS[s]
            for b, block in enumerate(layer):
                if b < len(arch.stages[s]):
                    first, second = arch.stages[s][b]
                    block.set_widths((first, second), channels(base, first, self.width_mult),
                                     channels(base, second, self.width_mult))
                else:
                    block.codes = None

    def _read_arch(self) -> Arch:
        stages = []
        for layer in self.stages:
            codes = []
            for block in layer:
                if block.codes is None:
                    break
                codes.append(block.codes)
            stages.append(tuple(codes))
        return Arch(image=self.image_code, stem=self.stem_code, stages=tuple(stages))

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        if self.maxpool is not None:
            x = self.maxpool(x)
        for layer in self.stages:
            for block in layer:
                if block.codes is None:
                    break
                x = block(x)
        x = self.avgpool(x).flatten(1)
        return self.fc(x)
