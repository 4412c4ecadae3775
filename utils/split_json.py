"""Split a submission file into n parts for separate scoring jobs.

    python utils/split_json.py checkpoints/CVPR_2022_NAS_Track1_test.json --parts 4 --out_dir parts/
    -> parts/CVPR_2022_NAS_Track1_test.part-0-of-4.json ... part-3-of-4.json

Part i holds the i-th contiguous block of keys in file order — the same cut as
`eval_supernet --shard i/n` — so the scored parts merge back with utils/merge_results.py.
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hnas.scoring.shards import shard_keys  # noqa: E402
from hnas.submission import SubmissionError, load_submission, write_submission  # noqa: E402


def part_path(out_dir: Path, source: Path, index: int, count: int) -> Path:
    return out_dir / f"{source.stem}.part-{index}-of-{count}.json"


def split_submission(source: Path, parts: int, out_dir: Path) -> list[Path]:
    data = load_submission(source)
    if parts < 1:
        raise ValueError(f"--parts must be at least 1, got {parts}")
    if parts > len(data):
        raise ValueError(f"--parts {parts} exceeds the {len(data)} keys of {source}")
    keys, written = list(data), []
    for index in range(parts):
        part = {key: data[key] for key in shard_keys(keys, index, parts)}
        written.append(write_submission(part_path(out_dir, source, index, parts), part))
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("json", type=Path, help="the submission to split")
    parser.add_argument("--parts", type=int, required=True, help="number of parts")
    parser.add_argument("--out_dir", type=Path, default=Path("."), help="where the parts go (created)")
    args = parser.parse_args(argv)
    try:
        for path in split_submission(args.json, args.parts, args.out_dir):
            print(path)
    except (SubmissionError, ValueError, OSError) as err:
        print(f"split_json: error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
