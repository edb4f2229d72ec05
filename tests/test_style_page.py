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
    for f in sorted((artdata / "artist10" / "Monet").glob("*.jpg"))[:7]:
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


def test_a_painters_style_shows_its_paintings_and_some_can_be_left_out(page, style_library):
    at = page
    at.multiselect(key="artists").select("Monet").run()
    at.toggle(key="artists_see_Monet").set_value(True).run()
    assert not at.exception
    assert any(c.value.startswith("Taken from 6 of Monet's 7 works, most typical first") for c in at.caption)
    leave = [b for b in at.button if b.label == "Leave out"]
    assert len(leave) == 6
    first = leave[0].key
    leave[0].click().run()
    assert not at.exception
    assert any("1 left out by you" in c.value for c in at.caption)
    assert first not in {b.key for b in at.button}
    assert len(at.session_state["artists_out_Monet"]) == 1
    at.button(key="artists_out_Monet_reset").click().run()
    assert "artists_out_Monet" not in at.session_state


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


def test_gallery_of_named_builtins_chooses_by_click(page):
    """The ready-made styles are named by painting and painter, each previewed on the picture with a button."""
    from artcore.style import NUM_BUILTIN, builtin_label

    at = page
    _pick_sailboat(at)
    picker = at.multiselect(key="builtins")
    assert picker.options == [builtin_label(i) for i in range(NUM_BUILTIN)]
    assert not any("builtin:" in o for o in picker.options)
    buttons = [b for b in at.button if (b.key or "").startswith("b_use_")]
    assert len(buttons) == NUM_BUILTIN and {b.label for b in buttons} == {"Use this style"}
    assert any("**The Starry Night**" in m.value and "Vincent van Gogh" in m.value for m in at.markdown)
    assert len(at.get("image")) >= 1 + NUM_BUILTIN  # the content picture and a preview of each style on it
    at.button(key="b_use_19").click().run()
    assert not at.exception
    assert at.multiselect(key="builtins").value == [19]
    assert at.button(key="b_use_19").label == "✓ Chosen"
    at.button(key="b_use_23").click().run()
    assert at.multiselect(key="builtins").value == [19, 23]
    assert {s.label for s in at.slider if s.key.startswith("w_")} == {"Weight: The Starry Night", "Weight: Udnie"}
    at.button(key="b_use_19").click().run()  # a second click leaves it out again
    assert at.multiselect(key="builtins").value == [23] and at.button(key="b_use_19").label == "Use this style"
