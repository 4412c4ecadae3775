"""Splitting the key list into shards and naming the per-shard result files.

Shard i of n is the i-th contiguous block of the keys in file order (sizes differ by at
most one), so `--shard i/n` jobs, `paddle.distributed.launch` ranks and `split_json.py`
all cut the same way.
"""
from __future__ import annotations

import re
from pathlib import Path

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def parse_shard(text: str) -> tuple[int, int]:
    """'i/n' -> (i, n) with 0 <= i < n."""
    match = _SHARD.match(str(text))
    if not match:
        raise ValueError(f"--shard must look like i/n (e.g. 0/4), got {text!r}")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or not 0 <= index < count:
        raise ValueError(f"--shard {text!r}: need 0 <= i < n")
    return index, count


def shard_bounds(total: int, index: int, count: int) -> tuple[int, int]:
    return index * total // count, (index + 1) * total // count


def shard_keys(keys: list, index: int, count: int) -> list:
    start, end = shard_bounds(len(keys), index, count)
    return list(keys)[start:end]


def shard_path(out, index: int, count: int) -> Path:
    """`<out>.shard-i-of-n.jsonl` next to the output file."""
    out = Path(out)
    return out.with_name(f"{out.name}.shard-{index}-of-{count}.jsonl")


def journal_path(out) -> Path:
    """The journal of an unsharded run: `<out>.journal.jsonl`."""
    out = Path(out)
    return out.with_name(f"{out.name}.journal.jsonl")
