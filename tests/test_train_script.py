"""train_supernet.sh passes the original toolkit's flags and dotted overrides through."""
import subprocess
from pathlib import Path

import pytest

from hnas.config import load_yaml
from trainer_fixtures import TINY_SPACE, make_image_folder

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_train_script_passes_legacy_flags_and_overrides(tmp_path):
    images = make_image_folder(tmp_path / "images")
    save_dir = tmp_path / "run"
    command = ["bash", str(REPO / "train_supernet.sh"), "--config", "demo", "--max_epoch", "1", "--batch_size", "8",
               "--lr", "0.05", "--image_dir", str(images), "--save_dir", str(save_dir), "--image_size", "16",
               "model.num_classes=3", f"search_space={TINY_SPACE}", "train.steps_per_epoch=2"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    cfg = load_yaml(save_dir / "config.yaml")
    assert (cfg["train"]["epochs"], cfg["train"]["batch_size"], cfg["train"]["lr"]) == (1, 8, 0.05)
    assert cfg["data"]["image_dir"] == str(images) and cfg["train"]["steps_per_epoch"] == 2
    assert (save_dir / "final.pdparams").is_file() and (save_dir / "1.pdparams").is_file()
    bad = subprocess.run(["bash", str(REPO / "train_supernet.sh"), "--config", "demo", "train.nonexistent=1"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "train.nonexistent" in bad.stderr
