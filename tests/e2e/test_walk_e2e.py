"""One scripted walk through every page of the app in real headless Chromium, in the sidebar's order (``PAGES``).

Each page is opened on a small library (three paintings by each of the ten artist10 painters), shot full-page in
its normal state (out/screenshots/walk-<page>.png), then its first file uploader, where it has one, is fed every
hostile upload in turn (tests/hostile.py: panoramas, 1×1 and 8×8 pictures, a 16-bit PNG, a CMYK JPEG, a text file
renamed .jpg). After each: no exception box, and no traceback, apology or server path on the page, which still shows
its title. Every page is walked even when one fails; the failure lists them all. Uploads only: no button that starts
expensive work is pressed."""

from __future__ import annotations

import re
import time

import pytest
from conftest import wait_for_app
from hostile import uploads
from test_hostile_uploads_e2e import _no_traceback, _upload

from artcore.config import PROJECT_ROOT
from artcore.guard import apology
from artcore.home import PAGES

pytestmark = pytest.mark.e2e

PER_PAINTER = 3  # of each artist10 painter: 30 pictures, few enough for the map to read them while it draws
# The one uploader that takes no pictures: a picture reaches the server there only renamed (as in
# tests/test_hostile_uploads.py); as .jpg the browser refuses it itself, before any page code runs.
RENAME = {"pages/video.py": ".mp4"}
APOLOGY = apology("X").split("(")[0].strip()  # "Sorry — something went wrong on our side"


@pytest.fixture
def walk_library(app_library, artdata):
    """The live app's library: three paintings by each of ten painters (enough for the map and for suggestions)."""
    for folder in sorted(p for p in (artdata / "artist10").iterdir() if p.is_dir()):
        for p in sorted(folder.glob("*.jpg"))[:PER_PAINTER]:
            app_library.add_bytes(p.read_bytes(), source="folder", original=str(p), artist=folder.name)
    return app_library


def title_of(path: str) -> str:
    """The page's ``st.title``, read from its file, so the walk follows the pages as they change."""
    return re.search(r'st\.title\("([^"]+)"\)', (PROJECT_ROOT / path).read_text()).group(1)


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def full_height(page) -> int:
    """The window height that shows the whole page: Streamlit scrolls inside its main container."""
    return (
        page.evaluate(
            "Math.max(...['stMain', 'stSidebarContent'].map(id => "
            "document.querySelector(`[data-testid=${id}]`)?.scrollHeight || 0))"
        )
        + 40
    )


def prepare(page, path: str) -> None:
    """What a painter does before using the page's first uploader: the Style studio's content from an upload (a
    library picture is chosen by default); Generate's "Find your picture" tab, where that uploader is."""
    if path == "pages/style.py":
        page.get_by_text("Upload", exact=True).first.click()
    elif path == "pages/generate.py":
        page.get_by_role("tab", name="Find your picture").click()
    wait_for_app(page)


def check(page, title: str, forbidden: list[str]) -> None:
    """No exception box, and no traceback, apology or server path in what the page shows; its title still shows."""
    _no_traceback(page)
    text = page.locator("[data-testid=stApp]").inner_text()
    for word in ["Traceback", "site-packages", "/work/", APOLOGY, *forbidden]:
        assert word not in text, (
            f"the page shows {word!r}: …{text[max(0, text.find(word) - 200) : text.find(word) + 200]}…"
        )
    assert page.locator("h1").filter(has_text=title).first.is_visible(), f"the title {title!r} is gone"


def upload(page, which: str, suffix: str | None) -> str:
    """Put hostile file ``which`` alone in the page's first uploader and wait until the page has run on it."""
    uploader = page.locator("[data-testid=stFileUploader]").first
    chips = uploader.locator("[data-testid=stFileChip]")
    if chips.count() and uploader.locator("input").get_attribute("multiple") is not None:
        for _ in range(chips.count()):  # a many-files uploader keeps adding: one file at a time
            chips.first.locator("[data-testid=stFileChipDeleteBtn] button").click()
        wait_for_app(page)
    if suffix:
        name, data, mime = uploads()[which]
        name = name.rsplit(".", 1)[0] + suffix
        page.locator("[data-testid=stFileUploaderDropzoneInput]").first.set_input_files(
            {"name": name, "mimeType": "video/mp4", "buffer": data}
        )
    else:
        name = _upload(page, 0, which)
    chip = uploader.locator("[data-testid=stFileChip]").filter(has_text=name)
    chip.wait_for(state="attached")
    chip.locator("[data-testid=stFileChipIconSpinner]").wait_for(state="detached")
    wait_for_app(page)
    return name


def test_walk_every_page(open_page, shot, walk_library):
    forbidden = [str(PROJECT_ROOT), str(walk_library.root)]
    problems: list[str] = []
    timings: dict[str, float] = {}
    for path, nav_title, _, _ in PAGES:
        start = time.monotonic()
        title = title_of(path)
        name = slug(nav_title)
        url = "/" if path == PAGES[0][0] else "/" + path.rsplit("/", 1)[-1].removesuffix(".py")
        page = open_page(url)
        page.locator("h1").filter(has_text=title).first.wait_for()
        wait_for_app(page)  # pages that compute first (the map, the style gallery) rerun while they draw
        try:
            check(page, title, forbidden)
        except AssertionError as exc:
            problems.append(f"{nav_title} on opening: {exc}")
        shot(page, f"walk-{name}", height=max(1000, full_height(page)))

        prepare(page, path)
        if page.locator("[data-testid=stFileUploaderDropzoneInput]").count():
            for which in uploads():
                try:
                    upload(page, which, RENAME.get(path))
                    check(page, title, forbidden)
                except AssertionError as exc:
                    problems.append(f"{nav_title}, upload {which}: {exc}")
                    shot(page, f"walk-{name}-{which}-FAILED")
        timings[nav_title] = time.monotonic() - start
    print("seconds per page:", {k: round(v) for k, v in timings.items()})
    assert not problems, "\n".join(problems)
