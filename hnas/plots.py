"""PNG figures for the utilities: rank scatter, lambda schedule, distance histogram.

Matplotlib runs on the Agg backend (no display needed) and every figure is rendered into
memory first, then written atomically, so a failed plot never leaves a broken PNG behind.
"""
from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np

from hnas.atomic import atomic_write_bytes


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(fig, path: str | os.PathLike, dpi: int = 120) -> Path:
    plt = _pyplot()
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    finally:
        plt.close(fig)
    return atomic_write_bytes(path, buffer.getvalue())


def plot_rank_scatter(pred_scores, truth_scores, coefficients: dict, path, pred_label="predicted",
                      truth_label="ground truth") -> Path:
    """Rank of each architecture by `truth` (x) against its rank by `pred` (y); rank 1 = best."""
    from scipy.stats import rankdata

    plt = _pyplot()
    pred_rank = rankdata(-np.asarray(pred_scores, dtype=np.float64))
    truth_rank = rankdata(-np.asarray(truth_scores, dtype=np.float64))
    fig, ax = plt.subplots(figsize=(5.5, 5.5))
    ax.scatter(truth_rank, pred_rank, s=8 if len(pred_rank) > 500 else 20, alpha=0.6)
    n = len(pred_rank)
    ax.plot([1, n], [1, n], color="grey", linewidth=0.8, linestyle="--")
    ax.set_xlabel(f"rank by {truth_label}")
    ax.set_ylabel(f"rank by {pred_label}")
    ax.set_title(f"Kendall {coefficients['kendall']:.4f}  Pearson {coefficients['pearson']:.4f}  "
                 f"Spearman {coefficients['spearman']:.4f}  (n={coefficients['n']})", fontsize=9)
    return save_figure(fig, path)


def plot_curve(x, y, path, xlabel: str, ylabel: str, title: str) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(x, y)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    return save_figure(fig, path)


def plot_histogram(counts, path, xlabel: str, title: str) -> Path:
    """Bar chart of `counts[value]` for value = 0..len-1."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.bar(np.arange(len(counts)), counts, width=0.9)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("pairs")
    ax.set_title(title)
    return save_figure(fig, path)
