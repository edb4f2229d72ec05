"""Styles that suit a picture: closest painters on real paintings, previews, the CLI contract, the style studio
receiving a picture and a painter's style."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from artcore import suggest
from artcore.config import PROJECT_ROOT
from artcore.errors import UserError
from artcore.imageio import open_image
from artcore.library import Library
from artcore.style.builtins import slug

PAINTERS = ("Monet", "VanGogh", "Renoir", "Matisse", "Gauguin")


@pytest.fixture(scope="module")
def held(artdata) -> dict:
    """One painting per painter kept out of the library: the last (by file name) of each of five painters."""
    return {p: sorted((artdata / "artist10" / p).glob("*.jpg"))[-1] for p in PAINTERS}


@pytest.fixture(scope="module")
def lib(artdata, held, tmp_path_factory) -> Library:
    """artist10 without the held-apart paintings (a tree of links, so nothing is copied)."""
    tree = tmp_path_factory.mktemp("artist10-held-apart")
    for f in sorted((artdata / "artist10").glob("*/*.jpg")):
        if f not in held.values():
            (tree / f.parent.name).mkdir(exist_ok=True)
            (tree / f.parent.name / f.name).symlink_to(f)
    library = Library(tmp_path_factory.mktemp("suggest") / "library")
    library.import_path(tree, label_from="parent", label_field="artist")
    assert library.count() == 100 - len(held)
    return library


def test_own_painter_is_among_the_closest_for_most_held_apart_paintings(lib, held):
    hits = {}
    for painter, path in held.items():
        found = suggest.closest_artists(path, lib)
        assert len(found) == 3 and len({label for label, _ in found}) == 3
        assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)
        hits[painter] = painter in [label for label, _ in found]
    assert sum(hits.values()) >= 3, hits


def test_a_library_work_does_not_count_itself(artist10_library, lib, held):
    """In the full library a held painting is a work of its own; its scores match the library without it."""
    path = held["Monet"]
    apart = dict(suggest.closest_artists(path, lib, k=10))
    for picture in (path, open_image(path)):  # by file hash, and a decoded picture (pixels compared)
        inside = dict(suggest.closest_artists(picture, artist10_library, k=10))
        assert abs(inside["Monet"] - apart["Monet"]) < 0.05, (inside, apart)


def test_previews_are_the_picture_in_each_painters_style(lib, artdata):
    photo = artdata / "photos" / "tubingen.jpg"  # 1024×768
    found = suggest.suggest_styles(photo, lib, k=2, size=96)
    assert [set(r) for r in found] == [{"label", "score", "preview"}] * 2
    small = np.asarray(open_image(photo).resize((96, 72)), np.float32)
    for r in found:
        assert r["preview"].size == (96, 72) and r["preview"].mode == "RGB"
        assert np.abs(np.asarray(r["preview"], np.float32) - small).mean() > 8  # restyled, not the photo


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "artcore", *map(str, args)], capture_output=True, text=True)


def test_cli_writes_previews_and_prints_the_json_contract(lib, held, tmp_path):
    picture = held["VanGogh"]
    proc = _cli("--library", lib.root, "suggest-styles", picture, "--k", "2", "--size", "80", "--out", tmp_path / "s",
                "--json")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert len(rows) == 2 and all(set(r) == {"label", "score", "preview"} for r in rows)
    assert rows[0]["score"] >= rows[1]["score"]
    for n, r in enumerate(rows, 1):
        path = tmp_path / "s" / f"{picture.stem}-{n}-{slug(r['label'])}.png"
        assert r["preview"] == str(path)
        with Image.open(path) as img:
            assert img.format == "PNG" and max(img.size) == 80


def test_a_library_without_painters_is_a_one_sentence_error(tmp_path, artdata):
    empty = Library(tmp_path / "empty")
    with pytest.raises(UserError, match="import paintings with artist names first"):
        suggest.closest_artists(artdata / "photos" / "tubingen.jpg", empty)
    proc = _cli("--library", empty.root, "suggest-styles", artdata / "photos" / "tubingen.jpg", "--out", tmp_path / "o")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip().count("\n") == 0 and "import paintings with artist names first" in proc.stderr
    assert not (tmp_path / "o").exists()


def test_slug():
    assert slug("Pierre-Auguste Renoir") == "pierre-auguste-renoir"
    assert slug("Albrecht Dürer") == "albrecht-durer"


# ---------------------------------------------------------------- the app


@pytest.fixture
def style_page(monkeypatch, lib) -> AppTest:
    monkeypatch.setenv("ARTCORE_HOME", str(lib.root))
    return AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=180).run()


def test_style_studio_takes_a_sent_picture_and_painter(style_page, artdata):
    at = style_page
    photo = open_image(artdata / "photos" / "sailboat.jpg")
    at.session_state["style_preset"] = {"image": photo, "style": "artist:Renoir"}
    at.switch_page("pages/style.py").run()
    assert not at.exception
    assert at.radio(key="content_from").value == "Sent here"
    assert at.multiselect(key="artists").value == ["Renoir"] and at.multiselect(key="builtins").value == []
    at.number_input(key="size").set_value(128).run()
    at.button(key="go").click().run()
    assert not at.exception and not at.error
    w, h = photo.size
    assert any(f"Result: 128×{round(128 * h / w)} px" in c.value for c in at.caption)  # the sent picture, styled
    assert at.session_state["style_gallery"][0][0] == "artist:Renoir"
    at.radio(key="content_from").set_value("Library").run()  # the sent picture stays one choice among others
    assert "Sent here" in at.radio(key="content_from").options and not at.exception


def test_suggest_then_open_in_the_style_studio(style_page):
    at = style_page
    at.switch_page("pages/style.py").run()
    box = at.selectbox(key="content_library")
    box.select(next(o for o in box.options if o.startswith("Monet"))).run()
    assert any(s.value == "Styles that suit this picture" for s in at.subheader)
    at.button(key="style_suggest_styles").click().run()
    assert not at.exception and not at.error
    _, _, found = at.session_state["style_suggested_styles"]
    assert len(found) == 3
    at.button(key="style_open_style_1").click().run()
    assert not at.exception
    assert at.radio(key="content_from").value == "Sent here"
    assert at.multiselect(key="artists").value == [found[1]["label"]]
