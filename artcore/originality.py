"""Is it original? How close a picture comes to the works of a library or of a model's training set.

Artists worry that they may copy without knowing it; a generator may hand back a training painting. Each picture is
compared with the reference works' unit ``lite0-copy`` features (GeM-pooled Lite0, cached like every embedding):
a library's through its nearest-neighbour index (``artcore.knn``: exact while small, a graph at scale), a model's
training works in one matrix product; and with every work by perceptual hash (exact and near-exact copies).
The painting encoder (``artnet``) was measured first and is the wrong tool: trained to tell painters apart, it puts a painter's works close together (13%
of unseen paintings came within 0.95 of one of the same painter's), so a copy could not be told from a sibling. The verdict lines come from
``weights/originality.json``, calibrated by ``benchmarks/originality_bench.py`` on paintings the encoder never
trained on: "copy" where re-encoded, cropped or recoloured copies of a work still land, "close" above the 99th
percentile of how near unseen real paintings come to their nearest reference work, "original" below.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from artcore import knn
from artcore.config import PROJECT_ROOT
from artcore.errors import UserError

ENCODER = "lite0-copy"
CALIBRATION = PROJECT_ROOT / "weights" / "originality.json"
PHASH_COPY_BITS = 6  # perceptual hashes this close (of 64 bits) are the same picture re-saved or resized
NEAREST = 5


@dataclass
class Reference:
    """The works a picture is compared with: unit features (rows) or a library's index of them, perceptual hashes,
    and what to show for each."""

    features: np.ndarray | None
    hashes: np.ndarray  # uint64
    works: list[dict]  # {"path", "label", "sha256"}
    what: str  # "this library (1,246 works)", "the works model X was trained on (1,146)"
    index: knn.Index | None = None
    _at: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self):
        self._at = {w["sha256"]: j for j, w in enumerate(self.works)} if self.index is not None else {}

    def nearest(self, X: np.ndarray, k: int) -> list[list[tuple[int, float]]]:
        """Per picture (feature row), its ``k`` nearest works as (position in ``works``, similarity), nearest first."""
        if self.index is None:
            S = _unit(X) @ self.features.T
            return [[(int(j), float(S[i, j])) for j in np.argsort(-S[i])[:k]] for i in range(len(S))]
        # A work added to the catalog after ``works`` was read may be in the index already: it is left out.
        return [[(self._at[s], score) for s, score in hits if s in self._at] for hits in self.index.query(X, k)]


def thresholds(path: Path = CALIBRATION) -> dict:
    """The calibrated lines ``{"encoder", "copy", "close", ...}``."""
    try:
        cal = json.loads(Path(path).read_text())
        float(cal["copy"]), float(cal["close"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UserError(f"the originality calibration {Path(path).name} is missing or damaged; run "
                        "benchmarks/originality_bench.py --write") from exc  # fmt: skip
    return cal


_unit = knn.unit


def _hash_of(image) -> int:
    from artcore.imagestats import phash

    return int(phash(image), 16)


def library_reference(lib, progress: Callable[[int, int, str], None] | None = None) -> Reference:
    """Every work in a library, searched through its index (features cached in its catalog)."""
    records = lib.records()
    if not records:
        raise UserError("the library is empty: there is nothing to compare with")
    index = knn.library_index(lib, ENCODER, progress)
    with lib.connect() as db:
        hashes = dict(db.execute("SELECT sha256, phash FROM images"))
    works = [{"path": r["path"], "label": r.get("artist") or r.get("genre") or r.get("style") or "",
              "sha256": r["sha256"]} for r in records]  # fmt: skip
    return Reference(None, np.array([int(hashes.get(r["sha256"]) or "0", 16) for r in records], np.uint64),
                     works, f"this library ({len(works):,} works)", index)  # fmt: skip


def files_reference(paths: Sequence[Path], labels: Sequence[str], what: str,
                    progress: Callable[[int, int, str], None] | None = None) -> Reference:  # fmt: skip
    """Image files (a model's training set): features cached by file content, hashes computed once per file."""
    from artcore import embed
    from artcore.imageio import file_sha256, open_image

    X = embed.embed_files(paths, ENCODER, progress=progress)
    hashes, works = [], []
    for p, label in zip(paths, labels, strict=True):
        hashes.append(_cached_hash(p, lambda p=p: _hash_of(open_image(p, max_side=512))))
        works.append({"path": str(p), "label": label, "sha256": file_sha256(p)})
    return Reference(_unit(X), np.array(hashes, np.uint64), works, what)


def _cached_hash(path: Path, compute: Callable[[], int]) -> int:
    """A file's perceptual hash from the cache folder's table, keyed by content hash."""
    import sqlite3

    from artcore.config import cache_dir
    from artcore.imageio import file_sha256

    db_path = cache_dir() / "phash.sqlite"
    db_path.parent.mkdir(parents=True, exist_ok=True)
    sha = file_sha256(path)
    with sqlite3.connect(db_path, timeout=30) as db:
        db.execute("CREATE TABLE IF NOT EXISTS phash (sha256 TEXT PRIMARY KEY, hash TEXT NOT NULL)")
        row = db.execute("SELECT hash FROM phash WHERE sha256 = ?", (sha,)).fetchone()
        if row:
            return int(row[0], 16)
        value = compute()
        db.execute("INSERT OR REPLACE INTO phash VALUES (?, ?)", (sha, f"{value:016x}"))
        return value


def model_reference(model_path: Path | None = None,
                    progress: Callable[[int, int, str], None] | None = None) -> Reference:  # fmt: skip
    """The works a generator was trained on (``gan.generate.training_files``)."""
    from artcore.gan.generate import load_model, training_files

    model = load_model(model_path)
    name = Path(model_path).stem if model_path else "the shipped model"
    paths = training_files(model)
    if not paths:
        raise UserError(f"{name} does not say which works it was trained on, or they are not on this server; "
                        "compare with the library instead")  # fmt: skip
    labels = [p.parent.name for p in paths]
    missing = [p for p in paths if not Path(p).is_file()]
    if missing:
        raise UserError(f"{len(missing)} of the works {name} was trained on are not on this server "
                        f"(e.g. {Path(missing[0]).name}); compare with the library instead")  # fmt: skip
    return files_reference(paths, labels, f"the {len(paths):,} works {name} was trained on", progress)


def verdict(similarity: float, hash_bits: int, cal: dict) -> str:
    """"copy", "close" or "original" for a picture's nearest similarity and smallest hash distance."""
    if hash_bits <= PHASH_COPY_BITS or similarity >= cal["copy"]:
        return "copy"
    return "close" if similarity >= cal["close"] else "original"


def _popcount(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.uint64)
    bits = np.unpackbits(x.view(np.uint8).reshape(-1, 8), axis=1)
    return bits.sum(1).reshape(x.shape)


def check_features(X: np.ndarray, hashes: Sequence[int], ref: Reference, cal: dict | None = None,
                   k: int = NEAREST) -> list[dict]:  # fmt: skip
    """Verdicts for pictures given as encoder features (rows) and perceptual hashes."""
    cal = cal or thresholds()
    out = []
    for h, near in zip(hashes, ref.nearest(X, k), strict=True):
        bits = int(_popcount(np.bitwise_xor(ref.hashes, np.uint64(h))).min()) if len(ref.hashes) else 64
        best = near[0][1] if near else 0.0
        out.append({"verdict": verdict(best, bits, cal), "similarity": round(best, 4), "hash_bits": bits,
                    "nearest": [{**ref.works[j], "similarity": round(s, 4)} for j, s in near]})  # fmt: skip
    return out


def check(images: Sequence, ref: Reference, names: Sequence[str] | None = None, cal: dict | None = None,
          k: int = NEAREST) -> list[dict]:  # fmt: skip
    """Verdicts for pictures (paths, bytes or PIL images): ``[{"image", "verdict", "similarity", "hash_bits",
    "nearest": [{"path", "label", "sha256", "similarity"}, ...]}]``, nearest first."""
    from PIL import Image

    from artcore import embed
    from artcore.imageio import open_image

    pics = [im if isinstance(im, Image.Image) else open_image(im, max_side=1024) for im in images]
    X = np.stack([embed.embed_one(p, ENCODER) for p in pics])
    results = check_features(X, [_hash_of(p) for p in pics], ref, cal, k)
    names = names or [str(im) if isinstance(im, (str, os.PathLike)) else f"picture {n + 1}"
                      for n, im in enumerate(images)]  # fmt: skip
    return [{"image": name, **r} for name, r in zip(names, results, strict=True)]


WORDS = {
    "copy": "This is a copy of a work it knows (re-saved, cropped or recoloured at most).",
    "close": "Close to a work it knows: nearer than 99 in 100 unseen paintings come to their nearest work.",
    "original": "Original: no known work is closer than unseen paintings usually are.",
}
