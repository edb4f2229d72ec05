"""A painter's style from many paintings: which of their works to take it from.

The plain mean of many paintings' style vectors washes strokes out: the vectors of a painter's varied works point
in different directions and their average is a bland, brownish texture. Taking the few most typical works (those
whose style vectors are closest, on average, to all the painter's others) keeps real strokes while staying
representative. ``benchmarks/painter_style_bench.py`` measured the choices (README "Style studio").
"""

from __future__ import annotations

import numpy as np

METHODS = ("trimmed", "typical", "medoid", "mean")
DEFAULT = "trimmed"
TYPICAL = 5  # paintings averaged by "typical"
TRIM = 0.8  # share of the most typical paintings averaged by "trimmed"
SCALE = 384  # px a painter's works are read at (longer side) at the default stroke size; chosen by the benchmark


def typicality(vectors: np.ndarray) -> np.ndarray:
    """Mean Euclidean distance from each style vector (rows) to all the others: lower is more typical."""
    v = np.asarray(vectors, np.float64)
    if len(v) < 2:
        return np.zeros(len(v))
    sq = (v**2).sum(1)
    d = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2 * v @ v.T, 0.0))
    return d.sum(1) / (len(v) - 1)


def choose(vectors: np.ndarray, method: str = DEFAULT, k: int = TYPICAL) -> np.ndarray:
    """Indices of the paintings a painter's style is taken from, most typical first: all of them ("mean"), the
    single most typical one ("medoid"), the ``k`` most typical ("typical") or the most typical ``TRIM`` share,
    leaving out the odd ones (sketches, studies, late experiments) that pull a plain mean away ("trimmed")."""
    if method not in METHODS:
        raise ValueError(f"unknown painter style method {method!r}; one of {', '.join(METHODS)}")
    order = np.argsort(typicality(vectors), kind="stable")
    if method == "mean":
        return order
    if method == "trimmed":
        return order[: max(1, round(TRIM * len(order)))]
    return order[: 1 if method == "medoid" else max(1, k)]


def painter_vector(vectors: np.ndarray, method: str = DEFAULT, k: int = TYPICAL) -> tuple[np.ndarray, np.ndarray]:
    """``(style vector, indices used)`` for one painter's style vectors (rows)."""
    idx = choose(vectors, method, k)
    return np.asarray(vectors, np.float32)[idx].mean(0), idx
