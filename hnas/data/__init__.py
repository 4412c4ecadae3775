"""Datasets and transforms: class folders (ImageNet layout) and the embedded demo data."""
from hnas.data.demo import demo_data_dir
from hnas.data.folder_dataset import ClassFolderDataset, list_class_folder, load_rgb
from hnas.data.transforms import EvalTransform, TrainTransform, normalize_batch, resize_size

__all__ = ["demo_data_dir", "ClassFolderDataset", "list_class_folder", "load_rgb", "EvalTransform",
           "TrainTransform", "normalize_batch", "resize_size"]
