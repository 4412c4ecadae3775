"""Pieces of the scoring pipeline: image order, shards, journals, merge, cache plan."""
import json
from pathlib import Path

import numpy as np
import pytest

from hnas.scoring.image_batches import CachedImages, StreamedImages, plan_cache
from hnas.scoring.image_order import calibration_selection, class_balanced_order
from hnas.scoring.journal import JournalError, ResultJournal, read_journal
from hnas.scoring.merge import MergeError, merge_scores
from hnas.scoring.shards import parse_shard, shard_keys, shard_path

CODE_A = "1558511111111111111111111111111111111111111111111111"
CODE_B = "1222233333000000333300000055550000000000007777000000"


def test_class_balanced_order_interleaves_classes_and_limit_is_a_prefix():
    samples = [(Path(f"c{label}/{i}.png"), label) for label in (2, 0, 1) for i in (1, 0, 2)]
    samples.append((Path("c0/3.png"), 0))
    order = class_balanced_order(samples[::-1])
    assert [label for _, label in order] == [0, 1, 2, 0, 1, 2, 0, 1, 2, 0]
    assert [p.name for p, _ in order[:3]] == ["0.png"] * 3
    assert class_balanced_order(samples, 4) == order[:4]
    with pytest.raises(ValueError):
        class_balanced_order(samples, 0)


def test_calibration_selection_is_fixed_and_independent_of_listing_order():
    samples = [(Path(f"{i:03d}.png"), i % 3) for i in range(50)]
    first = calibration_selection(samples, 3, 4)
    assert len(first) == 12 and len(set(first)) == 12
    assert calibration_selection(samples[::-1], 3, 4) == first
    assert first != sorted(first, key=lambda s: str(s[0]))  # a shuffle, not the first files
    assert len(calibration_selection(samples, 100, 4)) == 50


def test_shards_cover_every_key_once_in_order():
    keys = [f"arch{i}" for i in range(11)]
    for count in (1, 2, 3, 11):
        parts = [shard_keys(keys, i, count) for i in range(count)]
        assert sum(parts, []) == keys
        assert max(map(len, parts)) - min(map(len, parts)) <= 1
    assert parse_shard("1/4") == (1, 4)
    for bad in ("4/4", "1", "a/b", "-1/2", "0/0"):
        with pytest.raises(ValueError):
            parse_shard(bad)
    assert shard_path("out/r.json", 1, 4).name == "r.json.shard-1-of-4.jsonl"


def test_journal_resumes_past_a_truncated_last_line(tmp_path):
    path = tmp_path / "j.jsonl"
    with ResultJournal(path, {"metric": "acc"}) as journal:
        journal.append("arch1", 12.5)
        journal.append("arch2", 50.0)
    with open(path, "ab") as handle:
        handle.write(b'{"key": "arch3", "ac')  # killed mid-write
    settings, scores = read_journal(path)
    assert settings == {"metric": "acc"} and scores == {"arch1": 12.5, "arch2": 50.0}
    with ResultJournal(path, {"metric": "acc"}) as journal:
        assert journal.scores == scores
        journal.append("arch3", 25.0)
    lines = path.read_text().splitlines()
    assert [json.loads(line) for line in lines[1:]] == [
        {"key": "arch1", "acc": 12.5}, {"key": "arch2", "acc": 50.0}, {"key": "arch3", "acc": 25.0}]
    with pytest.raises(JournalError, match="metric"):
        ResultJournal(path, {"metric": "loss"})


def write_jsonl(path, records, settings=None):
    lines = ([{"settings": settings}] if settings else []) + [{"key": k, "acc": v} for k, v in records]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def test_merge_checks_unknown_conflicting_and_missing_keys(tmp_path):
    original = {"arch1": {"acc": 0.0, "arch": CODE_A}, "arch2": {"acc": 0.0, "arch": CODE_B}}
    one = write_jsonl(tmp_path / "a.jsonl", [("arch1", 10.0)])
    two = write_jsonl(tmp_path / "b.jsonl", [("arch2", 20.0), ("arch1", 10.0)])
    assert merge_scores(original, [one, two]) == {"arch1": 10.0, "arch2": 20.0}
    with pytest.raises(MergeError, match="'arch2'"):
        merge_scores(original, [one])
    with pytest.raises(MergeError, match="'arch9'"):
        merge_scores(original, [one, two, write_jsonl(tmp_path / "c.jsonl", [("arch9", 1.0)])])
    with pytest.raises(MergeError, match="'arch1' has conflicting"):
        merge_scores(original, [two, write_jsonl(tmp_path / "d.jsonl", [("arch1", 11.0)])])
    changed = tmp_path / "e.json"
    changed.write_text(json.dumps({"arch2": {"acc": 1.0, "arch": CODE_A}}))
    with pytest.raises(MergeError, match="'arch2'"):
        merge_scores(original, [one, changed])
    with pytest.raises(MergeError, match="different settings"):
        merge_scores(original, [write_jsonl(tmp_path / "f.jsonl", [("arch1", 10.0)], {"metric": "acc"}),
                                write_jsonl(tmp_path / "g.jsonl", [("arch2", 20.0)], {"metric": "loss"})])


def test_cache_plan_respects_the_budget():
    assert plan_cache({"val": 100, "calibration": 50}, 150) == {"val": True, "calibration": True}
    assert plan_cache({"val": 100, "calibration": 50}, 120) == {"val": True, "calibration": False}
    assert plan_cache({"val": 100, "calibration": 50}, 60) == {"val": False, "calibration": True}


def test_cached_and_streamed_batches_are_identical(tmp_path):
    from scoring_helpers import write_tiny_data

    from hnas.data import list_class_folder

    root = write_tiny_data(tmp_path / "data")
    samples = class_balanced_order(list_class_folder(root / "val")[1])
    cached, streamed = CachedImages(samples, 16, 3), StreamedImages(samples, 16, 3)
    pairs = list(zip(cached.batches(), streamed.batches()))
    assert len(pairs) == 3 and len(cached) == len(streamed) == 8
    for (x1, y1), (x2, y2) in pairs:
        assert x1.shape[1:] == [3, 16, 16] and str(x1.dtype).endswith("float32")
        np.testing.assert_array_equal(x1.numpy(), x2.numpy())
        np.testing.assert_array_equal(y1.numpy(), y2.numpy())
