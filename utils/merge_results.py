"""Merge scored shards into one submission in the original file's key order.

    python utils/merge_results.py --json checkpoints/CVPR_2022_NAS_Track1_test.json \
        checkpoints/submit_results.json.shard-*-of-4.jsonl --out checkpoints/submit_results.json

Shards are `eval_supernet` journals (`.jsonl`, one {"key", "acc"} per line) or scored
JSON submissions (e.g. the parts of utils/split_json.py after scoring).  Every key of
the original must be scored exactly once (a repeat with the same value is fine); unknown
keys, conflicting repeats, a changed `arch` and gaps are errors that name the keys.  The
output is written atomically and is byte-identical however the work was split.
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hnas.scoring.journal import JournalError  # noqa: E402
from hnas.scoring.merge import MergeError, merge_submission  # noqa: E402
from hnas.submission import SubmissionError, load_submission, write_submission  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, required=True, help="the original submission (key order, arch)")
    parser.add_argument("shards", nargs="+", type=Path, help="scored shards: .jsonl journals or .json files")
    parser.add_argument("--out", type=Path, required=True, help="merged submission to write")
    args = parser.parse_args(argv)
    try:
        merged = merge_submission(load_submission(args.json), args.shards)
        write_submission(args.out, merged)
    except (MergeError, JournalError, SubmissionError, ValueError, OSError) as err:
        print(f"merge_results: error: {err}", file=sys.stderr)
        return 2
    print(f"merged {len(args.shards)} shard(s), {len(merged)} keys -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
