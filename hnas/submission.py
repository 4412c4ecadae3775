"""Reading and writing submission files: `{key: {"acc": float, "arch": code, ...}}`.

The official file and every result we write share one layout (`json.dumps` with default
separators, no indent, keys in their original order, `arch` untouched).  Loading validates
every code, so a bad entry is reported once, here, with the file and the key.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from hnas.atomic import atomic_write_text
from hnas.search_space import InvalidCodeError, parse_code


class SubmissionError(ValueError):
    """A submission file or mapping is unusable; the message names the file and key."""


def _where(path, key=None) -> str:
    where = str(path) if path is not None else "<submission>"
    return f"{where}: key {key!r}" if key is not None else where


def validate_submission(data, path=None) -> dict:
    """Check the shape of a parsed submission and every code; return it unchanged."""
    submission_archs(data, path)
    return data


def submission_archs(data, path=None) -> dict:
    """Validate a parsed submission and return `{key: Arch}` in its order (one parse per code)."""
    if not isinstance(data, dict):
        raise SubmissionError(f"{_where(path)}: top level must be a JSON object of "
                              f"{{key: {{'arch': code, ...}}}}, got {type(data).__name__}")
    archs = {}
    for key, entry in data.items():
        if not isinstance(entry, dict):
            raise SubmissionError(f"{_where(path, key)}: entry must be an object with an 'arch' "
                                  f"field, got {type(entry).__name__}")
        if "arch" not in entry:
            raise SubmissionError(f"{_where(path, key)}: entry has no 'arch' field")
        try:
            archs[key] = parse_code(entry["arch"], key)
        except InvalidCodeError as err:
            raise SubmissionError(f"{_where(path)}: {err}") from err
    return archs


def load_submission(path: str | os.PathLike) -> dict:
    """Load and validate a submission; returns the insertion-ordered `{key: entry}` dict."""
    return load_submission_archs(path)[0]


def load_submission_archs(path: str | os.PathLike) -> tuple[dict, dict]:
    """Like `load_submission`, also returning the decoded `{key: Arch}` (parsed once)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise SubmissionError(f"{path}: cannot read submission file: {err}") from err
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise SubmissionError(f"{path}: malformed JSON at line {err.lineno} column {err.colno}: "
                              f"{err.msg}") from err
    return data, submission_archs(data, path)


def dumps_submission(data: dict) -> str:
    """The official layout: default separators, no indent, keys in the given order."""
    return json.dumps(data)


def write_submission(path: str | os.PathLike, data: dict, validate: bool = True) -> Path:
    """Write atomically (temp file + os.replace), creating the parent directory.

    `validate=False` skips re-parsing every code, for data that came from `load_submission`.
    """
    if validate:
        validate_submission(data, path)
    return atomic_write_text(path, dumps_submission(data))


def with_scores(data: dict, scores: dict) -> dict:
    """A new ordered submission with each entry's `acc` replaced by `scores[key]`.

    Every key of `data` needs a score; other fields of each entry are kept as they are.
    """
    missing = [key for key in data if key not in scores]
    if missing:
        shown = ", ".join(repr(k) for k in missing[:10])
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        raise SubmissionError(f"no score for {len(missing)} key(s): {shown}{more}")
    result = {}
    for key, entry in data.items():
        updated = dict(entry)
        updated["acc"] = scores[key]
        result[key] = updated
    return result
