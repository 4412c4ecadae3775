"""Ranking figures and facts: rank scatter, lambda schedule plot, search-space size.

    python utils/visualize_rank.py scatter submit_results.json ground_truth.json --png rank.png
    python utils/visualize_rank.py lambda --schedule warmup --lambda_max 2 --epochs 70 --png lambda.png
    python utils/visualize_rank.py space --space test

`scatter` pairs the two files by key (as utils/kendall.py does, with the same checks) and
puts Kendall, Pearson and Spearman in the title.  `lambda` plots the pairwise rank-loss
weight by epoch.  `space` prints the exact number of codes in a search space.
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hnas.ranking import RankingError, align_by_key, correlations, format_correlations  # noqa: E402
from hnas.search_space import SearchSpace  # noqa: E402
from hnas.submission import SubmissionError, load_submission  # noqa: E402

SCHEDULES = ("constant", "warmup", "cosine", "multistage")
POINTS_PER_EPOCH = 20


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    commands = parser.add_subparsers(dest="command", required=True)

    scatter = commands.add_parser("scatter", help="rank-vs-rank scatter PNG with the coefficients")
    scatter.add_argument("pred", help="predicted scores (submission file)")
    scatter.add_argument("truth", help="ground-truth scores (submission file)")
    scatter.add_argument("--png", required=True, help="output PNG, written atomically")
    scatter.add_argument("--intersect", action="store_true", help="plot only the shared keys")

    schedule = commands.add_parser("lambda", help="plot the rank-loss weight schedule")
    schedule.add_argument("--schedule", choices=SCHEDULES, default="warmup", help="default warmup")
    schedule.add_argument("--lambda_max", type=float, default=2.0, help="default 2")
    schedule.add_argument("--epochs", type=int, default=70, help="default 70")
    schedule.add_argument("--png", required=True, help="output PNG, written atomically")

    space = commands.add_parser("space", help="print the exact size of a search space")
    space.add_argument("--space", choices=("full", "test"), default="full",
                       help="full: every valid code; test: the official test distribution")
    return parser.parse_args(argv)


def run_scatter(args) -> str:
    from hnas.plots import plot_rank_scatter

    pred, truth = load_submission(args.pred), load_submission(args.truth)
    _, x, y = align_by_key(pred, truth, args.intersect, pred_name=args.pred, truth_name=args.truth)
    result = correlations(x, y)
    plot_rank_scatter(x, y, result, args.png, pred_label=Path(args.pred).name, truth_label=Path(args.truth).name)
    return f"{format_correlations(result)}\nvisualize_rank: wrote {args.png}"


def run_lambda(args) -> str:
    from hnas.losses.lambda_schedule import lambda_schedule
    from hnas.plots import plot_curve

    if args.epochs < 1:
        raise ValueError(f"--epochs must be at least 1, got {args.epochs}")
    steps = args.epochs * POINTS_PER_EPOCH
    epochs = [i / POINTS_PER_EPOCH for i in range(steps + 1)]
    values = [lambda_schedule(args.schedule, args.lambda_max, e, args.epochs) for e in epochs]
    plot_curve(epochs, values, args.png, "epoch", "lambda",
               f"{args.schedule} schedule, lambda_max {args.lambda_max:g}, {args.epochs} epochs")
    return f"lambda: max {max(values):.4f} at epoch {epochs[values.index(max(values))]:g}\n" \
           f"visualize_rank: wrote {args.png}"


def run_space(args) -> str:
    space = SearchSpace.full() if args.space == "full" else SearchSpace.test_distribution()
    return str(space.size())


def main(argv=None) -> int:
    args = parse_args(argv)
    handlers = {"scatter": run_scatter, "lambda": run_lambda, "space": run_space}
    try:
        message = handlers[args.command](args)
    except (SubmissionError, RankingError, ValueError, OSError) as err:
        print(f"visualize_rank: error: {err}", file=sys.stderr)
        return 2
    print(message)
    return 0


if __name__ == "__main__":
    sys.exit(main())
