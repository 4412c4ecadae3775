"""Merging shard results (JSONL journals or JSON submissions) into one submission.

The output follows the ORIGINAL file's key order and keeps its entries, with `acc`
replaced, so the bytes depend only on the scores — not on how the work was split.
"""
from __future__ import annotations

from pathlib import Path

from hnas.scoring.journal import read_journal
from hnas.submission import SubmissionError, load_submission, with_scores


class MergeError(ValueError):
    """Shards that cannot be merged; the message names the keys and files."""


def _listing(keys: list, limit: int = 10) -> str:
    shown = ", ".join(repr(k) for k in keys[:limit])
    return shown + (f" and {len(keys) - limit} more" if len(keys) > limit else "")


def read_shard(path) -> tuple[dict | None, dict, dict]:
    """(settings or None, {key: score}, {key: arch}) of a `.jsonl` journal or a JSON submission."""
    path = Path(path)
    if path.suffix == ".jsonl":
        if not path.is_file():
            raise MergeError(f"{path}: shard file not found")
        settings, scores = read_journal(path)
        return settings, scores, {}
    try:
        data = load_submission(path)
    except SubmissionError as err:
        raise MergeError(str(err)) from None
    scores = {}
    for key, entry in data.items():
        if "acc" not in entry:
            raise MergeError(f"{path}: key {key!r} has no 'acc'")
        scores[key] = entry["acc"]
    return None, scores, {key: entry["arch"] for key, entry in data.items()}


def merge_scores(original: dict, shards: list) -> dict:
    """`shards` = [path]; returns {key: score} covering exactly the keys of `original`."""
    scores, source_of, settings_seen = {}, {}, None
    for path in shards:
        settings, shard_scores, archs = read_shard(path)
        if settings is not None:
            if settings_seen is not None and settings != settings_seen[0]:
                raise MergeError(f"{path}: written with different settings than {settings_seen[1]}")
            settings_seen = settings_seen or (settings, path)
        unknown = [k for k in shard_scores if k not in original]
        if unknown:
            raise MergeError(f"{path}: {len(unknown)} key(s) not in the original file: {_listing(unknown)}")
        wrong_arch = [k for k, arch in archs.items() if arch != original[k]["arch"]]
        if wrong_arch:
            raise MergeError(f"{path}: 'arch' differs from the original file for key(s) {_listing(wrong_arch)}")
        for key, value in shard_scores.items():
            if key in scores and scores[key] != value:
                raise MergeError(f"key {key!r} has conflicting scores: {scores[key]!r} in {source_of[key]} "
                                 f"and {value!r} in {path}")
            scores[key], source_of[key] = value, path
    gaps = [k for k in original if k not in scores]
    if gaps:
        raise MergeError(f"{len(gaps)} key(s) of the original file have no score in any shard: {_listing(gaps)}")
    return scores


def merge_submission(original: dict, shards: list) -> dict:
    """The original submission with every `acc` taken from the shards."""
    return with_scores(original, merge_scores(original, shards))
