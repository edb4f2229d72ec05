"""Styles that suit a picture: the library painters whose works are closest to it, each previewed on the picture.

A painter's closeness is the mean cosine similarity between the picture and that painter's ``TOP_WORKS`` most
similar works, on embeddings (``artcore.embed``'s default encoder) standardised over the library as
``artcore.classify.scaling`` does: on artist10, leave-one-out, standardised beat plain cosine (own painter in the
top 3: ``lite0`` 77 vs 75 %, the interim ``artnet`` weights 64 vs 62 %). A picture that is itself a library work
never counts itself: same file hash, near-identical embedding, or (a picture decoded elsewhere embeds up to ~1 %
apart) the same pixels as that work's thumbnail.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from artcore.errors import UserError

MIN_WORKS = 3  # painters with fewer works in the library are not suggested
TOP_WORKS = 3  # closeness = mean similarity to this many of the painter's most similar works
SAME_PICTURE = 0.999  # plain cosine similarity above which a library work is the picture itself
MAYBE_SAME = 0.97  # above this, compare pixels: a picture decoded at another scale embeds up to ~1 % apart
SAME_PIXELS = 8.0  # mean absolute difference (0-255) of 32×32 copies below which two pictures are the same
PREVIEW_SIZE = 384

Progress = Callable[[int, int, str], None]


def eligible_artists(lib) -> dict[str, int]:
    """The library's artist labels with at least ``MIN_WORKS`` works, and their counts."""
    return {a: n for a, n in lib.label_counts("artist").items() if n >= MIN_WORKS}


def _unit(Z: np.ndarray) -> np.ndarray:
    return Z / np.linalg.norm(Z, axis=-1, keepdims=True).clip(1e-9)


def _sha(image) -> str | None:
    if isinstance(image, bytes):
        return hashlib.sha256(image).hexdigest()
    if isinstance(image, (str, os.PathLike)) and Path(image).is_file():
        from artcore.imageio import file_sha256

        return file_sha256(image)
    return None


def _small(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("RGB").resize((32, 32), Image.Resampling.BOX), np.float32)


def _same_pixels(img: Image.Image, lib, record: dict) -> bool:
    """Whether ``img`` shows the same picture as a library work (compared on small copies)."""
    from artcore.imageio import open_image

    if abs(img.width / img.height - record["width"] / record["height"]) > 0.02:
        return False
    try:
        thumb = open_image(lib.thumbnail(record["sha256"]))
    except UserError:
        return False
    return float(np.abs(_small(img) - _small(thumb)).mean()) < SAME_PIXELS


def closest_artists(image, lib, k: int = 3, progress: Progress | None = None) -> list[tuple[str, float]]:
    """The ``k`` library painters (artist labels with at least ``MIN_WORKS`` works) closest to ``image`` (a path,
    bytes or PIL image), best first, as ``(label, score)``; score = mean cosine similarity to the painter's
    ``TOP_WORKS`` most similar works (standardised embeddings). Library embeddings are computed once and cached."""
    from artcore import classify, embed
    from artcore.imageio import open_image

    if k < 1:
        raise UserError(f"ask for at least one painter, got k={k}")
    artists = eligible_artists(lib)
    if not artists:
        raise UserError(
            f"the library has no painter with at least {MIN_WORKS} works: import paintings with artist names first "
            "(e.g. artcore library import FOLDER --label-from parent)"
        )
    records = [r for r in lib.records(field="artist") if r["artist"] in artists]

    def step(done: int, total: int, _msg: str) -> None:
        if progress:
            progress(done, total, "reading the library's paintings (once; remembered afterwards)")

    records, X, _ = embed.embed_library(lib, records=records, progress=step)
    sha = _sha(image)
    if progress:
        progress(0, 1, f"comparing the picture with {len(artists)} painters")
    x = embed.embed_one(image)  # a path or bytes is decoded as the library's works were
    img = image if isinstance(image, Image.Image) else open_image(image, max_side=512)

    # The picture itself, if it is in the library, must not vouch for its own painter.
    plain = _unit(X) @ _unit(x)
    own = plain > SAME_PICTURE
    if sha is not None:
        own |= np.array([r["sha256"] == sha for r in records])
    maybe = np.flatnonzero((plain > MAYBE_SAME) & ~own)
    for i in maybe[np.argsort(-plain[maybe])][:5]:
        own[i] = _same_pixels(img, lib, records[i])

    mean, scale = classify.scaling(X, embed.DEFAULT_ENCODER)
    sims = _unit((X - mean) * scale) @ _unit((x - mean) * scale)
    labels = np.array([r["artist"] for r in records])
    scores = []
    for label in artists:
        mine = np.sort(sims[(labels == label) & ~own])[-TOP_WORKS:]
        if len(mine):
            scores.append((label, float(mine.mean())))
    scores.sort(key=lambda s: -s[1])
    if progress:
        progress(1, 1, f"compared with {len(artists)} painters")
    return scores[:k]


def preview_base(image, size: int = PREVIEW_SIZE) -> Image.Image:
    """The picture (path, bytes or PIL image) scaled down to ``size`` px on its longer side (never up)."""
    from artcore.imageio import open_image

    if not 32 <= size <= 4096:
        raise UserError(f"preview size must be between 32 and 4096 px, got {size}")
    try:
        img = image.convert("RGB") if isinstance(image, Image.Image) else open_image(image, max_side=size)
    except UserError as exc:
        raise UserError(f"{'the upload' if isinstance(image, bytes) else image}: {exc}") from exc
    if max(img.size) > size:
        img = img.copy()
        img.thumbnail((size, size), Image.Resampling.LANCZOS)
    return img


def suggest_styles(image, lib, k: int = 3, size: int = PREVIEW_SIZE, progress: Progress | None = None) -> list[dict]:
    """``[{"label", "score", "preview"}]``: the ``k`` closest painters (``closest_artists``), each with the picture
    (at most ``size`` px on its longer side) stylized in that painter's mean style (the style studio's
    ``artist:LABEL``) as a PIL image."""
    from artcore.style import StyleSource
    from artcore.style.render import stylize

    small = preview_base(image, size)
    picks = closest_artists(image, lib, k, progress=progress)
    out = []
    for n, (label, score) in enumerate(picks):
        if progress:
            progress(n, len(picks), f"painting your picture as {label} would ({n + 1} of {len(picks)})")
        preview = stylize(small, [StyleSource("artist", label)], library=lib)
        out.append({"label": label, "score": score, "preview": preview})
    if progress:
        progress(len(picks), len(picks), "done")
    return out
