"""Supernet trainer: checkpoints, exact resume, the non-finite guard, schedule and sampler."""
import hashlib
import math
import re

import numpy as np
import paddle
import pytest
from paddle.callbacks import Callback

from hnas.config import load_yaml
from hnas.models import build_supernet
from hnas.sampling.plan import step_rng
from hnas.training import NonFiniteLossError, build_model, load_checkpoint, train
from hnas.training.checkpoint import checkpoint_files
from hnas.training.data import PlannedBatchSampler
from hnas.training.schedule import WarmupCosine, build_schedule, scaled_lr
from hnas.training.trainer import build_supernet_from_config
from trainer_fixtures import tiny_config


class StopAfterEpochs(Callback):
    """Simulates an interrupted run: hapi's fit stops once `stop_training` is set."""

    def __init__(self, epochs):
        super().__init__()
        self.epochs = epochs

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 >= self.epochs:
            self.model.stop_training = True


class PoisonBeforeStep(Callback):
    """Makes every logit infinite from training step `step` on (a diverged network)."""

    def __init__(self, step):
        super().__init__()
        self.step = step

    def on_train_batch_begin(self, step, logs=None):
        if step == self.step:
            bias = self.model.network.fc.bias
            bias.set_value(paddle.full(bias.shape, float("inf")))


def file_digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_tiny_run_writes_final_epoch_files_and_config(tmp_path):
    cfg = tiny_config(tmp_path, "train.epochs=3", "train.save_freq=2", f"train.visualdl_dir={tmp_path / 'vdl'}")
    save_dir = train(cfg)
    assert list((tmp_path / "vdl").glob("vdlrecords.*"))
    names = sorted(p.name for p in save_dir.iterdir())
    assert names == ["2.pdopt", "2.pdparams", "config.yaml", "final.pdopt", "final.pdparams"]
    assert load_yaml(save_dir / "config.yaml") == cfg
    state = paddle.load(str(save_dir / "final.pdparams"))
    assert not any(k.startswith("_layers.") for k in state)
    fresh = build_supernet_from_config(cfg)
    assert set(state) == set(fresh.state_dict())
    assert paddle.load(str(save_dir / "final.pdopt"))["epoch"] == 3


def test_resume_is_bit_identical_to_an_uninterrupted_run(tmp_path):
    straight = train(tiny_config(tmp_path / "a", "train.epochs=2"))
    interrupted_cfg = tiny_config(tmp_path / "b", "train.epochs=2")
    interrupted = train(interrupted_cfg, extra_callbacks=[StopAfterEpochs(1)])
    assert paddle.load(str(interrupted / "final.pdopt"))["epoch"] == 1
    assert file_digest(interrupted / "final.pdparams") != file_digest(straight / "final.pdparams")
    resumed_cfg = dict(interrupted_cfg, train=dict(interrupted_cfg["train"], resume=str(interrupted)))
    train(resumed_cfg)
    assert file_digest(interrupted / "final.pdparams") == file_digest(straight / "final.pdparams")


def test_non_finite_loss_stops_before_the_optimizer_step(tmp_path):
    model, loader, _ = build_model(tiny_config(tmp_path))
    model.network.fc.bias.set_value(paddle.full([3], float("inf")))  # every subnet's logits become inf
    before = {k: v.numpy().copy() for k, v in model.network.state_dict().items()}
    images, labels = next(iter(loader))
    model.begin_epoch(4)
    model.step = 7
    largest = model.rule.plan(step_rng(0, 4, 7), 4)[0].arch.encode()
    with pytest.raises(NonFiniteLossError, match=rf"for subnet {largest} \(role teacher\) at epoch 4 step 7 "):
        model.train_batch([images], [labels])
    after = model.network.state_dict()
    for name, tensor in before.items():
        if not name.endswith(("_mean", "_variance")):  # forward may touch BN stats, never weights
            np.testing.assert_array_equal(after[name].numpy(), tensor, err_msg=name)
    assert model._optimizer.state_dict() == {"LR_Scheduler": model._optimizer.state_dict()["LR_Scheduler"]}


def test_diverging_run_leaves_last_checkpoint_intact(tmp_path):
    cfg = tiny_config(tmp_path, "train.epochs=2")
    save_dir = train(cfg, extra_callbacks=[StopAfterEpochs(1)])
    params, opt = checkpoint_files(save_dir)
    digests = (file_digest(params), file_digest(opt))
    resumed = dict(cfg, train=dict(cfg["train"], resume=str(save_dir)))
    with pytest.raises(NonFiniteLossError) as err:
        train(resumed, extra_callbacks=[PoisonBeforeStep(1)])
    assert re.search(r"for subnet \d{52} \(role \w+\) at epoch 1 step 1 ", str(err.value))
    assert (file_digest(params), file_digest(opt)) == digests


def test_cli_reports_a_bad_config_value_without_traceback(tmp_path, capsys):
    from hnas.train import main

    assert main(["--config", "demo", "sampling.rule=nonsense", f"train.save_dir={tmp_path}"]) == 1
    err = capsys.readouterr().err
    assert "nonsense" in err and "Traceback" not in err


def test_checkpoint_with_data_parallel_prefix_loads(tmp_path):
    cfg = tiny_config(tmp_path)
    save_dir = train(cfg)
    state = paddle.load(str(save_dir / "final.pdparams"))
    prefixed = tmp_path / "multi.pdparams"
    paddle.save({"_layers." + k: v for k, v in state.items()}, str(prefixed))
    net = build_supernet_from_config(cfg)
    load_checkpoint(prefixed, net)
    for name, tensor in net.state_dict().items():
        np.testing.assert_array_equal(tensor.numpy(), state[name].numpy())


def test_schedule_scales_lr_and_warms_up_over_real_steps():
    assert scaled_lr(0.001, 256, 8) == pytest.approx(0.008)
    schedule = build_schedule({"epochs": 4, "warmup_epochs": 1, "lr": 0.1, "batch_size": 64}, 10, 2)
    assert (schedule.warmup_steps, schedule.total_steps) == (10, 40)
    peak = scaled_lr(0.1, 64, 2)
    rates = []
    for _ in range(40):
        rates.append(schedule())
        schedule.step()
    assert rates[0] == pytest.approx(peak / 10) and rates[9] == pytest.approx(peak)
    assert all(a < b for a, b in zip(rates[:10], rates[1:10]))
    assert all(a >= b for a, b in zip(rates[10:], rates[11:])) and rates[-1] < peak * 0.01
    with pytest.raises(ValueError, match="warm-up"):
        WarmupCosine(0.1, warmup_steps=50, total_steps=40)


def test_sampler_shards_ranks_alike_and_tags_resolutions():
    shards = [PlannedBatchSampler(21, 4, seed=3, rank=r, world_size=2, resolutions=[12, 16, 20]) for r in (0, 1)]
    for s in shards:
        s.set_epoch(5)
    batches = [list(s) for s in shards]
    assert len(batches[0]) == len(batches[1]) == len(shards[0]) == 2
    seen = [index for rank in batches for batch in rank for index, _ in batch]
    assert len(set(seen)) == len(seen)
    for step, (a, b) in enumerate(zip(*batches)):
        expected = step_rng(3, 5, step, "resolution").choice([12, 16, 20])
        assert {res for _, res in a} == {res for _, res in b} == {expected}
    shards[0].set_epoch(6)
    assert list(shards[0]) != batches[0]
    with pytest.raises(ValueError, match="data.resolutions"):
        PlannedBatchSampler(21, 4, resolutions=[12, "x"])
    capped = PlannedBatchSampler(40, 4, seed=3, max_steps=3)
    assert len(capped) == 3 and len(list(capped)) == 3
    capped.set_epoch(1)
    assert list(capped) != list(PlannedBatchSampler(40, 4, seed=3, max_steps=3))


def test_hapi_evaluate_and_pretrained_start_work(tmp_path):
    from hnas.models import ResNetSubnet
    from hnas.search_space import SearchSpace
    from hnas.training.data import build_val_dataset

    static = ResNetSubnet(SearchSpace.full().largest(), num_classes=3, width_mult=0.25, small_input=True)
    paddle.save(static.state_dict(), str(tmp_path / "static.pdparams"))
    cfg = tiny_config(tmp_path, f"model.pretrained={tmp_path / 'static.pdparams'}")
    model, _, _ = build_model(cfg)
    loaded = model.network.state_dict()
    conv = static.state_dict()["conv1.weight"].numpy()
    # reordering permutes the stem's output channels but keeps the set of filters
    assert sorted(map(tuple, loaded["conv1.weight"].numpy().reshape(conv.shape[0], -1))) == \
        sorted(map(tuple, conv.reshape(conv.shape[0], -1)))
    model.network.activate(model.rule.largest(0))
    result = model.evaluate(build_val_dataset(cfg), batch_size=8, verbose=0)
    assert set(result) == {"loss", "acc"} and 0.0 <= result["acc"] <= 1.0
