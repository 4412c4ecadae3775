"""Hamming distances between architecture codes (chars 5.., as `hamming_distance`).

The official file holds 45,000 codes, i.e. about 1e9 pairs, so large sets are measured on
uniformly drawn random pairs.  Codes become a uint8 matrix so each comparison is one
vectorised row operation; `search_space.hamming_distance` defines the measure and the
tests check that both agree pair by pair.
"""
from __future__ import annotations

import numpy as np

# First compared character; `hamming_distance` compares code[5:].
DISTANCE_START = 5
DEFAULT_MAX_PAIRS = 1_000_000
_CHUNK = 200_000


def code_matrix(codes: dict) -> tuple[list, np.ndarray]:
    """(keys, uint8 matrix of code[5:]) for `{key: code}`; codes must be equally long."""
    keys = list(codes)
    if len(keys) < 2:
        raise ValueError(f"need at least 2 codes to measure distances, got {len(keys)}")
    length = len(codes[keys[0]])
    for key in keys:
        if len(codes[key]) != length:
            raise ValueError(f"key {key!r}: code has {len(codes[key])} characters, but key "
                             f"{keys[0]!r} has {length}")
    matrix = np.frombuffer("".join(codes[k] for k in keys).encode("ascii"), dtype=np.uint8)
    matrix = matrix.reshape(len(keys), length)[:, DISTANCE_START:]
    return keys, matrix


def num_pairs(n: int) -> int:
    return n * (n - 1) // 2


def all_pair_distances(matrix: np.ndarray) -> np.ndarray:
    """Distances of every unordered pair (i < j), row i against rows i+1.."""
    parts = [(matrix[i + 1:] != matrix[i]).sum(axis=1, dtype=np.int32) for i in range(len(matrix) - 1)]
    return np.concatenate(parts)


def sampled_pair_distances(matrix: np.ndarray, pairs: int, seed: int = 0) -> np.ndarray:
    """Distances of `pairs` random pairs of distinct codes (with replacement across pairs)."""
    if pairs < 1:
        raise ValueError(f"number of pairs must be positive, got {pairs}")
    rng = np.random.default_rng(seed)
    n = len(matrix)
    first = rng.integers(0, n, size=pairs)
    second = rng.integers(0, n - 1, size=pairs)
    second += second >= first  # skip i itself: j uniform over the other n-1 codes
    out = np.empty(pairs, dtype=np.int32)
    for start in range(0, pairs, _CHUNK):
        stop = min(start + _CHUNK, pairs)
        out[start:stop] = (matrix[first[start:stop]] != matrix[second[start:stop]]).sum(axis=1)
    return out


def pair_distances(codes: dict, pairs: int | None = None, seed: int = 0) -> tuple[np.ndarray, bool]:
    """(distances, sampled?) — all pairs when they number at most `pairs` (default 1e6),
    otherwise `pairs` random ones."""
    _, matrix = code_matrix(codes)
    limit = DEFAULT_MAX_PAIRS if pairs is None else pairs
    if num_pairs(len(matrix)) <= limit:
        return all_pair_distances(matrix), False
    return sampled_pair_distances(matrix, limit, seed), True


def distance_counts(distances: np.ndarray) -> np.ndarray:
    """counts[d] = number of pairs at distance d, for d = 0..max."""
    return np.bincount(distances)


def distance_summary(distances: np.ndarray) -> dict:
    return {"pairs": int(len(distances)), "min": int(distances.min()), "max": int(distances.max()),
            "mean": float(distances.mean()), "median": float(np.median(distances)),
            "std": float(distances.std())}


def format_histogram(counts: np.ndarray, width: int = 50) -> str:
    """One line per distance that occurs: value, count, share and a bar."""
    total, peak = counts.sum(), counts.max()
    lines = []
    for value, count in enumerate(counts):
        if count:
            bar = "#" * max(1, round(width * count / peak))
            lines.append(f"{value:3d} {count:10d} {100 * count / total:6.2f}% {bar}")
    return "\n".join(lines)
