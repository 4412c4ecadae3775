"""Export one subnet of a trained supernet as a stand-alone inference model.

    python utils/export_subnet.py --checkpoint output/final.pdparams \
        --arch 1252233313000000223212122253130000000000006515000000 --out output/export

Loads the supernet checkpoint (single- or multi-rank keys), copies the subnet's weight
slices into a plain network and writes `<out>/model.json|.pdiparams` with `paddle.jit.save`.
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hnas.models import MODELS, build_supernet, extract_subnet  # noqa: E402
from hnas.models.export import export_inference  # noqa: E402
from hnas.models.state_io import load_matching_state, read_state_dict  # noqa: E402
from hnas.search_space import parse_code  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoint", required=True, help="supernet .pdparams (state dict)")
    parser.add_argument("--arch", required=True, help="52-character architecture code")
    parser.add_argument("--out", required=True, help="output directory for model.json/.pdiparams")
    parser.add_argument("--backbone", default="resnet48", choices=sorted(MODELS), help="supernet family")
    parser.add_argument("--num_classes", type=int, default=1000)
    parser.add_argument("--width_mult", type=float, default=1.0)
    parser.add_argument("--small_input", action="store_true", help="3x3 stride-1 stem without max-pool")
    parser.add_argument("--image_size", type=int, default=None,
                        help="input resolution of the exported model (default 224, or 32 with --small_input)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    image_size = args.image_size or (32 if args.small_input else 224)
    try:
        arch = parse_code(args.arch, "--arch")
        state = read_state_dict(args.checkpoint)
        supernet = build_supernet(args.backbone, num_classes=args.num_classes,
                                  width_mult=args.width_mult, small_input=args.small_input)
        try:
            load_matching_state(supernet, state, args.checkpoint)
        except ValueError as err:
            raise ValueError(f"{err} (do --backbone, --num_classes, --width_mult and --small_input "
                             f"match the training run?)") from err
        supernet.eval()
        prefix = export_inference(extract_subnet(supernet, arch), args.out, image_size)
    except ValueError as err:
        print(f"export_subnet: error: {err}", file=sys.stderr)
        return 2
    print(f"export_subnet: wrote {prefix} for {arch.encode()} at {image_size}x{image_size}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
