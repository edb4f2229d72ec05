"""The "Which artist?" and "Map" pages under streamlit.testing's AppTest, through the app's navigation."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from artcore.config import PROJECT_ROOT


@pytest.fixture
def small_library(tmp_path, artdata, monkeypatch):
    """Eight labelled paintings, a private embedding cache, and the app pointed at them."""
    from artcore.library import Library

    monkeypatch.setenv("ARTCORE_CACHE", str(tmp_path / "cache"))
    lib = Library(tmp_path / "lib")
    for artist in ("Monet", "VanGogh"):
        for p in sorted((artdata / "artist10" / artist).glob("*.jpg"))[:4]:
            lib.add_bytes(p.read_bytes(), source="folder", original=str(p), artist=artist)
    monkeypatch.setenv("ARTCORE_HOME", str(lib.root))
    return lib


def page(path: str) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=300).run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def test_resemble_trains_in_one_click_then_predicts(small_library):
    at = page("pages/resemble.py")
    assert any("No artist model yet" in i.value for i in at.info)
    at.button(key="resemble_train").click().run()
    assert not at.exception, at.exception
    assert any("only knows **2 artists**" in w.value for w in at.warning)
    pick = at.selectbox(key="resemble_pick")
    at = pick.set_value(small_library.records()[0]["sha256"]).run()
    assert not at.exception, at.exception
    assert at.get("plotly_chart"), "no top-5 chart"
    assert any(s.value == "Most similar works" for s in at.subheader)
    assert any("closest of 2 labels" in m.value for m in at.markdown)


def test_map_page_draws_the_library(small_library):
    at = page("pages/map.py")
    assert len(at.get("plotly_chart")) == 1
    assert any("8 images" in c.value for c in at.caption)
    at.selectbox(key="map_color").set_value("source").run()
    assert not at.exception


def test_map_page_on_an_empty_library(tmp_path, monkeypatch):
    monkeypatch.setenv("ARTCORE_HOME", str(tmp_path / "empty"))
    at = page("pages/map.py")
    assert any("needs at least 5 images" in i.value for i in at.info)
