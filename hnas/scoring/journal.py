"""Append-only result journals: one JSON object per line, flushed as each score completes.

Line 1 records the run's settings (`{"settings": {...}}`); then `{"key": ..., "acc": ...}`
per scored code.  A crash can leave the last line without its newline; readers ignore
such a line and `ResultJournal` cuts it off before appending, so a rerun just scores that
code again.  A journal written with different settings is refused rather than mixed in.
"""
from __future__ import annotations

import json
import os
from pathlib import Path


class JournalError(ValueError):
    """A journal cannot be used; the message names the file and line."""


def read_journal(path) -> tuple[dict | None, dict]:
    """(settings or None, {key: score}) from a journal; a missing file is empty."""
    path = Path(path)
    if not path.is_file():
        return None, {}
    settings, scores = None, {}
    lines = path.read_bytes().split(b"\n")
    complete = lines[:-1]  # the last element is b"" or an unterminated (crashed) line
    for number, raw in enumerate(complete, 1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as err:
            raise JournalError(f"{path}: line {number} is not JSON: {err.msg}") from None
        if not isinstance(record, dict):
            raise JournalError(f"{path}: line {number} is not a JSON object")
        if "settings" in record:
            settings = record["settings"]
            continue
        if "key" not in record or "acc" not in record:
            raise JournalError(f"{path}: line {number} needs 'key' and 'acc', got {sorted(record)}")
        key, value = record["key"], record["acc"]
        if key in scores and scores[key] != value:
            raise JournalError(f"{path}: key {key!r} appears twice with different scores "
                               f"({scores[key]!r} and {value!r})")
        scores[key] = value
    return settings, scores


class ResultJournal:
    """Opens (or creates) a journal for appending, checking its settings first."""

    def __init__(self, path, settings: dict):
        self.path = Path(path)
        previous, self.scores = read_journal(self.path)
        if self.path.is_file() and previous is not None and previous != settings:
            changed = sorted(k for k in set(previous) | set(settings) if previous.get(k) != settings.get(k))
            raise JournalError(f"{self.path}: was written with different settings ({', '.join(changed)}); "
                               "remove it or run with the same checkpoint and settings")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._cut_unterminated_tail()
        self._handle = open(self.path, "ab")
        if previous is None:
            self._write({"settings": settings})

    def _cut_unterminated_tail(self):
        if not self.path.is_file():
            return
        data = self.path.read_bytes()
        keep = data.rfind(b"\n") + 1
        if keep != len(data):
            with open(self.path, "r+b") as handle:
                handle.truncate(keep)

    def _write(self, record: dict):
        self._handle.write((json.dumps(record) + "\n").encode("utf-8"))
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def append(self, key: str, value: float):
        self._write({"key": key, "acc": value})
        self.scores[key] = value

    def close(self):
        self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
