"""Rank utilities: key-aligned correlations, checkpoint layout conversion, code distances,
rank/lambda figures and the search-space size."""
import json
import random
import subprocess
import sys
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from hnas.code_distance import all_pair_distances, code_matrix, pair_distances, sampled_pair_distances
from hnas.ranking import RankingError, align_by_key, correlations
from hnas.search_space import SearchSpace, hamming_distance
from hnas.submission import load_submission
from utils import convert_model, distance_calc, kendall, visualize_rank

REPO = Path(__file__).resolve().parents[1]
OFFICIAL = REPO / "checkpoints" / "CVPR_2022_NAS_Track1_test.json"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def codes():
    with open(OFFICIAL) as handle:
        data = json.load(handle)
    return [data[f"arch{i}"]["arch"] for i in range(1, 31)]


def submission(codes, scores, keys=None):
    keys = keys or [f"arch{i + 1}" for i in range(len(codes))]
    return {k: {"acc": float(s), "arch": c} for k, c, s in zip(keys, codes, scores)}


def write_json(path, data):
    path.write_text(json.dumps(data))
    return path


def scored_pair(codes, n=20, seed=1):
    rng = np.random.default_rng(seed)
    truth = rng.normal(70, 5, n)
    pred = truth + rng.normal(0, 1.5, n)
    return submission(codes[:n], pred), submission(codes[:n], truth)


def expected_line(pred, truth):
    x = [pred[k]["acc"] for k in truth]
    y = [truth[k]["acc"] for k in truth]
    return (f"kendall={stats.kendalltau(x, y, variant='b').statistic:.4f} "
            f"pearson={stats.pearsonr(x, y).statistic:.4f} "
            f"spearman={stats.spearmanr(x, y).statistic:.4f} n={len(x)}")


# ---- kendall.py ---------------------------------------------------------------------------

def test_kendall_matches_scipy_and_ignores_file_order(tmp_path, codes, capsys):
    pred, truth = scored_pair(codes)
    keys = list(pred)
    random.Random(3).shuffle(keys)
    shuffled = {k: pred[k] for k in keys}
    assert list(shuffled) != list(truth)
    truth_file = write_json(tmp_path / "truth.json", truth)
    assert kendall.main([str(write_json(tmp_path / "pred.json", pred)), str(truth_file)]) == 0
    in_order = capsys.readouterr().out
    assert kendall.main([str(write_json(tmp_path / "shuffled.json", shuffled)), str(truth_file)]) == 0
    shuffled_out = capsys.readouterr().out
    assert in_order == shuffled_out == expected_line(pred, truth) + "\n"
    assert in_order.count("\n") == 1


def test_pairing_by_file_order_would_differ(codes):
    """Guards the test above: the shuffle really changes what order-based pairing gives."""
    pred, truth = scored_pair(codes)
    keys = list(pred)
    random.Random(3).shuffle(keys)
    by_order = correlations([pred[k]["acc"] for k in keys], [v["acc"] for v in truth.values()])
    by_key = correlations(*align_by_key({k: pred[k] for k in keys}, truth)[1:])
    assert abs(by_order["kendall"] - by_key["kendall"]) > 0.05


def test_kendall_json_output(tmp_path, codes, capsys):
    pred, truth = scored_pair(codes, n=12)
    out = tmp_path / "sub" / "corr.json"
    assert kendall.main([str(write_json(tmp_path / "p.json", pred)), str(write_json(tmp_path / "t.json", truth)),
                         "--json", str(out)]) == 0
    written = json.loads(out.read_text())
    assert written["n"] == 12
    x = [pred[k]["acc"] for k in truth]
    y = [v["acc"] for v in truth.values()]
    assert written["kendall"] == pytest.approx(stats.kendalltau(x, y).statistic)
    assert written["spearman"] == pytest.approx(stats.spearmanr(x, y).statistic)


def test_key_mismatch_counts_each_side_and_intersect_recovers(tmp_path, codes, capsys):
    pred, truth = scored_pair(codes, n=20)
    for key in ("arch1", "arch2", "arch3"):
        del truth[key]
    del pred["arch20"]
    pred_file = write_json(tmp_path / "pred.json", pred)
    truth_file = write_json(tmp_path / "truth.json", truth)
    out = tmp_path / "corr.json"
    assert kendall.main([str(pred_file), str(truth_file), "--json", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"3 keys of {pred_file} missing from {truth_file} (first: arch1, arch2, arch3)" in err
    assert f"1 keys of {truth_file} missing from {pred_file} (first: arch20)" in err
    assert not out.exists()
    assert kendall.main([str(pred_file), str(truth_file), "--intersect"]) == 0
    shared = {k: v for k, v in truth.items() if k in pred}
    assert capsys.readouterr().out == expected_line(pred, shared) + "\n"


def test_arch_mismatch_names_the_key(tmp_path, codes, capsys):
    pred, truth = scored_pair(codes, n=10)
    pred["arch4"]["arch"] = codes[25]
    assert kendall.main([str(write_json(tmp_path / "p.json", pred)), str(write_json(tmp_path / "t.json", truth))]) == 2
    err = capsys.readouterr().err
    assert "key 'arch4' names different architectures" in err and codes[25] in err


@pytest.mark.parametrize("n, constant, message", [(1, False, "at least 2"), (6, True, "all equal")])
def test_degenerate_inputs_are_errors(tmp_path, codes, capsys, n, constant, message):
    pred, truth = scored_pair(codes, n=n)
    if constant:
        truth = {k: dict(v, acc=50.0) for k, v in truth.items()}
    assert kendall.main([str(write_json(tmp_path / "p.json", pred)), str(write_json(tmp_path / "t.json", truth))]) == 2
    assert message in capsys.readouterr().err


def test_bad_acc_and_bad_file_are_named(tmp_path, codes, capsys):
    pred, truth = scored_pair(codes, n=5)
    pred["arch2"]["acc"] = "high"
    with pytest.raises(RankingError, match="key 'arch2' has acc 'high'"):
        align_by_key(pred, truth)
    broken = tmp_path / "broken.json"
    broken.write_text("{")
    assert kendall.main([str(broken), str(write_json(tmp_path / "t.json", truth))]) == 2
    assert str(broken) in capsys.readouterr().err


def test_cli_runs_as_a_script_with_help():
    result = subprocess.run([sys.executable, str(REPO / "utils" / "kendall.py"), "--help"], cwd="/",
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "--intersect" in result.stdout


# ---- convert_model.py ---------------------------------------------------------------------

def test_convert_round_trip_and_detection(tmp_path, capsys):
    import paddle

    from hnas.checkpoint_layout import detect_layout
    from hnas.models import ResNetSubnet

    net = ResNetSubnet(SearchSpace.full().smallest(), num_classes=10, width_mult=0.25, small_input=True)
    single = tmp_path / "single.pdparams"
    paddle.save(net.state_dict(), str(single))
    multi, back = tmp_path / "multi.pdparams", tmp_path / "back.pdparams"
    assert convert_model.main([str(single), str(multi)]) == 0
    assert "single-rank -> multi-rank" in capsys.readouterr().out
    multi_state = paddle.load(str(multi))
    assert detect_layout(multi_state) == "multi"
    assert all(k.startswith("_layers.") for k in multi_state)
    assert convert_model.main([str(multi), str(back)]) == 0
    assert "multi-rank -> single-rank" in capsys.readouterr().out
    original, restored = net.state_dict(), paddle.load(str(back))
    assert list(restored) == list(original)
    for key in original:
        np.testing.assert_array_equal(restored[key].numpy(), original[key].numpy())
    assert convert_model.main([str(back), str(tmp_path / "same.pdparams"), "--to", "single"]) == 0
    assert "already in that layout" in capsys.readouterr().out
    assert list(paddle.load(str(tmp_path / "same.pdparams"))) == list(original)


def test_convert_rejects_mixed_and_missing(tmp_path, capsys):
    import paddle

    mixed = tmp_path / "mixed.pdparams"
    paddle.save({"_layers.fc.weight": paddle.ones([2, 2]), "fc.bias": paddle.ones([2])}, str(mixed))
    out = tmp_path / "out.pdparams"
    assert convert_model.main([str(mixed), str(out)]) == 2
    assert "'fc.bias' does not" in capsys.readouterr().err
    assert convert_model.main([str(tmp_path / "nope.pdparams"), str(out)]) == 2
    assert "not found" in capsys.readouterr().err
    assert not out.exists() and not list(tmp_path.glob(".out.pdparams*"))


# ---- distance_calc.py ---------------------------------------------------------------------

def test_distances_agree_with_search_space_hamming(codes):
    by_key = {f"k{i}": c for i, c in enumerate(codes[:12])}
    _, matrix = code_matrix(by_key)
    expected = [hamming_distance(a, b) for a, b in combinations(codes[:12], 2)]
    assert all_pair_distances(matrix).tolist() == expected
    sampled = sampled_pair_distances(matrix, 500, seed=4)
    assert set(sampled.tolist()) <= set(expected) and len(sampled) == 500
    np.testing.assert_array_equal(sampled, sampled_pair_distances(matrix, 500, seed=4))


def test_distance_cli_exact_counts_and_png(tmp_path, capsys):
    base = "1" + "5585" + "1" * 47
    def first_convs(code, slots):  # widen the first conv of stage-1 blocks at these char slots
        return "".join("2" if i in slots else ch for i, ch in enumerate(code))

    codes = {"a": base, "b": first_convs(base, {6, 8}), "c": first_convs(base, {6, 8, 10}), "d": base}
    for key, code in codes.items():
        assert hamming_distance(base, code) == {"a": 0, "b": 2, "c": 3, "d": 0}[key]
    data = write_json(tmp_path / "codes.json", {k: {"acc": 0.0, "arch": c} for k, c in codes.items()})
    png = tmp_path / "hist.png"
    assert distance_calc.main([str(data), "--png", str(png)]) == 0
    out = capsys.readouterr().out
    # pairs: ab 2, ac 3, ad 0, bc 1, bd 2, cd 3
    assert "codes=4 all 6 pairs" in out
    assert "min=0 max=3 mean=1.833 median=2.0" in out
    lines = {int(line.split()[0]): int(line.split()[1]) for line in out.splitlines() if line[:3].strip().isdigit()}
    assert lines == {0: 1, 1: 1, 2: 2, 3: 2}
    assert png.read_bytes()[:8] == PNG_MAGIC and png.stat().st_size > 1024


def test_distance_sampling_when_pairs_exceed_limit(codes):
    distances, sampled = pair_distances({f"k{i}": c for i, c in enumerate(codes)}, pairs=100, seed=0)
    assert sampled and len(distances) == 100  # 30 codes -> 435 pairs > 100
    distances, sampled = pair_distances({f"k{i}": c for i, c in enumerate(codes)}, pairs=435)
    assert not sampled and len(distances) == 435


def test_distance_rejects_unequal_codes(tmp_path, capsys):
    with pytest.raises(ValueError, match="key 'b'"):
        code_matrix({"a": "1" * 52, "b": "1" * 40})


# ---- visualize_rank.py --------------------------------------------------------------------

def test_scatter_png_and_coefficients(tmp_path, codes, capsys):
    pred, truth = scored_pair(codes, n=25)
    png = tmp_path / "scatter.png"
    args = [str(write_json(tmp_path / "p.json", pred)), str(write_json(tmp_path / "t.json", truth))]
    assert visualize_rank.main(["scatter", *args, "--png", str(png)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == expected_line(pred, truth)
    assert png.read_bytes()[:8] == PNG_MAGIC and png.stat().st_size > 1024


def test_scatter_refuses_arch_mismatch_without_writing(tmp_path, codes, capsys):
    pred, truth = scored_pair(codes, n=8)
    truth["arch2"]["arch"] = codes[20]
    png = tmp_path / "scatter.png"
    args = [str(write_json(tmp_path / "p.json", pred)), str(write_json(tmp_path / "t.json", truth))]
    assert visualize_rank.main(["scatter", *args, "--png", str(png)]) == 2
    assert "'arch2'" in capsys.readouterr().err and not png.exists()


@pytest.mark.parametrize("schedule", visualize_rank.SCHEDULES)
def test_lambda_png(tmp_path, capsys, schedule):
    png = tmp_path / f"{schedule}.png"
    assert visualize_rank.main(["lambda", "--schedule", schedule, "--lambda_max", "2", "--epochs", "70",
                                "--png", str(png)]) == 0
    assert png.read_bytes()[:8] == PNG_MAGIC and png.stat().st_size > 1024
    peak = float(capsys.readouterr().out.split()[2])
    assert peak == pytest.approx(2.0, abs=0.01 if schedule != "cosine" else 0.0)


def test_lambda_schedules_match_the_loss_module():
    from hnas.losses.lambda_schedule import LAMBDA_SCHEDULES

    assert tuple(visualize_rank.SCHEDULES) == tuple(LAMBDA_SCHEDULES)


@pytest.mark.parametrize("name, space", [("full", SearchSpace.full()), ("test", SearchSpace.test_distribution())])
def test_space_prints_exact_size(capsys, name, space):
    assert visualize_rank.main(["space", "--space", name]) == 0
    assert capsys.readouterr().out.strip() == str(space.size())


def test_full_space_size_is_about_1_2e23(capsys):
    visualize_rank.main(["space"])
    assert 1.2e23 < int(capsys.readouterr().out) < 1.22e23


def test_official_codes_load_for_distance(capsys):
    assert len(load_submission(OFFICIAL)) == 45000
