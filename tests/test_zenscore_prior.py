"""The zenscore entry of the prior registry and its prior_score CLI options."""
import importlib.util
import json
from pathlib import Path

import pytest

from hnas.priors import make_prior
from hnas.search_space import SearchSpace
from hnas.zenscore import zen_score

TINY = dict(width_mult=0.25, small_input=True, batch_size=4, num_classes=10)
SPACE = SearchSpace.full()


def _prior_score_main():
    path = Path(__file__).resolve().parents[1] / "utils" / "prior_score.py"
    spec = importlib.util.spec_from_file_location("prior_score_cli", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def test_registry_prior_matches_zen_score_and_memoises():
    prior = make_prior("zenscore", input_size=16, **TINY)
    code = SPACE.largest().encode()
    assert prior(code) == zen_score(code, resolution=16, **TINY)
    assert prior(SPACE.largest()) == prior(code, "arch1")
    assert prior.cache.computed == 1
    assert prior(SPACE.largest()) > prior(SPACE.smallest())


def test_registry_prior_rejects_conflicts_and_unknown_options():
    with pytest.raises(ValueError, match="input_size 16 and resolution 32 disagree"):
        make_prior("zenscore", input_size=16, resolution=32)
    with pytest.raises(ValueError, match="unknown option.*'depth'"):
        make_prior("zenscore", depth=3)
    with pytest.raises(ValueError, match="unknown feature"):
        make_prior("zenscore", feature="gap")


def test_prior_score_cli_writes_zenscores_and_reuses_its_cache(tmp_path, capsys):
    codes = [SPACE.largest().encode(), SPACE.smallest().encode()]
    source = tmp_path / "in.json"
    source.write_text(json.dumps({f"arch{i + 1}": {"acc": 0.0, "arch": c} for i, c in enumerate(codes)}))
    cache, out = tmp_path / "zen.jsonl", tmp_path / "out.json"
    argv = ["--prior", "zenscore", "--json", str(source), "--out", str(out), "--width_mult", "0.25",
            "--small_input", "--num_classes", "10", "--zen_batch", "4", "--zen_resolution", "16",
            "--zen_feature", "logits", "--zen_remove_residual", "--zen_cache", str(cache)]
    main = _prior_score_main()
    assert main(argv) == 0
    scores = json.loads(out.read_text())
    expected = zen_score(codes[0], resolution=16, feature="logits", remove_residual=True, **TINY)
    assert scores["arch1"]["acc"] == expected and scores["arch1"]["arch"] == codes[0]
    assert scores["arch1"]["acc"] > scores["arch2"]["acc"]
    lines = cache.read_text().splitlines()
    assert len(lines) == 2 and all(json.loads(line)["options"]["remove_residual"] for line in lines)
    assert main(argv) == 0
    assert cache.read_text().splitlines() == lines  # second run served from the cache
