"""The image library: a SQLite catalog (WAL) plus image files stored under their content hash.

Imports are idempotent (content hash), resumable (files are written by temp file + rename before their row is
committed, so a killed import simply continues), and report every skipped file with a reason.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from artcore import config, imagestats
from artcore import labels as _labels
from artcore.config import LABEL_FIELDS
from artcore.errors import UserError
from artcore.imageio import (
    ImageError,
    atomic_save_image,
    atomic_write_bytes,
    image_info,
    is_image_name,
    open_image,
    remove_stale_temps,
)

SOURCES = ("upload", "folder", "flickr", "pinterest", "kaggle")
THUMB_SIDE = 256
ANALYSIS_SIDE = 512
EXTENSIONS = {"JPEG": ".jpg", "PNG": ".png", "GIF": ".gif", "BMP": ".bmp", "TIFF": ".tif", "WEBP": ".webp", "MPO": ".jpg"}
# WikiArt's genre folders as Kaggle ships them; a tree whose folders are mostly these is imported as genres.
WIKIART_GENRES = {
    "abstract", "cityscape", "genre_painting", "illustration", "landscape", "nude_painting", "portrait",
    "religious_painting", "sketch_and_study", "still_life", "marina", "flower_painting", "mythological_painting",
}  # fmt: skip
RECORD_COLUMNS = (
    "sha256", "path", "width", "height", "format", "source", "artist", "genre", "style", "licence", "attribution",
)  # fmt: skip

SCHEMA = """
CREATE TABLE IF NOT EXISTS images (
    sha256 TEXT PRIMARY KEY, path TEXT NOT NULL, width INTEGER, height INTEGER, format TEXT, bytes INTEGER,
    source TEXT, original TEXT, artist TEXT, genre TEXT, style TEXT, licence TEXT, attribution TEXT,
    added REAL, changed REAL,
    brightness REAL, saturation REAL, hue_hist TEXT, palette TEXT, phash TEXT
);
CREATE INDEX IF NOT EXISTS images_original ON images(original);
CREATE INDEX IF NOT EXISTS images_added ON images(added);
CREATE INDEX IF NOT EXISTS images_changed ON images(changed);
CREATE INDEX IF NOT EXISTS images_source ON images(source, added);
CREATE INDEX IF NOT EXISTS images_artist ON images(artist, added);
CREATE INDEX IF NOT EXISTS images_genre ON images(genre, added);
CREATE INDEX IF NOT EXISTS images_style ON images(style, added);
CREATE TABLE IF NOT EXISTS skipped (file TEXT PRIMARY KEY, reason TEXT, source TEXT, at REAL);
CREATE TABLE IF NOT EXISTS artists (
    name TEXT PRIMARY KEY, years TEXT, genre TEXT, nationality TEXT, bio TEXT, wikipedia TEXT, paintings INTEGER
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER);
"""


@dataclass
class AddResult:
    status: str  # "added" | "duplicate"
    sha256: str


@dataclass
class ImportReport:
    added: int = 0
    duplicates: int = 0
    skipped: list[dict] = field(default_factory=list)
    cancelled: bool = False
    seconds: float = 0.0

    def as_json(self) -> dict:
        return {"added": self.added, "duplicates": self.duplicates, "skipped": self.skipped}


@dataclass
class Candidate:
    """A file to import and the labels its place in the tree gives it."""

    path: Path
    labels: dict[str, str] = field(default_factory=dict)


Progress = Callable[[int, int, str], None]


class Library:
    """A library folder: ``catalog.sqlite``, ``images/`` (by hash) and ``thumbs/``."""

    def __init__(self, root: str | os.PathLike | None = None):
        self.root = config.library_dir(root)
        self.db_path = self.root / "catalog.sqlite"
        self.images_dir = self.root / "images"
        self.thumbs_dir = self.root / "thumbs"
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with self.connect() as db:
                db.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise UserError(f"cannot open the library at {self.root}: {exc}") from exc

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection that commits on success; WAL lets the app read while an import writes."""
        db = sqlite3.connect(self.db_path, timeout=30)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        try:
            yield db
            db.commit()
        finally:
            db.close()

    # ------------------------------------------------------------ reading

    def records(self, field: str | None = None, value: str | None = None, source: str | None = None,
                with_stats: bool = False, *, offset: int = 0, limit: int | None = None,
                newest_first: bool = False, changed_after: float | None = None) -> list[dict]:  # fmt: skip
        """Catalog rows as dicts, oldest first (or newest first); ``path`` is absolute. Filter by a label field/value
        and source; ``offset``/``limit`` read one page of them; ``changed_after`` only rows added or relabelled
        after that time (``changed``, from its index)."""
        where, args = _where(field, value, source)
        if changed_after is not None:
            where, args = (where + " AND" if where else " WHERE") + " changed > ?", [*args, changed_after]
        order = "added DESC, rowid DESC" if newest_first else "added, rowid"
        columns = "*" if with_stats else ", ".join((*RECORD_COLUMNS, "original", "added"))
        if limit is None:
            sql = f"SELECT {columns} FROM images{where} ORDER BY {order}"
        else:  # the page's rowids from the index alone, so a far page costs no more than the first
            sql = (f"SELECT {columns} FROM images WHERE rowid IN (SELECT rowid FROM images{where} ORDER BY {order} "
                   f"LIMIT ? OFFSET ?) ORDER BY {order}")  # fmt: skip
            args += [limit, offset]
        with self.connect() as db:
            rows = [dict(r) for r in db.execute(sql, args)]
        for r in rows:
            r["path"] = str(self.root / r["path"])
        return rows

    def label_counts(self, field: str) -> dict[str, int]:
        _check_field(field)
        with self.connect() as db:
            rows = db.execute(
                f"SELECT {field}, COUNT(*) FROM images WHERE COALESCE({field}, '') != '' GROUP BY {field} "
                "ORDER BY COUNT(*) DESC, 1"
            ).fetchall()
        return {r[0]: r[1] for r in rows}

    def count(self, field: str | None = None, value: str | None = None, source: str | None = None) -> int:
        """How many images ``records`` with these filters returns."""
        where, args = _where(field, value, source)
        with self.connect() as db:
            return db.execute(f"SELECT COUNT(*) FROM images{where}", args).fetchone()[0]

    def sources(self) -> list[str]:
        """Where the library's images came from (upload, folder, ...), sorted."""
        with self.connect() as db:
            return [r[0] for r in db.execute("SELECT DISTINCT source FROM images ORDER BY source")]

    def skipped(self) -> list[dict]:
        with self.connect() as db:
            return [dict(r) for r in db.execute("SELECT file, reason, source, at FROM skipped ORDER BY at")]

    def stats(self) -> dict:
        """The ``library stats --json`` contract."""
        with self.connect() as db:
            skipped = db.execute("SELECT COUNT(*) FROM skipped").fetchone()[0]
        return {"images": self.count(), "labels": {f: self.label_counts(f) for f in LABEL_FIELDS}, "skipped": skipped}

    def version(self) -> str:
        """Changes whenever the catalog does; a cache key for anything derived from it."""
        with self.connect() as db:
            n = db.execute("SELECT COUNT(*) FROM images").fetchone()[0]
            changed = db.execute("SELECT COALESCE(MAX(changed), 0) FROM images").fetchone()[0]  # from its index
            skipped = db.execute("SELECT COUNT(*) FROM skipped").fetchone()[0]
            # ``edits`` counts label fixes and removals: a removal can leave count and newest change as they were.
            return f"{n}:{changed:.6f}:{skipped}:{_edits(db)}"

    def edits(self) -> int:
        """How many label fixes and removals the catalog has had (additions do not count)."""
        with self.connect() as db:
            return _edits(db)

    def artist_names(self) -> list[str]:
        """The painters of an imported Kaggle ``artists.csv`` (the names ``artist_facts`` knows)."""
        with self.connect() as db:
            return [r[0] for r in db.execute("SELECT name FROM artists ORDER BY name")]

    def artist_facts(self, name: str) -> dict | None:
        with self.connect() as db:
            row = db.execute("SELECT * FROM artists WHERE name = ?", (name,)).fetchone()
        return dict(row) if row else None

    def has_original(self, original: str) -> bool:
        with self.connect() as db:
            return db.execute("SELECT 1 FROM images WHERE original = ? LIMIT 1", (original,)).fetchone() is not None

    def thumbnail(self, sha256: str) -> Path:
        """The cached thumbnail (longest side 256 px), made from the stored image if missing."""
        path = self.thumbs_dir / sha256[:2] / f"{sha256}.jpg"
        if not path.exists():
            with self.connect() as db:
                row = db.execute("SELECT path FROM images WHERE sha256 = ?", (sha256,)).fetchone()
            if row is None:
                raise UserError(f"no image {sha256[:12]}… in the library")
            _save_thumbnail(open_image(self.root / row["path"], max_side=ANALYSIS_SIDE), path)
        return path

    # ------------------------------------------------------------ writing

    def add_bytes(self, data: bytes, *, source: str, original: str, artist: str | None = None,
                  genre: str | None = None, style: str | None = None, licence: str | None = None,
                  attribution: str | None = None) -> AddResult:  # fmt: skip
        """Add one image's bytes (raises ImageError if they are not a usable image)."""
        item = self._analyse(data)
        labels = {"artist": artist, "genre": genre, "style": style}
        meta = {"source": source, "original": original, "licence": licence, "attribution": attribution}
        with self.connect() as db:
            status = self._insert(db, item, labels, meta)
        return AddResult(status, item["sha256"])

    def import_path(self, path: str | os.PathLike, *, layout: str = "auto", label_from: str = "none",
                    label_field: str = "artist", progress: Progress | None = None,
                    cancel: threading.Event | None = None, workers: int | None = None) -> ImportReport:  # fmt: skip
        """Import a folder tree (or one file). ``layout``: auto, folder, kaggle or wikiart."""
        root = Path(path).expanduser()
        if not root.exists():
            raise UserError(f"{root} does not exist")
        if label_from not in ("none", "parent"):
            raise UserError("--label-from must be 'none' or 'parent'")
        _check_field(label_field)
        for folder in ("images", "thumbs"):  # what an earlier, killed import was writing
            remove_stale_temps(self.root / folder)
        layout = detect_layout(root) if layout == "auto" else layout
        report = ImportReport()
        if layout == "kaggle":
            # Folder names lose accents ("Albrecht_Durer"): label with artists.csv's spelling so the facts match.
            known = {_labels.key(n): n for n in self._import_artists_csv(root / "artists.csv")}

            def kaggle_artist(path: Path) -> str:
                name = _kaggle_artist(path)
                return known.get(_labels.key(name), name)

            candidates = _walk(root, report, label_field="artist", label_from="parent", label_of=kaggle_artist)
            self._attach_artist_styles(candidates)
            source = "kaggle"
        elif layout == "wikiart":
            candidates = _walk(root, report, label_field="genre", label_from="parent")
            source = "kaggle"
        elif layout == "folder":
            candidates = _walk(root, report, label_field=label_field, label_from=label_from)
            source = "folder"
        else:
            raise UserError(f"unknown layout {layout!r}: use auto, folder, kaggle or wikiart")
        self._import_candidates(candidates, source, report, progress, cancel, workers)
        return report

    def import_uploads(self, files: Iterable[tuple[str, bytes]], labels: dict[str, str] | None = None,
                       progress: Progress | None = None) -> ImportReport:  # fmt: skip
        """Import uploaded (name, bytes) pairs, e.g. from the app's file uploader."""
        files = list(files)
        report = ImportReport()
        start = time.perf_counter()
        for i, (name, data) in enumerate(files):
            try:
                result = self.add_bytes(data, source="upload", original=name, **(labels or {}))
            except ImageError as exc:
                self._record_skip(name, str(exc), "upload", report)
            else:
                report.added += result.status == "added"
                report.duplicates += result.status == "duplicate"
            if progress:
                progress(i + 1, len(files), name)
        report.seconds = time.perf_counter() - start
        return report

    def _import_candidates(self, candidates: list[Candidate], source: str, report: ImportReport,
                           progress: Progress | None, cancel: threading.Event | None,
                           workers: int | None) -> None:  # fmt: skip
        start = time.perf_counter()
        with self.connect() as db:
            known = {r[0]: r[1] for r in db.execute("SELECT original, sha256 FROM images WHERE source = ?", (source,))}

        def work(c: Candidate) -> dict:
            original = str(c.path.resolve())
            data = c.path.read_bytes()
            sha = hashlib.sha256(data).hexdigest()
            # A re-run skips decoding what it already holds, so it is fast and adds nothing.
            if known.get(original) == sha:
                return {"sha256": sha, "known": True}
            return self._analyse(data, sha)

        total = len(candidates)
        pool = ThreadPoolExecutor(max_workers=workers or max(2, os.cpu_count() or 2))
        db = sqlite3.connect(self.db_path, timeout=30)
        try:
            # Bounded in-flight window: memory stays flat however large the folder.
            window = 4 * pool._max_workers
            futures = [(c, pool.submit(work, c)) for c in candidates[:window]]
            next_i = len(futures)
            done = 0
            while futures:
                c, fut = futures.pop(0)
                if next_i < total:
                    futures.append((candidates[next_i], pool.submit(work, candidates[next_i])))
                    next_i += 1
                original = str(c.path.resolve())
                try:
                    item = fut.result()
                except ImageError as exc:
                    self._record_skip(original, str(exc), source, report, db)
                except OSError as exc:
                    self._record_skip(original, f"cannot read file: {exc.strerror or exc}", source, report, db)
                else:
                    if item.get("known"):
                        report.duplicates += 1
                        db.execute("DELETE FROM skipped WHERE file = ?", (original,))
                    else:
                        meta = {"source": source, "original": original, "licence": None, "attribution": None}
                        status = self._insert(db, item, c.labels, meta)
                        report.added += status == "added"
                        report.duplicates += status == "duplicate"
                done += 1
                if done % 50 == 0:
                    db.commit()
                if progress:
                    progress(done, total, c.path.name)
                if cancel is not None and cancel.is_set():
                    report.cancelled = True
                    for _, f in futures:
                        f.cancel()
                    break
        finally:
            db.commit()  # also when a progress callback raised to stop: what was imported stays
            db.close()
            pool.shutdown(wait=True, cancel_futures=True)
        report.seconds = time.perf_counter() - start

    def _analyse(self, data: bytes, sha: str | None = None) -> dict:
        """Validate, store (atomically) and describe one image; runs in worker threads."""
        sha = sha or hashlib.sha256(data).hexdigest()
        fmt, width, height = image_info(data)
        img = open_image(data, max_side=ANALYSIS_SIDE)  # full decode: catches truncation
        rel = Path("images") / sha[:2] / f"{sha}{EXTENSIONS.get(fmt, '.img')}"
        dest = self.root / rel
        if not dest.exists():
            atomic_write_bytes(dest, data)
        thumb = self.thumbs_dir / sha[:2] / f"{sha}.jpg"
        if not thumb.exists():
            _save_thumbnail(img, thumb)
        return {"sha256": sha, "path": rel.as_posix(), "width": width, "height": height, "format": fmt,
                "bytes": len(data), **imagestats.image_stats(img)}  # fmt: skip

    def _insert(self, db: sqlite3.Connection, item: dict, labels: dict, meta: dict) -> str:
        now = time.time()
        labels = {k: v for k, v in labels.items() if v}
        cur = db.execute(
            "INSERT OR IGNORE INTO images (sha256, path, width, height, format, bytes, source, original, artist, genre, "
            "style, licence, attribution, added, changed, brightness, saturation, hue_hist, palette, phash) "
            "VALUES (:sha256, :path, :width, :height, :format, :bytes, :source, :original, :artist, :genre, :style, "
            ":licence, :attribution, :now, :now, :brightness, :saturation, :hue_hist, :palette, :phash)",
            {**item, **meta, **{f: labels.get(f) for f in LABEL_FIELDS}, "now": now},
        )
        db.execute("DELETE FROM skipped WHERE file = ?", (meta["original"],))
        if cur.rowcount:
            return "added"
        # Same content seen before: fill in labels it lacked, never overwrite ones it has.
        for f, v in labels.items():
            db.execute(f"UPDATE images SET {f} = ?, changed = ? WHERE sha256 = ? AND COALESCE({f}, '') = ''",
                       (v, now, item["sha256"]))  # fmt: skip
        return "duplicate"

    def _record_skip(self, file: str, reason: str, source: str, report: ImportReport,
                     db: sqlite3.Connection | None = None) -> None:  # fmt: skip
        report.skipped.append({"file": file, "reason": reason})
        sql = "INSERT OR REPLACE INTO skipped (file, reason, source, at) VALUES (?, ?, ?, ?)"
        if db is not None:
            db.execute(sql, (file, reason, source, time.time()))
        else:
            with self.connect() as conn:
                conn.execute(sql, (file, reason, source, time.time()))

    def _import_artists_csv(self, path: Path) -> list[str]:
        try:
            with path.open(newline="", encoding="utf-8-sig") as fh:
                rows = list(csv.DictReader(fh))
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise UserError(f"cannot read {path}: {exc}") from exc
        with self.connect() as db:
            for r in rows:
                if not r.get("name"):
                    continue
                paintings = r.get("paintings") or None
                db.execute(
                    "INSERT OR REPLACE INTO artists (name, years, genre, nationality, bio, wikipedia, paintings) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (r["name"].strip(), r.get("years"), r.get("genre"), r.get("nationality"), r.get("bio"),
                     r.get("wikipedia"), int(paintings) if paintings and paintings.isdigit() else None),
                )  # fmt: skip
        return [r["name"].strip() for r in rows if r.get("name")]

    def _attach_artist_styles(self, candidates: list[Candidate]) -> None:
        """Kaggle's per-artist 'genre' column holds movements (Impressionism, ...): the images' style label."""
        for c in candidates:
            facts = self.artist_facts(c.labels.get("artist", ""))
            if facts and facts.get("genre"):
                c.labels["style"] = facts["genre"]

    # ------------------------------------------------------------ fixing labels, removing images

    def rename_label(self, field: str, old: str, new: str, *, merge: bool | None = None) -> dict:
        """Give every image labelled ``field=old`` the label ``new``; if ``new`` is already a label, the two merge.

        ``merge=True`` requires ``new`` to exist (a merge), ``merge=False`` refuses if it does (a pure rename).
        Returns ``{"field", "old", "new", "images": relabelled, "merged": bool, "total": images now labelled new}``.
        """
        _check_field(field)
        with self._editing() as db:
            return self._relabel(db, field, old, new, merge)

    def merge_label(self, field: str, old: str, into: str) -> dict:
        """Merge label ``old`` into the existing label ``into`` (see ``rename_label``)."""
        return self.rename_label(field, old, into, merge=True)

    def delete_label(self, field: str, name: str) -> dict:
        """Clear label ``field=name`` from every image that has it; the images stay. Returns ``{"field", "label",
        "images"}``."""
        _check_field(field)
        with self._editing() as db:
            n = self._label_images(db, field, name)
            db.execute(f"UPDATE images SET {field} = NULL, changed = ? WHERE {field} = ?", (time.time(), name))
        return {"field": field, "label": name, "images": n}

    def proposed_merges(self, field: str = "artist") -> list[tuple[str, str]]:
        """Labels that name the same thing, as (old, new) pairs: e.g. ("Monet", "Claude Monet") once a Kaggle import
        has brought artists.csv's painters; merging into those names makes ``artist_facts`` find them."""
        _check_field(field)
        canonical = self.artist_names() if field == "artist" else []
        return _labels.propose_merges(self.label_counts(field), canonical, tails=field == "artist")

    def merge_proposed(self, field: str = "artist", pairs: Iterable[tuple[str, str]] | None = None) -> list[dict]:
        """Apply ``pairs`` (default: all of ``proposed_merges(field)``) in one transaction; one result per merge."""
        _check_field(field)
        pairs = self.proposed_merges(field) if pairs is None else list(pairs)
        if not pairs:
            return []
        with self._editing() as db:
            return [self._relabel(db, field, old, new, None) for old, new in pairs]

    def resolve_sha256(self, refs: Iterable[str]) -> list[str]:
        """Full sha256 hashes for ``refs`` (full hashes or unique prefixes of at least 8 characters), in order."""
        found: dict[str, None] = {}
        with self.connect() as db:
            for ref in refs:
                prefix = ref.strip().lower()
                if not re.fullmatch(r"[0-9a-f]{8,64}", prefix):
                    raise UserError(f"{ref!r} is not an image's sha256: give the full hash or its first 8 or more "
                                    "characters (see 'artcore library list')")  # fmt: skip
                rows = db.execute("SELECT sha256 FROM images WHERE sha256 >= ? AND sha256 < ? LIMIT 2",
                                  (prefix, prefix + "g")).fetchall()  # fmt: skip
                if not rows:
                    raise UserError(f"no image in the library has a sha256 starting {prefix}")
                if len(rows) > 1:
                    raise UserError(f"more than one image has a sha256 starting {prefix}: give more characters")
                found[rows[0][0]] = None
        return list(found)

    def remove_images(self, refs: Iterable[str]) -> dict:
        """Remove images (sha256 or unique prefixes ≥ 8 characters): catalog rows, and rows keyed by sha256 in the
        catalog's other tables (embeddings, ...), in one transaction; then the stored files and thumbnails.
        Returns ``{"images": removed, "rows": {table: rows removed}, "files": files deleted}``."""
        shas = self.resolve_sha256(refs)
        if not shas:
            raise UserError("no images given to remove")
        keys = [(s,) for s in shas]
        with self._editing() as db:
            paths = [tuple(r) for s in shas for r in db.execute("SELECT sha256, path FROM images WHERE sha256 = ?", (s,))]
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                               "AND name NOT LIKE 'sqlite%' AND name != 'images' ORDER BY name")]  # fmt: skip
            rows = {}
            for table in tables:
                quoted = '"' + table.replace('"', '""') + '"'
                if any(c[1] == "sha256" for c in db.execute(f"PRAGMA table_info({quoted})")):
                    rows[table] = db.executemany(f"DELETE FROM {quoted} WHERE sha256 = ?", keys).rowcount
            removed = db.executemany("DELETE FROM images WHERE sha256 = ?", keys).rowcount
        # Only once the rows are gone for good: a failed commit leaves every file in place.
        files = 0
        for sha, rel in paths:
            for path in (self.root / rel, self.thumbs_dir / sha[:2] / f"{sha}.jpg"):
                try:
                    path.unlink()
                    files += 1
                except FileNotFoundError:
                    pass
        return {"images": removed, "rows": rows, "files": files}

    @contextmanager
    def _editing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction that also moves ``version()`` on."""
        with self.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            yield db
            db.execute("INSERT INTO meta (key, value) VALUES ('edits', 1) "
                       "ON CONFLICT(key) DO UPDATE SET value = value + 1")  # fmt: skip

    def _label_images(self, db: sqlite3.Connection, field: str, name: str) -> int:
        n = db.execute(f"SELECT COUNT(*) FROM images WHERE {field} = ?", (name,)).fetchone()[0]
        if not n:
            known = [r[0] for r in db.execute(f"SELECT DISTINCT {field} FROM images WHERE COALESCE({field}, '') != '' "
                                              f"ORDER BY {field} LIMIT 13")]  # fmt: skip
            if known:
                hint = f"; the {field}s are {', '.join(known[:12])}{' …' if len(known) > 12 else ''}"
            else:
                hint = f"; no image has {'an' if field == 'artist' else 'a'} {field} label yet"
            raise UserError(f"no image has the {field} {name!r}{hint}")
        return n

    def _relabel(self, db: sqlite3.Connection, field: str, old: str, new: str, merge: bool | None) -> dict:
        new = (new or "").strip()
        if not new:
            raise UserError(f"the new {field} name is empty: type a name")
        n_old = self._label_images(db, field, old)
        if new == old:
            raise UserError(f"{old!r} is already called that")
        n_new = db.execute(f"SELECT COUNT(*) FROM images WHERE {field} = ?", (new,)).fetchone()[0]
        if merge is False and n_new:
            raise UserError(f"the {field} {new!r} already exists: use merge to put {old!r} into it")
        if merge is True and not n_new:
            raise UserError(f"no image has the {field} {new!r} to merge into: use rename to call {old!r} that")
        db.execute(f"UPDATE images SET {field} = ?, changed = ? WHERE {field} = ?", (new, time.time(), old))
        return {"field": field, "old": old, "new": new, "images": n_old, "merged": n_new > 0, "total": n_old + n_new}


# ---------------------------------------------------------------- helpers


def _edits(db) -> int:
    row = db.execute("SELECT value FROM meta WHERE key = 'edits'").fetchone()
    return int(row[0]) if row else 0


def _check_field(field: str) -> None:
    if field not in LABEL_FIELDS:
        raise UserError(f"unknown label field {field!r}: use one of {', '.join(LABEL_FIELDS)}")


def _where(field: str | None, value: str | None, source: str | None) -> tuple[str, list]:
    """The WHERE clause (with a leading space, or "") and its arguments for ``records``' filters."""
    where, args = [], []
    if field:
        _check_field(field)
        if value is None:
            where.append(f"COALESCE({field}, '') != ''")
        else:
            where.append(f"{field} = ?")
            args.append(value)
    if source:
        where.append("source = ?")
        args.append(source)
    return (" WHERE " + " AND ".join(where) if where else ""), args


def _save_thumbnail(img: Image.Image, path: Path) -> None:
    thumb = img.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    atomic_save_image(thumb, path, format="JPEG", quality=85)


def _kaggle_artist(path: Path) -> str:
    """``images/Vincent_van_Gogh/Vincent_van_Gogh_12.jpg`` (or flat ``resized/Vincent_van_Gogh_12.jpg``) → name."""
    folder = path.parent.name
    if folder.lower() in ("images", "resized"):
        folder = path.stem.rsplit("_", 1)[0]
    return folder.replace("_", " ").strip()


def _parent_name(path: Path) -> str:
    return path.parent.name


def detect_layout(root: Path) -> str:
    """kaggle (artists.csv beside the images), wikiart (genre folders) or a plain folder tree."""
    if not root.is_dir():
        return "folder"
    if (root / "artists.csv").is_file():
        return "kaggle"
    try:
        subdirs = {p.name.lower() for p in root.iterdir() if p.is_dir()}
    except OSError:
        return "folder"
    if subdirs and len(subdirs & WIKIART_GENRES) >= max(1, len(subdirs) // 2 + 1):
        return "wikiart"
    return "folder"


def detect_label_field(root: str | os.PathLike) -> str | None:
    """What a folder's sub-folder names are: "artist", "genre" (landscape, still_life, Naturmort, ...) or "style"
    (Impressionism, ...); None when it is not a folder or has no sub-folders."""
    try:
        names = [p.name for p in Path(root).expanduser().iterdir() if p.is_dir()]
    except OSError:
        return None
    return _labels.detect_label_field(names)


def _walk(root: Path, report: ImportReport, *, label_field: str, label_from: str,
          label_of: Callable[[Path], str] = _parent_name) -> list[Candidate]:  # fmt: skip
    """Image files under ``root`` (sorted, hidden files ignored); unreadable folders go into the report."""
    if root.is_file():
        return [Candidate(root)]

    def on_error(exc: OSError) -> None:
        report.skipped.append({"file": str(exc.filename), "reason": f"cannot read folder: {exc.strerror}"})

    found = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not is_image_name(name):
                continue
            path = Path(dirpath) / name
            labels = {}
            if label_from == "parent" and (path.parent != root or label_of is not _parent_name):
                labels[label_field] = label_of(path)
            found.append(Candidate(path, labels))
    if not found and not report.skipped:
        raise UserError(f"no image files found in {root}")
    return found


def image_set(spec: str, lib=None) -> list[Path]:
    """The image files a ``--from``/``--to`` names: a folder (searched recursively) or ``FIELD:VALUE`` of the
    library (``artist:Claude_Monet``)."""
    field, _, value = str(spec).partition(":")
    if value and field in LABEL_FIELDS and not Path(spec).exists():
        if lib is None:
            raise UserError(f"{spec} names library images, but no library was given")
        paths = [Path(r["path"]) for r in lib.records(field=field) if r[field] == value]
        if not paths:
            raise UserError(f"no image in the library at {lib.root} has {field} {value!r}")
        return paths
    root = Path(spec)
    if not root.is_dir():
        raise UserError(f"{spec} is neither a folder nor a library label (e.g. artist:Claude_Monet)")
    paths = sorted(p for p in root.rglob("*") if p.is_file() and is_image_name(p))
    if not paths:
        raise UserError(f"{spec} has no images")
    return paths
