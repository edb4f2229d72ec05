"""Tiled rendering for images larger than one network pass: overlapping tiles, linear cross-fades, bounded memory.

The weights of overlapping tiles form a partition of unity (they sum to 1 at every pixel), so finished rows can be
written out as soon as the next row of tiles starts; memory is one band of tiles, not the whole float image.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import numpy as np


def spans(length: int, tile: int, overlap: int) -> list[tuple[int, int]]:
    """Evenly spaced ``(start, end)`` windows of at most ``tile`` px covering ``length``, overlapping ≥ ``overlap``.

    Windows are shrunk to the smallest size that still covers with the same count, so no work is spent on
    needless extra overlap.
    """
    if length <= tile:
        return [(0, length)]
    overlap = min(overlap, tile // 2)  # at most two tiles may share a pixel, or the cross-fades stop summing to 1
    n = math.ceil((length - overlap) / (tile - overlap))
    tile = min(tile, math.ceil((length + (n - 1) * overlap) / n))
    step = (length - tile) / (n - 1)
    return [(round(i * step), round(i * step) + tile) for i in range(n)]


def ramps(windows: list[tuple[int, int]]) -> list[np.ndarray]:
    """Per-window 1-D weights: 1 inside, linear fades where neighbours overlap, summing to 1 everywhere."""
    out = []
    for i, (start, end) in enumerate(windows):
        w = np.ones(end - start, np.float32)
        if i > 0 and windows[i - 1][1] > start:  # fade in across the overlap with the previous window
            o = windows[i - 1][1] - start
            w[:o] = (np.arange(o, dtype=np.float32) + 0.5) / o
        if i + 1 < len(windows) and windows[i + 1][0] < end:  # fade out across the overlap with the next one
            o = end - windows[i + 1][0]
            w[-o:] = 1.0 - (np.arange(o, dtype=np.float32) + 0.5) / o
        out.append(w)
    return out


def render_tiled(
    image: np.ndarray,
    fn: Callable[[np.ndarray], np.ndarray],
    tile: int = 1024,
    overlap: int = 128,
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """Apply ``fn`` (H×W×3 uint8 → H×W×3 float in [0, 1]) tile by tile; returns the H×W×3 uint8 result."""
    h, w = image.shape[:2]
    ys, xs = spans(h, tile, overlap), spans(w, tile, overlap)
    if len(ys) == len(xs) == 1:  # one pass: no blending buffers
        out = _to_uint8(fn(image))
        if progress:
            progress(1, 1)
        return out
    wy, wx = ramps(ys), ramps(xs)
    out = np.empty((h, w, 3), np.uint8)
    band = np.zeros((0, w, 3), np.float32)  # rows not yet finished, starting at band_top
    band_top = 0
    done, total = 0, len(ys) * len(xs)
    for (y0, y1), ry in zip(ys, wy, strict=True):
        # Rows above y0 receive nothing more: flush them, keep the overlap as the start of the new band.
        finished = y0 - band_top
        if finished > 0:
            out[band_top:y0] = _to_uint8(band[:finished])
        carried = band[finished:]
        band = np.zeros((y1 - y0, w, 3), np.float32)
        band[: len(carried)] = carried
        band_top = y0
        for (x0, x1), rx in zip(xs, wx, strict=True):
            styled = fn(image[y0:y1, x0:x1])
            band[:, x0:x1] += styled * (ry[:, None, None] * rx[None, :, None])
            done += 1
            if progress:
                progress(done, total)
    out[band_top:] = _to_uint8(band)
    return out


def _to_uint8(a: np.ndarray) -> np.ndarray:
    b = np.clip(a, 0.0, 1.0)
    b *= 255.0
    b += 0.5
    return b.astype(np.uint8)


def seam_score(image: np.ndarray, tile: int = 1024, overlap: int = 128) -> float:
    """Mean gradient across tile borders (centres of the overlaps) divided by the mean gradient elsewhere.

    1.0 means borders are indistinguishable from the rest of the picture; a visible seam scores well above 1.
    """
    g = image.astype(np.float32).mean(axis=2)
    dx = np.abs(np.diff(g, axis=1))  # dx[:, x] is the step between columns x and x+1
    dy = np.abs(np.diff(g, axis=0))
    cols = _borders(spans(image.shape[1], tile, overlap))
    rows = _borders(spans(image.shape[0], tile, overlap))
    if not cols and not rows:
        return 1.0
    at = np.concatenate([dx[:, cols].ravel(), dy[rows, :].ravel()])
    mask_x = np.ones(dx.shape[1], bool)
    mask_x[cols] = False
    mask_y = np.ones(dy.shape[0], bool)
    mask_y[rows] = False
    elsewhere = np.concatenate([dx[:, mask_x].ravel(), dy[mask_y, :].ravel()])
    return float(at.mean() / max(elsewhere.mean(), 1e-6))


def _borders(windows: list[tuple[int, int]]) -> list[int]:
    """Pixel positions where neighbouring tiles meet: the middle of each overlap (and both overlap edges)."""
    out = []
    for (_, end), (start, _) in itertools.pairwise(windows):
        out += [start, (start + end) // 2, end - 1]
    return sorted(set(out))
