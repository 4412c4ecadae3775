"""Train a supernet: `python hnas/train.py [--config FILE] [legacy flags] [key=value ...]`.

Run under `python -m paddle.distributed.launch` for several ranks (see train_supernet.sh).
Examples:
  python hnas/train.py --config demo
  python hnas/train.py --config sandwich_rank_flops --image_dir /data/ILSVRC2012 --batch_size 128
  python hnas/train.py --config demo train.epochs=2 loss.rank.prior=flops
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: import the package from the repository root, not from hnas/ itself.
    sys.path[0] = str(Path(__file__).resolve().parents[1])


def main(argv=None) -> int:
    from hnas.config import ConfigError, add_config_arguments, config_from_args

    parser = argparse.ArgumentParser(description="Train a weight-sharing ResNet-48 supernet.",
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    add_config_arguments(parser)
    args = parser.parse_args(argv)
    try:
        cfg = config_from_args(args)
    except ConfigError as err:
        parser.error(str(err))

    from hnas.training import train

    try:
        save_dir = train(cfg)
    except (ValueError, FileNotFoundError, FloatingPointError) as err:
        # Bad input or a diverged run: the message names the key, file or step; no traceback.
        print(f"train.py: error: {err}", file=sys.stderr)
        return 1
    print(f"checkpoints in {save_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
