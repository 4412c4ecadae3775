"""Tiny inputs for the scoring tests: class-folder images, a supernet run directory, codes,
and a way to run the scoring CLI in a subprocess."""
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
NUM_CLASSES = 10
IMAGE_SIZE = 16


def tiny_codes(count=6, seed=0) -> list[str]:
    """The largest, the smallest and random distinct codes of the test distribution."""
    from hnas.search_space import SearchSpace

    space, draw = SearchSpace.test_distribution(), random.Random(seed)
    codes = [space.largest().encode(), space.smallest().encode()]
    while len(codes) < count:
        code = space.random(draw).encode()
        if code not in codes:
            codes.append(code)
    return codes


def write_codes_json(path, codes) -> Path:
    path = Path(path)
    path.write_text(json.dumps({f"arch{i + 1}": {"acc": 0.0, "arch": code} for i, code in enumerate(codes)}))
    return path


def write_tiny_data(root, per_class_train=3, per_class_val=2, classes=4, side=20, seed=0) -> Path:
    """Random RGB images as train/ and val/ class folders (classes < the model's 10)."""
    from hnas.data.class_folders import write_class_folders

    rng = np.random.RandomState(seed)
    splits = {}
    for split, per_class in (("train", per_class_train), ("val", per_class_val)):
        labels = np.repeat(np.arange(classes), per_class)
        images = rng.randint(0, 256, size=(len(labels), side, side, 3)).astype(np.uint8)
        splits[split] = (images, labels)
    return write_class_folders(root, splits, [f"class{c}" for c in range(classes)])


def write_tiny_run(run_dir, image_dir, seed=0, prefix="", extra_overrides=()) -> Path:
    """A run directory like training leaves it: final.pdparams + config.yaml.

    The BN running statistics are randomised so that recalibration visibly changes them."""
    import paddle

    from hnas.config import build_config, dump_config
    from hnas.models import build_supernet

    paddle.seed(seed)
    net = build_supernet("resnet48", num_classes=NUM_CLASSES, width_mult=0.25, small_input=True)
    rng = np.random.RandomState(seed)
    state = net.state_dict()
    for name, tensor in state.items():
        if name.endswith("_mean"):
            tensor.set_value(rng.normal(0, 0.1, tensor.shape).astype("float32"))
        elif name.endswith("_variance"):
            tensor.set_value(rng.uniform(0.5, 2.0, tensor.shape).astype("float32"))
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    paddle.save({prefix + k: v for k, v in net.state_dict().items()}, str(run_dir / "final.pdparams"))
    cfg = build_config(None, ["model.backbone=resnet48", f"model.num_classes={NUM_CLASSES}",
                              "model.width_mult=0.25", "model.small_input=true",
                              f"data.image_dir={image_dir}", f"data.image_size={IMAGE_SIZE}",
                              "eval.batch_size=4", "eval.bn_calib=2", *extra_overrides])
    (run_dir / "config.yaml").write_text(dump_config(cfg))
    return run_dir


def cli_env(**extra) -> dict:
    env = dict(os.environ)
    env.update({"OMP_NUM_THREADS": "1", "FLAGS_use_onednn": env.get("FLAGS_use_onednn", "1")})
    env.pop("PADDLE_TRAINER_ID", None)
    env.pop("PADDLE_TRAINERS_NUM", None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_cli(args, env=None, cwd=None, timeout=300) -> subprocess.CompletedProcess:
    """`python utils/eval_supernet.py ARGS` in a subprocess."""
    return subprocess.run([sys.executable, str(REPO / "utils" / "eval_supernet.py"), *map(str, args)],
                          env=env or cli_env(), cwd=cwd or REPO, capture_output=True, text=True,
                          timeout=timeout)
