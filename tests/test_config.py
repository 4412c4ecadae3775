"""Configuration layering: defaults < file (with `base:`) < legacy flags < dotted overrides."""
import pytest

from hnas.config import CONFIG_DIR, ConfigError, build_config, load_yaml


def test_layers_apply_in_order(tmp_path):
    base = tmp_path / "base.yaml"
    base.write_text("train:\n  epochs: 9\n  lr: 0.5\nmodel:\n  width_mult: 0.5\n")
    child = tmp_path / "child.yaml"
    child.write_text("base: base.yaml\ntrain:\n  epochs: 4\n")
    cfg = build_config(child, ["train.lr=0.2", "search_space={stem_codes: [1, 2]}"], {"max_epoch": "7"})
    assert cfg["train"]["epochs"] == 7  # flag over file over base
    assert cfg["train"]["lr"] == 0.2  # dotted override last
    assert cfg["model"]["width_mult"] == 0.5  # inherited from base
    assert cfg["search_space"] == {"stem_codes": [1, 2]}
    assert cfg["train"]["momentum"] == 0.9  # untouched default


def test_unknown_keys_and_bad_values_are_named(tmp_path):
    with pytest.raises(ConfigError, match="unknown config key 'train.epoch'"):
        build_config(None, ["train.epoch=3"])
    bad = tmp_path / "bad.yaml"
    bad.write_text("model:\n  widht_mult: 0.5\n")
    with pytest.raises(ConfigError, match="model.widht_mult"):
        build_config(bad)
    with pytest.raises(ConfigError, match="must look like key=value"):
        build_config(None, ["train.epochs"])
    with pytest.raises(ConfigError, match="config file not found"):
        build_config(tmp_path / "nope.yaml")


@pytest.mark.parametrize("path", sorted(CONFIG_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_config_resolves(path):
    cfg = build_config(path)
    assert cfg["sampling"]["rule"] in {"spos", "sandwich", "fairnas", "progressive_shrinking", "biased"}
    assert load_yaml(path.stem)  # names in configs/ resolve without the suffix
