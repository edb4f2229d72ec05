"""Scale: what the Library, Home and Explore pages ask of the catalog at 10,000 images and at 100,000 rows.

On a library made by ``scale_set.py`` (default /tmp/artcore-scale/lib10000) and on a synthesised catalog of
``--synth`` rows (its rows repeated with fresh hashes and perceptual hashes; no image files, so server-side work
only), milliseconds (median of 5) of:
- Library page: its counts and one page of 48 (first, last, one painter's) against the whole-catalog read the page
  did before (``records()`` then a slice);
- Home: the glance counts and "Recently added" against the whole-catalog read it did before;
- Explore, each rerun: the sidebar's SQL counts against the whole statistics frame it loaded (and copied out of
  ``st.cache_data``) before; once per library version: reading the frame, the near-duplicate pairs (every image
  against every image the first time; 100 new images against all afterwards) and the summary with its figures.
``--browser`` also times the Library and Explore pages in headless Chromium until drawn (cold, then warm), with
``library_bench.browser_page_time``, on both libraries (the synthesised one shows the real one's pictures). Writes benchmarks/results/scale.json; prints a table (``--json``: the JSON).

    nice -n 19 python benchmarks/scale_set.py --n 10000 --import /tmp/artcore-scale/lib10000
    nice -n 19 python benchmarks/scale_bench.py [--library DIR] [--synth 100000] [--browser] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from artcore import eda, home  # noqa: E402
from artcore.library import LABEL_FIELDS, Library  # noqa: E402

PER_PAGE = 48


def ms(f, repeat: int = 5) -> float:
    """Median milliseconds of ``f()`` over ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 1)


def library_page(lib: Library) -> dict:
    n = lib.count()
    top = next(iter(lib.label_counts("artist")), None)
    last = (max(0, n - 1) // PER_PAGE) * PER_PAGE
    return {
        "counts_ms": ms(lambda: (lib.stats(), lib.count())),
        "first_page_ms": ms(lambda: lib.records(offset=0, limit=PER_PAGE)),
        "last_page_ms": ms(lambda: lib.records(offset=last, limit=PER_PAGE)),
        "painter_page_ms": ms(lambda: (lib.count("artist", top), lib.records("artist", top, limit=PER_PAGE))),
        "proposed_merges_ms": ms(lambda: [lib.proposed_merges(f) for f in LABEL_FIELDS]),
        "before_whole_catalog_ms": ms(lambda: lib.records()[last : last + PER_PAGE], repeat=3),
    }


def home_page(lib: Library) -> dict:
    return {
        "glance_ms": ms(lambda: home.glance(lib)),
        "recent_ms": ms(lambda: lib.records(limit=12, newest_first=True)),
        "before_whole_catalog_ms": ms(lambda: lib.records()[-12:], repeat=3),
    }


def explore(lib: Library) -> dict:
    def rerun():
        lib.version(), lib.count(), lib.sources()
        return {f: lib.label_counts(f) for f in LABEL_FIELDS}

    start = time.perf_counter()
    df = eda.frame(lib.records(with_stats=True))
    frame_ms = (time.perf_counter() - start) * 1000
    cached = pickle.dumps(df)

    def before():  # the frame out of st.cache_data (a copy each rerun), then the sidebar's choices from it
        d = pickle.loads(cached)
        [f for f in LABEL_FIELDS if d[f].notna().any()], eda.counts(eda.filtered(d, field="artist"), "artist")
        sorted(d["source"].unique())

    with lib.connect() as db:
        db.executescript(eda.PAIRS_SCHEMA + "DELETE FROM near_duplicates; DELETE FROM near_duplicates_checked;")
    start = time.perf_counter()
    pairs = eda.near_duplicate_pairs(lib)
    pairs_full_ms = (time.perf_counter() - start) * 1000

    def hundred_new():
        with lib.connect() as db:
            db.execute("DELETE FROM near_duplicates_checked WHERE sha256 IN "
                       "(SELECT sha256 FROM images ORDER BY added DESC LIMIT 100)")  # fmt: skip
        start = time.perf_counter()
        eda.near_duplicate_pairs(lib)
        return (time.perf_counter() - start) * 1000

    start = time.perf_counter()
    s = eda.summary(df, None, "artist", None, pairs)
    for fig in [s["counts"], *s["figures"], *s["advanced"]]:
        if fig is not None:
            fig.to_json()
    summary_ms = (time.perf_counter() - start) * 1000
    return {
        "rerun_ms": ms(rerun),
        "rerun_before_ms": ms(before, repeat=3),
        "summary_from_cache_ms": ms(lambda: pickle.loads(pickle.dumps(s)), repeat=3),
        "frame_ms": round(frame_ms, 1),
        "near_duplicates_full_ms": round(pairs_full_ms, 1),
        "near_duplicates_100_new_ms": round(statistics.median(hundred_new() for _ in range(3)), 1),
        "near_duplicate_pairs": len(pairs),
        "summary_ms": round(summary_ms, 1),
        "summary_mb": round(len(pickle.dumps(s)) / 1e6, 2),
    }


def incremental(lib: Library) -> dict:
    """Explore's summary once 100 new pictures of one painter arrive: kept up to date (``eda.Catalog``: their
    rows read, their painter's palette computed) against from scratch (every row read, every palette), on a copy."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Library(Path(tmp) / "library")
        with sqlite3.connect(lib.db_path) as src, sqlite3.connect(copy.db_path) as db:
            src.backup(db)
        catalog = eda.Catalog(copy)
        pairs = eda.near_duplicate_pairs(copy)
        start = time.perf_counter()
        catalog.summary(None, "artist", None, pairs)
        first_ms = (time.perf_counter() - start) * 1000
        with copy.connect() as db:
            db.row_factory = None
            columns = [r[1] for r in db.execute("PRAGMA table_info(images)")]
            top = db.execute("SELECT artist FROM images GROUP BY artist ORDER BY COUNT(*) DESC LIMIT 1").fetchone()[0]
            rows = db.execute("SELECT * FROM images WHERE artist = ? LIMIT 100", (top,)).fetchall()
            sha, added, changed = (columns.index(c) for c in ("sha256", "added", "changed"))
            now, new = time.time(), []
            for i, r in enumerate(rows):
                r = list(r)
                r[sha] = hashlib.sha256(f"new-{i}".encode()).hexdigest()
                r[added] = r[changed] = now + i * 1e-3
                new.append(r)
            db.executemany(f"INSERT INTO images VALUES ({', '.join('?' * len(columns))})", new)
        pairs = eda.near_duplicate_pairs(copy)
        start = time.perf_counter()
        catalog.summary(None, "artist", None, pairs)
        kept_ms = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        eda.summary(eda.frame(copy.records(with_stats=True)), None, "artist", None, pairs)
        scratch_ms = (time.perf_counter() - start) * 1000
    return {"first_ms": round(first_ms, 1), "after_100_new_kept_ms": round(kept_ms, 1),
            "after_100_new_from_scratch_ms": round(scratch_ms, 1)}  # fmt: skip


def synthesise(lib: Library, n: int, dest: Path) -> Library:
    """A catalog of ``n`` rows in ``dest``: ``lib``'s rows repeated, each copy with a fresh sha256 and phash."""
    out = Library(dest)
    # Rows keep their image paths (relative to the library): the copies show the same pictures; thumbnails of the
    # new hashes are made on first view, as after an import that was killed before its thumbnails.
    (Path(dest) / "images").symlink_to(lib.root / "images")
    with sqlite3.connect(lib.db_path) as src, sqlite3.connect(out.db_path) as db:
        src.backup(db)
    rng = np.random.default_rng(0)
    with out.connect() as db:
        db.row_factory = None
        columns = [r[1] for r in db.execute("PRAGMA table_info(images)")]
        rows = db.execute("SELECT * FROM images ORDER BY added, rowid").fetchall()
        sha, phash, added = columns.index("sha256"), columns.index("phash"), columns.index("added")
        new = []
        for i in range(n - len(rows)):
            r = list(rows[i % len(rows)])
            r[sha] = hashlib.sha256(f"synth-{i}".encode()).hexdigest()
            r[phash] = f"{int(rng.integers(0, 2**63)):016x}"
            r[added] += 1 + i * 1e-3
            new.append(r)
        db.executemany(f"INSERT INTO images VALUES ({', '.join('?' * len(columns))})", new)
    return out


def measure(lib: Library) -> dict:
    rows = {"images": lib.count(), **{f"{f}_labels": len(lib.label_counts(f)) for f in LABEL_FIELDS}}
    return {"rows": rows, "library": library_page(lib), "home": home_page(lib), "explore": explore(lib),
            "incremental": incremental(lib)}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--library", type=Path, default=Path("/tmp/artcore-scale/lib10000"))
    ap.add_argument("--synth", type=int, default=100_000, help="rows of the synthesised catalog (0: none)")
    ap.add_argument("--browser", action="store_true", help="also time the pages in headless Chromium")
    ap.add_argument("--json", action="store_true", help="print the JSON instead of the table")
    args = ap.parse_args()
    if not (args.library / "catalog.sqlite").is_file():
        raise SystemExit(f"no library at {args.library}: make one with benchmarks/scale_set.py --import")
    lib = Library(args.library)
    result = {"cpu_cores": os.cpu_count(), "python": platform.python_version(),
              "sqlite": sqlite3.sqlite_version, "sizes": {}}  # fmt: skip
    result["sizes"][str(lib.count())] = measure(lib)
    if args.browser:
        sys.path.insert(0, str(Path(__file__).parent))
        from library_bench import browser_page_time

        def browse_drawn(page) -> None:
            page.get_by_role("tab", name="Browse").click()
            page.locator("[data-testid=stMain] [data-testid=stHtml] img").nth(PER_PAGE - 1).wait_for(timeout=300_000)

        result["browser_seconds"] = {"library": browser_page_time(lib.root, "/library", browse_drawn),
                                     "explore": browser_page_time(lib.root)}  # fmt: skip
    if args.synth > lib.count():
        with tempfile.TemporaryDirectory() as tmp:
            synth = synthesise(lib, args.synth, Path(tmp) / "library")
            result["sizes"][f"{args.synth} (synthesised rows)"] = measure(synth)
            if args.browser:
                result["browser_seconds_synthesised"] = {
                    "library": browser_page_time(synth.root, "/library", browse_drawn),
                    "explore": browser_page_time(synth.root)}  # fmt: skip
    out = Path(__file__).parent / "results" / "scale.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    if args.json:
        print(json.dumps(result, indent=1))
        return
    sizes = list(result["sizes"])
    print("| page | measure | " + " | ".join(sizes) + " |\n|---|---|" + "---|" * len(sizes))
    for group in ("rows", "library", "home", "explore", "incremental"):
        for key in result["sizes"][sizes[0]][group]:
            print(f"| {group} | {key} | " + " | ".join(str(result["sizes"][s][group][key]) for s in sizes) + " |")
    for key, rows in (("browser_seconds", sizes[0]), ("browser_seconds_synthesised", sizes[-1])):
        for name, times in result.get(key, {}).items():
            print(f"| browser, {rows} | {name} s (cold, warm) | {times.get('cold')}, {times.get('warm')} |")


if __name__ == "__main__":
    main()
