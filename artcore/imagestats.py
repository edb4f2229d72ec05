"""Per-image statistics computed once when an image enters the library: colour, palette, perceptual hash."""

from __future__ import annotations

import json

import numpy as np
from PIL import Image

HUE_BINS = 12
PALETTE_SIZE = 5

def kmeans(points: np.ndarray, k: int, weights: np.ndarray | None = None, iters: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic weighted k-means (k-means++ init, seed 0); returns (centres, share of weight), largest first.

    Centres that end up with no weight (fewer distinct colours than ``k``) are dropped.
    """
    points = np.asarray(points, dtype=np.float64)
    weights = np.ones(len(points)) if weights is None else np.asarray(weights, dtype=np.float64)
    k = min(k, len(points))
    rng = np.random.default_rng(0)
    centres = np.empty((k, points.shape[1]))
    centres[0] = points[rng.choice(len(points), p=weights / weights.sum())]
    d2 = ((points - centres[0]) ** 2).sum(1)
    for j in range(1, k):
        p = d2 * weights
        centres[j] = points[rng.choice(len(points), p=p / p.sum())] if p.sum() > 0 else centres[0]
        d2 = np.minimum(d2, ((points - centres[j]) ** 2).sum(1))
    for _ in range(iters):
        assign = ((points[:, None, :] - centres[None]) ** 2).sum(-1).argmin(1)
        mass = np.bincount(assign, weights=weights, minlength=k)
        sums = np.stack([np.bincount(assign, weights=weights * points[:, d], minlength=k) for d in range(points.shape[1])], 1)
        filled = mass > 0
        centres[filled] = sums[filled] / mass[filled, None]
    share = mass / weights.sum()
    order = [i for i in np.argsort(-share) if share[i] > 0]
    return centres[order], share[order]


def phash(img: Image.Image) -> str:
    """64-bit DCT perceptual hash as 16 hex digits; near-duplicates differ in few bits."""
    from scipy.fft import dctn  # lazy: scipy.fft costs a third of a second at CLI start-up

    grey = np.asarray(img.convert("L").resize((32, 32), Image.Resampling.BILINEAR), dtype=np.float64)
    low = dctn(grey, norm="ortho")[:8, :8].ravel()
    bits = low > np.median(low[1:])
    return f"{int(''.join('1' if b else '0' for b in bits), 2):016x}"


def image_stats(img: Image.Image) -> dict:
    """Brightness, saturation, hue histogram, dominant palette and perceptual hash of an RGB image."""
    small = img.copy()
    small.thumbnail((64, 64), Image.Resampling.BILINEAR)
    hsv = np.asarray(small.convert("HSV"), dtype=np.float64) / 255.0
    h, s, v = hsv[..., 0].ravel(), hsv[..., 1].ravel(), hsv[..., 2].ravel()
    # Greys have no meaningful hue: weight each pixel's hue by how colourful it is.
    colour_weight = s * v
    hist, _ = np.histogram(h, bins=HUE_BINS, range=(0, 1), weights=colour_weight)
    hist = hist / hist.sum() if hist.sum() > 0 else np.zeros(HUE_BINS)
    rgb = np.asarray(small, dtype=np.float64).reshape(-1, 3)
    centres, share = kmeans(rgb, PALETTE_SIZE)
    return {
        "brightness": float(v.mean()),
        "saturation": float(s.mean()),
        "hue_hist": json.dumps([round(float(x), 4) for x in hist]),
        "palette": json.dumps([[int(round(c)) for c in centre] + [round(float(w), 4)] for centre, w in zip(centres, share)]),
        "phash": phash(img),
    }
