"""Model registry: supernet builders by name, as the original toolkit's `--backbone` expects."""
from functools import partial

from hnas.models.extract import extract_subnet
from hnas.models.resnet48_supernet import ResNet48Supernet
from hnas.models.resnet_standalone import ResNetSubnet

MODELS = {
    "resnet48": partial(ResNet48Supernet, activation="relu"),
    "resnet48_prelu": partial(ResNet48Supernet, activation="prelu"),
    "resnet48_swish": partial(ResNet48Supernet, activation="swish"),
    "resnet48_mish": partial(ResNet48Supernet, activation="mish"),
}


def build_supernet(name: str, **kwargs) -> ResNet48Supernet:
    """Build a registered supernet; kwargs: num_classes, width_mult, small_input, search_space."""
    if name not in MODELS:
        raise ValueError(f"unknown backbone {name!r} (choose from {', '.join(MODELS)})")
    return MODELS[name](**kwargs)


def activation_of(name: str) -> str:
    """The outer activation a registered backbone uses."""
    if name not in MODELS:
        raise ValueError(f"unknown backbone {name!r} (choose from {', '.join(MODELS)})")
    return MODELS[name].keywords["activation"]


__all__ = ["MODELS", "build_supernet", "activation_of", "extract_subnet", "ResNet48Supernet", "ResNetSubnet"]
