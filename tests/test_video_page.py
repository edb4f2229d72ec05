"""The Video and Live camera pages under AppTest: demo clip, preview, render with sound, GIF; live controls."""

from __future__ import annotations

import contextlib
import threading

import pytest
from jobwait import settle
from streamlit.testing.v1 import AppTest

from artcore.config import PROJECT_ROOT
from artcore.library import Library


@pytest.fixture(scope="module")
def video_library(tmp_path_factory, artdata) -> Library:
    lib = Library(tmp_path_factory.mktemp("video") / "library")
    for photo in (artdata / "photos" / "sailboat.jpg", sorted((artdata / "artist10" / "Monet").glob("*.jpg"))[0]):
        lib.add_bytes(photo.read_bytes(), source="test", original=str(photo))
    return lib


def ui_board():
    from artcore import config, jobs

    return jobs.board(config.library_dir())


@contextlib.contextmanager
def held_renders(monkeypatch):
    """Video jobs wait (in the server's worker) until ``release()``, so a test sees them running."""
    from artcore import jobs

    go, render = threading.Event(), jobs.TASKS["video"]

    def held(params, ctx):
        go.wait(120)
        return render(params, ctx)

    monkeypatch.setitem(jobs.TASKS, "video", held)
    try:
        yield go.set
    finally:
        go.set()


def _open(monkeypatch, lib, page, tmp_path) -> AppTest:
    monkeypatch.setenv("ARTCORE_HOME", str(lib.root))
    monkeypatch.setenv("ARTCORE_VIDEO_JOBS", str(tmp_path / "jobs"))
    at = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=240).run()
    at.switch_page(page).run()
    assert not at.exception
    return at


def test_video_page_demo_clip_preview_render_gif(monkeypatch, video_library, tmp_path):
    at = _open(monkeypatch, video_library, "pages/video.py", tmp_path)
    at.radio(key="v_from").set_value("Demo: pan over a library picture").run()
    assert not at.exception and not at.error
    assert any("24 fps" in c.value and "sound: aac" in c.value for c in at.caption)
    assert not [b for b in at.button if b.label == "Stop"]  # Stop only while a render runs
    from artcore.style import NUM_BUILTIN, VIDEO_DEFAULT, builtin_label

    styles = at.multiselect(key="v_builtins")  # by painting and painter, starting at the measured default
    assert styles.value == [VIDEO_DEFAULT] and styles.options == [builtin_label(i) for i in range(NUM_BUILTIN)]
    at.select_slider(key="v_size").set_value(320).run()
    at.button(key="v_preview").click().run()
    assert not at.exception and not at.error and at.session_state["v_preview_gif"][:3] == b"GIF"
    with held_renders(monkeypatch) as release:  # the render waits, so its progress is surely seen
        at.button(key="v_render").click().run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        assert any("Rendering the whole clip" in p.proto.text for p in at.get("progress")), "no progress shown"
        assert at.button(key="v_render").disabled and not at.success  # one render of a clip at a time
        release()
    at = settle(at)  # the render runs on the server; then the page shows its result
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "72 frames" in at.success[0].value and "with sound" in at.success[0].value
    assert not [b for b in at.button if b.label == "Stop"] and not at.info  # done: no Stop, no "Stopped"
    assert not at.get("progress")
    at.button(key="v_gif").click().run()
    assert not at.exception
    assert [b.label for b in at.get("download_button")] == ["Download mp4", "Download GIF"]


def test_video_render_stopped_says_it_carries_on(monkeypatch, video_library, tmp_path):
    at = _open(monkeypatch, video_library, "pages/video.py", tmp_path)
    at.radio(key="v_from").set_value("Demo: pan over a library picture").run()
    at.select_slider(key="v_size").set_value(320).run()
    at.slider(key="v_smooth").set_value(0.5).run()  # other settings than the test above: its own render
    with held_renders(monkeypatch) as release:
        at.button(key="v_render").click().run()
        (job,) = [j for j in ui_board().jobs() if j.kind == "video" and j.active]
        assert job.params["settings"] == {"size": 320, "smooth": 0.5, "strength": 1.0, "preserve_color": False}
        assert job.params["out"].endswith(".mp4") and job.params["sources"][0].startswith("builtin:")
        at.button(key=f"job_stop_{job.id}").click().run()  # Stop, beside the progress
        release()
    at = settle(at)
    assert not at.exception and not at.success and not at.get("progress")
    assert ui_board().get(job.id).status == "stopped"
    assert any("finished parts are kept" in i.value for i in at.info), [i.value for i in at.info]
    assert not at.button(key="v_render").disabled


def test_video_demo_picture_chosen_by_thumbnail_and_no_style(monkeypatch, video_library, tmp_path):
    at = _open(monkeypatch, video_library, "pages/video.py", tmp_path)
    assert not at.exception and at.get("file_uploader")  # waits for an upload
    at.radio(key="v_from").set_value("Demo: pan over a library picture").run()
    assert not at.exception
    shas = [r["sha256"] for r in video_library.records()]
    assert len(at.get("image")) == 2  # a thumbnail of each picture, each with its button
    assert [b.label for b in at.button if (b.key or "").startswith("v_use_")] == ["✓ Chosen", "Use this"]
    assert at.session_state["v_demo_pick"] == shas[0]
    at.button(key=f"v_use_{shas[1][:16]}").click().run()
    assert not at.exception and at.session_state["v_demo_pick"] == shas[1]
    assert [b.label for b in at.button if (b.key or "").startswith("v_use_")] == ["Use this", "✓ Chosen"]
    at.multiselect(key="v_builtins").set_value([]).run()
    assert not at.exception and any("Pick at least one style" in i.value for i in at.info)


def test_live_page_controls(monkeypatch, video_library, tmp_path):
    """The WebRTC component needs a real server and browser (tests/e2e/test_video_e2e.py); here it is stubbed."""
    import types

    import streamlit_webrtc

    calls = []
    monkeypatch.setattr(streamlit_webrtc, "webrtc_streamer", lambda **kw: calls.append(kw) or types.SimpleNamespace(
        state=types.SimpleNamespace(playing=False)))
    at = _open(monkeypatch, video_library, "pages/live.py", tmp_path)
    assert at.select_slider(key="live_side").value == 320
    from artcore.style import VIDEO_DEFAULT, builtin_label

    assert at.multiselect(key="live_builtins").value == [VIDEO_DEFAULT]
    assert builtin_label(VIDEO_DEFAULT) in at.multiselect(key="live_builtins").options
    assert calls[-1]["rtc_configuration"] == {"iceServers": []} and calls[-1]["video_frame_callback"]
    at.button(key="live_snap").click().run()
    assert not at.exception and "press START" in at.warning[0].value
    live = at.session_state["live_stylizer"]
    import numpy as np

    frame = np.full((480, 640, 3), 120, np.uint8)
    out = live.process(frame)
    assert out.shape == (240, 320, 3) and live.frames == 1 and live.change > 5
