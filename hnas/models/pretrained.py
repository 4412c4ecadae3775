"""Initialise a supernet from a pretrained static ResNet-48 (DESIGN §3).

The file must hold the full-width network with all blocks under the supernet's names
(e.g. saved from `ResNetSubnet(largest code)`); multi-rank checkpoints with the `_layers.`
prefix load as well.  By default the channels are then reordered so that narrow subnets
inherit the most important ones.  Without a pretrained file the supernet simply keeps its
random initialisation and trains from scratch.
"""
from __future__ import annotations

import os

from hnas.models.reorder import reorder_channels
from hnas.models.state_io import load_matching_state, read_state_dict, strip_rank_prefix


def load_pretrained(supernet, path: str | os.PathLike | dict, reorder: bool = True):
    """Load a static ResNet-48 state dict into `supernet`, then optionally reorder channels.

    `path` is a `.pdparams` file or an in-memory state dict.  Unknown, missing or
    mis-shaped keys raise ValueError naming the key (and both shapes).
    """
    if isinstance(path, dict):
        state, source = strip_rank_prefix(path), "pretrained state dict"
    else:
        state, source = read_state_dict(path), str(path)
    load_matching_state(supernet, state, source)
    if reorder:
        reorder_channels(supernet)
    return supernet
