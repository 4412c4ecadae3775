"""Train and eval transforms (ImageNet recipe, scaled for small inputs).

Train: random-resized-crop + horizontal flip.  Eval: resize to size*256/224, centre crop.
Both end in float32 CHW normalised with ImageNet statistics.  `eval_uint8` stops before
normalisation so scoring can cache compact uint8 tensors and normalise per batch.
"""
import numpy as np
from PIL import Image

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32) * 255.0
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32) * 255.0


def resize_size(size: int) -> int:
    return int(round(size * 256 / 224))


def to_chw_float(image) -> np.ndarray:
    """uint8 HWC (PIL or array) -> normalised float32 CHW."""
    array = np.asarray(image, dtype=np.float32)
    return ((array - MEAN) / STD).transpose(2, 0, 1).copy()


def normalize_batch(batch_uint8_nhwc):
    """A paddle uint8 NHWC batch -> normalised float32 NCHW (for cached eval tensors)."""
    import paddle

    x = batch_uint8_nhwc.astype("float32")
    x = (x - paddle.to_tensor(MEAN)) / paddle.to_tensor(STD)
    return x.transpose([0, 3, 1, 2])


def center_crop(image: Image.Image, size: int) -> Image.Image:
    w, h = image.size
    left, top = (w - size) // 2, (h - size) // 2
    return image.crop((left, top, left + size, top + size))


def resize_short(image: Image.Image, short: int) -> Image.Image:
    w, h = image.size
    scale = short / min(w, h)
    return image.resize((max(short, round(w * scale)), max(short, round(h * scale))), Image.BILINEAR)


class EvalTransform:
    """Resize the short side to size*256/224, centre-crop `size`."""

    def __init__(self, size: int, as_uint8: bool = False):
        self.size, self.as_uint8 = size, as_uint8

    def __call__(self, image, size=None):
        size = size or self.size
        cropped = center_crop(resize_short(image, resize_size(size)), size)
        return np.asarray(cropped, dtype=np.uint8) if self.as_uint8 else to_chw_float(cropped)


class TrainTransform:
    """Random-resized-crop (scale 0.08..1 by default, aspect 3/4..4/3) and a random flip.

    Uses numpy's global RNG, which Paddle's DataLoader reseeds per worker; the run seed
    fixes it in the main process.
    """

    def __init__(self, size: int, scale=(0.08, 1.0), ratio=(3 / 4, 4 / 3)):
        self.size, self.scale, self.ratio = size, scale, ratio

    def _box(self, w, h):
        area = w * h
        for _ in range(10):
            target = area * np.random.uniform(*self.scale)
            log_ratio = np.random.uniform(np.log(self.ratio[0]), np.log(self.ratio[1]))
            aspect = np.exp(log_ratio)
            cw, ch = int(round(np.sqrt(target * aspect))), int(round(np.sqrt(target / aspect)))
            if 0 < cw <= w and 0 < ch <= h:
                return np.random.randint(0, w - cw + 1), np.random.randint(0, h - ch + 1), cw, ch
        side = min(w, h)
        return (w - side) // 2, (h - side) // 2, side, side

    def __call__(self, image, size=None):
        size = size or self.size
        left, top, cw, ch = self._box(*image.size)
        image = image.resize((size, size), Image.BILINEAR, box=(left, top, left + cw, top + ch))
        if np.random.rand() < 0.5:
            image = image.transpose(Image.FLIP_LEFT_RIGHT)
        return to_chw_float(image)
