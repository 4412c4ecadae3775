"""Data plumbing: idx decoding, class-balanced subsets, class-folder trees, transforms."""
import gzip

import numpy as np
import pytest
from PIL import Image

from hnas.data import ClassFolderDataset, EvalTransform, TrainTransform
from hnas.data.class_folders import write_class_folders
from hnas.data.fashion_mnist import read_idx, stratified_subset


def write_idx(path, array):
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    with gzip.open(path, "wb") as fh:
        fh.write(header + array.astype(np.uint8).tobytes())


def test_idx_round_trip_and_bad_magic(tmp_path):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / "x.gz", images)
    assert np.array_equal(read_idx(tmp_path / "x.gz"), images)
    with gzip.open(tmp_path / "bad.gz", "wb") as fh:
        fh.write(b"\x00\x00\x0d\x01" + (3).to_bytes(4, "big") + b"abc")
    with pytest.raises(ValueError, match="not a uint8 idx"):
        read_idx(tmp_path / "bad.gz")


def test_stratified_subset_is_balanced_and_fixed_by_seed():
    labels = np.repeat(np.arange(10), 30)
    picked = stratified_subset(labels, 7, seed=3)
    assert np.bincount(labels[picked], minlength=10).tolist() == [7] * 10
    assert np.array_equal(picked, stratified_subset(labels, 7, seed=3))
    assert not np.array_equal(picked, stratified_subset(labels, 7, seed=4))
    with pytest.raises(ValueError, match="class 0 has only 30"):
        stratified_subset(labels, 31, seed=0)


def test_class_folders_dataset_and_transforms(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 255, (6, 28, 28), dtype=np.uint8)
    root = write_class_folders(tmp_path / "tree", {"train": (images, np.array([0, 0, 1, 1, 2, 2]))},
                               ["a", "b", "c"])
    assert sorted(p.name for p in (root / "train").iterdir()) == ["a", "b", "c"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left behind
    with Image.open(root / "train" / "b" / "00001.png") as img:
        assert img.mode == "RGB" and np.array_equal(np.asarray(img)[..., 1], images[3])
    data = ClassFolderDataset(root / "train", EvalTransform(16))
    x, y = data[2]
    assert x.shape == (3, 16, 16) and x.dtype == np.float32 and int(y) == 1
    train = ClassFolderDataset(root / "train", TrainTransform(16, scale=(0.35, 1.0)))
    assert train[(0, 12)][0].shape == (3, 12, 12)  # per-batch resolution through the index
    cached = ClassFolderDataset(root / "train", EvalTransform(16, as_uint8=True))[0][0]
    assert cached.shape == (16, 16, 3) and cached.dtype == np.uint8
    with pytest.raises(FileNotFoundError, match="does not exist"):
        ClassFolderDataset(tmp_path / "missing")


def test_demo_data_unpacks_once_for_concurrent_callers(tmp_path):
    from concurrent.futures import ProcessPoolExecutor

    from hnas.data.demo import demo_data_dir

    target = tmp_path / "demo"
    with ProcessPoolExecutor(2) as pool:
        roots = list(pool.map(demo_data_dir, [target, target]))
    assert roots == [target, target] and (target / ".complete").is_file()
    assert len(list((target / "val").rglob("*.png"))) == 500
    assert len(list((target / "train").rglob("*.png"))) == 2000
