"""Video and Live camera pages in real headless Chromium: upload a clip with sound and get a stylised mp4 back;
a fake camera (Chromium's test pattern) streamed over WebRTC comes back stylised."""

from __future__ import annotations

import re

import pytest
from conftest import wait_for_app

from artcore import video

pytestmark = pytest.mark.e2e


def test_video_upload_render_download(open_page, shot, artdata, tmp_path):
    clip = video.pan_zoom_clip(
        artdata / "photos" / "golden_gate.jpg", tmp_path / "pan.mp4", seconds=1, fps=12, size=160
    )
    page = open_page("/video")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").first.set_input_files(str(clip))
    page.get_by_text("12 fps · 12 frames").wait_for()
    open_page.wait()
    page.get_by_role("button", name="Preview first frames").click()
    page.get_by_text("Preview: the first 12 frames").wait_for(timeout=120_000)
    open_page.wait()
    page.get_by_role("button", name="Render the whole clip").click()
    # It renders on the server as a background job: its progress shows where the result then appears.
    page.get_by_text(re.compile(r"12 frames, 160×120 px, 12 fps, with sound")).wait_for(timeout=300_000)
    open_page.wait()
    player = page.locator("[data-testid=stVideo]")
    player.wait_for()
    assert player.evaluate(
        "v => new Promise(r => v.readyState >= 1 ? r(v.duration) : "
        "v.addEventListener('loadedmetadata', () => r(v.duration)))"
    ) == pytest.approx(1.0, abs=0.1)
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download mp4").click()
    saved = tmp_path / "styled.mp4"
    dl.value.save_as(saved)
    info = video.probe(saved)
    assert (info.frames, float(info.fps), info.audio) == (12, 12.0, "aac")
    shot(page, "video_rendered")


def test_video_stop_then_resume(open_page, artdata, tmp_path, shot):
    clip = video.pan_zoom_clip(artdata / "photos" / "newyork.jpg", tmp_path / "long.mp4", seconds=8, fps=24, size=320)
    page = open_page("/video")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").first.set_input_files(str(clip))
    page.get_by_text("24 fps · 192 frames").wait_for()
    open_page.wait()
    page.get_by_role("button", name="Render the whole clip").click()
    # Stop once the first 48-frame segment is stored, well before the end (a click lands within a second).
    page.wait_for_function(
        """() => {
        const m = document.body.innerText.match(/frame by frame \\((\\d+) of 192/);
        return m && +m[1] >= 50;
    }""",
        timeout=180_000,
        polling=100,
    )
    page.locator("[data-testid=stMain]").get_by_role("button", name="Stop").click()  # the sidebar has one too
    page.get_by_text("the finished parts are kept, and rendering again carries on").wait_for(timeout=60_000)
    open_page.wait()
    page.get_by_role("button", name="Render the whole clip").click()
    # The resume starts after the last stored segment: frame 48, or a later one when a loaded machine was slow to stop.
    page.get_by_text(re.compile(r"192 frames, 320×202 px, 24 fps, with sound.*resumed at frame (48|96|144)")).wait_for(
        timeout=300_000
    )
    shot(page, "video_resumed")


def test_live_camera_frames_arrive_stylised(camera_page, app_url, shot):
    page = camera_page
    page.goto(app_url + "/live")
    wait_for_app(page)
    frame = page.frame_locator("iframe[title*='streamlit_webrtc']").first
    frame.get_by_role("button", name="START").click()
    # The stylised stream plays in the component's <video>: wait for real pictures, then for several frames.
    playing = "v => v.videoWidth > 0 && v.currentTime > 1"
    video_el = frame.locator("video").first
    video_el.wait_for()
    page.wait_for_function(
        """() => {
        const f = [...document.querySelectorAll('iframe')].find(i => (i.title || '').includes('streamlit_webrtc'));
        const v = f && f.contentDocument && f.contentDocument.querySelector('video');
        return v && v.videoWidth > 0 && v.currentTime > 1;
    }""",
        timeout=120_000,
    )
    assert video_el.evaluate(playing)
    stats = page.get_by_text(re.compile(r"pictures a second · \d+ frames painted · how much the style changes them"))
    for _ in range(120):  # the page refreshes these figures twice a second while the camera runs
        frames, change = map(int, re.search(r"(\d+) frames painted · how much the style changes them: (\d+)", stats.inner_text()).groups())
        if frames >= 10:
            break
        page.wait_for_timeout(500)
    assert frames >= 10 and change > 10  # frames went through the network and came back changed
    shot(page, "live_camera")
    page.get_by_role("button", name="Snapshot").click()
    page.get_by_text("Download snapshot (PNG)").wait_for(timeout=60_000)
    shot(page, "live_camera_snapshot")
