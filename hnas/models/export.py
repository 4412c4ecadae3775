"""Export a stand-alone subnet for inference with `paddle.jit.save`.

The files (`<name>.json` + `<name>.pdiparams` under Paddle 3's PIR, `.pdmodel` under the
legacy IR) are produced in a temporary directory next to the target and then moved in one
by one with `os.replace`, so an interrupted export never leaves a half-written model.

To run the result from Python use `paddle.inference` (Config + create_predictor).  In
Paddle 3.3.1 on CPU a `paddle.jit.load`ed layer fails ("dst_tensor shall be defined", or a
segfault) while `FLAGS_use_onednn` is on; `paddle.set_flags({"FLAGS_use_onednn": False})`
before calling it avoids that.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import paddle
from paddle.static import InputSpec


def export_inference(net, out_dir: str | os.PathLike, image_size: int, name: str = "model") -> Path:
    """Save `net` in eval mode for inputs `[batch, 3, image_size, image_size]`; return the prefix."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    was_training = net.training
    net.eval()
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=out_dir))
    try:
        spec = InputSpec([None, 3, image_size, image_size], "float32", "image")
        paddle.jit.save(net, str(staging / name), input_spec=[spec])
        for produced in sorted(staging.iterdir()):
            os.replace(produced, out_dir / produced.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if was_training:
            net.train()
    return out_dir / name
