"""A 2-D map of the library: UMAP of its embeddings, cached per (encoder, parameters, library version).

Embeddings are standardised per encoder block and reduced to at most 50 PCA components before UMAP: same
neighbourhoods in practice, and several times faster on thousands of 4,000-d vectors. A new image is placed at
the similarity-weighted mean position of its nearest library neighbours (in the same reduced space), so it lands
among the works it resembles without refitting the map.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from artcore import embed
from artcore.errors import UserError
from artcore.imageio import atomic_write_bytes

# How each embedding compares pictures, in a painter's words (the map's "Advanced" choice).
PLAIN_ENCODERS = {
    "artnet": "Painter's eye: brushwork, palette and composition (trained on 42 painters)",
    "lite0": "Subject: what the picture shows (objects, scenes)",
    "lite0-texture": "Texture: surface and strokes of the whole picture",
    "lite0-crops": "Close-up texture: strokes at their own scale (slow)",
    "magenta": "Style only: colour and stroke, whatever the subject",
    "combined": "Texture and style together (slow)",
}
PCA_DIMS = 50
PLACE_NEIGHBOURS = 8
MIN_IMAGES = 5


@dataclass
class Map:
    """Map coordinates ``xy`` for ``records``; ``reduced`` (unit rows) and the projection place new images."""

    records: list[dict]
    xy: np.ndarray
    reduced: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    components: np.ndarray
    params: dict

    def place(self, x: np.ndarray, k: int = PLACE_NEIGHBOURS) -> tuple[np.ndarray, list[int]]:
        """Coordinates for a new embedding and the indices of its nearest neighbours (closest first)."""
        z = _unit(((x - self.mean) * self.scale) @ self.components.T)
        sims = self.reduced @ z
        # A partial sort: 2.4 ms against 9.8 for a full one over 100,000 works (benchmarks/knn_bench.py).
        near = np.argpartition(-sims, k - 1)[:k] if k < len(sims) else np.arange(len(sims))
        near = near[np.argsort(-sims[near])]
        w = np.clip(sims[near], 0, None) + 1e-6
        return (self.xy[near] * w[:, None]).sum(0) / w.sum(), near.tolist()


def _unit(a: np.ndarray) -> np.ndarray:
    return a / np.linalg.norm(a, axis=-1, keepdims=True).clip(1e-9)


def reduce(X: np.ndarray, encoder: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(unit PCA rows, mean, scale, components): per-block standardisation then PCA to ``PCA_DIMS``."""
    from sklearn.decomposition import PCA

    from artcore.classify import scaling

    mean, scale = scaling(X, encoder)
    Z = (X - mean) * scale
    n = min(PCA_DIMS, Z.shape[0] - 1, Z.shape[1])
    pca = PCA(n, svd_solver="randomized", random_state=seed).fit(Z)
    # Centre inside ``components`` use: PCA's own mean is folded into ``mean`` so ``place`` is one affine map.
    mean = (mean + pca.mean_ / scale).astype(np.float32)
    return _unit(pca.transform(Z)).astype(np.float32), mean, scale, pca.components_.astype(np.float32)


def umap_xy(reduced: np.ndarray, n_neighbors: int = 15, min_dist: float = 0.1, seed: int = 0) -> np.ndarray:
    """UMAP (cosine) of reduced embeddings to N×2."""
    import warnings

    import umap

    n_neighbors = max(2, min(n_neighbors, len(reduced) - 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # n_jobs/random_state notices
        reducer = umap.UMAP(n_neighbors=n_neighbors, min_dist=min_dist, metric="cosine", random_state=seed,
                            init="spectral" if len(reduced) > n_neighbors + 2 else "random")  # fmt: skip
        return reducer.fit_transform(reduced).astype(np.float32)


def build(X: np.ndarray, records: list[dict], encoder: str, n_neighbors: int = 15, min_dist: float = 0.1) -> Map:
    if len(records) < MIN_IMAGES:
        raise UserError(f"a map needs at least {MIN_IMAGES} images; the library has {len(records)}")
    reduced, mean, scale, components = reduce(np.asarray(X, np.float32), encoder)
    xy = umap_xy(reduced, n_neighbors, min_dist)
    params = {"encoder": encoder, "n_neighbors": n_neighbors, "min_dist": min_dist}
    return Map(records, xy, reduced, mean, scale, components, params)


def cache_key(lib, encoder: str, n_neighbors: int, min_dist: float) -> str:
    raw = json.dumps([embed.get_encoder(encoder).key, n_neighbors, round(min_dist, 4), lib.version()])
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


def library_map(lib, encoder: str = embed.DEFAULT_ENCODER, n_neighbors: int = 15, min_dist: float = 0.1,
                progress: embed.Progress | None = None, arranging: Callable[[int], None] | None = None) -> Map:  # fmt: skip
    """The library's map, read from ``<library>/maps/`` when this (encoder, parameters, version) was built before.

    ``progress`` follows the embedding of images not embedded yet; ``arranging(n)`` is called before the layout of
    ``n`` images starts (a few seconds, with no steps to report)."""
    import io

    path = lib.root / "maps" / f"{cache_key(lib, encoder, n_neighbors, min_dist)}.npz"
    records = lib.records()
    if path.is_file():
        with np.load(path, allow_pickle=False) as z:
            if z["shas"].tolist() == [r["sha256"] for r in records]:
                params = json.loads(str(z["params"]))
                return Map(records, z["xy"], z["reduced"], z["mean"], z["scale"], z["components"], params)
    records, X, _ = embed.embed_library(lib, encoder, records, progress)
    if arranging:
        arranging(len(records))
    m = build(X, records, encoder, n_neighbors, min_dist)
    buf = io.BytesIO()
    np.savez(buf, shas=np.array([r["sha256"] for r in records]), xy=m.xy, reduced=m.reduced, mean=m.mean,
             scale=m.scale, components=m.components, params=np.array(json.dumps(m.params)))  # fmt: skip
    atomic_write_bytes(path, buf.getvalue())
    return m


def figure(m: Map, color_field: str = "artist", placed: np.ndarray | None = None):
    """A Plotly scatter of the map coloured by ``color_field``; ``placed`` adds a star for an uploaded image."""
    import plotly.graph_objects as go

    labels = np.array([r.get(color_field) or "(none)" for r in m.records])
    from plotly.colors import qualitative

    # Strong, distinct colours set on each trace: the app theme's own palette has pale ones lost on white.
    colours = qualitative.Dark24
    fig = go.Figure()
    for n, label in enumerate(sorted(set(labels))):
        idx = np.flatnonzero(labels == label)
        fig.add_trace(go.Scattergl(
            x=m.xy[idx, 0], y=m.xy[idx, 1], mode="markers", name=str(label), customdata=idx,
            marker={"size": 7, "opacity": 0.85, "color": colours[n % len(colours)]},
            hovertext=[f"{label} · {Path(m.records[i].get('path', '')).name}" for i in idx], hoverinfo="text",
        ))  # fmt: skip
    if placed is not None:
        fig.add_trace(go.Scatter(x=[placed[0]], y=[placed[1]], mode="markers", name="your image",
                                 marker={"size": 20, "symbol": "star", "color": "black",
                                         "line": {"width": 2, "color": "gold"}}))  # fmt: skip
    fig.update_layout(height=620, dragmode="select", margin={"l": 0, "r": 0, "t": 30, "b": 0},
                      xaxis={"visible": False}, yaxis={"visible": False}, legend={"title": color_field})  # fmt: skip
    return fig
