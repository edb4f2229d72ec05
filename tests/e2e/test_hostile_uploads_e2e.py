"""Awkward files in real headless Chromium: a valid panorama and a text file renamed .jpg, uploaded on the Style studio
and "Which artist?" pages. The panorama is used like any picture; the text file gets one plain sentence. Never a
traceback, never an exception box."""

from __future__ import annotations

import pytest
from hostile import uploads

pytestmark = pytest.mark.e2e


def _upload(page, index: int, which: str) -> str:
    name, data, mime = uploads()[which]
    page.locator("[data-testid=stFileUploaderDropzoneInput]").nth(index).set_input_files(
        {"name": name, "mimeType": mime, "buffer": data}
    )
    return name


def _no_traceback(page) -> None:
    assert page.locator("[data-testid=stException]").count() == 0
    assert "Traceback" not in page.locator("[data-testid=stApp]").inner_text()
    for alert in page.locator("[data-testid=stAlert]").all_inner_texts():
        assert "/" not in alert and "Error" not in alert, alert  # no server path, no exception name


def _alert(page, words: str) -> str:
    """The text of the alert saying ``words`` (without its icon's name)."""
    alert = page.locator("[data-testid=stAlert]").filter(has_text=words).first
    alert.wait_for()
    return alert.locator("[data-testid=stMarkdownContainer]").inner_text().strip()


def test_style_studio_panorama_and_text_file(open_page, shot):
    page = open_page("/style")  # an empty library: the content comes from an upload
    _upload(page, 0, "panorama-1024x240")
    page.get_by_text("1024×240 px").wait_for()
    open_page.wait()
    page.locator("[data-testid=stImage] img").nth(26).wait_for()  # the picture and all 26 built-ins on it
    open_page.wait()
    _no_traceback(page)
    assert page.locator("[data-testid=stAlert]").filter(has_text="too small").count() == 0
    shot(page, "hostile-style-panorama")

    # Stylize the panorama with a built-in style at a small size: a 256×60 px result, not an error.
    from artcore.style import builtin_label

    picker = page.locator("[data-testid=stMultiSelect] input").first
    picker.click()
    picker.fill("Brushstrokes")  # typing renders the option in the virtualised list; then click it
    page.get_by_role("option", name=builtin_label(3), exact=True).click()
    page.keyboard.press("Escape")
    open_page.wait()
    size = page.get_by_role("spinbutton", name="Output size (longer side, px)")
    size.fill("256")
    size.press("Enter")
    open_page.wait()
    page.get_by_role("button", name="Stylize").click()
    page.get_by_text("Result: 256×60 px").wait_for(timeout=120_000)
    open_page.wait()
    _no_traceback(page)
    shot(page, "hostile-style-panorama-result")

    name = _upload(page, 0, "text-as-jpg")  # replaces the content picture
    said = _alert(page, "cannot be read as a picture")
    open_page.wait()
    assert said.startswith(f"“{name}” cannot be read as a picture")
    assert said.endswith("upload a JPEG, PNG or WebP image.")
    _no_traceback(page)
    shot(page, "hostile-style-text-file")


def test_which_artist_panorama_and_text_file(open_page, shot):
    page = open_page("/resemble")
    _upload(page, 0, "panorama-4000x300")
    page.get_by_text("Looks like:").wait_for(timeout=120_000)
    open_page.wait()
    _no_traceback(page)
    assert page.locator("[data-testid=stAlert]").filter(has_text="cannot").count() == 0
    shot(page, "hostile-which-artist-panorama")

    name = _upload(page, 0, "text-as-jpg")
    said = _alert(page, "cannot be read as a picture")
    open_page.wait()
    assert said.startswith(f"“{name}” cannot be read") and said.endswith("upload a JPEG, PNG or WebP image.")
    assert page.get_by_text("Looks like:").count() == 0
    _no_traceback(page)
    shot(page, "hostile-which-artist-text-file")
