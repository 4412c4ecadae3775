"""Rank agreement between two result files: Kendall tau-b, Pearson and Spearman.

Two submissions are compared entry by entry through their keys, never through their
order in the file, because a shuffled or re-merged result file must give the same numbers.
Each key must name the same architecture in both files; otherwise the comparison would
silently pair different networks.
"""
from __future__ import annotations

import math

import numpy as np
from scipy import stats


class RankingError(ValueError):
    """Two result files cannot be compared; the message names the file or key at fault."""


def _preview(keys: list, limit: int = 5) -> str:
    shown = ", ".join(str(k) for k in keys[:limit])
    return shown + (", ..." if len(keys) > limit else "")


def _score(entry: dict, key: str, name: str) -> float:
    if "acc" not in entry:
        raise RankingError(f"{name}: key {key!r} has no 'acc' field")
    value = entry["acc"]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise RankingError(f"{name}: key {key!r} has acc {value!r}, expected a finite number")
    return float(value)


def align_by_key(pred: dict, truth: dict, intersect: bool = False, pred_name: str = "PRED",
                 truth_name: str = "TRUTH") -> tuple[list, np.ndarray, np.ndarray]:
    """(keys, pred scores, truth scores) paired by key, in the order of `truth`.

    Differing key sets are an error counting what each side lacks, unless `intersect`
    keeps only the shared keys.  A key whose `arch` differs between the files is an error.
    """
    only_pred = [k for k in pred if k not in truth]
    only_truth = [k for k in truth if k not in pred]
    if (only_pred or only_truth) and not intersect:
        problems = []
        if only_pred:
            problems.append(f"{len(only_pred)} keys of {pred_name} missing from {truth_name} "
                            f"(first: {_preview(only_pred)})")
        if only_truth:
            problems.append(f"{len(only_truth)} keys of {truth_name} missing from {pred_name} "
                            f"(first: {_preview(only_truth)})")
        raise RankingError("; ".join(problems) + " (use --intersect to compare the shared keys)")
    keys = [k for k in truth if k in pred]
    for key in keys:
        if pred[key].get("arch") != truth[key].get("arch"):
            raise RankingError(f"key {key!r} names different architectures: {pred_name} has "
                               f"{pred[key].get('arch')!r}, {truth_name} has {truth[key].get('arch')!r}")
    pred_scores = np.array([_score(pred[k], k, pred_name) for k in keys], dtype=np.float64)
    truth_scores = np.array([_score(truth[k], k, truth_name) for k in keys], dtype=np.float64)
    return keys, pred_scores, truth_scores


def correlations(pred_scores, truth_scores) -> dict:
    """{'kendall', 'pearson', 'spearman', 'n'} of two equally long score vectors.

    Fewer than two entries or a constant vector leaves the coefficients undefined: error.
    """
    x = np.asarray(pred_scores, dtype=np.float64)
    y = np.asarray(truth_scores, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise RankingError(f"score vectors must be 1-D and equally long, got {x.shape} and {y.shape}")
    if len(x) < 2:
        raise RankingError(f"need at least 2 shared entries to correlate, got {len(x)}")
    for name, values in (("PRED", x), ("TRUTH", y)):
        if np.all(values == values[0]):
            raise RankingError(f"{name} scores are all equal ({values[0]:g}); correlations are undefined")
    return {
        "kendall": float(stats.kendalltau(x, y, variant="b").statistic),
        "pearson": float(stats.pearsonr(x, y).statistic),
        "spearman": float(stats.spearmanr(x, y).statistic),
        "n": int(len(x)),
    }


def compare_submissions(pred: dict, truth: dict, intersect: bool = False, pred_name: str = "PRED",
                        truth_name: str = "TRUTH") -> dict:
    """Correlations of two loaded submissions, aligned by key."""
    _, x, y = align_by_key(pred, truth, intersect, pred_name, truth_name)
    return correlations(x, y)


def format_correlations(result: dict) -> str:
    """The one-line summary `kendall=0.1234 pearson=0.1234 spearman=0.1234 n=20`."""
    return (f"kendall={result['kendall']:.4f} pearson={result['pearson']:.4f} "
            f"spearman={result['spearman']:.4f} n={result['n']}")
