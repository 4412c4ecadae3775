"""Analytic FLOPs and parameter counts of a subnet, straight from its code.

The counting rules are those of `paddle.flops` for the stand-alone network (leaf layers
only, multiply-accumulates): conv = out_elems * in_c * k * k, BN = 2 * elems, adaptive
average pool = (H*W + 1) * C, linear = in * out, max-pool and activations 0.  Params are
the trainable ones (BN running statistics excluded).  Pure integer arithmetic: all 45,000
test codes take well under a second.
"""
from hnas.models.layout import StemSpec, arch_widths
from hnas.search_space import as_arch


def conv_out(size, kernel, stride, padding):
    return (size + 2 * padding - kernel) // stride + 1


def count_flops_params(arch, input_size=224, num_classes=1000, width_mult=1.0, small_input=False,
                       activation="relu"):
    """(FLOPs, trainable params) of the stand-alone network of `arch`."""
    arch = as_arch(arch)
    stem_c, stages = arch_widths(arch, width_mult)
    stem = StemSpec.of(small_input)
    flops = params = 0

    def conv(size, cin, cout, kernel, stride, padding):
        nonlocal flops, params
        out = conv_out(size, kernel, stride, padding)
        flops += out * out * cout * cin * kernel * kernel
        params += cout * cin * kernel * kernel
        return out

    def bn(size, c):
        nonlocal flops, params
        flops += 2 * size * size * c
        params += 2 * c

    size = conv(input_size, 3, stem_c, stem.kernel, stem.stride, stem.padding)
    bn(size, stem_c)
    if stem.maxpool:
        size = conv_out(size, 3, 2, 1)
    for blocks in stages:
        for w in blocks:
            if w.downsample:
                down = conv(size, w.in_channels, w.out_channels, 1, w.stride, 0)
                bn(down, w.out_channels)
            mid = conv(size, w.in_channels, w.mid_channels, 3, w.stride, 1)
            bn(mid, w.mid_channels)
            size = conv(mid, w.mid_channels, w.out_channels, 3, 1, 1)
            bn(size, w.out_channels)
            if activation == "prelu":
                params += 1
    last_c = stages[-1][-1].out_channels
    flops += (size * size + 1) * last_c
    flops += last_c * num_classes
    params += last_c * num_classes + num_classes
    return flops, params


def count_flops(arch, **kwargs) -> int:
    return count_flops_params(arch, **kwargs)[0]


def count_params(arch, **kwargs) -> int:
    return count_flops_params(arch, **kwargs)[1]
