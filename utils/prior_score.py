"""Score every architecture of a submission file with a training-free prior.

    python utils/prior_score.py --prior flops --json checkpoints/CVPR_2022_NAS_Track1_test.json \
        --out checkpoints/flops_results.json

`acc` of every key becomes the raw prior value (e.g. the FLOPs count); keys, their order
and `arch` are kept.  A malformed input stops with a message naming the key and no output
file is written.
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hnas.priors import PRIORS, make_prior  # noqa: E402
from hnas.submission import SubmissionError, load_submission_archs, with_scores, write_submission  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prior", required=True, choices=sorted(PRIORS), help="which prior to compute")
    parser.add_argument("--json", required=True, help="input submission (e.g. the official test file)")
    parser.add_argument("--out", required=True, help="output submission, written atomically")
    parser.add_argument("--input_size", type=int, default=224, help="input resolution (default 224)")
    parser.add_argument("--num_classes", type=int, default=1000, help="classifier width (default 1000)")
    parser.add_argument("--width_mult", type=float, default=1.0, help="channel multiplier (default 1.0)")
    parser.add_argument("--small_input", action="store_true", help="3x3 stride-1 stem without max-pool")
    parser.add_argument("--activation", default="relu", choices=("relu", "prelu", "swish", "mish"),
                        help="outer activation (PReLU adds one parameter per block)")
    zen = parser.add_argument_group("zenscore options (only with --prior zenscore)")
    zen.add_argument("--zen_batch", type=int, default=16, help="random inputs per evaluation (default 16)")
    zen.add_argument("--zen_resolution", type=int, default=None,
                     help="input resolution of the random inputs (default: --input_size)")
    zen.add_argument("--zen_repeats", type=int, default=1, help="initialisations averaged (default 1)")
    zen.add_argument("--zen_feature", default="pre_gap", choices=("pre_gap", "logits"),
                     help="compare the pre-GAP feature map (Zen-NAS) or the logits (original toolkit)")
    zen.add_argument("--zen_remove_residual", action="store_true",
                     help="score the blocks without their identity/downsample branch")
    zen.add_argument("--zen_cache", default=None,
                     help="JSONL file of already computed scores, appended as codes are scored")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    options = {"input_size": args.input_size, "num_classes": args.num_classes,
               "width_mult": args.width_mult, "small_input": args.small_input,
               "activation": args.activation}
    if args.prior == "zenscore":
        options.pop("input_size")
        options.update(resolution=args.zen_resolution or args.input_size, batch_size=args.zen_batch,
                       repeats=args.zen_repeats, feature=args.zen_feature,
                       remove_residual=args.zen_remove_residual, cache=args.zen_cache)
    try:
        prior = make_prior(args.prior, **options)
        data, archs = load_submission_archs(args.json)
        scores = {key: prior(arch) for key, arch in archs.items()}
        write_submission(args.out, with_scores(data, scores), validate=False)
    except (SubmissionError, ValueError) as err:
        print(f"prior_score: error: {err}", file=sys.stderr)
        return 2
    print(f"prior_score: wrote {len(scores)} {args.prior} scores to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
