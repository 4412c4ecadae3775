"""Subnet export: the jit-saved model equals the supernet; the CLI loads single- and
multi-rank checkpoints and rejects bad input clearly."""
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import paddle
import pytest

from hnas.models import build_supernet, extract_subnet
from hnas.models.export import export_inference
from hnas.search_space import SearchSpace
from utils import export_subnet

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = str(ROOT / "utils" / "export_subnet.py")
KW = dict(num_classes=10, width_mult=0.25, small_input=True)
CODE = "1252233313000000223212122253130000000000006515000000"


@pytest.fixture
def no_onednn():
    """Paddle 3.3.1 on CPU cannot run a `paddle.jit.load`ed layer while FLAGS_use_onednn is on
    ("dst_tensor shall be defined" or a segfault); conftest turns it on for speed."""
    previous = paddle.get_flags(["FLAGS_use_onednn"])["FLAGS_use_onednn"]
    paddle.set_flags({"FLAGS_use_onednn": False})
    try:
        yield
    finally:
        paddle.set_flags({"FLAGS_use_onednn": previous})


def predictor_output(prefix, x):
    """Run an exported model through paddle.inference, the deployment path (works with oneDNN)."""
    from paddle import inference

    config = inference.Config(str(prefix) + ".json", str(prefix) + ".pdiparams")
    config.disable_gpu()
    predictor = inference.create_predictor(config)
    handle = predictor.get_input_handle(predictor.get_input_names()[0])
    handle.reshape(list(x.shape))
    handle.copy_from_cpu(x.numpy())
    predictor.run()
    return predictor.get_output_handle(predictor.get_output_names()[0]).copy_to_cpu()


def trained_looking_supernet(name="resnet48", seed=0):
    paddle.seed(seed)
    net = build_supernet(name, **KW)
    rng = np.random.default_rng(seed)
    with paddle.no_grad():
        for pname, p in net.named_parameters():
            if pname.endswith("_mean"):
                p.set_value(rng.normal(0, 0.2, p.shape[0]).astype("float32"))
            elif pname.endswith("_variance"):
                p.set_value(rng.uniform(0.5, 1.5, p.shape[0]).astype("float32"))
            elif pname.endswith("bn2.weight") or pname.endswith("downsample.1.weight"):
                p.set_value(rng.uniform(0.1, 0.4, p.shape[0]).astype("float32"))
    net.eval()
    return net


@pytest.mark.parametrize("name", ["resnet48", "resnet48_mish"])
def test_jit_exported_subnet_matches_the_supernet(tmp_path, name, no_onednn):
    supernet = trained_looking_supernet(name)
    arch = SearchSpace.full().random(random.Random(4))
    supernet.activate(arch)
    x = paddle.randn([3, 3, 24, 24])
    expected = supernet(x).numpy()
    prefix = export_inference(extract_subnet(supernet, arch), tmp_path / "exported", image_size=24)
    assert sorted(p.name for p in prefix.parent.iterdir()) in (
        ["model.json", "model.pdiparams"], ["model.pdiparams", "model.pdmodel"])
    loaded = paddle.jit.load(str(prefix))
    loaded.eval()
    assert np.abs(loaded(x).numpy() - expected).max() < 1e-5
    if prefix.with_suffix(".json").exists():
        assert np.abs(predictor_output(prefix, x) - expected).max() < 1e-4


def run_cli(*args):
    return subprocess.run([sys.executable, SCRIPT, *map(str, args)], capture_output=True, text=True)


def test_cli_exports_from_a_multi_rank_checkpoint(tmp_path, no_onednn):
    supernet = trained_looking_supernet()
    checkpoint = tmp_path / "final.pdparams"
    paddle.save({"_layers." + k: v for k, v in supernet.state_dict().items()}, str(checkpoint))
    out = tmp_path / "export"
    proc = run_cli("--checkpoint", checkpoint, "--arch", CODE, "--out", out, "--num_classes", 10,
                   "--width_mult", 0.25, "--small_input", "--image_size", 16)
    assert proc.returncode == 0, proc.stderr
    supernet.activate(CODE)
    x = paddle.randn([2, 3, 16, 16])
    loaded = paddle.jit.load(str(out / "model"))
    loaded.eval()
    assert np.abs(loaded(x).numpy() - supernet(x).numpy()).max() < 1e-5
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no staging leftovers


def test_cli_rejects_bad_code_and_bad_checkpoint(tmp_path, capsys):
    supernet = trained_looking_supernet()
    checkpoint = tmp_path / "final.pdparams"
    paddle.save(supernet.state_dict(), str(checkpoint))
    out = tmp_path / "export"
    small = ["--num_classes", "10", "--small_input"]
    assert export_subnet.main(["--checkpoint", str(checkpoint), "--arch", CODE[:-1] + "3", "--out", str(out),
                               "--width_mult", "0.25", *small]) != 0
    err = capsys.readouterr().err
    assert "--arch" in err and "must be '00'" in err
    assert export_subnet.main(["--checkpoint", str(checkpoint), "--arch", CODE, "--out", str(out),
                               "--width_mult", "0.5", *small]) != 0  # not the training geometry
    err = capsys.readouterr().err
    assert "'conv1.weight' has shape [16, 3, 3, 3] in the checkpoint but [32, 3, 3, 3]" in err
    assert "--width_mult" in err
    garbage = tmp_path / "garbage.pdparams"
    garbage.write_bytes(b"\x00" * 64)
    proc = run_cli("--checkpoint", garbage, "--arch", CODE, "--out", out, "--width_mult", 0.25, *small)
    assert proc.returncode != 0 and "garbage.pdparams" in proc.stderr
    assert not out.exists()
