"""Similar works at scale: a nearest-neighbour index of a library's embeddings, one per encoder.

Similarity is the cosine (inner product of unit vectors). A small index is searched exactly with numpy: up to
``EXACT_FLOATS`` numbers (2,000 ``artnet`` vectors, 8,000 ``lite0-copy`` ones) that measured as fast as a graph, and
it gives brute force's answers. Beyond that an HNSW graph (hnswlib): at 100,000 ``artnet`` vectors 0.36 ms a query
at recall@10 0.98, against 37 ms for numpy (``benchmarks/knn_bench.py``). faiss's HNSW measured the same but cannot
drop an element, so removing one work would mean rebuilding the graph (a minute at 100k).

A graph is saved beside the catalog in ``<library>/index/`` as ``<encoder key>.<crc32>.hnsw`` and, written first,
``<encoder key>.<crc32>.json`` with the labels it marks deleted. Labels are the first 63 bits of each work's sha256,
so the files need no table of names. The checksum in the name is verified before loading (hnswlib can crash on a
damaged file); a damaged or half-written pair is deleted and the graph rebuilt from the cached embeddings.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from artcore.imageio import atomic_write_bytes

Progress = Callable[[int, int, str], None]

EXACT_FLOATS = 2_560_000  # vectors × dims searched exactly: 0.17 ms a query measured, as fast as the graph
M, EF_CONSTRUCTION, EF_SEARCH = 16, 100, 64  # ef 64: recall@10 0.98-0.99 at 10k and 100k (0.95 needs 32)
FORMAT = "artcore-knn-1"
_STEP = 10_000  # works inserted into a graph between progress reports
_HELD: dict[tuple[str, str], tuple[str, Index]] = {}  # (library root, encoder key) -> (catalog version, index)
_LOCKS: dict[tuple[str, str], threading.Lock] = {}
_GUARD = threading.Lock()


def label(sha: str) -> int:
    """A work's label in a graph: the first 63 bits of its sha256."""
    return int(sha[:16], 16) >> 1


def unit(X) -> np.ndarray:
    """Rows scaled to length 1 (float32; a single vector becomes one row)."""
    X = np.atleast_2d(np.asarray(X, np.float32))
    return X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)


def _graph(dim: int, capacity: int):
    import hnswlib

    graph = hnswlib.Index("ip", dim)
    graph.init_index(max(capacity, 1), M=M, ef_construction=EF_CONSTRUCTION, random_seed=0)
    return _share(graph)


def _share(graph):
    """A graph working on ``$ARTCORE_THREADS`` threads when set (a class server's share of the cores per job)."""
    if os.environ.get("ARTCORE_THREADS"):
        graph.set_num_threads(int(os.environ["ARTCORE_THREADS"]))
    return graph


def _crc(path: Path) -> str:
    crc = 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 24), b""):
            crc = zlib.crc32(chunk, crc)
    return f"{crc:08x}"


class Index:
    """Unit vectors keyed by sha256: searched exactly while small, through an HNSW graph beyond ``EXACT_FLOATS``.
    One lock guards every change and search, so threads may share it."""

    def __init__(self, dim: int):
        self.dim = dim
        self.changed = False  # since it was loaded or saved
        self._names: dict[int, str] = {}  # label -> sha256 of every work held
        self._rows = np.zeros((0, dim), np.float32)  # exact search: unit rows, labelled by ``_order``
        self._order = np.zeros(0, np.int64)
        self._graph = None  # hnswlib.Index once past EXACT_FLOATS
        self._dead: set[int] = set()  # labels marked deleted in the graph
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, sha: str) -> bool:
        return self._names.get(label(sha)) == sha

    @property
    def shas(self) -> list[str]:
        return list(self._names.values())

    @property
    def exact(self) -> bool:
        return self._graph is None

    def add(self, shas: Sequence[str], vectors: np.ndarray, progress: Progress | None = None) -> None:
        """Insert the works not held yet (vectors are unit-normalised); a work held already keeps its vector."""
        X = unit(vectors)
        with self._lock:
            fresh: dict[int, int] = {}
            for i, sha in enumerate(shas):
                if label(sha) not in self._names and label(sha) not in fresh:
                    fresh[label(sha)] = i
            if not fresh:
                return
            self._names.update({lbl: shas[i] for lbl, i in fresh.items()})
            self._insert(np.fromiter(fresh, np.int64, len(fresh)), X[list(fresh.values())], progress)

    def _insert(self, labels: np.ndarray, X: np.ndarray, progress: Progress | None = None) -> None:
        self.changed = True
        if self._graph is None and len(self._names) * self.dim <= EXACT_FLOATS:
            self._rows, self._order = np.vstack([self._rows, X]), np.concatenate([self._order, labels])
            return
        if self._graph is None:  # grown past exact search: every row goes into a new graph
            labels, X = np.concatenate([self._order, labels]), np.vstack([self._rows, X])
            self._rows, self._order = self._rows[:0], self._order[:0]
            self._graph = _graph(self.dim, len(labels))
        need = self._graph.get_current_count() + len(labels)
        if need > self._graph.get_max_elements():
            self._graph.resize_index(max(need, self._graph.get_max_elements() * 5 // 4))
        for start in range(0, len(labels), _STEP):
            # Adding a label marked deleted brings it back (a work removed, then imported again).
            self._graph.add_items(X[start : start + _STEP], labels[start : start + _STEP])
            if progress:
                progress(min(start + _STEP, len(labels)), len(labels), "indexing")
        self._dead.difference_update(labels.tolist())

    def remove(self, shas: Sequence[str]) -> None:
        """Drop works (others are ignored); a graph is rebuilt once deleted ones pass a quarter of it."""
        with self._lock:
            self._drop([label(s) for s in shas if s in self])

    def _drop(self, gone: list[int]) -> None:
        if not gone:
            return
        self.changed = True
        for lbl in gone:
            self._names.pop(lbl, None)
        if self._graph is None:
            keep = ~np.isin(self._order, gone)
            self._rows, self._order = self._rows[keep], self._order[keep]
            return
        for lbl in gone:
            self._graph.mark_deleted(lbl)
        self._dead.update(gone)
        if len(self._dead) * 3 > len(self._names):
            labels = np.fromiter(self._names, np.int64, len(self._names))
            X = self._graph.get_items(labels) if len(labels) else np.zeros((0, self.dim), np.float32)
            self._graph, self._dead = None, set()
            self._insert(labels, np.asarray(X, np.float32))

    def query(self, vectors: np.ndarray, k: int = 10) -> list[list[tuple[str, float]]]:
        """The ``k`` works nearest each vector (row), nearest first: ``[(sha256, cosine similarity), ...]``."""
        Q = unit(vectors)
        with self._lock:
            k = min(k, len(self))
            if k <= 0:
                return [[] for _ in Q]
            if self._graph is None:
                S = Q @ self._rows.T
                top = np.argsort(-S, 1)[:, :k]
                return [[(self._names[int(self._order[j])], float(S[i, j])) for j in row] for i, row in enumerate(top)]
            self._graph.set_ef(max(EF_SEARCH, k))
            try:
                labels, dist = self._graph.knn_query(Q, k)
            except RuntimeError:  # deleted works crowded the search: look wider
                self._graph.set_ef(self._graph.get_current_count())
                labels, dist = self._graph.knn_query(Q, k)
        return [[(self._names[int(lb)], float(1 - d)) for lb, d in zip(ls, ds)] for ls, ds in zip(labels, dist)]

    def save(self, folder: Path, key: str) -> None:
        """Write a graph into ``folder`` (see the module's note) and delete the encoder's earlier files; an exact
        index is not written (it is rebuilt in well under a second)."""
        keep: set[str] = set()
        with self._lock:
            if self._graph is not None:
                folder.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".tmp-{os.getpid()}-", suffix=".hnsw")
                os.close(fd)
                try:
                    self._graph.save_index(tmp)
                    stem = f"{key}.{_crc(Path(tmp))}"
                    meta = {"format": FORMAT, "encoder": key, "dim": self.dim, "deleted": sorted(self._dead)}
                    atomic_write_bytes(folder / f"{stem}.json", json.dumps(meta).encode())
                    os.replace(tmp, folder / f"{stem}.hnsw")
                except BaseException:
                    Path(tmp).unlink(missing_ok=True)
                    raise
                keep = {f"{stem}.json", f"{stem}.hnsw"}
            self.changed = False
        for old in folder.glob(f"{key.split('@')[0]}@*"):
            if old.name not in keep:
                old.unlink(missing_ok=True)


def load(folder: Path, key: str, dim: int, shas: Sequence[str]) -> Index | None:
    """The graph saved for encoder ``key`` holding the works among ``shas`` (the catalog's; works it holds that are
    not among them are marked deleted), or None when there is none; a damaged one is deleted."""
    import glob

    import hnswlib

    def newest_first(path: Path) -> float:
        try:
            return -path.stat().st_mtime
        except OSError:  # deleted meanwhile by another process's save
            return 0.0

    for path in sorted(folder.glob(f"{glob.escape(key)}.*.hnsw"), key=newest_first):
        meta_path = path.with_suffix(".json")
        try:
            meta = json.loads(meta_path.read_text())
            if meta.get("format") != FORMAT or meta.get("dim") != dim or _crc(path) != path.stem.rsplit(".", 1)[1]:
                raise ValueError("not this encoder's graph, or damaged")
            graph = _share(hnswlib.Index("ip", dim))
            graph.load_index(str(path))
            dead = {int(x) for x in meta["deleted"]}
        except (OSError, ValueError, KeyError, TypeError, RuntimeError):
            path.unlink(missing_ok=True)
            meta_path.unlink(missing_ok=True)
            continue
        index = Index(dim)
        index._graph, index._dead = graph, dead
        live = set(graph.get_ids_list()) - dead
        index._names = {label(s): s for s in shas if label(s) in live}
        index._drop(sorted(live - set(index._names)))
        return index
    return None


def library_index(lib, encoder: str | None = None, progress: Progress | None = None) -> Index:
    """The index of a library's works for ``encoder`` (default: the painting encoder), in step with the catalog.

    Held once per process and catalog version. When the catalog changed, works added since are embedded if need be
    (``progress`` follows that, then the indexing) and inserted, removed ones dropped, and the index saved in
    ``<library>/index/``; the first use loads what was saved there, or builds it."""
    from artcore import embed

    enc = embed.get_encoder(encoder or embed.DEFAULT_ENCODER)
    held_key = (str(lib.root), enc.key)
    with _GUARD:
        lock = _LOCKS.setdefault(held_key, threading.Lock())
    with lock:
        version = lib.version()
        held = _HELD.get(held_key)
        if held and held[0] == version:
            return held[1]
        records = lib.records()
        shas = [r["sha256"] for r in records]
        folder = lib.root / "index"
        index = held[1] if held else load(folder, enc.key, enc.dim, shas)
        index = index if index is not None else Index(enc.dim)
        wanted = set(shas)
        index.remove([s for s in index.shas if s not in wanted])
        new = [r for r in records if r["sha256"] not in index]
        if new:
            _, X, _ = embed.embed_library(lib, enc.name, new, progress)
            index.add([r["sha256"] for r in new], X, progress)
        if index.changed:
            index.save(folder, enc.key)
        _HELD[held_key] = (version, index)
        return index
