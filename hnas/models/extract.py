"""Subnet extraction: copy the leading slice of every supernet tensor into a plain network."""
import paddle

from hnas.models.resnet_standalone import ResNetSubnet
from hnas.search_space import as_arch


def leading_slice(tensor, shape):
    return tensor[tuple(slice(0, n) for n in shape)]


def extract_subnet(supernet, arch) -> ResNetSubnet:
    """A stand-alone network equal (in eval mode) to `supernet` running `arch`."""
    arch = as_arch(arch)
    net = ResNetSubnet(arch, num_classes=supernet.num_classes, activation=supernet.activation,
                       width_mult=supernet.width_mult, small_input=supernet.small_input)
    source = supernet.state_dict()
    with paddle.no_grad():
        for name, target in net.state_dict().items():
            if name not in source:
                raise KeyError(f"supernet has no tensor {name!r} for the subnet {arch.encode()}")
            target.set_value(leading_slice(source[name], target.shape).clone())
    net.eval() if not supernet.training else net.train()
    return net
