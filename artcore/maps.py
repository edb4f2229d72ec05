"""A 2-D map of the library: UMAP of its embeddings, cached per (encoder, parameters, library version).

Embeddings are standardised per encoder block and reduced to at most 50 PCA components before UMAP: same
neighbourhoods in practice, and several times faster on thousands of 4,000-d vectors. A new image is placed at
the similarity-weighted mean position of its nearest library neighbours (in the same reduced space), so it lands
among the works it resembles without refitting the map.

A large library (more than ``SAMPLE_ABOVE`` images) is mapped from a seeded sample of that many: scaling, PCA and
UMAP are fitted on the sample and every other image is placed by UMAP's ``transform``, in chunks whose progress is
reported. At 100,000 works that took 28 s and 1.5 GB peak against 105 s and 2.3 GB for the exact map, with no
loss of trustworthiness (benchmarks/map_bench.py, benchmarks/results/map_scale.json).
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
# Maps of more images fit on a sample of this many and transform the rest (benchmarks/map_bench.py): exact maps up
# to here stay affordable (10,000 took 27 s on 2 busy cores), and so does fitting the sample (20,000: 6 s).
SAMPLE_ABOVE = 20_000
# Rows projected/transformed per step: bounded memory, a progress report each, and UMAP's transform gives a chunk
# of up to 10,000 rows 100 epochs of layout (30 above that).
PLACE_CHUNK = 10_000
# Larger maps hover with the label only: per-point file names would be most of the figure's bytes.
HOVER_NAMES_MAX = 20_000


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


def sample_rows(n: int, size: int, seed: int = 0) -> np.ndarray:
    """``size`` of ``range(n)`` (sorted), the same for the same (n, size, seed)."""
    return np.sort(np.random.default_rng(seed).choice(n, size, replace=False))


def reduce(X: np.ndarray, encoder: str, seed: int = 0, sample_above: int = SAMPLE_ABOVE,
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """(unit PCA rows, mean, scale, components): per-block standardisation then PCA to ``PCA_DIMS``.

    Over ``sample_above`` rows, the scaling and PCA are fitted on a sample of that many and all rows are projected in
    chunks, so no N×D copy of ``X`` is made (1.7 GB at 100,000 rows of a 4,228-d embedding)."""
    from sklearn.decomposition import PCA

    from artcore.classify import scaling

    big = len(X) > sample_above
    fit = X[sample_rows(len(X), sample_above, seed)] if big else X
    mean, scale = scaling(fit, encoder)
    Z = (fit - mean) * scale
    n = min(PCA_DIMS, Z.shape[0] - 1, Z.shape[1])
    pca = PCA(n, svd_solver="randomized", random_state=seed).fit(Z)
    # Centre inside ``components`` use: PCA's own mean is folded into ``mean`` so ``place`` is one affine map.
    mean = (mean + pca.mean_ / scale).astype(np.float32)
    components = pca.components_.astype(np.float32)
    if not big:
        return _unit(pca.transform(Z)).astype(np.float32), mean, scale, components
    del fit, Z
    reduced = np.empty((len(X), n), np.float32)
    for a in range(0, len(X), PLACE_CHUNK):
        reduced[a : a + PLACE_CHUNK] = _unit(((X[a : a + PLACE_CHUNK] - mean) * scale) @ components.T)
    return reduced, mean, scale, components


def umap_xy(reduced: np.ndarray, n_neighbors: int = 15, min_dist: float = 0.1, seed: int = 0,
            sample_above: int = SAMPLE_ABOVE, progress: embed.Progress | None = None, init: str | None = None,
            ) -> np.ndarray:  # fmt: skip
    """UMAP (cosine) of reduced embeddings to N×2.

    Over ``sample_above`` rows, UMAP is fitted on a seeded sample of that many and the others are placed by its
    ``transform`` in chunks of ``PLACE_CHUNK``; ``progress(rows placed, rows, "")`` follows that placing. ``init``
    (UMAP's starting layout) defaults to PCA for a sample, else spectral."""
    import warnings

    import umap

    big = len(reduced) > sample_above
    rows = sample_rows(len(reduced), sample_above, seed) if big else slice(None)
    fit = reduced[rows]
    n_neighbors = max(2, min(n_neighbors, len(fit) - 1))
    # A sample starts from its PCA layout: fitting 20,000 of 100,000 works took 6 s against 55-68 s from the
    # spectral start (its eigenvectors), and the map came out more trustworthy (benchmarks/map_bench.py).
    init = init or ("pca" if big else "spectral" if len(fit) > n_neighbors + 2 else "random")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # n_jobs/random_state notices
        # Under 4,096 rows UMAP's transform calls the metric from Python pair by pair (43 s for 8,000 × 2,000):
        # a sample of 1,000 or more (only when ``sample_above`` is lowered) takes the search index instead.
        reducer = umap.UMAP(n_neighbors=n_neighbors, min_dist=min_dist, metric="cosine", random_state=seed,
                            init=init, force_approximation_algorithm=big and len(fit) >= 1000)  # fmt: skip
        if not big:
            return reducer.fit_transform(fit).astype(np.float32)
        xy = np.empty((len(reduced), 2), np.float32)
        xy[rows] = reducer.fit_transform(fit)
        rest = np.setdiff1d(np.arange(len(reduced)), rows)
        done = len(rows)
        if progress:
            progress(done, len(reduced), "")
        for a in range(0, len(rest), PLACE_CHUNK):
            part = rest[a : a + PLACE_CHUNK]
            xy[part] = reducer.transform(reduced[part])
            done += len(part)
            if progress:
                progress(done, len(reduced), "")
    return xy


def build(X: np.ndarray, records: list[dict], encoder: str, n_neighbors: int = 15, min_dist: float = 0.1,
          sample_above: int = SAMPLE_ABOVE, progress: embed.Progress | None = None) -> Map:  # fmt: skip
    """The map of ``X`` (one row per record); a large one is fitted on a sample (see ``umap_xy``)."""
    if len(records) < MIN_IMAGES:
        raise UserError(f"a map needs at least {MIN_IMAGES} images; the library has {len(records)}")
    reduced, mean, scale, components = reduce(np.asarray(X, np.float32), encoder, sample_above=sample_above)
    xy = umap_xy(reduced, n_neighbors, min_dist, sample_above=sample_above, progress=progress)
    params = {"encoder": encoder, "n_neighbors": n_neighbors, "min_dist": min_dist}
    return Map(records, xy, reduced, mean, scale, components, params)


def cache_key(lib, encoder: str, n_neighbors: int, min_dist: float) -> str:
    raw = json.dumps([embed.get_encoder(encoder).key, n_neighbors, round(min_dist, 4), lib.version()])
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


def library_map(lib, encoder: str = embed.DEFAULT_ENCODER, n_neighbors: int = 15, min_dist: float = 0.1,
                progress: embed.Progress | None = None, arranging: Callable[[int], None] | None = None) -> Map:  # fmt: skip
    """The library's map, read from ``<library>/maps/`` when this (encoder, parameters, version) was built before.

    ``progress`` follows the embedding of images not embedded yet and then, for a map over ``SAMPLE_ABOVE`` images,
    the placing of those outside the sample; ``arranging(n)`` is called before the layout of ``n`` images starts."""
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
    m = build(X, records, encoder, n_neighbors, min_dist, progress=progress)
    buf = io.BytesIO()
    np.savez(buf, shas=np.array([r["sha256"] for r in records]), xy=m.xy, reduced=m.reduced, mean=m.mean,
             scale=m.scale, components=m.components, params=np.array(json.dumps(m.params)))  # fmt: skip
    atomic_write_bytes(path, buf.getvalue())
    return m


def figure(m: Map, color_field: str = "artist", placed: np.ndarray | None = None):
    """A WebGL scatter of the map coloured by ``color_field``; ``placed`` adds a star for an uploaded image.

    Each point's ``customdata`` is its row in ``m.records`` (what a selection returns). Over ``HOVER_NAMES_MAX``
    points, hovering shows the label alone and the dots are smaller."""
    import plotly.graph_objects as go
    from plotly.colors import qualitative

    labels = np.array([r.get(color_field) or "(none)" for r in m.records])
    names, which = np.unique(labels, return_inverse=True)
    groups = np.split(np.argsort(which, kind="stable"), np.cumsum(np.bincount(which, minlength=len(names)))[:-1])
    small = len(labels) <= HOVER_NAMES_MAX
    # Strong, distinct colours set on each trace: the app theme's own palette has pale ones lost on white.
    colours = qualitative.Dark24
    fig = go.Figure()
    for n, (label, idx) in enumerate(zip(names, groups)):
        # Plotly sends numeric arrays as base64 typed arrays (4 bytes a float32 coordinate); strings go one by one.
        hover = {"hovertext": [f"{label} · {Path(m.records[i].get('path', '')).name}" for i in idx],
                 "hoverinfo": "text"} if small else {"hovertemplate": "%{fullData.name}<extra></extra>"}  # fmt: skip
        fig.add_trace(go.Scattergl(
            x=m.xy[idx, 0], y=m.xy[idx, 1], mode="markers", name=str(label), customdata=idx.astype(np.int32),
            marker={"size": 7 if small else 3, "opacity": 0.85, "color": colours[n % len(colours)]}, **hover,
        ))  # fmt: skip
    if placed is not None:
        fig.add_trace(go.Scatter(x=[placed[0]], y=[placed[1]], mode="markers", name="your image",
                                 marker={"size": 20, "symbol": "star", "color": "black",
                                         "line": {"width": 2, "color": "gold"}}))  # fmt: skip
    fig.update_layout(height=620, dragmode="select", margin={"l": 0, "r": 0, "t": 30, "b": 0},
                      xaxis={"visible": False}, yaxis={"visible": False}, legend={"title": color_field})  # fmt: skip
    return fig
