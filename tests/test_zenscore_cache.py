"""ZenScoreCache: hits skip computation, the file persists across instances, options are keyed."""
import json

import pytest

from hnas.search_space import SearchSpace
from hnas.zenscore import ZenScoreCache, zen_score

TINY = dict(width_mult=0.25, small_input=True, resolution=16, batch_size=4, num_classes=10)
SPACE = SearchSpace.full()


class CountingScorer:
    def __init__(self):
        self.calls = []

    def __call__(self, code, **options):
        self.calls.append((code, options["batch_size"]))
        return float(len(self.calls))


def test_hit_skips_computation_and_survives_a_restart(tmp_path):
    path = tmp_path / "zen.jsonl"
    scorer = CountingScorer()
    cache = ZenScoreCache(path, scorer=scorer)
    code = SPACE.largest().encode()
    assert cache.get(code, **TINY) is None
    first = cache.score(code, **TINY)
    assert cache.score(code, **TINY) == first and len(scorer.calls) == 1
    assert cache.get(code, **TINY) == first
    assert len(path.read_text().splitlines()) == 1

    restarted_scorer = CountingScorer()
    restarted = ZenScoreCache(path, scorer=restarted_scorer)
    assert len(restarted) == 1
    assert restarted.score(code, **TINY) == first
    assert restarted_scorer.calls == [] and restarted.computed == 0


def test_options_are_part_of_the_key_and_defaults_are_filled(tmp_path):
    scorer = CountingScorer()
    cache = ZenScoreCache(tmp_path / "zen.jsonl", scorer=scorer)
    code = SPACE.smallest().encode()
    cache.score(code, **TINY)
    cache.score(code, **dict(TINY, batch_size=8))
    cache.score(code, **dict(TINY, feature="logits"))
    cache.score(code, **dict(TINY, remove_residual=True))
    assert len(scorer.calls) == 4
    cache.score(code)
    cache.score(code, batch_size=16, resolution=224)  # the defaults spelled out: same key
    assert len(scorer.calls) == 5
    assert ZenScoreCache.key(code, {}) == ZenScoreCache.key(code, {"seed": 0, "gamma": 0.01})
    with pytest.raises(ValueError, match="unknown option.*'batch'"):
        cache.score(code, batch=4)


def test_cached_value_equals_direct_computation(tmp_path):
    cache = ZenScoreCache(tmp_path / "zen.jsonl")
    arch = SPACE.smallest()
    assert cache.score(arch, **TINY) == zen_score(arch, **TINY)
    record = json.loads((tmp_path / "zen.jsonl").read_text())
    assert record["code"] == arch.encode() and record["options"]["resolution"] == 16


def test_malformed_line_names_file_and_line(tmp_path):
    path = tmp_path / "zen.jsonl"
    good = {"code": SPACE.smallest().encode(), "options": TINY, "score": 1.0}
    path.write_text(json.dumps(good) + "\n" + '{"code": "1", "score": 2.0}\n')
    with pytest.raises(ValueError, match=r"zen.jsonl: line 2"):
        ZenScoreCache(path)
