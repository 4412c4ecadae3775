"""Analytic FLOPs/params equal paddle.flops and the trainable-parameter count of the
stand-alone network; the prior registry and the prior_score CLI use them."""
import contextlib
import io
import json
import random
import subprocess
import sys
from pathlib import Path

import paddle
import pytest

from hnas.flops import count_flops, count_flops_params, count_params
from hnas.models import ResNetSubnet
from hnas.priors import PRIORS, make_prior
from hnas.search_space import SearchSpace
from utils import prior_score

ROOT = Path(__file__).resolve().parents[1]
OFFICIAL = ROOT / "checkpoints" / "CVPR_2022_NAS_Track1_test.json"
CODE_A = "1252233313000000223212122253130000000000006515000000"
CODE_B = "1447233323333300331313230025153545153545003252000000"


@pytest.fixture
def fast_init():
    """Constant initialisation: building full-width nets only to count them is then ~10x faster."""
    paddle.nn.initializer.set_global_initializer(paddle.nn.initializer.Constant(0.01),
                                                 paddle.nn.initializer.Constant(0.0))
    try:
        yield
    finally:
        paddle.nn.initializer.set_global_initializer(None, None)


def paddle_counts(arch, input_size, **kwargs):
    net = ResNetSubnet(arch, **kwargs)
    net.eval()
    with contextlib.redirect_stdout(io.StringIO()):
        flops = paddle.flops(net, [1, 3, input_size, input_size])
    params = sum(int(p.size) for p in net.parameters() if not p.stop_gradient)
    return flops, params


def full_width_codes():
    full, test = SearchSpace.full(), SearchSpace.test_distribution()
    rng = random.Random(2022)
    codes = [full.largest(), full.smallest(), test.smallest()]
    codes += [full.random(rng) for _ in range(9)] + [test.random(rng) for _ in range(9)]
    return codes


@pytest.mark.parametrize("arch", full_width_codes(), ids=lambda a: a.encode())
def test_analytic_counts_equal_paddle_flops_at_224(arch, fast_init):
    assert count_flops_params(arch) == paddle_counts(arch, 224, num_classes=1000)


@pytest.mark.parametrize("options", [
    dict(input_size=32, width_mult=0.25, small_input=True, num_classes=10),
    dict(input_size=16, width_mult=0.5, small_input=True, num_classes=10, activation="prelu"),
    dict(input_size=64, width_mult=0.25, small_input=False, num_classes=100, activation="mish"),
    dict(input_size=224, num_classes=1000, activation="prelu"),
])
def test_analytic_counts_follow_size_width_stem_and_activation(options, fast_init):
    rng = random.Random(7)
    for arch in (SearchSpace.full().random(rng), SearchSpace.full().smallest()):
        size = options["input_size"]
        net_kwargs = {k: v for k, v in options.items() if k != "input_size"}
        assert count_flops_params(arch, **options) == paddle_counts(arch, size, **net_kwargs)


def test_count_helpers_and_ordering():
    full = SearchSpace.full()
    assert count_flops(CODE_A) == count_flops_params(CODE_A)[0]
    assert count_params(CODE_A) == count_flops_params(CODE_A)[1]
    assert count_flops(full.largest()) > count_flops(CODE_A) > count_flops(full.smallest())
    assert count_params(full.largest()) > count_params(CODE_A) > count_params(full.smallest())


def test_prior_registry():
    assert {"flops", "params"} <= set(PRIORS)
    assert make_prior("flops")(CODE_A) == float(count_flops(CODE_A))
    assert make_prior("params", num_classes=10)(CODE_B) == float(count_params(CODE_B, num_classes=10))
    small = make_prior("flops", input_size=32, width_mult=0.25, small_input=True, num_classes=10)
    assert small(CODE_A) == count_flops(CODE_A, input_size=32, width_mult=0.25, small_input=True,
                                        num_classes=10)
    with pytest.raises(ValueError, match="unknown prior 'zen' .*flops, params"):
        make_prior("zen")
    with pytest.raises(ValueError, match="unknown option.*'depth'"):
        make_prior("flops", depth=3)
    with pytest.raises(ValueError, match="arch5: .*length must be 52"):
        make_prior("flops")(CODE_A[:-1], "arch5")


def test_registry_is_extensible_with_one_entry():
    PRIORS["depth_sum"] = lambda **options: (lambda arch, key=None: 1.0)
    try:
        assert make_prior("depth_sum")(CODE_A) == 1.0
    finally:
        del PRIORS["depth_sum"]


def write_input(tmp_path, data):
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data))
    return path


def test_prior_score_writes_counts_keeping_keys_order_and_arch(tmp_path):
    data = {"z9": {"acc": 0.0, "arch": CODE_B}, "a1": {"acc": 0.0, "arch": CODE_A, "note": 1}}
    out = tmp_path / "out" / "flops.json"
    assert prior_score.main(["--prior", "flops", "--json", str(write_input(tmp_path, data)),
                             "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    assert list(result) == ["z9", "a1"]
    assert [e["arch"] for e in result.values()] == [CODE_B, CODE_A]
    assert result["z9"]["acc"] == count_flops(CODE_B)
    assert result["a1"] == {"acc": count_flops(CODE_A), "arch": CODE_A, "note": 1}
    params_out = tmp_path / "params.json"
    assert prior_score.main(["--prior", "params", "--json", str(write_input(tmp_path, data)),
                             "--out", str(params_out), "--num_classes", "10", "--width_mult", "0.5",
                             "--small_input", "--input_size", "32"]) == 0
    assert json.loads(params_out.read_text())["a1"]["acc"] == count_params(
        CODE_A, num_classes=10, width_mult=0.5, small_input=True)


@pytest.mark.parametrize("text, needle", [
    ('{"good": {"arch": "' + CODE_A + '"}, "bad7": {"arch": "' + CODE_A[:51] + '9"}}', "bad7"),
    ('{"good": {"arch": "' + CODE_A + '"}, "noarch": {"acc": 1}}', "noarch"),
    ('{"good": {"arch": "' + CODE_A + '"}, "k3": 5}', "k3"),
    ('{"good": {"arch": "', "malformed JSON at line 1"),
])
def test_prior_score_rejects_malformed_input_without_output(tmp_path, capsys, text, needle):
    src = tmp_path / "in.json"
    src.write_text(text)
    out = tmp_path / "out.json"
    assert prior_score.main(["--prior", "flops", "--json", str(src), "--out", str(out)]) != 0
    assert needle in capsys.readouterr().err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [src]


def test_prior_score_process_exit_code_and_help(tmp_path):
    src = tmp_path / "in.json"
    src.write_text('{"arch1": {"acc": 0.0, "arch": "' + CODE_A.replace("5", "8", 1) + '"}}')
    out = tmp_path / "out.json"
    script = str(ROOT / "utils" / "prior_score.py")
    proc = subprocess.run([sys.executable, script, "--prior", "params", "--json", str(src), "--out", str(out)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode != 0
    assert "arch1" in proc.stderr and "out of range" in proc.stderr
    assert not out.exists()
    proc = subprocess.run([sys.executable, script, "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "--prior" in proc.stdout and "flops" in proc.stdout


@pytest.mark.slow
def test_official_file_scores_in_order(tmp_path):
    """The whole 45,000-code file: every key scored, order and codes preserved."""
    out = tmp_path / "flops.json"
    assert prior_score.main(["--prior", "flops", "--json", str(OFFICIAL), "--out", str(out)]) == 0
    source = json.loads(OFFICIAL.read_text())
    result = json.loads(out.read_text())
    assert list(result) == list(source)
    assert all(result[k]["arch"] == source[k]["arch"] for k in source)
    assert result["arch1"]["acc"] == count_flops(source["arch1"]["arch"])
    assert len({e["acc"] for e in result.values()}) > 1000
