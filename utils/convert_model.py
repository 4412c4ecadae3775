"""Convert a model checkpoint between the multi-rank and single-rank key layouts.

    python utils/convert_model.py checkpoints/supernet/final.pdparams single.pdparams
    python utils/convert_model.py single.pdparams multi.pdparams --to multi

Multi-rank runs (paddle.DataParallel) save every key as `_layers.<name>`; single-rank runs
do not.  Without --to the direction is the opposite of the input's layout.  The output is
written atomically; a file already in the requested layout is copied with a note.
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hnas.checkpoint_layout import (MULTI, SINGLE, CheckpointLayoutError, convert_layout,  # noqa: E402
                                    detect_layout, load_model_state, save_state_atomic)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("input", help="model state dict (.pdparams)")
    parser.add_argument("output", help="converted state dict, written atomically")
    parser.add_argument("--to", choices=(SINGLE, MULTI),
                        help="target layout (default: the opposite of the input's layout)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        state = load_model_state(args.input)
        current = detect_layout(state, args.input)
        target = args.to or (SINGLE if current == MULTI else MULTI)
        save_state_atomic(convert_layout(state, target, args.input), args.output)
    except CheckpointLayoutError as err:
        print(f"convert_model: error: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        print(f"convert_model: error: cannot write {args.output}: {err}", file=sys.stderr)
        return 2
    note = " (input was already in that layout; keys unchanged)" if current == target else ""
    print(f"convert_model: {current}-rank -> {target}-rank, {len(state)} keys written to {args.output}{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
