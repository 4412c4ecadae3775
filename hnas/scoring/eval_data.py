"""The validation and calibration images for scoring, chosen and cached once per run."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hnas.data import demo_data_dir, list_class_folder
from hnas.scoring.image_batches import image_batches, image_bytes, plan_cache
from hnas.scoring.image_order import calibration_selection, class_balanced_order


@dataclass
class EvalImages:
    val: object  # CachedImages | StreamedImages
    calibration: object | None
    root: Path


def data_root(image_dir) -> Path:
    """`data.image_dir`, or the embedded demo data when it is None."""
    if image_dir is None:
        return demo_data_dir()
    root = Path(image_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"data folder {root} does not exist (data.image_dir / --image_dir)")
    return root


def _checked_samples(folder: Path, num_classes: int) -> list:
    classes, samples = list_class_folder(folder)
    if len(classes) > num_classes:
        raise ValueError(f"data folder {folder} has {len(classes)} classes but the model has "
                         f"num_classes={num_classes}")
    return samples


def eval_images(cfg: dict) -> EvalImages:
    """Validation set (`<root>/val`, class-balanced order, `eval.val_limit`) and, when
    `eval.bn_calib` > 0, the fixed calibration batches from `<root>/train` with the eval
    transform.  Each is cached as uint8 if it fits `eval.cache_gb`, else streamed."""
    ev, size, num_classes = cfg["eval"], int(cfg["data"]["image_size"]), int(cfg["model"]["num_classes"])
    root = data_root(cfg["data"]["image_dir"])
    val_limit = ev["val_limit"]
    val_samples = class_balanced_order(_checked_samples(root / "val", num_classes),
                                       None if val_limit is None else int(val_limit))
    calib_batches = int(ev["bn_calib"] or 0)
    calib_size = int(ev["bn_calib_batch_size"] or ev["batch_size"])
    calib_samples = []
    if calib_batches > 0:
        calib_samples = calibration_selection(_checked_samples(root / "train", num_classes),
                                              calib_batches, calib_size)
    budget = float(ev["cache_gb"]) * (1 << 30)
    plan = plan_cache({"val": image_bytes(len(val_samples), size),
                       "calibration": image_bytes(len(calib_samples), size)}, budget)
    val = image_batches(val_samples, size, int(ev["batch_size"]), plan["val"])
    calibration = (image_batches(calib_samples, size, calib_size, plan["calibration"])
                   if calib_samples else None)
    return EvalImages(val=val, calibration=calibration, root=root)
