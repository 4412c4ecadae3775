"""Supernet behaviour: extracted subnets equal the supernet, gradients and BN statistics
touch only the active slices, every outer activation works."""
import random

import numpy as np
import paddle
import pytest

from hnas.models import build_supernet, extract_subnet
from hnas.models.layout import ACTIVATIONS
from hnas.search_space import SearchSpace, channels
from paddleslim_ext import ElasticBatchNorm2D

WIDTH_MULT = 0.25
NUM_CLASSES = 10


def randomise_bn(net, seed=0):
    """Non-trivial BN affine and running statistics, so slicing mistakes show up."""
    rng = np.random.default_rng(seed)
    with paddle.no_grad():
        for name, p in net.named_parameters():
            if len(p.shape) != 1 or name.startswith("fc") or name.endswith("act._weight"):
                continue
            n = p.shape[0]
            if name.endswith("_variance"):
                value = rng.uniform(0.5, 1.5, n)
            elif name.endswith("_mean"):
                value = rng.normal(0, 0.2, n)
            elif name.endswith("weight"):
                value = rng.uniform(0.1, 0.4, n)
            else:
                value = rng.normal(0, 0.1, n)
            p.set_value(value.astype("float32"))


def make_supernet(name="resnet48", seed=0):
    paddle.seed(seed)
    net = build_supernet(name, num_classes=NUM_CLASSES, width_mult=WIDTH_MULT, small_input=True)
    randomise_bn(net, seed)
    return net


def sample_codes(n, seed):
    space, rng = SearchSpace.full(), random.Random(seed)
    return [space.largest(), space.smallest()] + [space.random(rng) for _ in range(n)]


def test_extracted_subnets_equal_the_supernet():
    supernet = make_supernet()
    supernet.eval()
    paddle.seed(1)
    x = paddle.randn([2, 3, 16, 16])
    outputs = set()
    for arch in sample_codes(20, seed=3):
        supernet.activate(arch)
        expected = supernet(x).numpy()
        net = extract_subnet(supernet, arch)
        assert not net.training
        got = net(x).numpy()
        assert np.abs(got - expected).max() < 1e-5, arch.encode()
        outputs.add(round(float(expected[0, 0]), 4))
    assert len(outputs) > 15  # the subnets really differ from one another


def test_backward_touches_only_the_active_slices():
    supernet = make_supernet()
    supernet.train()
    rng = random.Random(11)
    arch = SearchSpace.full().random(rng)
    while arch.depths[2] == 8 or arch.stem == 1:  # want inactive blocks and a narrow stem
        arch = SearchSpace.full().random(rng)
    supernet.activate(arch)
    loss = supernet(paddle.randn([2, 3, 16, 16])).mean()
    loss.backward()
    params = dict(supernet.named_parameters())

    stem_c = channels(64, arch.stem, WIDTH_MULT)
    grad = params["conv1.weight"].grad.numpy()
    assert np.abs(grad[:stem_c]).sum() > 0 and np.abs(grad[stem_c:]).sum() == 0
    grad = params["bn1.weight"].grad.numpy()
    assert np.abs(grad[:stem_c]).sum() > 0 and np.abs(grad[stem_c:]).sum() == 0

    bases = (64, 128, 256, 512)
    for s, layer in enumerate(supernet.stages):
        for b in range(len(layer)):
            prefix = f"layer{s + 1}.{b}."
            block_params = {k: v for k, v in params.items() if k.startswith(prefix)}
            if b >= arch.depths[s]:
                for name, p in block_params.items():
                    assert p.grad is None or np.abs(p.grad.numpy()).sum() == 0, name
                continue
            first, second = arch.stages[s][b]
            mid, out = channels(bases[s], first, WIDTH_MULT), channels(bases[s], second, WIDTH_MULT)
            g1 = block_params[prefix + "conv1.weight"].grad.numpy()
            assert np.abs(g1[:mid]).sum() > 0 and np.abs(g1[mid:]).sum() == 0
            g2 = block_params[prefix + "conv2.weight"].grad.numpy()
            assert np.abs(g2[:out, :mid]).sum() > 0
            assert np.abs(g2[out:]).sum() == 0 and np.abs(g2[:, mid:]).sum() == 0
            for bn, c in (("bn1", mid), ("bn2", out)):
                g = block_params[prefix + bn + ".weight"].grad.numpy()
                assert np.abs(g[c:]).sum() == 0, prefix + bn
    last_out = channels(512, arch.stream_code(3), WIDTH_MULT)
    grad = params["fc.weight"].grad.numpy()
    assert np.abs(grad[:last_out]).sum() > 0 and np.abs(grad[last_out:]).sum() == 0
    assert all(p.grad is None or not np.isnan(p.grad.numpy()).any() for p in params.values())


def test_stage_input_slice_follows_the_previous_stream():
    """A block reads only the previous stream's active channels: conv1 input grads beyond it are 0."""
    supernet = make_supernet()
    supernet.train()
    arch = SearchSpace.full().random(random.Random(5))
    supernet.activate(arch)
    supernet(paddle.randn([2, 3, 16, 16])).mean().backward()
    stream = channels(128, arch.stream_code(1), WIDTH_MULT)
    grad = supernet.layer3[0].conv1.weight.grad.numpy()
    assert np.abs(grad[:, stream:]).sum() == 0 and np.abs(grad[:, :stream]).sum() > 0
    grad = supernet.layer3[0].downsample[0].weight.grad.numpy()
    assert np.abs(grad[:, stream:]).sum() == 0


def test_train_mode_bn_on_a_slice_updates_only_that_slice():
    paddle.seed(0)
    bn = ElasticBatchNorm2D(8, momentum=0.9)
    randomise_bn(bn, seed=2)
    before_mean, before_var = bn._mean.numpy().copy(), bn._variance.numpy().copy()
    x = paddle.randn([4, 5, 3, 3]) * 2 + 1
    bn.train()
    out = bn(x)
    mean, var = bn._mean.numpy(), bn._variance.numpy()
    np.testing.assert_array_equal(mean[5:], before_mean[5:])
    np.testing.assert_array_equal(var[5:], before_var[5:])
    xs = x.numpy()
    batch_mean = xs.mean(axis=(0, 2, 3))
    np.testing.assert_allclose(mean[:5], 0.9 * before_mean[:5] + 0.1 * batch_mean, atol=1e-5)
    batch_var = xs.var(axis=(0, 2, 3), ddof=0)
    expected = (xs - batch_mean[None, :, None, None]) / np.sqrt(batch_var[None, :, None, None] + 1e-5)
    expected = expected * bn.weight.numpy()[None, :5, None, None] + bn.bias.numpy()[None, :5, None, None]
    np.testing.assert_allclose(out.numpy(), expected, atol=1e-4)
    assert not np.allclose(var[:5], before_var[:5])


def test_subnet_training_step_leaves_other_running_stats_alone():
    supernet = make_supernet()
    arch = SearchSpace.full().smallest()
    supernet.activate(arch)
    stem_c = channels(64, arch.stem, WIDTH_MULT)
    before = supernet.bn1._mean.numpy().copy()
    untouched = supernet.layer4[4].bn1._mean.numpy().copy()
    supernet.train()
    supernet(paddle.randn([2, 3, 16, 16]))
    after = supernet.bn1._mean.numpy()
    assert not np.allclose(after[:stem_c], before[:stem_c])
    np.testing.assert_array_equal(after[stem_c:], before[stem_c:])
    np.testing.assert_array_equal(supernet.layer4[4].bn1._mean.numpy(), untouched)


@pytest.mark.parametrize("name", ["resnet48", "resnet48_prelu", "resnet48_swish", "resnet48_mish"])
def test_every_outer_activation_works(name):
    supernet = make_supernet(name, seed=4)
    assert supernet.activation in ACTIVATIONS
    arch = SearchSpace.test_distribution().random(random.Random(9))
    supernet.activate(arch)
    x = paddle.randn([2, 3, 16, 16])
    supernet.eval()
    expected = supernet(x).numpy()
    assert np.abs(extract_subnet(supernet, arch)(x).numpy() - expected).max() < 1e-5
    supernet.train()
    supernet(x).mean().backward()
    params = dict(supernet.named_parameters())
    assert np.isfinite(params["conv1.weight"].grad.numpy()).all()
    if name == "resnet48_prelu":
        assert params["layer1.0.act._weight"].grad is not None
    outer = type(supernet.layer2[0].act).__name__.lower()
    assert outer == {"resnet48": "relu", "resnet48_prelu": "prelu", "resnet48_swish": "swish",
                     "resnet48_mish": "mish"}[name]
    assert type(supernet.layer2[0].relu).__name__ == "ReLU"  # inner activation stays ReLU


def test_subnet_context_manager_restores_the_previous_subnet():
    supernet = make_supernet()
    space = SearchSpace.full()
    supernet.activate(space.smallest())
    with supernet.subnet(space.largest()):
        assert supernet.gen_subnet_code() == space.largest().encode()
    assert supernet.gen_subnet_code() == space.smallest().encode()
