"""Two CPU ranks over gloo (`paddle.distributed.launch`): every rank draws the same
subnets at every step and both hold the same weights after each epoch."""
import os
import subprocess
import sys
from pathlib import Path

import paddle
import pytest

from trainer_fixtures import TINY_SPACE, make_image_folder

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.multirank
def test_two_ranks_plan_alike_and_stay_in_sync(tmp_path):
    images = make_image_folder(tmp_path / "images", per_class=8)
    env = dict(os.environ, OMP_NUM_THREADS="1", FLAGS_use_onednn="1")
    command = [sys.executable, "-m", "paddle.distributed.launch", "--nproc_per_node", "2",
               "--log_dir", str(tmp_path / "launch_logs"), str(REPO / "hnas" / "train.py"),
               "model.num_classes=3", "model.width_mult=0.25", "model.small_input=true",
               f"search_space={TINY_SPACE}", f"data.image_dir={images}", "data.image_size=16",
               "data.num_workers=0", "train.batch_size=4", "train.epochs=2", "train.warmup_epochs=0",
               f"train.save_dir={tmp_path / 'run'}", f"train.plan_log={tmp_path / 'plan.{rank}.log'}",
               "sampling.num_subnets=3", "loss.rank.prior=flops", "loss.rank.pairs=1"]
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    logs = "\n".join(p.read_text() for p in sorted((tmp_path / "launch_logs").glob("workerlog.*")))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:] + logs[-3000:]
    rank0 = (tmp_path / "plan.0.log").read_text().splitlines()
    rank1 = (tmp_path / "plan.1.log").read_text().splitlines()
    steps = [line for line in rank0 if not line.startswith("params")]
    # 24 images over 2 ranks in batches of 4: 3 steps per epoch, so the data really was split.
    assert len(steps) == 6
    assert rank0 == rank1
    assert len({line.split()[2] for line in steps}) > 1  # the random subnets change from step to step
    checksums = [line for line in rank0 if line.startswith("params")]
    assert len(checksums) == 2 and checksums[0] != checksums[1]
    state = paddle.load(str(tmp_path / "run" / "final.pdparams"))
    assert not any(key.startswith("_layers.") for key in state)
