"""An external teacher network for knowledge distillation (config key ``loss.teacher``).

The file is either a static ResNet-48 or a supernet checkpoint; both use the supernet's
parameter names, so it is loaded into a supernet of the training geometry and the teacher
subnet (``loss.teacher_arch``, default the largest of the full space) is extracted as a
plain, frozen network.
"""
from __future__ import annotations

from hnas.models import build_supernet, extract_subnet
from hnas.models.state_io import load_matching_state, read_state_dict
from hnas.search_space import SearchSpace, parse_code


def build_external_teacher(cfg: dict):
    """The frozen teacher network in eval mode, or None when ``loss.teacher`` is unset."""
    path = cfg["loss"]["teacher"]
    if path is None:
        return None
    model_cfg = cfg["model"]
    supernet = build_supernet(model_cfg["backbone"], num_classes=model_cfg["num_classes"],
                              width_mult=model_cfg["width_mult"], small_input=model_cfg["small_input"],
                              search_space=SearchSpace.full())
    load_matching_state(supernet, read_state_dict(path), f"loss.teacher {path}")
    code = cfg["loss"]["teacher_arch"]
    arch = SearchSpace.full().largest() if code is None else parse_code(str(code), key="loss.teacher_arch")
    teacher = extract_subnet(supernet, arch)
    teacher.eval()
    for param in teacher.parameters():
        param.stop_gradient = True
    return teacher
