"""ZenScore (Lin et al. 2021, Zen-NAS): a training-free prior measuring how strongly a
randomly initialised network amplifies a small input perturbation.

A stand-alone `ResNetSubnet` gets N(0, 1) conv/linear weights and batch-statistics BN;
with inputs x ~ N(0, 1) and x + gamma * eps,

    score = log E_batch ||f(x) - f(x + gamma * eps)||_1 + sum over BN layers log sqrt(mean batch variance)

(f: the pre-GAP feature map as in Zen-NAS, or the logits as the original toolkit used),
averaged over `repeats` fresh initialisations. The BN term restores the scale that batch
normalisation removes from f. All randomness comes from a private numpy generator, and
paddle's global RNG is restored after building the net, so a seed fixes the score and the
caller's random stream is untouched. Scores are expensive: `ZenScoreCache` keeps them per
code and options in an append-only JSONL file.
"""
from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Callable

import numpy as np
import paddle
import paddle.nn as nn

from hnas.models import ResNetSubnet
from hnas.search_space import Arch, as_arch

ZEN_FEATURES = ("pre_gap", "logits")

# Every option that changes the score, with its default: the cache key is built from these.
ZEN_DEFAULTS = {
    "num_classes": 1000, "width_mult": 1.0, "small_input": False, "activation": "relu",
    "batch_size": 16, "resolution": 224, "repeats": 1, "gamma": 0.01, "feature": "pre_gap",
    "remove_residual": False, "seed": 0,
}


def zen_score(arch: Arch | str, *, num_classes: int = 1000, width_mult: float = 1.0,
              small_input: bool = False, activation: str = "relu", batch_size: int = 16,
              resolution: int = 224, repeats: int = 1, gamma: float = 0.01, feature: str = "pre_gap",
              remove_residual: bool = False, seed: int = 0) -> float:
    """ZenScore of one architecture; deterministic for a given seed and options."""
    _check_options(feature=feature, batch_size=batch_size, resolution=resolution, repeats=repeats,
                   gamma=gamma)
    arch = as_arch(arch)
    net = _build_untouched_rng(arch, num_classes, activation, width_mult, small_input)
    net.train()  # BN normalises with batch statistics, as in Zen-NAS
    rng = np.random.default_rng(seed)
    scores = []
    with paddle.no_grad():
        for _ in range(repeats):
            _gaussian_init(net, rng)
            x = rng.standard_normal((batch_size, 3, resolution, resolution), dtype=np.float32)
            eps = rng.standard_normal(x.shape, dtype=np.float32)
            scores.append(_score_once(net, paddle.to_tensor(x), paddle.to_tensor(x + gamma * eps),
                                      feature, remove_residual))
    score = float(np.mean(scores))
    if not math.isfinite(score):
        raise FloatingPointError(f"ZenScore of {arch.encode()} is not finite ({score}); "
                                 f"try a larger gamma or batch_size")
    return score


def _check_options(*, feature, batch_size, resolution, repeats, gamma):
    if feature not in ZEN_FEATURES:
        raise ValueError(f"zen_score: unknown feature {feature!r} (choose from {', '.join(ZEN_FEATURES)})")
    if batch_size < 2:
        raise ValueError(f"zen_score: batch_size must be >= 2 for batch statistics, got {batch_size}")
    for name, value in (("resolution", resolution), ("repeats", repeats), ("gamma", gamma)):
        if not value > 0:
            raise ValueError(f"zen_score: {name} must be positive, got {value}")


def _build_untouched_rng(arch, num_classes, activation, width_mult, small_input) -> ResNetSubnet:
    """Build the net without consuming the caller's paddle RNG (default initialisers draw from it)."""
    devices = {None, "cpu"}
    saved = {device: paddle.get_rng_state(device) for device in devices}
    try:
        return ResNetSubnet(arch, num_classes=num_classes, activation=activation,
                            width_mult=width_mult, small_input=small_input)
    finally:
        for device, state in saved.items():
            paddle.set_rng_state(state, device)


def _gaussian_init(net: nn.Layer, rng: np.random.Generator) -> None:
    """Zen-NAS initialisation: N(0, 1) conv/linear weights, zero linear bias, BN affine at identity."""
    for layer in net.sublayers():
        if isinstance(layer, (nn.Conv2D, nn.Linear)):
            layer.weight.set_value(rng.standard_normal(layer.weight.shape, dtype=np.float32))
            if layer.bias is not None:
                layer.bias.set_value(np.zeros(layer.bias.shape, dtype=np.float32))
        elif isinstance(layer, nn.BatchNorm2D):
            layer.weight.set_value(np.ones(layer.weight.shape, dtype=np.float32))
            layer.bias.set_value(np.zeros(layer.bias.shape, dtype=np.float32))


def _score_once(net: ResNetSubnet, x, x_perturbed, feature: str, remove_residual: bool) -> float:
    log_bn_scale = []
    hooks = [bn.register_forward_pre_hook(_bn_variance_recorder(log_bn_scale))
             for bn in net.sublayers() if isinstance(bn, nn.BatchNorm2D)]
    try:
        out = _features(net, x, feature, remove_residual)
    finally:
        for hook in hooks:
            hook.remove()
    out_perturbed = _features(net, x_perturbed, feature, remove_residual)
    diff = (out - out_perturbed).abs().flatten(1).sum(axis=1).mean().item()
    return _safe_log(diff) + sum(log_bn_scale)


def _bn_variance_recorder(sink: list) -> Callable:
    def record(layer, inputs):
        x = inputs[0]
        centred = x - x.mean(axis=[0, 2, 3], keepdim=True)
        variance = (centred * centred).mean(axis=[0, 2, 3]).mean().item()  # biased, as BN uses
        sink.append(0.5 * _safe_log(variance))

    return record


def _safe_log(value: float) -> float:
    """log, with -inf for a vanished quantity so the caller reports a non-finite score."""
    return math.log(value) if value > 0 else -math.inf


def _features(net: ResNetSubnet, x, feature: str, remove_residual: bool):
    """Run the subnet's own layers up to the pre-GAP map (or on to the logits)."""
    x = net.relu(net.bn1(net.conv1(x)))
    if net.maxpool is not None:
        x = net.maxpool(x)
    for stage in (net.layer1, net.layer2, net.layer3, net.layer4):
        for block in stage:
            x = _conv_path(block, x) if remove_residual else block(x)
    if feature == "logits":
        x = net.fc(net.avgpool(x).flatten(1))
    return x


def _conv_path(block, x):
    """A BasicBlock without its identity / downsample branch (Zen-NAS's residual-free variant)."""
    out = block.relu(block.bn1(block.conv1(x)))
    return block.act(block.bn2(block.conv2(out)))


def zen_options(**options) -> dict:
    """All score-affecting options with defaults filled in; unknown names raise ValueError."""
    unknown = set(options) - set(ZEN_DEFAULTS)
    if unknown:
        raise ValueError(f"zen_score got unknown option(s) {sorted(unknown)} (known: {', '.join(ZEN_DEFAULTS)})")
    merged = {**ZEN_DEFAULTS, **options}
    for name in ("num_classes", "batch_size", "resolution", "repeats", "seed"):
        merged[name] = int(merged[name])
    for name in ("width_mult", "gamma"):
        merged[name] = float(merged[name])
    for name in ("small_input", "remove_residual"):
        merged[name] = bool(merged[name])
    return merged


class ZenScoreCache:
    """Per-code ZenScore cache in an append-only JSONL file (in memory only when `path` is None).

    Each line is `{"code": ..., "options": {...}, "score": ...}`; the key is the code plus
    every score-affecting option, so changing batch size or feature never returns a stale
    score. Lines are appended and flushed as they are computed, so an interrupted run
    resumes where it stopped."""

    def __init__(self, path: str | os.PathLike | None, scorer: Callable[..., float] = zen_score):
        self.path = Path(path) if path is not None else None
        self.scorer = scorer
        self.computed = 0
        self._scores: dict[str, float] = {}
        if self.path is not None and self.path.exists():
            self._load()

    @staticmethod
    def key(code: str, options: dict) -> str:
        return code + " " + json.dumps(zen_options(**options), sort_keys=True)

    def _load(self) -> None:
        with open(self.path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    key = self.key(as_arch(record["code"]).encode(), record["options"])
                    score = float(record["score"])
                except (json.JSONDecodeError, KeyError, TypeError, ValueError) as err:
                    raise ValueError(f"{self.path}: line {number}: not a ZenScore cache record "
                                     f"({type(err).__name__}: {err})") from err
                self._scores[key] = score

    def __len__(self) -> int:
        return len(self._scores)

    def get(self, arch: Arch | str, **options) -> float | None:
        """The cached score, or None."""
        return self._scores.get(self.key(as_arch(arch).encode(), options))

    def score(self, arch: Arch | str, **options) -> float:
        """Cached score, computed and appended to the file on a miss."""
        code = as_arch(arch).encode()
        options = zen_options(**options)
        key = self.key(code, options)
        if key not in self._scores:
            value = float(self.scorer(code, **options))
            if self.path is not None:
                self._append({"code": code, "options": options, "score": value})
            self._scores[key] = value
            self.computed += 1
        return self._scores[key]

    def _append(self, record: dict) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())


def zenscore_prior(cache: str | os.PathLike | None = None, input_size: int | None = None, **options) -> Callable:
    """Prior-registry factory: `score(arch_or_code, key=None) -> float`, memoised per code.

    `cache` names a JSONL file shared across runs; `input_size` (the option the count priors
    take) sets `resolution` when that is not given."""
    if input_size is not None:
        if options.setdefault("resolution", input_size) != input_size:
            raise ValueError(f"prior 'zenscore': input_size {input_size} and resolution "
                             f"{options['resolution']} disagree; give one of them")
    options = zen_options(**options)
    _check_options(**{name: options[name] for name in ("feature", "batch_size", "resolution", "repeats", "gamma")})
    store = ZenScoreCache(cache)

    def score(arch, key=None) -> float:
        return store.score(as_arch(arch, key), **options)

    score.__name__ = "zenscore_prior"
    score.cache = store
    return score
