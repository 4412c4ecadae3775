"""Submission files: loading rejects bad input naming file and key; writing is atomic and
keeps the official layout byte for byte."""
import json
import os
from pathlib import Path

import pytest

from hnas.atomic import atomic_write_bytes, atomic_write_text
from hnas.submission import (SubmissionError, dumps_submission, load_submission, with_scores,
                             write_submission)

OFFICIAL = Path(__file__).resolve().parents[1] / "checkpoints" / "CVPR_2022_NAS_Track1_test.json"
CODE_A = "1252233313000000223212122253130000000000006515000000"
CODE_B = "1447233323333300331313230025153545153545003252000000"


def write(tmp_path, text, name="in.json"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_official_file_round_trips_byte_for_byte(tmp_path):
    data = load_submission(OFFICIAL)
    assert len(data) == 45000
    assert list(data)[:3] == ["arch1", "arch2", "arch3"]
    out = write_submission(tmp_path / "copy.json", data)
    assert out.read_bytes() == OFFICIAL.read_bytes()


def test_load_keeps_order_and_extra_fields(tmp_path):
    text = json.dumps({"z": {"acc": 1.5, "arch": CODE_A, "note": "x"}, "a": {"arch": CODE_B}})
    data = load_submission(write(tmp_path, text))
    assert list(data) == ["z", "a"]
    assert data["z"]["note"] == "x"


@pytest.mark.parametrize("text, expected", [
    ('{"k1": {"arch": "' + CODE_A + '"},\n "k2": ', "line 2 column"),
    ('[1, 2]', "top level must be a JSON object"),
    ('{"k1": {"arch": "' + CODE_A + '"}, "bad": 3}', "'bad': entry must be an object"),
    ('{"k1": {"acc": 0.0}}', "'k1': entry has no 'arch' field"),
    ('{"k1": {"arch": "' + CODE_A + '"}, "k9": {"arch": "' + CODE_A[:-1] + '"}}', "k9: invalid architecture code"),
    ('{"k9": {"arch": "' + CODE_A[:5] + "8" + CODE_A[6:] + '"}}', "stem width code 8"),
])
def test_load_rejects_bad_input_naming_file_and_key(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(SubmissionError) as info:
        load_submission(path)
    assert expected in str(info.value)
    assert str(path) in str(info.value)


def test_unreadable_file_is_a_submission_error(tmp_path):
    missing = tmp_path / "nope.json"
    with pytest.raises(SubmissionError, match="nope.json: cannot read"):
        load_submission(missing)
    assert issubclass(SubmissionError, ValueError)


def test_write_creates_parent_and_leaves_no_temp_files(tmp_path):
    target = tmp_path / "deep" / "dir" / "out.json"
    write_submission(target, {"b": {"acc": 2.0, "arch": CODE_A}, "a": {"acc": 1.0, "arch": CODE_B}})
    assert target.read_text() == json.dumps({"b": {"acc": 2.0, "arch": CODE_A},
                                             "a": {"acc": 1.0, "arch": CODE_B}})
    assert os.listdir(target.parent) == ["out.json"]


def test_write_refuses_invalid_data_without_touching_the_target(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("old")
    with pytest.raises(SubmissionError, match="'k': entry has no 'arch'"):
        write_submission(target, {"k": {"acc": 1.0}})
    assert target.read_text() == "old"


def test_with_scores_replaces_acc_only():
    data = {"x": {"acc": 0.0, "arch": CODE_A, "extra": [1]}, "y": {"arch": CODE_B}}
    scored = with_scores(data, {"y": 7, "x": 0.5})
    assert list(scored) == ["x", "y"]
    assert scored["x"] == {"acc": 0.5, "arch": CODE_A, "extra": [1]}
    assert scored["y"] == {"arch": CODE_B, "acc": 7}
    assert data["x"]["acc"] == 0.0  # the input is not modified
    assert dumps_submission(scored).startswith('{"x": {"acc": 0.5, "arch": "')


def test_with_scores_names_missing_keys():
    with pytest.raises(SubmissionError, match="no score for 1 key.*'y'"):
        with_scores({"x": {"arch": CODE_A}, "y": {"arch": CODE_B}}, {"x": 1.0})


def test_atomic_write_replaces_whole_file(tmp_path):
    target = tmp_path / "sub" / "f.txt"
    atomic_write_text(target, "first version, long")
    atomic_write_text(target, "second")
    assert target.read_text() == "second"
    atomic_write_bytes(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert os.listdir(target.parent) == ["f.txt"]


def test_atomic_write_failure_keeps_old_file(tmp_path):
    target = tmp_path / "f.txt"
    target.write_text("old")
    with pytest.raises(TypeError):
        atomic_write_bytes(target, "not bytes")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["f.txt"]


def test_load_submission_archs_decodes_each_code_once_in_order(tmp_path):
    from hnas.submission import load_submission_archs

    data, archs = load_submission_archs(write(tmp_path, json.dumps({"b": {"arch": CODE_B}, "a": {"arch": CODE_A}})))
    assert list(archs) == list(data) == ["b", "a"]
    assert archs["a"].encode() == CODE_A and archs["b"].depths == (4, 4, 7, 2)


def test_write_without_validation_still_writes_the_layout(tmp_path):
    target = write_submission(tmp_path / "o.json", {"k": {"acc": 1, "arch": CODE_A}}, validate=False)
    assert target.read_text() == '{"k": {"acc": 1, "arch": "' + CODE_A + '"}}'
