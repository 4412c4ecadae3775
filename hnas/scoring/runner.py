"""Scoring a list of codes into a journal, with a progress bar, skipping finished keys."""
from __future__ import annotations

import os
import sys
import time

from tqdm import tqdm

# Test hook: exit abruptly (no cleanup, like a kill) after this many new results.
STOP_AFTER_ENV = "HNAS_EVAL_STOP_AFTER"
STOPPED_EXIT_CODE = 75


def score_into_journal(scorer, items: list, journal, desc: str = "scoring") -> int:
    """`items` = [(key, code)]; appends a score per unfinished key; returns how many were new."""
    todo = [(key, code) for key, code in items if key not in journal.scores]
    stop_after = int(os.environ.get(STOP_AFTER_ENV, "0") or 0)
    with tqdm(total=len(items), initial=len(items) - len(todo), unit="code", desc=desc,
              dynamic_ncols=True, smoothing=0.1, file=sys.stderr) as bar:
        for done, (key, code) in enumerate(todo, 1):
            journal.append(key, scorer.score(code, key))
            bar.update()
            if stop_after and done >= stop_after:
                os._exit(STOPPED_EXIT_CODE)
    return len(todo)


def wait_for_shards(paths_and_keys: list, read, timeout_s: float = 0.0, poll_s: float = 1.0) -> None:
    """Block until every journal in `paths_and_keys` ([(path, keys)]) holds all its keys.

    `read(path)` returns the journal's {key: score}; timeout 0 waits indefinitely."""
    start = time.monotonic()
    announced = False
    while True:
        missing = {str(path): len(set(keys) - set(read(path))) for path, keys in paths_and_keys}
        missing = {path: count for path, count in missing.items() if count}
        if not missing:
            return
        if timeout_s and time.monotonic() - start > timeout_s:
            detail = ", ".join(f"{path} ({count} missing)" for path, count in missing.items())
            raise TimeoutError(f"shards not finished after {timeout_s:.0f} s: {detail}")
        if not announced:
            print(f"waiting for {len(missing)} other shard(s) to finish ...", file=sys.stderr, flush=True)
            announced = True
        time.sleep(poll_s)
