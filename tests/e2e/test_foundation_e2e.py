"""A new user in real headless Chromium: import artist10 through the Library page, then read the EDA."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_import_through_ui_then_explore(open_page, shot, artdata, app_library):
    page = open_page("/library")
    folder = page.get_by_role("textbox", name="Folder")
    folder.fill(str(artdata / "artist10"))
    folder.press("Enter")
    open_page.wait()
    page.get_by_text("artist", exact=True).first.click()  # sub-folder names are artists
    page.get_by_role("button", name="Import folder").click()
    page.get_by_text("Added 100 pictures.").last.wait_for(timeout=240_000)  # the first is in the sidebar panel
    open_page.wait()
    shot(page, "library-import")
    assert app_library.label_counts("artist")["Monet"] == 10

    page.get_by_role("tab", name="Browse").click()
    page.locator("[data-testid=stHtml] img").nth(20).wait_for()  # the page's contact sheet
    assert page.locator("[data-testid=stHtml] img").count() >= 48
    shot(page, "library-browse")

    page = open_page("/explore")
    page.locator("[data-testid=stMarkdown] svg circle").nth(9).wait_for()  # a dot per painter: light and colour
    assert page.locator("[data-testid=stMarkdown] svg [data-label=Monet]").count() == 2  # and a row of colours each
    page.get_by_text("Advanced", exact=True).click()  # sizes, shapes and the brightness/saturation spread
    page.locator(".js-plotly-plot .main-svg").nth(3).wait_for()
    assert page.locator("[data-testid=stPlotlyChart]").count() == 4  # equal counts and one file type: no chart
    assert page.get_by_text("Each artist: its palette and a few pictures").is_visible()
    assert page.get_by_text("VanGogh").first.is_visible()
    shot(page, "explore")


def test_upload_many_files(open_page, shot, broken_folder, app_library):
    page = open_page("/library")
    folder = broken_folder["root"] / "Monet"
    files = [folder / n for n in ("plain.jpg", "palette.png", "notes.png")]
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files([str(f) for f in files])
    page.get_by_text("notes.png").wait_for()
    artist = page.get_by_role("textbox", name="Artist (optional)")
    artist.fill("Claude Monet")
    artist.press("Enter")
    open_page.wait()
    page.get_by_role("button", name="Add to library").click()
    page.get_by_text("could not be imported").wait_for()
    open_page.wait()
    shot(page, "library-upload")
    assert {s["file"]: s["reason"] for s in app_library.skipped()}["notes.png"] == "not an image (unrecognised format)"
    assert app_library.label_counts("artist").get("Claude Monet") == 2


def test_home_links_every_page(open_page, shot):
    page = open_page("/")
    for name in ("Library", "Explore"):
        assert page.locator("[data-testid=stSidebarNav]").get_by_text(name, exact=True).is_visible()
    shot(page, "home")
