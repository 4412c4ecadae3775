"""OFA-style channel reordering of a full-width ResNet-48 (supernet or stand-alone).

A subnet uses the leading slice of every weight, so after loading a pretrained static
network the most important channels should come first.  Permuting a layer's output
channels together with its BN and with every consumer's input channels leaves the full
network's function unchanged; only which channels a narrow subnet keeps changes.

Two kinds of channel groups are sorted, by importance descending:
- inside each block: conv1's outputs / bn1 / conv2's inputs, importance = L1 norm of
  conv2's input slices;
- each stage's residual stream: every tensor that writes it (stem conv1/bn1 for stage 1,
  the first block's downsample conv/bn otherwise, and every block's conv2/bn2) and every
  tensor that reads it (the conv1 input of the stage's blocks after the stream exists,
  the next stage's first conv1 and downsample inputs, or the fc rows after stage 4),
  importance = summed L1 norms of the readers' input slices.
"""
from __future__ import annotations

import numpy as np
import paddle

BN_TENSORS = ("weight", "bias", "_mean", "_variance")


def input_l1(layer) -> np.ndarray:
    """L1 norm of each input channel's slice: conv weight [out, in, k, k] or linear [in, out]."""
    w = np.abs(layer.weight.numpy())
    if w.ndim == 4:
        return w.sum(axis=(0, 2, 3))
    return w.sum(axis=1)


def _permute(tensor, perm: np.ndarray, axis: int) -> None:
    tensor.set_value(np.take(tensor.numpy(), perm, axis=axis))


def permute_outputs(conv, bn, perm) -> None:
    """Reorder a conv's output channels and the BN that follows it (params and running stats)."""
    _permute(conv.weight, perm, 0)
    for name in BN_TENSORS:
        _permute(getattr(bn, name), perm, 0)


def permute_inputs(layer, perm) -> None:
    """Reorder a consumer's input channels: conv weight axis 1, linear weight axis 0."""
    _permute(layer.weight, perm, 1 if len(layer.weight.shape) == 4 else 0)


def descending(importance: np.ndarray) -> np.ndarray:
    return np.argsort(-importance, kind="stable")


def block_importance(block) -> np.ndarray:
    return input_l1(block.conv2)


def stream_groups(net):
    """Per stage: (producers as (conv, bn) pairs, consumers as layers reading the stream)."""
    stages = [list(layer) for layer in net.stages] if hasattr(net, "stages") else [
        list(getattr(net, f"layer{s + 1}")) for s in range(4)]
    groups = []
    for s, blocks in enumerate(stages):
        first = blocks[0]
        producers = [(net.conv1, net.bn1)] if s == 0 else [(first.downsample[0], first.downsample[1])]
        producers += [(b.conv2, b.bn2) for b in blocks]
        readers = [b.conv1 for b in (blocks if s == 0 else blocks[1:])]
        if s + 1 < len(stages):
            nxt = stages[s + 1][0]
            readers += [nxt.conv1] + ([nxt.downsample[0]] if nxt.downsample is not None else [])
        else:
            readers.append(net.fc)
        groups.append((producers, readers))
    return stages, groups


def stream_importance(readers) -> np.ndarray:
    return sum(input_l1(layer) for layer in readers)


def reorder_channels(net) -> None:
    """Sort every block's inner channels and every stage's stream channels in place.

    `net` must hold full-width weights with all blocks (a supernet, or the stand-alone
    network of the largest code).
    """
    stages, groups = stream_groups(net)
    with paddle.no_grad():
        for blocks in stages:
            for block in blocks:
                perm = descending(block_importance(block))
                permute_outputs(block.conv1, block.bn1, perm)
                permute_inputs(block.conv2, perm)
        for producers, readers in groups:
            perm = descending(stream_importance(readers))
            for conv, bn in producers:
                permute_outputs(conv, bn, perm)
            for layer in readers:
                permute_inputs(layer, perm)
