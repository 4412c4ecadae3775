"""Loading a static ResNet-48 into the supernet, and OFA channel reordering."""
import numpy as np
import paddle
import pytest

from hnas.models import ResNetSubnet, build_supernet, extract_subnet
from hnas.models.pretrained import load_pretrained
from hnas.models.reorder import block_importance, reorder_channels, stream_groups, stream_importance
from hnas.search_space import SearchSpace

KW = dict(num_classes=10, width_mult=0.25, small_input=True)


def mild_bn(net, seed):
    """BN affine/statistics that keep a 48-layer net's activations O(1) and are not trivial."""
    rng = np.random.default_rng(seed)
    with paddle.no_grad():
        for name, p in net.named_parameters():
            if len(p.shape) != 1 or name.startswith("fc") or name.endswith("act._weight"):
                continue
            n = p.shape[0]
            value = {"_variance": rng.uniform(0.5, 1.5, n), "_mean": rng.normal(0, 0.2, n),
                     "weight": rng.uniform(0.1, 0.4, n)}.get(name.rsplit(".", 1)[1], rng.normal(0, 0.1, n))
            p.set_value(value.astype("float32"))


@pytest.fixture(scope="module")
def static_net():
    """A 'pretrained' static ResNet-48: the largest code as a plain network."""
    paddle.seed(3)
    net = ResNetSubnet(SearchSpace.full().largest(), activation="prelu", **KW)
    mild_bn(net, 3)
    net.eval()
    return net


@pytest.fixture(scope="module")
def checkpoint(static_net, tmp_path_factory):
    path = tmp_path_factory.mktemp("pretrained") / "resnet48.pdparams"
    paddle.save(static_net.state_dict(), str(path))
    return path


def new_supernet(seed=0):
    paddle.seed(seed)
    return build_supernet("resnet48_prelu", **KW)


def test_load_without_reorder_reproduces_the_static_network(static_net, checkpoint):
    supernet = load_pretrained(new_supernet(), checkpoint, reorder=False)
    supernet.eval()
    x = paddle.randn([2, 3, 16, 16])
    np.testing.assert_array_equal(supernet(x).numpy(), static_net(x).numpy())
    for name, tensor in static_net.state_dict().items():
        np.testing.assert_array_equal(supernet.state_dict()[name].numpy(), tensor.numpy())


def test_multi_rank_prefix_is_stripped(static_net, tmp_path):
    path = tmp_path / "ranked.pdparams"
    paddle.save({"_layers." + k: v for k, v in static_net.state_dict().items()}, str(path))
    supernet = load_pretrained(new_supernet(), path, reorder=False)
    np.testing.assert_array_equal(supernet.fc.weight.numpy(), static_net.fc.weight.numpy())


def test_reorder_keeps_the_full_network_and_sorts_importances(static_net, checkpoint):
    supernet = load_pretrained(new_supernet(), checkpoint, reorder=True)
    supernet.eval()
    x = paddle.randn([2, 3, 16, 16])
    expected = static_net(x).numpy()
    got = supernet(x).numpy()
    assert np.abs(got - expected).max() < 1e-4
    assert np.abs(expected).max() > 1e-3  # the comparison is not between two zeros

    def non_increasing(importance):  # up to float32 summation-order noise
        return (np.diff(importance) <= 1e-5 * importance.max()).all()

    stages, groups = stream_groups(supernet)
    for blocks in stages:
        for block in blocks:
            assert non_increasing(block_importance(block))
    for producers, readers in groups:
        assert non_increasing(stream_importance(readers))
    # it really permuted: before reordering the importances were not sorted
    _, static_groups = stream_groups(static_net)
    assert any((np.diff(stream_importance(r)) > 0).any() for _, r in static_groups)
    assert not np.array_equal(supernet.layer2[1].conv1.weight.numpy(), static_net.layer2[1].conv1.weight.numpy())


def test_reorder_moves_bn_statistics_with_their_channels(static_net, checkpoint):
    supernet = load_pretrained(new_supernet(), checkpoint, reorder=True)
    block, original = supernet.layer3[2], static_net.layer3[2]
    perm = np.argsort(-block_importance(original), kind="stable")
    assert not np.array_equal(perm, np.arange(len(perm)))
    # conv1's inputs were permuted too (they read the stream), so compare per-output L1 norms
    row_l1 = lambda conv: np.abs(conv.weight.numpy()).sum(axis=(1, 2, 3))  # noqa: E731
    np.testing.assert_allclose(row_l1(block.conv1), row_l1(original.conv1)[perm], rtol=1e-5)
    for name in ("weight", "bias", "_mean", "_variance"):
        np.testing.assert_array_equal(getattr(block.bn1, name).numpy(), getattr(original.bn1, name).numpy()[perm])
    # and a narrow subnet of the reordered supernet still extracts exactly
    arch = SearchSpace.test_distribution().smallest()
    supernet.eval()
    supernet.activate(arch)
    x = paddle.randn([1, 3, 16, 16])
    assert np.abs(extract_subnet(supernet, arch)(x).numpy() - supernet(x).numpy()).max() < 1e-5


def test_unknown_key_is_named(static_net):
    state = dict(static_net.state_dict())
    state["layer9.0.conv1.weight"] = state["conv1.weight"]
    with pytest.raises(ValueError, match="unknown key 'layer9.0.conv1.weight'"):
        load_pretrained(new_supernet(), state)


def test_mis_shaped_key_names_both_shapes(static_net):
    state = dict(static_net.state_dict())
    state["layer2.1.bn1.weight"] = paddle.ones([7])
    expected = list(static_net.layer2[1].bn1.weight.shape)
    with pytest.raises(ValueError, match=r"'layer2.1.bn1.weight' has shape \[7\] in the checkpoint but "
                                         + str(expected).replace("[", r"\[").replace("]", r"\]")):
        load_pretrained(new_supernet(), state)


def test_missing_key_and_bad_file(static_net, tmp_path):
    state = dict(static_net.state_dict())
    del state["fc.bias"]
    with pytest.raises(ValueError, match="missing key 'fc.bias'"):
        load_pretrained(new_supernet(), state)
    garbage = tmp_path / "garbage.pdparams"
    garbage.write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="garbage.pdparams: cannot load checkpoint"):
        load_pretrained(new_supernet(), garbage)
    with pytest.raises(ValueError, match="absent.pdparams: checkpoint file not found"):
        load_pretrained(new_supernet(), tmp_path / "absent.pdparams")


def test_failed_load_leaves_the_supernet_untouched(static_net):
    supernet = new_supernet()
    before = supernet.conv1.weight.numpy().copy()
    state = dict(static_net.state_dict())
    state["fc.weight"] = paddle.ones([3, 3])
    with pytest.raises(ValueError, match="fc.weight"):
        load_pretrained(supernet, state)
    np.testing.assert_array_equal(supernet.conv1.weight.numpy(), before)


def test_training_from_scratch_still_works():
    """No pretrained file: a random supernet trains (loss falls on a fixed batch)."""
    paddle.seed(0)
    supernet = build_supernet("resnet48", **KW)
    supernet.train()
    supernet.activate(SearchSpace.test_distribution().smallest())
    opt = paddle.optimizer.Momentum(learning_rate=0.05, momentum=0.9, parameters=supernet.parameters())
    x, y = paddle.randn([8, 3, 16, 16]), paddle.randint(0, 10, [8])
    losses = []
    for _ in range(6):
        loss = paddle.nn.functional.cross_entropy(supernet(x), y)
        loss.backward()
        opt.step()
        opt.clear_grad()
        losses.append(float(loss.item()))
    assert all(np.isfinite(losses)) and losses[-1] < losses[0]
