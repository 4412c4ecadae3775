"""Kendall tau-b, Pearson and Spearman between two result files, aligned by key.

    python utils/kendall.py checkpoints/submit_results.json ground_truth.json
    kendall=0.6123 pearson=0.8011 spearman=0.7990 n=50

Both files are submissions (`{key: {"arch": code, "acc": score}}`).  Entries are paired
by key, never by their order in the file; each key must name the same `arch` in both.
Different key sets are an error unless --intersect compares the shared keys only.
"""
import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hnas.atomic import atomic_write_text  # noqa: E402
from hnas.ranking import RankingError, compare_submissions, format_correlations  # noqa: E402
from hnas.submission import SubmissionError, load_submission  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("pred", help="predicted scores (e.g. the supernet's submit_results.json)")
    parser.add_argument("truth", help="ground truth (e.g. stand-alone accuracies)")
    parser.add_argument("--intersect", action="store_true",
                        help="compare only the keys both files share instead of failing")
    parser.add_argument("--json", metavar="OUT", help="also write the coefficients to this JSON file")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        pred = load_submission(args.pred)
        truth = load_submission(args.truth)
        result = compare_submissions(pred, truth, args.intersect, pred_name=args.pred, truth_name=args.truth)
        if args.json:
            atomic_write_text(args.json, json.dumps(result, indent=1) + "\n")
    except (SubmissionError, RankingError, OSError) as err:
        print(f"kendall: error: {err}", file=sys.stderr)
        return 2
    print(format_correlations(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
