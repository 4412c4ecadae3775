"""Stand-alone trainer: recipe defaults, results written in submission format, locked
updates that never lose entries under concurrency, determinism for a seed."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from hnas.results_file import lock_path_of, update_results
from hnas.standalone import StandaloneRecipe
from hnas.submission import SubmissionError, load_submission
from scripts import train_standalone

REPO = Path(__file__).resolve().parents[1]
CODE = "1252233313000000223212122253130000000000006515000000"
CODE_B = "1447233323333300331313230025153545153545003252000000"
TINY = ["--image_size", "16", "--small_input", "--width_mult", "0.25", "--epochs", "1", "--batch_size", "32",
        "--warmup", "0", "--num_workers", "0", "--train_limit", "64", "--val_limit", "40", "--verbose", "0"]


def test_defaults_are_the_original_stand_alone_recipe():
    recipe = StandaloneRecipe()
    assert (recipe.epochs, recipe.batch_size, recipe.lr, recipe.momentum, recipe.weight_decay,
            recipe.warmup_epochs, recipe.image_size) == (90, 256, 0.1, 0.9, 1e-4, 2, 224)
    args = train_standalone.parse_args(["--arch", CODE, "--results", "x.json"])
    assert train_standalone.recipe_of(args) == recipe


def test_runs_write_results_and_same_seed_gives_same_accuracy(tmp_path, capsys):
    results = tmp_path / "out" / "gt.json"
    assert train_standalone.main(["--arch", CODE, "--results", str(results), *TINY]) == 0
    assert train_standalone.main(["--arch", CODE, "--key", "again", "--results", str(results), *TINY]) == 0
    assert train_standalone.main(["--arch", CODE_B, "--key", "other", "--results", str(results), *TINY,
                                  "--seed", "5"]) == 0
    data = load_submission(results)
    assert list(data) == [CODE, "again", "other"]
    assert data[CODE]["arch"] == data["again"]["arch"] == CODE and data["other"]["arch"] == CODE_B
    assert all(0.0 <= entry["acc"] <= 100.0 for entry in data.values())
    # 40 validation images: every accuracy is a multiple of 2.5 %
    assert all((entry["acc"] / 2.5) == pytest.approx(round(entry["acc"] / 2.5)) for entry in data.values())
    assert data[CODE]["acc"] == data["again"]["acc"]
    assert f"{CODE} top1=" in capsys.readouterr().out
    assert json.loads(results.read_text()) == data


def test_rerun_replaces_its_key_in_place(tmp_path):
    results = tmp_path / "gt.json"
    update_results(results, {"a": {"acc": 1.0, "arch": CODE}, "b": {"acc": 2.0, "arch": CODE_B}})
    update_results(results, {"a": {"acc": 3.0, "arch": CODE}})
    assert load_submission(results) == {"a": {"acc": 3.0, "arch": CODE}, "b": {"acc": 2.0, "arch": CODE_B}}
    assert lock_path_of(results).name == "gt.json.lock"


WRITER = """
import sys
sys.path.insert(0, {repo!r})
from hnas.results_file import update_results
for i in range({count}):
    update_results({path!r}, {{f"w{{sys.argv[1]}}_{{i}}": {{"acc": float(i), "arch": {code!r}}}}})
"""


def test_concurrent_writers_never_lose_an_entry(tmp_path):
    results = tmp_path / "shared.json"
    writers, count = 6, 15
    script = WRITER.format(repo=str(REPO), count=count, path=str(results), code=CODE)
    procs = [subprocess.Popen([sys.executable, "-c", script, str(w)], stderr=subprocess.PIPE, text=True)
             for w in range(writers)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * writers, errors
    data = load_submission(results)
    assert len(data) == writers * count
    assert {f"w{w}_{i}" for w in range(writers) for i in range(count)} == set(data)
    assert not list(tmp_path.glob(".shared.json.*.tmp"))


def test_corrupt_results_file_is_reported_and_left_alone(tmp_path, capsys):
    results = tmp_path / "gt.json"
    results.write_text('{"a": {"acc": 1.0, "arch": "12"}}')
    with pytest.raises(SubmissionError, match="gt.json: a: invalid architecture code"):
        update_results(results, {"b": {"acc": 2.0, "arch": CODE}})
    assert results.read_text() == '{"a": {"acc": 1.0, "arch": "12"}}'


def test_bad_code_and_bad_options_fail_before_training(tmp_path, capsys):
    results = tmp_path / "gt.json"
    assert train_standalone.main(["--arch", CODE[:-1], "--results", str(results), *TINY]) == 2
    assert "invalid architecture code" in capsys.readouterr().err
    assert train_standalone.main(["--arch", CODE, "--results", str(results), *TINY, "--warmup", "3"]) == 2
    assert "warmup of 3.0 epochs" in capsys.readouterr().err
    assert train_standalone.main(["--arch", CODE, "--results", str(results), *TINY,
                                  "--image_dir", str(tmp_path / "nowhere")]) == 2
    assert "nowhere" in capsys.readouterr().err
    assert train_standalone.main(["--arch", CODE, "--results", str(results), *TINY, "--num_classes", "3"]) == 2
    assert "num_classes 3" in capsys.readouterr().err
    assert not results.exists()


def test_script_help_runs_from_any_directory():
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "train_standalone.py"), "--help"], cwd="/",
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "--image_dir" in result.stdout and "--val_limit" in result.stdout


@pytest.mark.slow
def test_short_training_learns_well_above_chance(tmp_path):
    results = tmp_path / "gt.json"
    args = ["--arch", CODE, "--results", str(results), "--image_size", "16", "--small_input", "--width_mult",
            "0.25", "--epochs", "2", "--batch_size", "32", "--lr", "0.4", "--warmup", "0.5",
            "--num_workers", "0", "--train_limit", "640", "--val_limit", "200", "--verbose", "0"]
    assert train_standalone.main(args) == 0
    assert load_submission(results)[CODE]["acc"] > 25.0  # 10 classes: chance is 10 %
