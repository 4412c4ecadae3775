"""The whole pipeline as a user runs it, at toy scale: train a supernet, score codes with
it, train the same codes stand-alone, and correlate the two rankings with kendall.py."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NUM_CODES = 12
TINY = {"image_size": 16, "width_mult": 0.25}


def run(args, **kwargs):
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "2"))
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600, **kwargs)
    assert done.returncode == 0, f"{args[0]} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done.stdout


@pytest.mark.slow
def test_train_score_and_correlate_with_standalone_truth(tmp_path):
    official = json.loads((ROOT / "checkpoints" / "CVPR_2022_NAS_Track1_demo.json").read_text())
    codes = {key: official[key] for key in list(official)[:NUM_CODES]}
    codes_file = tmp_path / "codes.json"
    codes_file.write_text(json.dumps(codes))
    run_dir = tmp_path / "run"

    run(["hnas/train.py", "--config", "demo", f"--save_dir={run_dir}", "train.epochs=1",
         "train.steps_per_epoch=6", "train.batch_size=32", f"data.image_size={TINY['image_size']}",
         f"model.width_mult={TINY['width_mult']}"])
    assert (run_dir / "final.pdparams").is_file() and (run_dir / "config.yaml").is_file()

    # Scores by -loss: with a few steps of training, top-1 on a small validation subset can tie.
    scores = tmp_path / "supernet_scores.json"
    run(["utils/eval_supernet.py", str(codes_file), "--checkpoint", str(run_dir), "--out", str(scores),
         "--metric", "loss", "--val_limit", "60", "--bn_calib", "1", "--bn_calib_batch_size", "32",
         "--batch_size", "60"])
    scored = json.loads(scores.read_text())
    assert list(scored) == list(codes)
    assert all(scored[k]["arch"] == codes[k]["arch"] for k in codes)
    assert len({scored[k]["acc"] for k in codes}) > 1

    truth = tmp_path / "standalone.json"
    for key, entry in codes.items():
        run(["scripts/train_standalone.py", "--arch", entry["arch"], "--key", key, "--results", str(truth),
             "--image_size", str(TINY["image_size"]), "--small_input", "--width_mult", str(TINY["width_mult"]),
             "--epochs", "2", "--batch_size", "32", "--lr", "0.8", "--warmup", "0", "--train_limit", "320",
             "--val_limit", "100", "--num_workers", "0", "--crop_scale_min", "0.35", "--verbose", "0"])
    assert set(json.loads(truth.read_text())) == set(codes)

    line = run(["utils/kendall.py", str(scores), str(truth)]).strip()
    print(f"\nend-to-end ranking at toy scale: {line}")
    match = re.fullmatch(r"kendall=(\S+) pearson=(\S+) spearman=(\S+) n=(\d+)", line)
    assert match, line
    kendall, pearson, spearman = (float(match.group(i)) for i in (1, 2, 3))
    assert int(match.group(4)) == NUM_CODES
    assert all(-1.0 <= value <= 1.0 for value in (kendall, pearson, spearman))
