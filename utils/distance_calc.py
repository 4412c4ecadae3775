"""Hamming distances (code chars 5..) between the architectures of a submission file.

    python utils/distance_calc.py checkpoints/CVPR_2022_NAS_Track1_test.json --png dist.png

Every pair is measured when there are at most --pairs of them (default 1,000,000);
otherwise --pairs random pairs of distinct codes are drawn with --seed (the 45,000
official codes make about 1e9 pairs).  Prints summary statistics and a text histogram.
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hnas.code_distance import (DEFAULT_MAX_PAIRS, distance_counts, distance_summary,  # noqa: E402
                                format_histogram, num_pairs, pair_distances)
from hnas.submission import SubmissionError, load_submission  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("json", help="submission file whose 'arch' codes are compared")
    parser.add_argument("--png", help="also write a histogram PNG here")
    parser.add_argument("--pairs", type=int, default=DEFAULT_MAX_PAIRS,
                        help=f"measure all pairs up to this many, else sample this many (default {DEFAULT_MAX_PAIRS})")
    parser.add_argument("--seed", type=int, default=0, help="seed of the pair sample (default 0)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        if args.pairs < 1:
            raise ValueError(f"--pairs must be positive, got {args.pairs}")
        data = load_submission(args.json)
        codes = {key: entry["arch"] for key, entry in data.items()}
        distances, sampled = pair_distances(codes, args.pairs, args.seed)
        counts = distance_counts(distances)
        if args.png:
            from hnas.plots import plot_histogram

            how = f"{len(distances)} random pairs" if sampled else f"all {len(distances)} pairs"
            plot_histogram(counts, args.png, "Hamming distance (code chars 5..)",
                           f"{Path(args.json).name}: {len(codes)} codes, {how}")
    except (SubmissionError, ValueError, OSError) as err:
        print(f"distance_calc: error: {err}", file=sys.stderr)
        return 2
    stats = distance_summary(distances)
    scope = (f"{stats['pairs']} random pairs of {num_pairs(len(codes))} (seed {args.seed})" if sampled
             else f"all {stats['pairs']} pairs")
    print(f"codes={len(codes)} {scope}")
    print(f"min={stats['min']} max={stats['max']} mean={stats['mean']:.3f} median={stats['median']:.1f} "
          f"std={stats['std']:.3f}")
    print(format_histogram(counts))
    if args.png:
        print(f"distance_calc: wrote {args.png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
