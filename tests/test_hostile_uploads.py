"""Every page that takes an upload, fed pictures a painter may well open: a panorama, a 1×1 image, a 16-bit PNG and a
text file renamed .jpg. No page may show an exception; a refused file gets one plain sentence and no server path."""

from __future__ import annotations

import types
import uuid

import pytest
from hostile import uploads
from streamlit.testing.v1 import AppTest

from artcore.config import PROJECT_ROOT
from artcore.library import Library

INPUTS = ["panorama-4000x300", "tiny-1x1", "png16", "text-as-jpg"]
REFUSED = {"tiny-1x1", "text-as-jpg"}  # what every picture-reading page turns down, in one sentence


@pytest.fixture(scope="module")
def libraries(tmp_path_factory, artdata) -> dict[str, Library]:
    """An empty library, and one of five Monets (enough for the map)."""
    root = tmp_path_factory.mktemp("hostile")
    five = Library(root / "five")
    for p in sorted((artdata / "artist10" / "Monet").glob("*.jpg"))[:5]:
        five.add_bytes(p.read_bytes(), source="folder", original=str(p), artist="Monet")
    return {"empty": Library(root / "empty"), "five": five, "cache": root / "cache"}


def open_app(monkeypatch, libraries, page: str, library: str = "empty") -> AppTest:
    """``page`` of the app serving one of ``libraries``; "new" is a library of its own (for the page that adds)."""
    root = libraries["cache"].parent / f"new-{uuid.uuid4().hex[:8]}" if library == "new" else libraries[library].root
    monkeypatch.setenv("ARTCORE_HOME", str(root))
    monkeypatch.setenv("ARTCORE_CACHE", str(libraries["cache"]))
    at = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=300).run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def stub_webrtc(monkeypatch) -> None:
    """The live page's camera component needs a real browser (tests/e2e); here it is a stand-in."""
    import streamlit_webrtc

    idle = types.SimpleNamespace(state=types.SimpleNamespace(playing=False))
    monkeypatch.setattr(streamlit_webrtc, "webrtc_streamer", lambda **kw: idle)


def upload(at: AppTest, key: str | None, which: str, suffix: str | None = None) -> AppTest:
    """Upload a hostile file; ``suffix`` renames it (the uploader, like the browser's file dialog, takes only the
    file types it lists)."""
    uploader = at.file_uploader(key=key) if key else at.file_uploader[0]
    name, data, mime = uploads()[which]
    if suffix:
        name = name.rsplit(".", 1)[0] + suffix
    return uploader.set_value((name, data, mime)).run()


def one_plain_sentence(at: AppTest) -> str:
    """The page's only error: one sentence, ending in a full stop, without any path."""
    errors = [e.value for e in at.error]
    assert len(errors) == 1, errors
    (text,) = errors
    assert text.endswith(".") and ". " not in text.rstrip("."), text
    assert "/" not in text and "\\" not in text and "Traceback" not in text, text
    return text


# page → (script, library, uploader key, what to do first)
PAGES = {
    "style-content": ("pages/style.py", "empty", "content_upload", None),
    "style-styles": ("pages/style.py", "empty", "style_uploads", "content"),
    "style-gatys": ("pages/style.py", "empty", "gatys_style", "content"),
    "which-artist": ("pages/resemble.py", "empty", "resemble_upload", None),
    "map": ("pages/map.py", "five", "map_upload", None),
    "generate-projection": ("pages/generate.py", "empty", "p_up", None),
    "generate-style-walk": ("pages/generate.py", "empty", "s_up", None),
    "library": ("pages/library.py", "new", None, None),
    "live-style": ("pages/live.py", "empty", "live_style_images", None),
    "video-clip": ("pages/video.py", "empty", "v_upload", None),
}


@pytest.mark.parametrize("which", INPUTS)
@pytest.mark.parametrize("where", list(PAGES))
def test_hostile_upload(monkeypatch, libraries, where, which):
    script, library, key, first = PAGES[where]
    if where == "live-style":
        stub_webrtc(monkeypatch)
    at = open_app(monkeypatch, libraries, script, library)
    if first == "content":  # a good content picture, so the style uploads are drawn
        at = upload(at, "content_upload", "png16")
        assert not at.exception and not at.error
    suffix = ".mp4" if where == "video-clip" else None  # a picture (or text) renamed to look like a clip
    at = upload(at, key, which, suffix)
    if where == "library":
        at = at.button(key="upload_go").click().run()
    elif where == "style-gatys":  # the classic method reads its style picture when run: a short run
        at.slider(key="g_steps").set_value(5).run()
        at.slider(key="g_size").set_value(128).run()
        at = at.button(key="g_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    name = uploads()[which][0]
    name = name.rsplit(".", 1)[0] + suffix if suffix else name

    if where == "library":  # the library keeps any picture it can decode and lists what it could not
        assert not at.error and "Added" in at.success[0].value
        skipped = [w.value for w in at.warning if "could not be imported" in w.value]
        assert bool(skipped) == (which == "text-as-jpg")
        return
    if where == "video-clip":  # a still picture or a text file is not a clip: one sentence naming the file
        text = one_plain_sentence(at)
        assert name in text and ("still picture" in text or "not a video" in text), text
        return
    if which not in REFUSED:
        assert not at.error, [e.value for e in at.error]
        if where == "which-artist":
            assert at.get("plotly_chart"), "no answer chart"
        elif where == "map":
            assert any(s.value == "Your image's nearest neighbours" for s in at.subheader)
        elif where == "style-gatys":
            assert at.session_state["gatys_result"][1].size[1] >= 32
        elif where == "style-content":
            assert [t.label for t in at.tabs][:2] == ["Fast style", "All built-in styles"]  # the studio opened
        return
    text = one_plain_sentence(at)
    if which == "text-as-jpg":
        assert "cannot be read as a picture" in text, text
    else:
        assert "only 1×1 pixels, too small" in text, text
    assert f"“{name}”" in text, text  # the sentence says which file it means


@pytest.mark.parametrize("which", ["panorama-1024x240", "panorama-4000x300"])
def test_style_studio_renders_a_panorama(monkeypatch, libraries, which):
    """The bug a painter met: a valid panorama broke the built-in styles gallery (a 96×23 px thumbnail)."""
    at = open_app(monkeypatch, libraries, "pages/style.py")
    at = at.radio(key="content_from").set_value("Upload").run()
    at = upload(at, "content_upload", which)
    assert not at.exception and not at.error, [e.value for e in at.exception or at.error]
    at.multiselect(key="builtins").select(3).run()
    at.number_input(key="size").set_value(256).run()
    at.button(key="go").click().run()
    assert not at.exception and not at.error, [e.value for e in at.exception or at.error]
    _, result = at.session_state["style_result"]
    w, h = (int(n) for n in which.split("-")[1].split("x"))
    assert min(result.size) >= 32 and abs(result.width / result.height - w / h) < 0.5  # same shape, never too thin
