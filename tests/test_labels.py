"""Labels a painter can fix: rename, merge, delete, remove images, Kaggle names proposed as merges, and what
sub-folder names mean, through the library API, the CLI and the Library page."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from jobwait import settle
from streamlit.testing.v1 import AppTest

from artcore import labels
from artcore.cli import main
from artcore.config import PROJECT_ROOT
from artcore.embed import EmbeddingStore
from artcore.errors import UserError
from artcore.library import Library, detect_label_field, detect_layout

# Painters of artist10 that the Kaggle artists.csv knows, by their Kaggle names (Hassam and Sargent are not there).
KAGGLE_NAMES = {"Cezanne": "Paul Cezanne", "Degas": "Edgar Degas", "Gauguin": "Paul Gauguin", "Matisse": "Henri Matisse",
                "Monet": "Claude Monet", "Pissarro": "Camille Pissarro", "Renoir": "Pierre-Auguste Renoir",
                "VanGogh": "Vincent van Gogh"}  # fmt: skip
KAGGLE_PAINTERS = ("Claude_Monet", "Vincent_van_Gogh", "Albrecht_Durer")
PER_PAINTER = 3


@pytest.fixture(scope="module")
def kaggle_tree(artdata, tmp_path_factory) -> Path:
    """A small Kaggle "Best Artworks" tree: a few painters' real images (symlinks) and the real artists.csv."""
    root = tmp_path_factory.mktemp("best-artworks")
    for painter in KAGGLE_PAINTERS:
        (root / "images" / painter).mkdir(parents=True)
        for f in sorted((artdata / "bestartworks" / "images" / painter).glob("*.jpg"))[:PER_PAINTER]:
            (root / "images" / painter / f.name).symlink_to(f)
    (root / "artists.csv").symlink_to(artdata / "bestartworks" / "artists.csv")
    return root


@pytest.fixture(scope="module")
def mixed_dir(artdata, kaggle_tree, tmp_path_factory) -> Path:
    """artist10 imported from its folders, then the Kaggle tree beside it: a library folder, imported once."""
    lib = Library(tmp_path_factory.mktemp("mixed") / "library")
    lib.import_path(artdata / "artist10", label_from="parent", label_field="artist")
    report = lib.import_path(kaggle_tree)
    assert report.added == len(KAGGLE_PAINTERS) * PER_PAINTER and not report.skipped
    return lib.root


@pytest.fixture
def mixed(mixed_dir, tmp_path) -> Library:
    """A fresh copy of the mixed library for a test to change."""
    return Library(shutil.copytree(mixed_dir, tmp_path / "library"))


def cli(*args) -> tuple[int, str, str]:
    """``artcore ARGS`` in this process: (exit status, stdout, stderr)."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main([str(a) for a in args])
    return rc, out.getvalue(), err.getvalue()


def one_sentence_error(rc: int, err: str) -> str:
    assert rc == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("artcore: "), err
    return lines[0]


# ---------------------------------------------------------------- names (no data needed)


def test_name_matching():
    assert labels.key("Albrecht_Dürer") == labels.key("albrecht durer") == "albrechtdurer"
    assert labels.words("VanGogh") == ["van", "gogh"]
    assert labels.is_tail_of("Monet", "Claude Monet") and labels.is_tail_of("VanGogh", "Vincent van Gogh")
    assert labels.is_tail_of("renoir", "Pierre-Auguste Renoir")
    assert not labels.is_tail_of("Claude", "Claude Monet") and not labels.is_tail_of("Claude Monet", "Claude Monet")
    counts = {"Monet": 10, "VanGogh": 10, "Sargent": 10, "Vincent_van_Gogh": 2, "Bruegel": 1}
    canonical = ["Claude Monet", "Vincent van Gogh", "Pieter Bruegel", "Jan Bruegel"]
    assert labels.propose_merges(counts, canonical) == [
        ("Monet", "Claude Monet"), ("VanGogh", "Vincent van Gogh"), ("Vincent_van_Gogh", "Vincent van Gogh")]  # fmt: skip
    # Without painters' names: the same name written two ways, and one label ending a longer one.
    assert labels.propose_merges({"Gogh": 1, "Van Gogh": 2, "Vincent van Gogh": 3}) == [
        ("Gogh", "Vincent van Gogh"), ("Van Gogh", "Vincent van Gogh")]  # fmt: skip
    # Genres merge only when written differently, never because one word ends another.
    assert labels.propose_merges({"landscape": 2, "Landscape": 15, "Urban Landscape": 3}, tails=False) == [
        ("landscape", "Landscape")]  # fmt: skip


@pytest.mark.parametrize(("names", "field"), [
    (["Genre", "Landscape", "Naturmort", "Portrait"], "genre"),
    (["still_life", "religious_painting", "genre_painting", "Claude_Monet"], "genre"),
    (["Impressionism", "Cubism", "Ukiyo-e", "Art_Nouveau"], "style"),
    (["Cezanne", "Degas", "VanGogh", "Claude_Monet"], "artist"),
    ([], None),
])  # fmt: skip
def test_folder_names_meaning(names, field):
    assert labels.detect_label_field(names) == field


# ---------------------------------------------------------------- real data


def test_detection_on_real_folders(artdata, kaggle_tree):
    assert detect_label_field(artdata / "genre4") == "genre"
    assert detect_label_field(artdata / "artist10") == "artist"
    assert detect_label_field(artdata / "genre4" / "Portrait") is None  # no sub-folders
    assert detect_layout(kaggle_tree) == "kaggle"


def test_kaggle_names_proposed_for_artist10(mixed):
    counts = mixed.label_counts("artist")
    assert counts["Monet"] == counts["VanGogh"] == 10
    assert counts["Claude Monet"] == counts["Vincent van Gogh"] == PER_PAINTER
    # The folder "Albrecht_Durer" is labelled as artists.csv spells him, so his facts match.
    assert counts["Albrecht Dürer"] == PER_PAINTER and mixed.artist_facts("Albrecht Dürer")["nationality"] == "German"
    pairs = mixed.proposed_merges("artist")
    assert ("Monet", "Claude Monet") in pairs and ("VanGogh", "Vincent van Gogh") in pairs
    assert dict(pairs) == KAGGLE_NAMES  # nothing for Hassam and Sargent, nothing proposed twice
    assert mixed.proposed_merges("genre") == [] and mixed.proposed_merges("style") == []


def test_merge_sums_counts_and_finds_facts(mixed):
    before, version = mixed.label_counts("artist"), mixed.version()
    assert mixed.artist_facts("Monet") is None
    result = mixed.merge_label("artist", "Monet", "Claude Monet")
    assert result == {"field": "artist", "old": "Monet", "new": "Claude Monet", "images": 10, "merged": True,
                      "total": 10 + PER_PAINTER}  # fmt: skip
    after = mixed.label_counts("artist")
    assert "Monet" not in after and after["Claude Monet"] == before["Monet"] + before["Claude Monet"]
    assert mixed.version() != version
    assert all(mixed.artist_facts(r["artist"])["years"] for r in mixed.records("artist", "Claude Monet"))
    # The rest in one go: every artist10 painter the Kaggle list knows now has facts.
    results = mixed.merge_proposed("artist")
    assert {(r["old"], r["new"]) for r in results} == set(KAGGLE_NAMES.items()) - {("Monet", "Claude Monet")}
    assert mixed.proposed_merges("artist") == []
    final = mixed.label_counts("artist")
    assert final["Vincent van Gogh"] == 10 + PER_PAINTER and final["Paul Gauguin"] == 10
    assert sum(final.values()) == sum(before.values()) == mixed.count()
    assert {a for a in final if mixed.artist_facts(a) is None} == {"Hassam", "Sargent"}


def test_rename_and_delete(mixed):
    v0 = mixed.version()
    r = mixed.rename_label("artist", "Hassam", "  Childe Hassam ")
    assert (r["new"], r["images"], r["merged"]) == ("Childe Hassam", 10, False)
    assert mixed.label_counts("artist")["Childe Hassam"] == 10 and "Hassam" not in mixed.label_counts("artist")
    v1 = mixed.version()
    assert v1 != v0
    with pytest.raises(UserError, match="already exists: use merge"):
        mixed.rename_label("artist", "Sargent", "Childe Hassam", merge=False)
    assert mixed.rename_label("artist", "Sargent", "Childe Hassam")["merged"]  # the API's rename merges
    assert mixed.label_counts("artist")["Childe Hassam"] == 20
    v2 = mixed.version()
    assert v2 != v1

    n = mixed.count()
    r = mixed.delete_label("artist", "Childe Hassam")
    assert r == {"field": "artist", "label": "Childe Hassam", "images": 20}
    assert mixed.count() == n and "Childe Hassam" not in mixed.label_counts("artist")
    assert sum(1 for rec in mixed.records() if rec["artist"] is None) == 20  # the images stay, unlabelled
    assert mixed.version() != v2


@pytest.mark.parametrize(("call", "words"), [
    (lambda lib: lib.rename_label("colour", "Monet", "X"), "unknown label field 'colour'"),
    (lambda lib: lib.rename_label("artist", "Monett", "X"), "no image has the artist 'Monett'"),
    (lambda lib: lib.rename_label("artist", "Monet", "  "), "new artist name is empty"),
    (lambda lib: lib.rename_label("artist", "Monet", "Monet"), "already called that"),
    (lambda lib: lib.merge_label("artist", "Monet", "Claude Oscar Monet"), "use rename"),
    (lambda lib: lib.delete_label("genre", "Landscape"), "no image has a genre label yet"),
    (lambda lib: lib.delete_label("style", "Cubism"), "no image has the style 'Cubism'; the styles are"),
    (lambda lib: lib.remove_images(["0123456789abcdef"]), "no image in the library has a sha256 starting"),
    (lambda lib: lib.remove_images(["abc"]), "is not an image's sha256"),
    (lambda lib: lib.remove_images([]), "no images given"),
])  # fmt: skip
def test_bad_input_is_one_clear_sentence(mixed, call, words):
    version = mixed.version()
    with pytest.raises(UserError, match=words) as info:
        call(mixed)
    assert "\n" not in str(info.value)
    assert mixed.version() == version  # nothing changed


def test_remove_images(mixed):
    rows = mixed.records("artist", "Monet")
    gone, kept = rows[:2], rows[2:]
    store = EmbeddingStore.for_library(mixed)
    store.put([r["sha256"] for r in rows], "test-encoder", np.ones((len(rows), 4), np.float32))
    for r in gone:
        assert mixed.thumbnail(r["sha256"]).is_file()
    n, version = mixed.count(), mixed.version()
    result = mixed.remove_images([gone[0]["sha256"], gone[1]["sha256"][:12].upper()])  # a full hash and a prefix
    assert result == {"images": 2, "rows": {"embeddings": 2}, "files": 4}  # 2 stored files, 2 thumbnails
    assert mixed.count() == n - 2 and mixed.label_counts("artist")["Monet"] == 8
    assert mixed.version() != version
    for r in gone:
        assert not Path(r["path"]).exists()
        assert not (mixed.thumbs_dir / r["sha256"][:2] / f"{r['sha256']}.jpg").exists()
        with pytest.raises(UserError, match="no image"):
            mixed.thumbnail(r["sha256"])
    assert set(store.get([r["sha256"] for r in rows], "test-encoder")) == {r["sha256"] for r in kept}
    assert all(Path(r["path"]).is_file() for r in kept)
    assert all(Path(r["original"]).is_file() for r in gone)  # the painter's own files are never touched


def test_remove_is_one_transaction(mixed):
    """If any table refuses, nothing is removed: no row, no file."""
    rows = mixed.records("artist", "Degas")[:2]
    with mixed.connect() as db:
        db.execute("CREATE TABLE notes (sha256 TEXT, text TEXT)")
        db.execute("INSERT INTO notes VALUES (?, 'keep me')", (rows[1]["sha256"],))
        db.execute("CREATE TRIGGER keep BEFORE DELETE ON notes BEGIN SELECT RAISE(ABORT, 'kept'); END")
    n, version = mixed.count(), mixed.version()
    with pytest.raises(sqlite3.DatabaseError, match="kept"):
        mixed.remove_images([r["sha256"] for r in rows])
    assert mixed.count() == n and mixed.version() == version
    assert all(Path(r["path"]).is_file() for r in rows)


# ---------------------------------------------------------------- CLI


def test_cli_label_contract(mixed):
    lib = ["--library", mixed.root]
    rc, out, _ = cli("library", "label", "suggest", "--json", *lib)
    assert rc == 0
    rows = json.loads(out)
    assert {(r["old"], r["new"]) for r in rows} == set(KAGGLE_NAMES.items())
    monet = next(r for r in rows if r["old"] == "Monet")
    assert monet == {"field": "artist", "old": "Monet", "new": "Claude Monet", "images": 10,
                     "into_images": PER_PAINTER, "facts": True}  # fmt: skip

    rc, out, _ = cli("library", "label", "merge", "artist", "Monet", "Claude Monet", "--json", *lib)
    assert rc == 0 and json.loads(out)["total"] == 10 + PER_PAINTER
    one_sentence_error(*cli("library", "label", "merge", "artist", "Degas", "Edgar Degas", *lib)[::2])
    rc, out, err = cli("library", "label", "rename", "artist", "Degas", "Claude Monet", *lib)
    assert "use merge" in one_sentence_error(rc, err)
    rc, out, _ = cli("library", "label", "rename", "artist", "Degas", "Edgar Degas", "--json", *lib)
    assert rc == 0 and json.loads(out) == {"field": "artist", "old": "Degas", "new": "Edgar Degas", "images": 10,
                                           "merged": False, "total": 10}  # fmt: skip
    rc, out, _ = cli("library", "label", "delete", "style", "Impressionism", "--json", *lib)
    assert rc == 0 and json.loads(out) == {"field": "style", "label": "Impressionism", "images": PER_PAINTER}
    assert "no image has the style" in one_sentence_error(*cli("library", "label", "delete", "style", "Nope", *lib)[::2])
    assert "unknown label field 'colour'" in one_sentence_error(*cli("library", "label", "delete", "colour", "red", *lib)[::2])
    assert "unknown label field" in one_sentence_error(*cli("library", "label", "suggest", "--field", "size", *lib)[::2])
    assert "empty" in one_sentence_error(*cli("library", "label", "rename", "artist", "Renoir", "", *lib)[::2])

    rc, out, _ = cli("library", "label", "suggest", "--apply", "--json", *lib)
    assert rc == 0 and len(json.loads(out)) == len(KAGGLE_NAMES) - 2  # Monet merged, Degas renamed already
    rc, out, _ = cli("library", "label", "suggest", "--json", *lib)
    assert json.loads(out) == []


def test_cli_remove(mixed):
    lib = ["--library", mixed.root]
    shas = [r["sha256"] for r in mixed.records("artist", "Renoir")[:3]]
    rc, out, _ = cli("library", "remove", shas[0], shas[1][:8], "--json", *lib)
    assert rc == 0
    assert json.loads(out) == {"images": 2, "rows": {}, "files": 4}
    assert mixed.label_counts("artist")["Renoir"] == 8
    assert "no image in the library" in one_sentence_error(*cli("library", "remove", shas[0], *lib)[::2])
    assert "first 8" in one_sentence_error(*cli("library", "remove", shas[2][:7], *lib)[::2])
    assert mixed.label_counts("artist")["Renoir"] == 8  # a bad hash removes nothing, not even the good ones


def test_cli_errors_exit_2_in_a_real_process(mixed):
    proc = subprocess.run([sys.executable, "-m", "artcore", "library", "label", "rename", "artist", "Nobody", "X",
                           "--library", str(mixed.root)], capture_output=True, text=True)  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("artcore: no image has the artist 'Nobody'") and "Traceback" not in proc.stderr


# ---------------------------------------------------------------- the Library page


def page(monkeypatch, root: Path) -> AppTest:
    monkeypatch.setenv("ARTCORE_HOME", str(root))
    at = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=120).run()
    at.switch_page("pages/library.py").run()
    assert not at.exception
    return at


def test_page_merges_a_proposed_pair(monkeypatch, mixed, kaggle_tree):
    at = page(monkeypatch, mixed.root)
    # A Kaggle import (again: nothing new) points at the proposals.
    at.text_input(key="folder_path").input(str(kaggle_tree)).run()
    assert any("Kaggle “Best Artworks” layout" in c.value for c in at.caption)
    assert at.radio(key="folder_meaning_artist").disabled
    at = settle(at.button(key="folder_go").click().run())
    assert not at.exception
    assert any("merge them at the top of the page" in i.value for i in at.info)
    assert any("Same name, written two ways" in s.value for s in at.subheader)
    at.button(key="merge_artist_Monet_Claude Monet").click().run()
    assert not at.exception
    assert any("Merged “Monet” into “Claude Monet”" in s.value for s in at.success)
    counts = mixed.label_counts("artist")
    assert "Monet" not in counts and counts["Claude Monet"] == 10 + PER_PAINTER
    keys = {b.key for b in at.button}
    assert "merge_artist_Monet_Claude Monet" not in keys and "merge_artist_VanGogh_Vincent van Gogh" in keys
    at.button(key="merge_all").click().run()
    assert not at.exception
    assert mixed.proposed_merges() == [] and not any("Same name" in s.value for s in at.subheader)


def test_page_fixes_labels_and_removes_images(monkeypatch, mixed):
    at = page(monkeypatch, mixed.root)
    at.selectbox(key="fix_label").set_value("Hassam").run()
    at.text_input(key="fix_new").input("Childe Hassam").run()
    at.button(key="fix_rename").click().run()
    assert not at.exception
    assert mixed.label_counts("artist")["Childe Hassam"] == 10
    assert any("Renamed “Hassam” to “Childe Hassam”" in s.value for s in at.success)

    at.selectbox(key="fix_label").set_value("Sargent").run()
    assert at.button(key="fix_delete").disabled
    at.checkbox(key="fix_sure_artist_Sargent").check().run()
    at.button(key="fix_delete").click().run()
    assert not at.exception and "Sargent" not in mixed.label_counts("artist") and mixed.count() == 100 + 3 * PER_PAINTER

    pick = next(m for m in at.multiselect if m.key.startswith("remove_pick_"))
    gone = mixed.records()[:2]  # the first two in the grid
    at.multiselect(key=pick.key).set_value([r["sha256"] for r in gone]).run()
    assert at.button(key="remove_go").disabled  # not without the tick
    at.checkbox(key=f"{pick.key}_sure").check().run()
    at.button(key="remove_go").click().run()
    assert not at.exception
    assert any("Removed 2 images" in s.value for s in at.success)
    assert mixed.count() == 98 + 3 * PER_PAINTER and not any(Path(r["path"]).exists() for r in gone)


def test_page_detects_genre_folders(monkeypatch, tmp_path, artdata):
    at = page(monkeypatch, tmp_path / "lib")
    at.text_input(key="folder_path").input(str(artdata / "genre4")).run()
    assert not at.exception
    assert at.radio(key="folder_meaning_genre").value == "genre"
    assert any(c.value == "detected: genres" for c in at.caption)
    at.text_input(key="folder_path").input(str(artdata / "artist10")).run()
    assert at.radio(key="folder_meaning_artist").value == "artist"
    assert any(c.value == "detected: artists" for c in at.caption)
