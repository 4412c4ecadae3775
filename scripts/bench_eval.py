"""Scoring speed: cached uint8 tensors vs re-reading and decoding the images for every code.

    python scripts/bench_eval.py [--checkpoint checkpoints/demo] [--codes 8] [--config demo]

Same codes (the first N of the official file), same supernet, same validation images
(the embedded demo data unless the config names other data).  Rows:
  reread   — the original toolkit's way: a DataLoader decodes, resizes and normalises
             every validation image again for every code;
  streamed — this toolkit's fallback when the cache exceeds --cache_gb (decode per batch);
  cached   — decoded once into a uint8 NHWC tensor, normalised per batch;
  cached+bn — cached, plus BN recalibration on eval.bn_calib batches per code.
Without --checkpoint a randomly initialised supernet of the config's shape is timed
(speed does not depend on the weights).  Target: cached >= 5x reread.

Two timings per mode: `input` is the time per code spent producing the normalised
batches alone (what caching removes), `total` is the whole score (input + forward).  At
demo scale on a CPU the forward pass dominates (tiny 28-px PNGs decode in microseconds),
so the end-to-end ratio shows how much of a code's time the input pipeline was; on a GPU,
or with full-size JPEGs, the end-to-end ratio approaches the input ratio.
"""
import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("FLAGS_use_onednn", "1")
os.environ.setdefault("OMP_NUM_THREADS", str(os.cpu_count() or 1))

import paddle  # noqa: E402
from paddle.io import DataLoader  # noqa: E402

from hnas.config import build_config  # noqa: E402
from hnas.data import ClassFolderDataset, EvalTransform  # noqa: E402
from hnas.models import build_supernet  # noqa: E402
from hnas.scoring.checkpoint import layered_config, load_trained_supernet, resolve_checkpoint, run_config_of  # noqa: E402
from hnas.scoring.eval_data import data_root  # noqa: E402
from hnas.scoring.image_batches import CachedImages, StreamedImages  # noqa: E402
from hnas.scoring.image_order import calibration_selection, class_balanced_order  # noqa: E402
from hnas.scoring.subnet_scorer import SubnetScorer  # noqa: E402
from hnas.search_space import SearchSpace  # noqa: E402
from hnas.submission import load_submission  # noqa: E402
from hnas.data import list_class_folder  # noqa: E402


class RereadEachCode:
    """The original toolkit's scoring loop: a fresh pass of a DataLoader over the image files."""

    cached = False

    def __init__(self, net, root, size, batch_size):
        self.net, self.batch_size = net, batch_size
        self.dataset = ClassFolderDataset(root, EvalTransform(size))

    def batches(self):
        yield from DataLoader(self.dataset, batch_size=self.batch_size, shuffle=False, num_workers=0)

    @paddle.no_grad()
    def score(self, code, key=None):
        self.net.activate(code, key)
        correct = count = 0
        for images, labels in self.batches():
            logits = self.net(images)
            correct += int((logits.argmax(axis=1) == labels.flatten()).astype("int64").sum().item())
            count += int(labels.shape[0])
        return round(100.0 * correct / count, 6)


def input_seconds(source, repeats=3):
    """Seconds per pass to produce every normalised batch, no network."""
    start = time.perf_counter()
    for _ in range(repeats):
        for _ in source.batches():
            pass
    if paddle.is_compiled_with_cuda():
        paddle.device.synchronize()  # GPU kernels run asynchronously
    return (time.perf_counter() - start) / repeats


def timed(scorer, codes):
    scorer.score(codes[0])  # warm-up: first-call kernel setup is not part of the rate
    start = time.perf_counter()
    scores = [scorer.score(code) for code in codes]
    return time.perf_counter() - start, scores


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", default="demo")
    parser.add_argument("--checkpoint", default=None, help="run dir or .pdparams (default: random weights)")
    parser.add_argument("--json", default="checkpoints/CVPR_2022_NAS_Track1_test.json")
    parser.add_argument("--codes", type=int, default=3)
    parser.add_argument("--with_bn", action="store_true", help="also time cached scoring with BN recalibration")
    args = parser.parse_args(argv)

    if args.checkpoint:
        weights = resolve_checkpoint(args.checkpoint)
        cfg = layered_config(run_config_of(weights), args.config)
        net = load_trained_supernet(cfg, weights)
    else:
        cfg = build_config(args.config)
        model = cfg["model"]
        paddle.seed(0)
        net = build_supernet(model["backbone"], num_classes=model["num_classes"], width_mult=model["width_mult"],
                             small_input=model["small_input"], search_space=SearchSpace.from_config(cfg["search_space"]))
        net.eval()
    ev, size = cfg["eval"], int(cfg["data"]["image_size"])
    batch = int(ev["batch_size"])
    root = data_root(cfg["data"]["image_dir"])
    codes = [entry["arch"] for entry in list(load_submission(args.json).values())[: args.codes]]
    val_samples = class_balanced_order(list_class_folder(root / "val")[1])
    calib_batches = int(ev["bn_calib"] or 0)
    calib_size = int(ev["bn_calib_batch_size"] or batch)

    rows = []
    reread = RereadEachCode(net, root / "val", size, batch)
    reread_input = input_seconds(reread)
    reread_time, reread_scores = timed(reread, codes)
    rows.append(("reread (original)", reread_input, reread_time, reread_scores))
    streamed_images = StreamedImages(val_samples, size, batch)
    rows.append(("streamed", input_seconds(streamed_images),
                 *timed(SubnetScorer(net, streamed_images, None), codes)))
    start = time.perf_counter()
    cached_images = CachedImages(val_samples, size, batch)
    decode_once = time.perf_counter() - start
    rows.append(("cached", input_seconds(cached_images), *timed(SubnetScorer(net, cached_images, None), codes)))
    if calib_batches and args.with_bn:
        calib = CachedImages(calibration_selection(list_class_folder(root / "train")[1], calib_batches, calib_size),
                             size, calib_size)
        rows.append((f"cached+bn_calib {calib_batches}x{calib_size}", input_seconds(cached_images),
                     *timed(SubnetScorer(net, cached_images, calib), codes)))

    print(f"\nscoring {len(codes)} codes, {len(val_samples)} val images at {size}px, batch {batch}, "
          f"{cfg['model']['backbone']} width {cfg['model']['width_mult']}, "
          f"OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}, device {paddle.get_device()}; "
          f"one-off decode into the cache: {decode_once:.2f} s")
    print(f"{'mode':<28}{'input s/code':>13}{'input ratio':>12}{'total s/code':>13}{'codes/min':>11}"
          f"{'total ratio':>12}  same top-1 as reread")
    for name, input_s, seconds, scores in rows:
        per_code = seconds / len(codes)
        same = "-" if "bn_calib" in name else ("yes" if scores == reread_scores else "NO")
        print(f"{name:<28}{input_s:>13.4f}{reread_input / input_s:>11.1f}x{per_code:>13.3f}{60 / per_code:>11.1f}"
              f"{reread_time / seconds:>11.2f}x  {same}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
