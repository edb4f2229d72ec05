"""The Style studio page under AppTest: library content, built-in and artist styles, weights, errors, gallery."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from artcore.config import PROJECT_ROOT
from artcore.library import Library


@pytest.fixture(scope="module")
def style_library(tmp_path_factory, artdata) -> Library:
    lib = Library(tmp_path_factory.mktemp("style") / "library")
    photo = artdata / "photos" / "sailboat.jpg"
    lib.add_bytes(photo.read_bytes(), source="test", original=str(photo))
    for f in sorted((artdata / "artist10" / "Monet").glob("*.jpg"))[:2]:
        lib.add_bytes(f.read_bytes(), source="test", original=str(f), artist="Monet")
    return lib


@pytest.fixture
def page(monkeypatch, style_library) -> AppTest:
    monkeypatch.setenv("ARTCORE_HOME", str(style_library.root))
    at = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=180).run()
    at.switch_page("pages/style.py").run()
    assert not at.exception
    return at


def _pick_sailboat(at: AppTest) -> None:
    box = at.selectbox(key="content_library")
    box.select(next(o for o in box.options if "sailboat" in o)).run()


def test_builtin_blend_with_artist(page):
    at = page
    assert at.title[0].value == "Style studio"
    _pick_sailboat(at)
    at.multiselect(key="builtins").select(3).run()
    at.multiselect(key="artists").select("Monet").run()
    assert len([s for s in at.slider if s.key.startswith("w_")]) == 2
    at.number_input(key="size").set_value(256).run()
    at.checkbox(key="preserve").check().run()
    at.button(key="go").click().run()
    assert not at.exception and not at.error
    assert any("Result: 256×" in c.value for c in at.caption)
    assert len(at.session_state["style_gallery"]) == 1


def test_zero_weights_is_a_clear_error(page):
    at = page
    _pick_sailboat(at)
    at.multiselect(key="builtins").select(5).select(6).run()
    for slider in [s for s in at.slider if s.key.startswith("w_")]:
        slider.set_value(0.0).run()
    at.number_input(key="size").set_value(128).run()
    at.button(key="go").click().run()
    assert not at.exception
    assert "sum to zero" in at.error[0].value


def test_contact_sheet(page):
    at = page
    _pick_sailboat(at)
    at.button(key="sheet_go").click().run()
    assert not at.exception
    key, sheet = at.session_state["style_sheet"]
    assert sheet.width > 1000
