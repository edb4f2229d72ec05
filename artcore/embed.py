"""Image embeddings from bundled weights, computed once per (image hash, encoder version) and cached.

Encoders:
- ``artnet``: the painting encoder trained here (``artcore.artnet``: Lite0 fine-tuned on 42 painters), pooled
  features of the whole picture at 224 px. The default: the same answer at any picture size, 8× faster than
  ``lite0-crops``, and far better on the painters it was trained on.
- ``lite0``: EfficientNet-Lite0 (ImageNet) pooled head features of the whole image at 224 px — content.
- ``lite0-texture``: the same network at higher resolution, keeping per-channel mean and standard deviation of
  every stage's feature maps (first-order texture statistics: brushwork, grain, edges) beside the pooled head.
- ``lite0-crops``: the ``lite0-texture`` statistics of a 3×3 grid of 224-px crops of the picture scaled to 768 px
  (brushwork seen near its native scale, not squashed), averaged over the crops.
- ``magenta``: the Magenta arbitrary-stylization style predictor's 100-d style vector.
- ``combined``: ``lite0-texture`` + ``magenta`` concatenated (each block scaled to equal weight).

``artnet`` is the default (benchmarks/results/artnet.json), but models of genres and styles use ``lite0-crops``
(``encoder_for``), which measured better for them; ``lite0`` is the fast ImageNet one (JPEGs decoded straight at the
scale it needs).

Lite0 runs through onnxruntime (several times faster than eager torch on CPU): the network, with its feature
statistics computed inside the graph, is exported once from ``artcore.lite0`` into the cache folder.
Images are decoded in a thread pool while the previous batch runs through the network.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from artcore import artnet, registry
from artcore.config import cache_dir
from artcore.errors import UserError
from artcore.imageio import ImageError, file_sha256, is_image_name, open_image

Progress = Callable[[int, int, str], None]
ImageSource = str | os.PathLike | bytes | Image.Image

# Lite0 stage widths (outputs of blocks 0, 2, 4, 7, 10, 14, 15) and its head width.
_STAGE_BLOCKS = (0, 2, 4, 7, 10, 14, 15)
_STAGE_WIDTHS = (16, 24, 40, 80, 112, 192, 320)
_HEAD = 1280
_LITE0_DIM = 2 * _HEAD + 2 * sum(_STAGE_WIDTHS)
_GRAPH_VERSION = "1"  # bump when the exported graph changes
_CROP_SCALE, _CROP_GRID = 768, 3  # lite0-crops: longest side the picture is scaled to, crops per side


@dataclass(frozen=True)
class Encoder:
    """An embedding: ``version`` is the cache key part; bump it whenever preprocessing or the network changes."""

    name: str
    version: str
    dim: int
    size: int  # network input side in pixels
    about: str
    parts: tuple[str, ...] = ()  # a composite is its parts concatenated, each cached on its own

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version}"

    def blocks(self) -> list[tuple[str, int, int]]:
        """(name, start, stop) column ranges of the groups a classifier should scale separately."""
        if self.parts:
            out, start = [], 0
            for part in self.parts:
                for name, a, b in ENCODERS[part].blocks():
                    out.append((name, start + a, start + b))
                start += ENCODERS[part].dim
            return out
        if self.name in ("lite0-texture", "lite0-crops"):
            return [("lite0-head", 0, _HEAD), ("lite0-texture", _HEAD, self.dim)]
        return [(self.name, 0, self.dim)]


ENCODERS: dict[str, Encoder] = {
    e.name: e
    for e in (
        Encoder("artnet", f"224-{artnet.weights_digest()}", artnet.HEAD, 224,
                "painting encoder trained here (Lite0 fine-tuned on 42 painters), whole picture at 224 px"),
        Encoder("lite0", "224-v2", _HEAD, 224, "EfficientNet-Lite0 pooled features, whole image at 224 px"),
        Encoder("lite0-texture", "384-v1", _LITE0_DIM, 384,
                "EfficientNet-Lite0 at 384 px: pooled head + per-channel mean/std of every stage (texture)"),
        Encoder("lite0-crops", "768g3-v1", _LITE0_DIM, 224,
                "EfficientNet-Lite0 on a 3×3 grid of 224-px crops of the picture at 768 px: pooled head + "
                "per-stage channel mean/std, averaged over the 9 crops (brushwork near its native scale)"),
        Encoder("lite0-copy", "320gem-v1", 320, 320,
                "EfficientNet-Lite0's last stage at 320 px, GeM-pooled: which picture it is, robust to crops, "
                "re-saving and recolouring (the originality check)"),
        Encoder("magenta", "256-v1", 100, 256, "Magenta style predictor: 100-d style vector of the central square"),
        Encoder("combined", "v1", _LITE0_DIM + 100, 0, "lite0-texture + magenta, concatenated",
                parts=("lite0-texture", "magenta")),
    )
}  # fmt: skip
DEFAULT_ENCODER = "artnet"


def encoder_for(field: str) -> str:
    """The encoder a model of a library label uses by default: the painting encoder for painters; for genres and
    styles ``lite0-crops``, which measured better there (genre4, 3 fold seeds: 97.1% against 91.2%,
    benchmarks/results/classify.json): fine-tuning on painters traded some subject matter for brushwork."""
    return DEFAULT_ENCODER if field == "artist" else "lite0-crops"


def get_encoder(name: str) -> Encoder:
    try:
        return ENCODERS[name]
    except KeyError:
        raise UserError(f"unknown encoder {name!r}; choose one of {', '.join(ENCODERS)}") from None


# ------------------------------------------------------------------ networks


def _lite0_graph():
    """``artcore.lite0``'s network wrapped to output [head mean, head std, stage means, stage stds] per image."""
    import torch

    from artcore import lite0

    net = registry.get("lite0")

    class Features(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.net = net

        def forward(self, x):
            maps = lite0.block_outputs(self.net, x, _STAGE_BLOCKS)
            head = self.net._swish(self.net._bn1(self.net._conv_head(maps[-1])))
            stats = [torch.cat([m.mean((2, 3)), m.std((2, 3))], 1) for m in (head, *maps)]
            return torch.cat(stats, 1)

    return Features().eval()


@registry.loader("lite0-onnx")
def _load_lite0_onnx():
    """An onnxruntime session for the Lite0 feature graph, exported once (a few seconds) into the cache folder."""
    path = cache_dir() / f"lite0-features-v{_GRAPH_VERSION}.onnx"
    if not path.exists():
        import warnings

        import torch

        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            torch.onnx.export(_lite0_graph(), (torch.rand(2, 3, 224, 224),), str(tmp), input_names=["x"],
                              output_names=["features"], dynamic_axes={"x": {0: "n", 2: "h", 3: "w"}},
                              opset_version=17, dynamo=False)  # fmt: skip
        os.replace(tmp, path)
    return registry.onnx_session(path)


def _decode_side(enc: Encoder) -> tuple[str, int]:
    """How ``compute`` decodes for an encoder: ("min", n) decodes a JPEG at the smallest scale keeping both sides
    at least n (no resampling, fastest); ("max", n) scales the picture to at most n px on its longest side."""
    if enc.name in ("lite0", "artnet"):
        return "min", enc.size
    if enc.name == "lite0-crops":
        return "max", _CROP_SCALE
    # Twice the input size: decoding at 1x measured 5-10 points worse on artist10 for lite0-texture (brushwork
    # survives only a gentle downscale).
    return "max", 2 * enc.size


def _crops(img: Image.Image, size: int, grid: int) -> list[Image.Image]:
    """A grid×grid of size×size crops spread evenly over the picture (scaled up only when a side is too short)."""
    if min(img.size) < size:
        s = size / min(img.size)
        img = img.resize((max(size, round(img.width * s)), max(size, round(img.height * s))), Image.Resampling.BILINEAR)
    xs = np.linspace(0, img.width - size, grid).round().astype(int)
    ys = np.linspace(0, img.height - size, grid).round().astype(int)
    return [img.crop((x, y, x + size, y + size)) for y in ys for x in xs]


def _prepare(enc: Encoder, img: Image.Image) -> np.ndarray:
    """A K×H×W×3 float32 array in [0, 1] of the K network inputs the encoder averages (K = 1 but for crops)."""
    if enc.name == "lite0-crops":
        # Mirror images as well measured no better (artist10, 3 fold seeds) at twice the cost.
        return np.stack([np.asarray(c, dtype=np.float32) for c in _crops(img, enc.size, _CROP_GRID)]) / 255.0
    if enc.name == "magenta":
        side = min(img.size)
        left, top = (img.width - side) // 2, (img.height - side) // 2
        img = img.crop((left, top, left + side, top + side))
    # Lite0 sees the whole picture, squashed to a square: composition matters and batches need one size.
    img = img.resize((enc.size, enc.size), Image.Resampling.BILINEAR)
    return np.asarray(img, dtype=np.float32)[None] / 255.0


def _run(enc: Encoder, batch: np.ndarray) -> np.ndarray:
    if enc.name == "magenta":
        sess = registry.get("magenta-predict")  # artcore.style's predictor (any input size)
        name = sess.get_inputs()[0].name
        # The exported predictor takes one image at a time (its batch axis is fixed at 1).
        return np.concatenate([sess.run(None, {name: x[None]})[0].reshape(1, -1) for x in batch])
    if enc.name == "artnet":
        return artnet.run(batch)[0]
    if enc.name == "lite0-copy":
        return _copy_features(batch)
    sess = registry.get("lite0-onnx")
    out = sess.run(None, {"x": np.ascontiguousarray(batch.transpose(0, 3, 1, 2))})[0]
    return out[:, :_HEAD] if enc.name == "lite0" else out


def _copy_features(batch: np.ndarray) -> np.ndarray:
    """GeM (p = 3) pooling of Lite0's stride-32 stage: measured on Best Artworks against average and max pooling,
    regional max (R-MAC) and the earlier stage, it keeps cropped, re-saved and recoloured copies of a painting
    nearest to it and unseen paintings furthest (benchmarks/originality_bench.py)."""
    import torch

    from artcore import lite0

    net = registry.get("lite0")
    with torch.inference_mode():
        x = torch.from_numpy(np.ascontiguousarray(batch.transpose(0, 3, 1, 2)))
        f = lite0.block_outputs(net, x, [lite0.STAGE_ENDS[-1]])[0]
        return f.clamp_min(1e-6).pow(3).mean((2, 3)).pow(1 / 3).numpy()


def _load(source: ImageSource, how: tuple[str, int]) -> Image.Image:
    if isinstance(source, Image.Image):
        img = source.convert("RGB")
        if how[0] == "max" and max(img.size) > how[1]:
            img.thumbnail((how[1], how[1]), Image.Resampling.LANCZOS)
        return img
    try:
        return open_image(source, max_side=how[1]) if how[0] == "max" else open_image(source, min_side=how[1])
    except ImageError as exc:
        name = "the upload" if isinstance(source, bytes) else str(source)
        raise ImageError(f"{name}: {exc}") from exc


def compute(sources: Sequence[ImageSource], encoder: str = DEFAULT_ENCODER, batch_size: int = 32,
            progress: Progress | None = None) -> np.ndarray:  # fmt: skip
    """Embeddings (N×dim float32) of images given as paths, bytes or PIL images; no cache involved.

    ``batch_size`` counts network inputs (crops), not images. Raises ``ImageError`` naming the file when one
    cannot be read.
    """
    enc = get_encoder(encoder)
    bases = [ENCODERS[p] for p in enc.parts] or [enc]
    if not sources:
        return np.zeros((0, enc.dim), np.float32)
    out = np.zeros((len(sources), enc.dim), np.float32)
    # Decode once, as the most demanding part needs it; each part then resizes or crops.
    how = max((_decode_side(b) for b in bases), key=lambda h: (h[0] == "max", h[1]))
    per_image = _CROP_GRID**2 if any(b.name == "lite0-crops" for b in bases) else 1
    done = 0

    def decode(src: ImageSource) -> list[np.ndarray]:
        img = _load(src, how)
        return [_prepare(b, img) for b in bases]

    workers = max(1, min(4, os.cpu_count() or 1))
    step = max(1, batch_size // per_image)
    with ThreadPoolExecutor(workers) as pool:
        # Submitting one batch ahead keeps decoding (threads; PIL releases the GIL) overlapped with inference.
        chunks = [sources[i : i + step] for i in range(0, len(sources), step)]
        pending = [pool.submit(decode, s) for s in chunks[0]] if chunks else []
        for ci, _chunk in enumerate(chunks):
            arrays = [f.result() for f in pending]
            pending = [pool.submit(decode, s) for s in chunks[ci + 1]] if ci + 1 < len(chunks) else []
            col = 0
            for bi, base in enumerate(bases):
                counts = [len(a[bi]) for a in arrays]
                feats = _run(base, np.concatenate([a[bi] for a in arrays]))
                ends = np.cumsum(counts)
                # An image's embedding is the mean over its inputs (one, or its crops).
                out[done : done + len(arrays), col : col + base.dim] = np.stack(
                    [feats[e - k : e].mean(0) for e, k in zip(ends, counts)]
                )
                col += base.dim
            done += len(arrays)
            if progress:
                progress(done, len(sources), enc.name)
    return out


# ------------------------------------------------------------------ cache


EMBED_SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    sha256 TEXT NOT NULL, encoder TEXT NOT NULL, dim INTEGER NOT NULL, vector BLOB NOT NULL,
    PRIMARY KEY (sha256, encoder)
)
"""


class EmbeddingStore:
    """Vectors keyed by (sha256, encoder key) in an SQLite table: the library catalog or a standalone cache file."""

    def __init__(self, connect: Callable[[], Iterator[sqlite3.Connection]]):
        self._connect = connect
        with self._connect() as db:
            db.execute(EMBED_SCHEMA)

    @classmethod
    def for_library(cls, lib) -> EmbeddingStore:
        return cls(lib.connect)

    @classmethod
    def for_file(cls, path: Path) -> EmbeddingStore:
        path.parent.mkdir(parents=True, exist_ok=True)

        @contextmanager
        def connect():
            db = sqlite3.connect(path, timeout=30)
            db.execute("PRAGMA journal_mode=WAL")
            try:
                yield db
                db.commit()
            finally:
                db.close()

        return cls(connect)

    def get(self, shas: Sequence[str], key: str) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._connect() as db:
            for i in range(0, len(shas), 500):  # stay under SQLite's bound-parameter limit
                part = shas[i : i + 500]
                marks = ",".join("?" * len(part))
                for sha, blob in db.execute(
                    f"SELECT sha256, vector FROM embeddings WHERE encoder = ? AND sha256 IN ({marks})", (key, *part)
                ):
                    found[sha] = np.frombuffer(blob, np.float32)
        return found

    def put(self, shas: Sequence[str], key: str, vectors: np.ndarray) -> None:
        with self._connect() as db:
            db.executemany(
                "INSERT OR REPLACE INTO embeddings (sha256, encoder, dim, vector) VALUES (?, ?, ?, ?)",
                [(s, key, v.shape[0], np.ascontiguousarray(v, np.float32).tobytes()) for s, v in zip(shas, vectors)],
            )

    def count(self, key: str) -> int:
        with self._connect() as db:
            return db.execute("SELECT COUNT(*) FROM embeddings WHERE encoder = ?", (key,)).fetchone()[0]


def cached(store: EmbeddingStore, items: Sequence[tuple[str, ImageSource]], encoder: str = DEFAULT_ENCODER,
           progress: Progress | None = None, batch_size: int = 32, engine=None) -> tuple[np.ndarray, int]:  # fmt: skip
    """Embeddings for (sha256, source) pairs, computing and storing only the missing ones.

    Returns (N×dim array, number of images that needed computing); composites are cached part by part.
    ``engine`` (``artcore.parallel.Engine``, file paths only) spreads the computing over local processes or Ray.
    """
    enc = get_encoder(encoder)
    shas = [s for s, _ in items]
    blocks, computed = [], set()
    for part in [ENCODERS[p] for p in enc.parts] or [enc]:
        have = store.get(shas, part.key)
        missing = [i for i, s in enumerate(shas) if s not in have]
        if missing:
            # Save as we go so an interrupted run keeps what it finished.
            total, done = len(missing), 0
            for idx, vecs in _batches(engine, [items[i][1] for i in missing], part.name, batch_size, total, progress):
                idx = [missing[j] for j in idx]
                store.put([shas[i] for i in idx], part.key, vecs)
                have.update({shas[i]: v for i, v in zip(idx, vecs)})
                done += len(idx)
                if progress:
                    progress(done, total, part.name)
            computed.update(missing)
        blocks.append(np.stack([have[s] for s in shas]) if shas else np.zeros((0, part.dim), np.float32))
    return np.hstack(blocks).astype(np.float32), len(computed)


def _batches(engine, sources: list, encoder: str, batch_size: int, total: int, progress: Progress | None):
    """(indices into ``sources``, vectors) per stored batch: in this process with live progress inside each batch,
    or through ``engine``'s workers."""
    if engine is None or (engine.workers <= 1 and not engine.ray):
        for start in range(0, total, 256):

            def step(d, _t, msg, _base=start):
                if progress:
                    progress(_base + d, total, msg)

            part = sources[start : start + 256]
            yield range(start, start + len(part)), compute(part, encoder, batch_size=batch_size, progress=step)
        return
    paths = [str(s) for s in sources]  # workers open files themselves: only paths travel
    yield from engine.map("artcore.embed:compute", paths, {"encoder": encoder, "batch_size": batch_size}, batch=64)


def folder_images(root: str | os.PathLike) -> tuple[list[Path], list[str]]:
    """Image files and their labels in a folder-per-label tree (labels = sub-folder names)."""
    root = Path(root)
    if not root.is_dir():
        raise UserError(f"{root} is not a folder")
    paths, labels = [], []
    for sub in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for f in sorted(sub.rglob("*")):
            if f.is_file() and is_image_name(f):
                paths.append(f)
                labels.append(sub.name)
    if not paths:
        raise UserError(f"{root} has no images in sub-folders; expected one sub-folder of images per label")
    return paths, labels


def embed_files(paths: Iterable[str | os.PathLike], encoder: str = DEFAULT_ENCODER, progress: Progress | None = None,
                store: EmbeddingStore | None = None) -> np.ndarray:  # fmt: skip
    """Embeddings of image files, cached by file content hash (default: ``cache_dir()/embeddings.sqlite``)."""
    paths = [Path(p) for p in paths]
    store = store or EmbeddingStore.for_file(cache_dir() / "embeddings.sqlite")
    try:
        items = [(file_sha256(p), p) for p in paths]
    except OSError as exc:
        raise UserError(f"cannot read {exc.filename}: {exc.strerror}") from exc
    return cached(store, items, encoder, progress)[0]


def embed_library(lib, encoder: str = DEFAULT_ENCODER, records: list[dict] | None = None,
                  progress: Progress | None = None, engine=None) -> tuple[list[dict], np.ndarray, int]:  # fmt: skip
    """(records, embeddings, number computed) for the library's images (or the given records), cached in the catalog;
    ``engine`` (``artcore.parallel.Engine``) computes on local worker processes or a Ray cluster."""
    records = lib.records() if records is None else records
    items = [(r["sha256"], r["path"]) for r in records]
    X, n = cached(EmbeddingStore.for_library(lib), items, encoder, progress, engine=engine)
    return records, X, n


def missing(lib, encoder: str = DEFAULT_ENCODER) -> int:
    """How many of the library's images still need reading by ``encoder`` (none cached for some part of it)."""
    enc = get_encoder(encoder)
    shas = [r["sha256"] for r in lib.records()]
    store = EmbeddingStore.for_library(lib)
    have = [set(store.get(shas, part.key)) for part in [ENCODERS[p] for p in enc.parts] or [enc]]
    return sum(1 for s in shas if not all(s in h for h in have))


def embed_one(source: ImageSource, encoder: str = DEFAULT_ENCODER) -> np.ndarray:
    """One image's embedding (an upload, say); not cached."""
    return compute([source], encoder)[0]
