"""Style studio in real headless Chromium: upload, built-in and painting styles, compare slider, download, contact
sheet, Gatys with live preview, the session gallery."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e


def _upload(page, index: int, path) -> None:
    page.locator("[data-testid=stFileUploaderDropzoneInput]").nth(index).set_input_files(str(path))


def test_style_studio(open_page, shot, artdata):
    page = open_page("/style")
    page.get_by_text("Upload", exact=True).first.click()
    open_page.wait()
    _upload(page, 0, artdata / "photos" / "tubingen.jpg")
    page.get_by_text("1024×768 px").wait_for()
    open_page.wait()

    # A painting blended with a built-in style, colours preserved, at 800 px
    _upload(page, 1, artdata / "styles" / "vangogh_starry_night.jpg")
    page.get_by_text("night.jpg").first.wait_for()  # the uploader shows the name shortened: vangogh…_night.jpg
    open_page.wait()
    page.locator("[data-testid=stImage] img").nth(20).wait_for()  # the built-ins gallery, rendered on the photo
    open_page.wait()
    picker = page.locator("[data-testid=stMultiSelect] input").first
    picker.click()
    picker.fill("builtin:7")  # typing filters the (virtualised) list, so the option is rendered; then click it
    page.get_by_role("option", name="builtin:7", exact=True).click()
    page.keyboard.press("Escape")
    open_page.wait()
    page.get_by_text("builtin:7", exact=True).first.wait_for()
    size = page.get_by_role("spinbutton", name="Output size (longer side, px)")
    size.fill("800")
    size.press("Enter")
    open_page.wait()
    page.get_by_text("Preserve colours").click()
    open_page.wait()
    page.get_by_role("button", name="Stylize").click()
    page.get_by_text("Result: 800×600 px").wait_for(timeout=120_000)
    open_page.wait()
    frame = page.frame_locator("iframe").first
    frame.locator("#pos").fill("20")  # the compare slider wipes: 20 % before, 80 % after
    assert "80%" in frame.locator("#clip").get_attribute("style")
    assert page.get_by_role("button", name="Download full-resolution PNG").is_visible()
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download full-resolution PNG").click()
    path = dl.value.path()
    from PIL import Image

    assert Image.open(path).size == (800, 600)
    shot(page, "style-fast", height=3200)

    # Contact sheet of all built-in styles
    page.get_by_role("tab", name="All built-in styles").click()
    page.get_by_role("button", name="Make contact sheet").click()
    page.get_by_role("button", name="Download contact sheet").wait_for(timeout=120_000)
    open_page.wait()
    shot(page, "style-contact-sheet", height=2400)

    # Gatys with a live preview
    page.get_by_role("tab", name="Classic (Gatys)").click()
    _upload(page, 2, artdata / "styles" / "hokusai_great_wave.jpg")
    open_page.wait()
    page.get_by_role("tab", name="Classic (Gatys)").click()
    page.get_by_role("button", name="Run Gatys").click()
    # Live progress; any step will do, since the browser may skip intermediate updates.
    page.get_by_text(re.compile(r"Step \d+/60")).first.wait_for(timeout=120_000)
    page.get_by_role("button", name="Download PNG").wait_for(timeout=240_000)
    open_page.wait()
    shot(page, "style-gatys", height=3200)
    assert page.get_by_text("This session's results").is_visible()
    assert page.get_by_text("Gatys · hokusai_great_wave.jpg").first.is_visible()
