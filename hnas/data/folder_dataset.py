"""An ImageNet-layout dataset: <root>/<class>/<image>, classes in sorted order."""
from pathlib import Path

import numpy as np
from paddle.io import Dataset
from PIL import Image

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".ppm", ".tif", ".tiff"}


def list_class_folder(root) -> tuple[list[str], list[tuple[Path, int]]]:
    """(class names, [(path, label)]) with a clear error for a missing or empty tree."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"data folder {root} does not exist")
    classes = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not classes:
        raise FileNotFoundError(f"data folder {root} has no class sub-folders")
    samples = []
    for label, name in enumerate(classes):
        for path in sorted((root / name).iterdir()):
            if path.suffix.lower() in IMAGE_SUFFIXES:
                samples.append((path, label))
    if not samples:
        raise FileNotFoundError(f"data folder {root} holds no images")
    return classes, samples


def load_rgb(path) -> Image.Image:
    with Image.open(path) as img:
        return img.convert("RGB")


class ClassFolderDataset(Dataset):
    """Yields (transform(image), label int64).

    The index may be a plain int or an `(index, resolution)` pair; in the second case the
    transform is called as `transform(image, resolution)`.  That is how a per-batch
    resolution drawn by the batch sampler reaches worker processes.
    """

    def __init__(self, root, transform=None):
        self.root = Path(root)
        self.classes, self.samples = list_class_folder(self.root)
        self.transform = transform

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, item):
        index, resolution = item if isinstance(item, (tuple, list)) else (item, None)
        path, label = self.samples[index]
        image = load_rgb(path)
        if self.transform is not None:
            image = self.transform(image) if resolution is None else self.transform(image, resolution)
        return image, np.int64(label)
