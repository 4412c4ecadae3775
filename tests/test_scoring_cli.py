"""eval_supernet end to end on a tiny supernet: resume, shards, streaming, bad inputs."""
import json
import shutil

import pytest

from scoring_helpers import (REPO, cli_env, run_cli, tiny_codes, write_codes_json, write_tiny_data,
                             write_tiny_run)

from hnas.evaluate import main
from hnas.scoring.runner import STOP_AFTER_ENV, STOPPED_EXIT_CODE


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    root = tmp_path_factory.mktemp("scoring")
    data = write_tiny_data(root / "data")
    run = write_tiny_run(root / "run", data)
    codes = write_codes_json(root / "codes.json", tiny_codes(6))
    reference = root / "reference.json"
    assert main([str(codes), "--checkpoint", str(run), "--out", str(reference)]) == 0
    return {"root": root, "data": data, "run": run, "codes": codes, "reference": reference.read_bytes()}


def test_output_keeps_keys_order_and_arch(setup):
    original = json.loads(setup["codes"].read_text())
    result = json.loads(setup["reference"])
    assert list(result) == list(original)
    for key in original:
        assert result[key]["arch"] == original[key]["arch"]
        assert 0.0 <= result[key]["acc"] <= 100.0
        assert result[key]["acc"] * 8 / 100 == pytest.approx(round(result[key]["acc"] * 8 / 100))
    assert not (setup["root"] / "reference.json.journal.jsonl").exists()


def test_interrupted_run_resumes_to_identical_bytes(setup, tmp_path):
    out = tmp_path / "out.json"
    args = [setup["codes"], "--checkpoint", setup["run"], "--out", out]
    killed = run_cli(args, env=cli_env(**{STOP_AFTER_ENV: 2}))
    assert killed.returncode == STOPPED_EXIT_CODE, killed.stderr[-2000:]
    assert not out.exists()
    journal = tmp_path / "out.json.journal.jsonl"
    assert len(journal.read_text().splitlines()) == 3  # settings + 2 results
    with open(journal, "ab") as handle:
        handle.write(b'{"key": "arch3", "acc": 1')  # a line cut short by the crash
    resumed = run_cli(args)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert out.read_bytes() == setup["reference"]
    assert not journal.exists()


def test_two_shards_merged_equal_one_run(setup, tmp_path):
    out = tmp_path / "out.json"
    for index in (1, 0):
        assert main([str(setup["codes"]), "--checkpoint", str(setup["run"]), "--out", str(out),
                     "--shard", f"{index}/2"]) == 0
    assert not out.exists()
    shards = [tmp_path / f"out.json.shard-{i}-of-2.jsonl" for i in (0, 1)]
    assert [len(p.read_text().splitlines()) for p in shards] == [4, 4]
    from utils.merge_results import main as merge_main

    assert merge_main(["--json", str(setup["codes"]), *map(str, shards), "--out", str(out)]) == 0
    assert out.read_bytes() == setup["reference"]


def test_split_json_parts_scored_and_merged_equal_one_run(setup, tmp_path):
    from utils.merge_results import main as merge_main
    from utils.split_json import main as split_main

    assert split_main([str(setup["codes"]), "--parts", "3", "--out_dir", str(tmp_path)]) == 0
    scored = []
    for index in range(3):
        part = tmp_path / f"codes.part-{index}-of-3.json"
        scored.append(tmp_path / f"scored-{index}.json")
        assert main([str(part), "--checkpoint", str(setup["run"] / "final.pdparams"), "--out", str(scored[-1])]) == 0
    out = tmp_path / "merged.json"
    assert merge_main(["--json", str(setup["codes"]), *map(str, scored[::-1]), "--out", str(out)]) == 0
    assert out.read_bytes() == setup["reference"]


def test_streaming_from_disk_and_prefixed_checkpoint_give_the_same_file(setup, tmp_path):
    out = tmp_path / "streamed.json"
    assert main([str(setup["codes"]), "--checkpoint", str(setup["run"]), "--out", str(out), "--cache_gb", "0"]) == 0
    assert out.read_bytes() == setup["reference"]
    prefixed = write_tiny_run(tmp_path / "multi_rank_run", setup["data"], prefix="_layers.")
    out2 = tmp_path / "prefixed.json"
    assert main([str(setup["codes"]), "--checkpoint", str(prefixed), "--out", str(out2)]) == 0
    assert out2.read_bytes() == setup["reference"]


def test_loss_metric_and_settings_change_the_scores(setup, tmp_path):
    out = tmp_path / "loss.json"
    assert main([str(setup["codes"]), "--checkpoint", str(setup["run"]), "--out", str(out),
                 "--metric", "loss", "eval.bn_calib=0"]) == 0
    losses = [entry["acc"] for entry in json.loads(out.read_text()).values()]
    assert all(value < 0 for value in losses) and len(set(losses)) == len(losses)
    calibrated = tmp_path / "loss_calibrated.json"
    assert main([str(setup["codes"]), "--checkpoint", str(setup["run"]), "--out", str(calibrated),
                 "--metric", "loss", "--val_limit", "5"]) == 0
    assert [e["acc"] for e in json.loads(calibrated.read_text()).values()] != losses


def run_expecting_error(capsys, args, *fragments):
    code = main([str(a) for a in args])
    err = capsys.readouterr().err
    assert code == 2, err
    for fragment in fragments:
        assert fragment in err, err
    return err


def test_bad_inputs_fail_with_a_message_and_no_output(setup, tmp_path, capsys):
    out = tmp_path / "out.json"
    base = ["--checkpoint", setup["run"], "--out", out]
    malformed = tmp_path / "malformed.json"
    malformed.write_text('{"arch1": {"acc": 0.0, "arch": ')
    run_expecting_error(capsys, [malformed, *base], "malformed JSON")
    no_arch = tmp_path / "no_arch.json"
    no_arch.write_text(json.dumps({"arch1": {"acc": 0.0}}))
    run_expecting_error(capsys, [no_arch, *base], "'arch1'", "no 'arch'")
    bad_code = tmp_path / "bad_code.json"
    bad_code.write_text(json.dumps({"arch1": {"acc": 0.0, "arch": tiny_codes(1)[0]},
                                    "arch77": {"acc": 0.0, "arch": "19" + "1" * 50}}))
    run_expecting_error(capsys, [bad_code, *base], "arch77", "depth 9")
    run_expecting_error(capsys, [setup["codes"], "--checkpoint", tmp_path / "nowhere", "--out", out],
                        "checkpoint not found", "nowhere")
    empty_run = tmp_path / "empty_run"
    empty_run.mkdir()
    run_expecting_error(capsys, [setup["codes"], "--checkpoint", empty_run, "--out", out], "final.pdparams")
    run_expecting_error(capsys, [setup["codes"], *base, "--image_dir", tmp_path / "no_data"], "no_data")

    import paddle

    state = paddle.load(str(setup["run"] / "final.pdparams"))
    extra = dict(state, **{"head.weight": paddle.zeros([2, 2])})
    wrong_run = tmp_path / "unknown_key"
    wrong_run.mkdir()
    shutil.copy(setup["run"] / "config.yaml", wrong_run / "config.yaml")
    paddle.save(extra, str(wrong_run / "final.pdparams"))
    run_expecting_error(capsys, [setup["codes"], "--checkpoint", wrong_run, "--out", out], "'head.weight'")
    state["fc.weight"] = paddle.zeros([7, 7])
    paddle.save(state, str(wrong_run / "final.pdparams"))
    run_expecting_error(capsys, [setup["codes"], "--checkpoint", wrong_run, "--out", out],
                        "'fc.weight'", "[7, 7]")
    assert not out.exists()
    assert not list(tmp_path.glob("out.json*"))


def test_original_toolkit_flags_work(setup, tmp_path):
    out = tmp_path / "legacy.json"
    assert main(["run", "--save_dir", str(setup["run"]), "--json_path", str(setup["codes"]), "--batch_size", "4",
                 "--image_dir", str(setup["data"]), "--out", str(out)]) == 0
    assert out.read_bytes() == setup["reference"]


@pytest.mark.slow
@pytest.mark.multirank
def test_two_rank_launch_equals_one_rank(setup, tmp_path):
    import subprocess

    out = tmp_path / "out.json"
    env = cli_env(NPROC=2, LOG_DIR=tmp_path / "log")
    result = subprocess.run(["bash", str(REPO / "eval_supernet.sh"), str(setup["codes"]), "--checkpoint",
                             str(setup["run"]), "--out", str(out)], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    logs = "".join(p.read_text() for p in sorted((tmp_path / "log").glob("workerlog.*")))
    assert result.returncode == 0, result.stderr[-2000:] + logs[-2000:]
    assert out.read_bytes() == setup["reference"]
    assert "shard 1/2" in logs and not list(tmp_path.glob("out.json.shard-*"))

