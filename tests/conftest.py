"""Shared fixtures: real art data, temporary libraries, a live app and a real headless Chromium."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from artcore.config import PROJECT_ROOT, SHARED_ARTDATA
from artcore.library import Library

CHROMIUM = "/usr/bin/chromium"
# Closed network: without these Chromium keeps trying (and failing) to reach Google's hosts.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
# Chromium's fake camera (a moving test pattern), allowed without a permission prompt.
FAKE_CAMERA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
SCREENSHOTS = PROJECT_ROOT / "out" / "screenshots"


@pytest.fixture(scope="session")
def artdata() -> Path:
    """``../shared/artdata`` (real paintings with provenance); tests that need it skip when it is absent."""
    if not (SHARED_ARTDATA / "manifest.csv").is_file():
        pytest.skip(f"shared art data not found at {SHARED_ARTDATA} (CI always has it)")
    return SHARED_ARTDATA


@pytest.fixture
def tmp_library(tmp_path) -> Library:
    return Library(tmp_path / "library")


@pytest.fixture(scope="session")
def artist10_library(artdata, tmp_path_factory) -> Library:
    """A library holding ``artist10`` (10 impressionists × 10), imported once per test session."""
    lib = Library(tmp_path_factory.mktemp("artist10") / "library")
    lib.import_path(artdata / "artist10", label_from="parent", label_field="artist")
    return lib


@pytest.fixture(scope="session")
def local_ray():
    """One local Ray cluster on 2 CPUs shared by the tests that need it (starting one takes seconds)."""
    ray = pytest.importorskip("ray", reason="Ray is in requirements.txt; run `make deps`")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, runtime_env={"env_vars": {
        "PYTHONPATH": str(PROJECT_ROOT)}})  # fmt: skip
    yield ray
    ray.shutdown()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_library(tmp_path_factory) -> Library:
    """The (initially empty) library the live test app serves; one per test module, so modules never see
    each other's images."""
    return Library(tmp_path_factory.mktemp("app") / "library")


@contextlib.contextmanager
def serve_app(command: list[str], port: int, home: Path, **env: str) -> Iterator[str]:
    """Run ``command`` (the app, listening on loopback ``port``) from the project root with ``ARTCORE_HOME=home``
    and ``env`` added, its output in ``home/streamlit.log``; yield its URL once ``/_stcore/health`` answers, and
    stop it afterwards."""
    env = {**os.environ, "ARTCORE_HOME": str(home), **env}
    log = open(home / "streamlit.log", "w")  # noqa: SIM115 - open for as long as the app runs
    proc = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("the app did not start: " + (home / "streamlit.log").read_text()[-2000:])
            time.sleep(0.3)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


@pytest.fixture(scope="module")
def app_url(app_library) -> str:
    """A real ``streamlit run`` of the app on a free loopback port, serving ``app_library``."""
    port = _free_port()
    # Video renders resume from segments kept by clip and settings: each live app gets its own folder for them, so
    # a render another run left half-done (a killed test run) is never picked up.
    with serve_app([sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "streamlit_app.py"),
                    "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
                    "--browser.gatherUsageStats", "false"], port, app_library.root,
                   ARTCORE_VIDEO_JOBS=str(app_library.root.parent / "video-jobs")) as url:  # fmt: skip
        yield url


@pytest.fixture(scope="session")
def _browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (make system)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(_browser):
    """A fresh page (own context) in real headless Chromium, 1400×1000."""
    context = _browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


@pytest.fixture
def camera_page(_browser):
    """A second Chromium, with a fake camera that needs no permission prompt, from the session's Playwright."""
    browser = _browser.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + FAKE_CAMERA)
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, permissions=["camera"])
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    browser.close()


def wait_for_app(page) -> None:
    """Wait until Streamlit has finished running the page's script."""
    # A click or an Enter only asks for a rerun; give it a moment to start, or "not running" is the old state.
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=180_000)


@pytest.fixture
def open_page(browser_page, app_url):
    """``open_page("/explore")``: load a page of the live app and wait until its script has run."""

    def go(path: str = "/"):
        browser_page.goto(app_url + path)
        wait_for_app(browser_page)
        return browser_page

    go.wait = lambda: wait_for_app(browser_page)
    return go


@pytest.fixture
def shot():
    """``shot(page, name)``: save a full screenshot to out/screenshots/NAME.png for a person to look at."""

    def take(page, name: str, height: int = 2400) -> Path:
        # Streamlit scrolls inside its own container, so a full-page shot needs a tall window.
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        size = page.viewport_size
        page.set_viewport_size({"width": size["width"], "height": height})
        page.wait_for_timeout(500)
        page.screenshot(path=str(path), full_page=True)
        page.set_viewport_size(size)
        return path

    return take


@pytest.fixture
def server():
    """A loopback HTTP server (pytest-httpserver) for the collectors' fake Flickr and Pinterest."""
    from collect_fakes import start_server

    s = start_server()
    yield s
    s.clear()
    s.stop()


@pytest.fixture(scope="session")
def broken_folder(tmp_path_factory, artdata) -> dict:
    """A folder of awkward files built from a real painting; returns {"root": Path, "good": {...}, "bad": {...}}.

    ``good`` maps file name → displayed (width, height); ``bad`` maps file name → a word its skip reason contains.
    """
    import numpy as np
    from PIL import Image

    root = tmp_path_factory.mktemp("broken") / "Monet"
    root.mkdir()
    painting = Image.open(next((artdata / "artist10" / "Monet").glob("*.jpg"))).convert("RGB")
    painting.thumbnail((300, 300))
    w, h = painting.size
    good, bad = {}, {}

    painting.save(root / "plain.jpg", quality=90)
    good["plain.jpg"] = (w, h)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° when displayed
    painting.save(root / "rotated.jpg", exif=exif.tobytes())
    good["rotated.jpg"] = (h, w)
    painting.convert("CMYK").save(root / "cmyk.jpg")
    good["cmyk.jpg"] = (w, h)
    grey16 = Image.fromarray(np.asarray(painting.convert("L"), dtype="<u2") * 257)
    assert grey16.mode.startswith("I;16")
    grey16.save(root / "grey16.png")
    good["grey16.png"] = (w, h)
    pal = painting.convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
    pal.info["transparency"] = 0
    pal.save(root / "palette.png", transparency=0)
    good["palette.png"] = (w, h)
    rgba = painting.convert("RGBA")
    rgba.putalpha(128)
    rgba.save(root / "alpha.png")
    good["alpha.png"] = (w, h)
    painting.save(root / "animated.gif", save_all=True, append_images=[painting.rotate(10)])
    good["animated.gif"] = (w, h)

    (root / "empty.jpg").write_bytes(b"")
    bad["empty.jpg"] = "empty"
    (root / "notes.png").write_text("these are my notes, not a picture")
    bad["notes.png"] = "not an image"
    data = (root / "plain.jpg").read_bytes()
    (root / "truncated.jpg").write_bytes(data[: len(data) // 2])
    bad["truncated.jpg"] = "truncated"
    (root / "garbage.jpg").write_bytes(data[:200] + bytes(range(256)) * 40)
    bad["garbage.jpg"] = "corrupt"
    Image.new("1", (12_000, 12_000)).save(root / "bomb.png")
    bad["bomb.png"] = "decompression bomb"
    (root / "readme.txt").write_text("not an image name: ignored")
    return {"root": root.parent, "good": good, "bad": bad}

