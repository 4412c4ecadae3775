"""The loss paths of one training step: rank-loss pairs, AlphaNet and external-teacher KD
recomputed independently, plus per-batch resolutions through two DataLoader workers."""
import numpy as np
import paddle
import pytest

from hnas.flops import count_flops
from hnas.losses import alpha_divergence, cross_entropy, soft_cross_entropy
from hnas.sampling.plan import step_rng
from hnas.training import build_model, train
from hnas.training.data import build_train_loader
from trainer_fixtures import tiny_config


def flops(code):
    return count_flops(code, input_size=16, num_classes=3, width_mult=0.25, small_input=True)


def one_batch(loader):
    images, labels = next(iter(loader))
    return images, labels.reshape([-1, 1])


def logits_of(net, arch, images):
    """Train-mode logits (batch statistics) of `arch` with the current weights."""
    net.activate(arch)
    with paddle.no_grad():
        return net(images)


def test_rank_pairs_follow_the_prior_and_add_the_margin(tmp_path):
    cfg = tiny_config(tmp_path, "loss.rank.prior=flops", "loss.rank.pairs=2", "loss.rank.schedule=constant",
                      "loss.rank.lambda_max=1.5")
    model, loader, _ = build_model(cfg)
    images, labels = one_batch(loader)
    plan, pairs, lam = model.plan_step(0, 0)
    assert lam == 1.5 and len(pairs) == 2
    assert pairs == model.plan_step(0, 0)[1]  # a pure function of (seed, epoch, step)
    result = model.runner.run(images, labels, plan, pairs, lam)
    roles = [role for _, role, _ in result.losses]
    assert roles == [t.role for t in plan] + ["rank-worse", "rank-better"] * 2
    net = model.network
    for (worse_code, _, worse_loss), (better_code, _, better_loss) in zip(result.losses[len(plan)::2],
                                                                           result.losses[len(plan) + 1::2]):
        assert flops(better_code) > flops(worse_code)
        ce_worse = cross_entropy(logits_of(net, worse_code, images), labels).item()
        ce_better = cross_entropy(logits_of(net, better_code, images), labels).item()
        assert worse_loss == pytest.approx(ce_worse, rel=1e-5)
        assert better_loss == pytest.approx(ce_better + 1.5 * max(0.0, ce_better - ce_worse), rel=1e-5)


def test_rank_loss_training_runs_with_warmup_lambda(tmp_path):
    cfg = tiny_config(tmp_path, "loss.rank.prior=params", "loss.rank.pairs=1", "train.epochs=2")
    train(cfg)
    assert (tmp_path / "run" / "final.pdparams").is_file()


def test_alphanet_students_use_the_alpha_divergence(tmp_path):
    cfg = tiny_config(tmp_path, "loss.distill=alphanet")
    model, loader, _ = build_model(cfg)
    images, labels = one_batch(loader)
    plan, _, _ = model.plan_step(0, 0)
    result = model.runner.run(images, labels, plan)
    teacher = logits_of(model.network, plan[0].arch, images)
    for task, (_, role, value) in zip(plan[1:], result.losses[1:]):
        assert role == "student"
        student = logits_of(model.network, task.arch, images)
        assert value == pytest.approx(alpha_divergence(student, teacher, -1.0, 1.0, 3.0).item(), rel=1e-4, abs=1e-6)
        assert value != pytest.approx(soft_cross_entropy(student, teacher).item(), rel=1e-3)
    grads = [p.grad for p in model.network.parameters() if p.grad is not None]
    assert grads and all(bool(paddle.isfinite(g).all()) for g in grads)


def test_external_teacher_gives_ce_subnets_kd(tmp_path):
    teacher_dir = train(tiny_config(tmp_path / "teacher"))
    cfg = tiny_config(tmp_path, "sampling.rule=spos", "sampling.num_subnets=2", "loss.kd_weight=0.5",
                      f"loss.teacher={teacher_dir / 'final.pdparams'}")
    model, loader, _ = build_model(cfg)
    images, labels = one_batch(loader)
    plan, _, _ = model.plan_step(0, 0)
    result = model.runner.run(images, labels, plan)
    with paddle.no_grad():
        teacher_logits = model.runner.external_teacher(images)
    for task, (_, role, value) in zip(plan, result.losses):
        assert role == "ce"
        logits = logits_of(model.network, task.arch, images)
        expected = cross_entropy(logits, labels).item() + 0.5 * soft_cross_entropy(logits, teacher_logits).item()
        assert value == pytest.approx(expected, rel=1e-5)


def test_per_batch_resolution_with_two_workers(tmp_path):
    cfg = tiny_config(tmp_path, "data.resolutions=[12, 16, 20]", "data.num_workers=2")
    loader, sampler = build_train_loader(cfg)
    sampler.set_epoch(3)
    sizes = [images.shape[-1] for images, _ in loader]
    assert sizes == [step_rng(cfg["seed"], 3, s, "resolution").choice([12, 16, 20]) for s in range(len(loader))]
    assert train(cfg).joinpath("final.pdparams").is_file()
