"""BN recalibration: the plain average of the calibration batches' statistics, written into
the subnet's slice only, and the shared statistics restored afterwards."""
import numpy as np
import paddle
import pytest

from hnas.bn_calibration import batchnorm_layers, recalibrated_bn
from hnas.models import build_supernet, extract_subnet
from hnas.search_space import SearchSpace
from hnas.scoring.subnet_scorer import SubnetScorer

CODE = "1245232323000000233333130051414151310000001171000000"


def tiny_supernet(seed=0):
    paddle.seed(seed)
    net = build_supernet("resnet48", num_classes=10, width_mult=0.25, small_input=True)
    rng = np.random.RandomState(seed)
    with paddle.no_grad():
        for layer in batchnorm_layers(net):
            layer._mean.set_value(rng.normal(0, 0.1, layer._mean.shape).astype("float32"))
            layer._variance.set_value(rng.uniform(0.5, 2.0, layer._variance.shape).astype("float32"))
    net.eval()
    return net


def random_batches(count=3, size=16, seed=1):
    rng = np.random.RandomState(seed)
    return [paddle.to_tensor(rng.normal(0, 1, (4, 3, size, size)).astype("float32")) for _ in range(count)]


def expected_statistics(supernet, code, batches):
    """Per BN layer name: numpy mean of per-batch means and of per-batch biased variances,
    measured on the extracted stand-alone subnet running in training mode."""
    subnet = extract_subnet(supernet, code)
    subnet.train()
    seen = {}
    hooks = []
    for name, layer in subnet.named_sublayers():
        if isinstance(layer, paddle.nn.BatchNorm2D):
            def record(layer, inputs, name=name):
                x = inputs[0].numpy().astype(np.float64)
                seen.setdefault(name, []).append((x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))))
            hooks.append(layer.register_forward_pre_hook(record))
    with paddle.no_grad():
        for batch in batches:
            subnet(batch)
    for hook in hooks:
        hook.remove()
    return {name: (np.mean([m for m, _ in stats], axis=0), np.mean([v for _, v in stats], axis=0))
            for name, stats in seen.items()}


def bn_buffers(net):
    return {name: (layer._mean.numpy().copy(), layer._variance.numpy().copy())
            for name, layer in net.named_sublayers() if layer in batchnorm_layers(net)}


def test_calibrated_layers_hold_the_plain_average_and_shared_stats_come_back():
    net = tiny_supernet()
    net.activate(CODE)
    batches = random_batches()
    expected = expected_statistics(net, CODE, batches)
    before = bn_buffers(net)
    with recalibrated_bn(net, batches) as observer:
        inside = bn_buffers(net)
        assert len(observer.averages()) == len(expected) > 10
    checked = 0
    for name, (mean, variance) in expected.items():
        c = mean.shape[0]
        got_mean, got_var = inside[name]
        np.testing.assert_allclose(got_mean[:c], mean, rtol=1e-4, atol=1e-5, err_msg=name)
        np.testing.assert_allclose(got_var[:c], variance, rtol=1e-4, atol=1e-5, err_msg=name)
        # channels beyond the subnet's slice are untouched
        np.testing.assert_array_equal(got_mean[c:], before[name][0][c:])
        np.testing.assert_array_equal(got_var[c:], before[name][1][c:])
        assert not np.allclose(got_mean[:c], before[name][0][:c])
        checked += 1
    assert checked == len(expected)
    # layers of skipped blocks were not observed and keep their values
    for name in set(before) - set(expected):
        np.testing.assert_array_equal(inside[name][0], before[name][0])
    after = bn_buffers(net)
    for name in before:
        np.testing.assert_array_equal(after[name][0], before[name][0])
        np.testing.assert_array_equal(after[name][1], before[name][1])


def test_calibrated_outputs_equal_the_extracted_subnet_with_the_averaged_statistics():
    net = tiny_supernet()
    net.activate(CODE)
    batches, probe = random_batches(), random_batches(1, seed=7)[0]
    with recalibrated_bn(net, batches), paddle.no_grad():
        calibrated_logits = net(probe).numpy()
        reference = extract_subnet(net, CODE)  # copies the calibrated slices
        reference.eval()
        np.testing.assert_allclose(reference(probe).numpy(), calibrated_logits, rtol=1e-4, atol=1e-5)
    with paddle.no_grad():
        assert not np.allclose(net(probe).numpy(), calibrated_logits, atol=1e-3)


class ListBatches:
    """A fixed image-batch source for SubnetScorer."""

    cached = True

    def __init__(self, images, labels, batch_size=4):
        self.images, self.labels, self.batch_size = images, labels, batch_size

    def __len__(self):
        return len(self.images)

    def batches(self):
        for start in range(0, len(self.images), self.batch_size):
            yield (paddle.to_tensor(self.images[start:start + self.batch_size]),
                   paddle.to_tensor(self.labels[start:start + self.batch_size]))


@pytest.mark.parametrize("metric", ["acc", "loss"])
def test_scores_do_not_depend_on_the_order_of_codes(metric):
    rng = np.random.RandomState(3)
    val = ListBatches(rng.normal(0, 1, (12, 3, 16, 16)).astype("float32"), rng.randint(0, 10, 12).astype("int64"))
    calib = ListBatches(rng.normal(0, 1, (8, 3, 16, 16)).astype("float32"), np.zeros(8, "int64"))
    space = SearchSpace.test_distribution()
    codes = [space.largest().encode(), CODE, space.smallest().encode()]
    net = tiny_supernet()
    scorer = SubnetScorer(net, val, calib, metric=metric)
    forward = [scorer.score(code) for code in codes]
    backward = [scorer.score(code) for code in reversed(codes)][::-1]
    assert forward == backward
    if metric == "loss":  # accuracy of an untrained net on 12 images is too coarse to compare
        assert all(value < 0 for value in forward)
        uncalibrated = SubnetScorer(net, val, None, metric=metric)
        assert [uncalibrated.score(code) for code in codes] != forward
