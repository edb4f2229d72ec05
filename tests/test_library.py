"""The library: imports of every layout, bad files, idempotence, resume after a kill."""

from __future__ import annotations

import csv
import json
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from artcore.errors import UserError
from artcore.imageio import open_image
from artcore.library import Library, detect_layout


def assert_consistent(lib: Library) -> None:
    """Every row's file and thumbnail exist and decode; no temp file is left anywhere."""
    for r in lib.records():
        assert Path(r["path"]).is_file()
        assert open_image(r["path"]).size == (r["width"], r["height"])
        assert lib.thumbnail(r["sha256"]).is_file()
    assert not list(lib.root.rglob(".tmp-*"))


def test_broken_folder_imports_good_and_reports_bad(tmp_library, broken_folder):
    report = tmp_library.import_path(broken_folder["root"], label_from="parent", label_field="artist")
    reasons = {Path(s["file"]).name: s["reason"] for s in report.skipped}
    assert set(reasons) == set(broken_folder["bad"])
    for name, word in broken_folder["bad"].items():
        assert word in reasons[name], (name, reasons[name])
    # Identical pixels (plain / cmyk round-trips differ) all count once each by content hash.
    assert report.added + report.duplicates == len(broken_folder["good"])
    rows = {Path(r["original"]).name: r for r in tmp_library.records()}
    for name, size in broken_folder["good"].items():
        if name in rows:
            assert (rows[name]["width"], rows[name]["height"]) == size, name
            assert rows[name]["artist"] == "Monet"
    assert open_image(rows["rotated.jpg"]["path"]).size == broken_folder["good"]["rotated.jpg"]
    assert tmp_library.stats()["skipped"] == len(broken_folder["bad"])
    assert_consistent(tmp_library)


def test_reimport_adds_nothing(tmp_library, broken_folder):
    first = tmp_library.import_path(broken_folder["root"])
    n, version = tmp_library.count(), tmp_library.version()
    again = tmp_library.import_path(broken_folder["root"])
    assert again.added == 0 and again.duplicates == first.added + first.duplicates
    assert tmp_library.count() == n and tmp_library.version() == version


def test_artist10_and_genre4_counts(artist10_library, artdata, tmp_path):
    assert artist10_library.stats()["labels"]["artist"] == {a: 10 for a in [
        "Cezanne", "Degas", "Gauguin", "Hassam", "Matisse", "Monet", "Pissarro", "Renoir", "Sargent", "VanGogh"]}  # fmt: skip
    lib = Library(tmp_path / "g")
    # A slice of genre4 keeps the suite fast; the full import is measured in benchmarks/library_bench.py.
    sub = tmp_path / "genre4"
    for genre in ("Landscape", "Portrait"):
        (sub / genre).mkdir(parents=True)
        for f in sorted((artdata / "genre4" / genre).glob("*"))[:15]:
            shutil.copy(f, sub / genre / f.name)
    report = lib.import_path(sub, label_from="parent", label_field="genre")
    assert report.added == 30 and not report.skipped
    assert lib.label_counts("genre") == {"Landscape": 15, "Portrait": 15}


def test_kaggle_best_artworks_layout(tmp_path, artdata):
    root = tmp_path / "best-artworks"
    src = sorted((artdata / "artist10" / "VanGogh").glob("*.jpg"))[:3]
    for i, f in enumerate(src, 1):
        dest = root / "images" / "images" / "Vincent_van_Gogh" / f"Vincent_van_Gogh_{i}.jpg"
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(f, dest)
    with (root / "artists.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name", "years", "genre", "nationality", "bio", "wikipedia", "paintings"])
        w.writerow([0, "Vincent van Gogh", "1853 - 1890", "Post-Impressionism", "Dutch", "A Dutch painter.",
                    "http://en.wikipedia.org/wiki/Vincent_van_Gogh", 877])  # fmt: skip
    assert detect_layout(root) == "kaggle"
    lib = Library(tmp_path / "lib")
    report = lib.import_path(root)
    assert report.added == 3
    rows = lib.records()
    assert {r["artist"] for r in rows} == {"Vincent van Gogh"}
    assert {r["style"] for r in rows} == {"Post-Impressionism"}
    assert {r["source"] for r in rows} == {"kaggle"}
    facts = lib.artist_facts("Vincent van Gogh")
    assert facts["nationality"] == "Dutch" and facts["paintings"] == 877


def test_wikiart_genre_layout(tmp_path, artdata):
    root = tmp_path / "wikiart"
    for genre, src in (("landscape", "Landscape"), ("portrait", "Portrait")):
        (root / genre).mkdir(parents=True)
        for f in sorted((artdata / "genre4" / src).glob("*"))[:2]:
            shutil.copy(f, root / genre / f.name)
    assert detect_layout(root) == "wikiart"
    lib = Library(tmp_path / "lib")
    lib.import_path(root)
    assert lib.label_counts("genre") == {"landscape": 2, "portrait": 2}


def test_uploads_and_label_fill_in(tmp_library, broken_folder):
    root = broken_folder["root"] / "Monet"
    files = [("plain.jpg", (root / "plain.jpg").read_bytes()), ("notes.png", (root / "notes.png").read_bytes())]
    report = tmp_library.import_uploads(files)
    assert report.added == 1 and [s["file"] for s in report.skipped] == ["notes.png"]
    assert tmp_library.records()[0]["artist"] is None
    result = tmp_library.add_bytes(files[0][1], source="upload", original="again.jpg", artist="Monet")
    assert result.status == "duplicate"
    assert tmp_library.records()[0]["artist"] == "Monet"  # filled in, not duplicated
    assert tmp_library.count() == 1


def test_unreadable_subfolder_is_reported(tmp_library, broken_folder, monkeypatch):
    import os

    real = os.scandir
    locked = str(broken_folder["root"] / "Monet")

    def scandir(path="."):
        if str(path) == locked:
            raise PermissionError(13, "Permission denied", locked)
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    report = tmp_library.import_path(broken_folder["root"])
    assert report.added == 0 and report.skipped == [{"file": locked, "reason": "cannot read folder: Permission denied"}]
    (broken_folder["root"] / "extra.jpg").write_bytes((Path(locked) / "plain.jpg").read_bytes())
    try:
        report = tmp_library.import_path(broken_folder["root"])
    finally:
        (broken_folder["root"] / "extra.jpg").unlink()
    assert report.added == 1
    assert any("cannot read folder" in s["reason"] for s in report.skipped)


def test_missing_and_empty_folders_are_clear(tmp_library, tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        tmp_library.import_path(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="no image files"):
        tmp_library.import_path(tmp_path / "empty")


def test_cancel_then_resume(tmp_library, artdata):
    stop = threading.Event()
    seen = []

    def progress(done, total, name):
        seen.append(done)
        if done == 20:
            stop.set()

    first = tmp_library.import_path(artdata / "artist10", label_from="parent", progress=progress, cancel=stop)
    assert first.cancelled and first.added == 20
    second = tmp_library.import_path(artdata / "artist10", label_from="parent")
    assert second.added == 80 and second.duplicates == 20
    assert tmp_library.count() == 100


def test_killed_import_resumes_cleanly(tmp_path, artdata):
    lib_dir = tmp_path / "lib"
    cmd = [sys.executable, "-m", "artcore", "library", "import", str(artdata / "artist10"), "--label-from", "parent",
           "--library", str(lib_dir), "--json"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    db = lib_dir / "catalog.sqlite"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list((lib_dir / "images").rglob("*.jpg"))[10:]:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert db.exists()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    report = json.loads(out.stdout)
    lib = Library(lib_dir)
    assert lib.count() == 100
    assert report["added"] + report["duplicates"] == 100 and not report["skipped"]
    assert_consistent(lib)


def test_exif_rotation_applied_to_thumbnail(tmp_library, broken_folder):
    tmp_library.import_path(broken_folder["root"] / "Monet" / "rotated.jpg")
    row = tmp_library.records()[0]
    thumb = Image.open(tmp_library.thumbnail(row["sha256"]))
    assert (thumb.width < thumb.height) == (row["width"] < row["height"])
