"""Adding entries to a shared results file from many processes without losing any.

Stand-alone trainers run in parallel and each adds its own key to one submission-format
file.  Each update holds an exclusive `fcntl.flock` on a sidecar `<file>.lock` while it
reads the current file, adds or replaces its keys and writes the whole file atomically, so
concurrent writers are serialised and readers never see a partial file.
"""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path

from hnas.submission import load_submission, validate_submission, write_submission


def lock_path_of(path: str | os.PathLike) -> Path:
    path = Path(path)
    return path.with_name(path.name + ".lock")


@contextmanager
def locked(path: str | os.PathLike):
    """Hold the exclusive sidecar lock of `path` for the duration of the block."""
    lock_file = lock_path_of(path)
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def update_results(path: str | os.PathLike, entries: dict) -> dict:
    """Add or replace `entries` (`{key: {"acc": ..., "arch": ...}}`) in the results file.

    Existing keys keep their order; new keys go at the end.  A file that exists but is not
    a valid submission stops the update with an error naming it (it is never overwritten).
    Returns the complete file contents as written.
    """
    validate_submission(entries, path)
    path = Path(path)
    with locked(path):
        current = load_submission(path) if path.exists() else {}
        current.update(entries)
        write_submission(path, current, validate=False)  # both parts were validated above
    return current
