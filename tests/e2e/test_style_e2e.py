"""Style studio in real headless Chromium: upload, built-in and painting styles, compare slider, download, contact
sheet, Gatys with live preview and Cancel, the session gallery, and a camera snapshot as the content."""

from __future__ import annotations

import re

import pytest
from conftest import wait_for_app
from playwright.sync_api import expect

from artcore.style import VIDEO_DEFAULT, builtin_label, builtin_title

pytestmark = pytest.mark.e2e


def choose_builtin(page, i: int) -> None:
    """Pick ready-made style ``i`` in the first multiselect by typing its title (the list is virtualised, so
    typing renders the option), then clicking the option, which reads "title — painter"."""
    picker = page.locator("[data-testid=stMultiSelect] input").first
    picker.click()
    picker.fill(builtin_title(i))
    page.get_by_role("option", name=builtin_label(i), exact=True).click()
    page.keyboard.press("Escape")


def _upload(page, index: int, path) -> None:
    page.locator("[data-testid=stFileUploaderDropzoneInput]").nth(index).set_input_files(str(path))


def _upload_photo(page, open_page, artdata) -> None:
    """Content from an upload: the Tübingen photograph."""
    page.get_by_text("Upload", exact=True).first.click()
    open_page.wait()
    _upload(page, 0, artdata / "photos" / "tubingen.jpg")
    page.get_by_text("1024×768 px").wait_for()
    open_page.wait()


def test_style_studio(open_page, shot, artdata):
    page = open_page("/style")
    _upload_photo(page, open_page, artdata)

    # A painting blended with a built-in style, colours preserved, at 800 px
    _upload(page, 1, artdata / "styles" / "vangogh_starry_night.jpg")
    page.get_by_text("night.jpg").first.wait_for()  # the uploader shows the name shortened: vangogh…_night.jpg
    open_page.wait()
    page.locator("[data-testid=stImage] img").nth(20).wait_for()  # the built-ins gallery, rendered on the photo
    open_page.wait()
    choose_builtin(page, 7)
    open_page.wait()
    page.get_by_text(builtin_label(7), exact=True).first.wait_for()
    size = page.get_by_role("spinbutton", name="Output size (longer side, px)")
    size.fill("800")
    size.press("Enter")
    open_page.wait()
    page.get_by_text("Keep the original colours").click()
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
    page.get_by_text(re.compile(r"step by step \(\d+ of 60")).first.wait_for(timeout=120_000)
    page.get_by_role("button", name="Download PNG").wait_for(timeout=240_000)
    open_page.wait()
    shot(page, "style-gatys", height=3200)
    assert page.get_by_text("This session's results").is_visible()
    assert page.get_by_text("Gatys · hokusai_great_wave.jpg").first.is_visible()


def test_builtin_gallery_named_and_clickable(open_page, shot, artdata):
    """The 26 ready-made styles painted on the photograph, large, each with its painting and painter and a button."""
    page = open_page("/style")
    _upload_photo(page, open_page, artdata)
    previews = page.locator("[data-testid=stExpander] [data-testid=stImage] img")
    previews.nth(25).wait_for(timeout=120_000)
    open_page.wait()
    assert previews.count() == 26
    widths = [previews.nth(i).bounding_box()["width"] for i in (0, 12, 25)]
    assert min(widths) >= 240, widths  # large enough to judge a style by
    card = page.locator("[data-testid=stColumn]").filter(has_text="The Starry Night")
    assert card.get_by_text("Vincent van Gogh").is_visible()
    assert page.get_by_text("builtin:").count() == 0  # no numbers anywhere
    card.get_by_role("button", name="Use this style").click()
    open_page.wait()
    assert card.get_by_role("button", name="✓ Chosen").is_visible()
    chosen = page.locator("[data-testid=stMultiSelect]").first
    assert builtin_label(19) in chosen.inner_text()
    page.get_by_role("heading", name="2 · Styles").scroll_into_view_if_needed()
    shot(page, "style-builtins-gallery", height=5000)


def test_gatys_cancel_keeps_the_picture_so_far(open_page, shot, artdata):
    page = open_page("/style")
    page.get_by_text("Upload", exact=True).first.click()
    open_page.wait()
    _upload(page, 0, artdata / "photos" / "golden_gate.jpg")
    open_page.wait()
    page.get_by_role("tab", name="Classic (Gatys)").click()
    _upload(page, 2, artdata / "styles" / "munch_the_scream.jpg")
    open_page.wait()
    page.get_by_role("tab", name="Classic (Gatys)").click()
    page.get_by_role("button", name="Run Gatys").click()
    page.get_by_text("step 10", exact=True).wait_for(timeout=180_000)  # the first live preview (every 10 steps)
    step = int(re.search(r"step by step \((\d+) of 60", page.get_by_text(re.compile(r"step by step \(\d+ of 60")).first.inner_text()).group(1))
    assert step < 60
    page.get_by_role("button", name="Cancel").click()
    open_page.wait()
    page.get_by_role("tab", name="Classic (Gatys)").click()
    # Stopped: no progress bar, no Cancel; the picture so far stays, with its download; it is not a finished result.
    page.get_by_role("button", name="Download PNG").wait_for()
    assert page.get_by_role("button", name="Cancel").count() == 0
    assert page.get_by_text(re.compile(r"step by step \(\d+ of 60")).count() == 0
    assert page.get_by_text("Gatys · munch_the_scream.jpg").count() == 0  # the gallery keeps finished runs only
    shot(page, "style-gatys-cancelled", height=2600)


def test_camera_snapshot_as_content(camera_page, app_url, shot):
    page = camera_page
    page.goto(app_url + "/style")
    wait_for_app(page)
    page.get_by_text("Camera", exact=True).first.click()
    wait_for_app(page)
    # Chromium's fake camera (a moving test pattern): wait until it streams, or the click takes nothing
    page.wait_for_function("() => [...document.querySelectorAll('video')].some(v => v.videoWidth > 0)",
                           timeout=60_000)  # fmt: skip
    page.get_by_role("button", name="Take Photo").click()
    caption = page.get_by_text(re.compile(r"^\d+×\d+ px$")).first
    caption.wait_for(timeout=60_000)
    wait_for_app(page)
    w, h = map(int, re.match(r"(\d+)×(\d+)", caption.inner_text()).groups())
    assert w >= 160 and h >= 120
    choose_builtin(page, VIDEO_DEFAULT)
    wait_for_app(page)
    longest = int(page.get_by_role("spinbutton", name="Output size (longer side, px)").input_value())
    assert longest == min(max(w, h), 1024)  # the default output size follows the snapshot
    page.get_by_role("button", name="Stylize").click()
    result = page.get_by_text(re.compile(r"Result: \d+×\d+ px"))
    result.wait_for(timeout=120_000)
    wait_for_app(page)
    rw, rh = map(int, re.search(r"(\d+)×(\d+)", result.inner_text()).groups())
    assert max(rw, rh) == longest and abs(rw / rh - w / h) < 0.01
    shot(page, "style-camera", height=2600)


def test_suggested_styles_open_in_the_studio(open_page, shot, artdata, app_library):
    app_library.import_path(artdata / "artist10", label_from="parent", label_field="artist")
    page = open_page("/style")
    _upload_photo(page, open_page, artdata)
    page.get_by_role("heading", name="Styles that suit this picture").wait_for()
    page.get_by_role("button", name="Suggest styles").click()
    # The first time reads the library's 100 paintings, then paints three previews, saying so as it goes.
    words = re.compile(r"^(Getting ready|Reading the library's|Comparing the picture|Painting your)")
    page.get_by_text(words).first.wait_for()
    shot(page, "style-suggestions-running", height=1400)
    opens = page.get_by_role("button", name="Open in the style studio")
    opens.nth(2).wait_for(timeout=300_000)
    open_page.wait()
    assert opens.count() == 3
    cards = page.locator("[data-testid=stColumn]").filter(has=opens)  # one painter per column
    painters = [cards.nth(i).locator("strong").first.inner_text() for i in range(3)]
    assert len(set(painters)) == 3 and all(p in {d.name for d in (artdata / "artist10").iterdir()} for p in painters)
    shot(page, "style-suggestions", height=2000)

    opens.nth(1).click()
    open_page.wait()
    # The studio opens again in a rerun of its own (a page switch): on a loaded machine it can still be on its way.
    expect(page.get_by_role("radio", name="Sent here")).to_be_checked(timeout=60_000)
    # The painter is chosen in the studio's "Library artists" picker (a chip "Degas (10)").
    chip = page.locator("[data-testid=stMultiSelect] span", has_text=f"{painters[1]} (")
    chip.first.wait_for()
    chip.first.scroll_into_view_if_needed()
    page.get_by_text("Your picture is the content").wait_for()  # a toast says what happened, what to do next
    page.get_by_role("heading", name="Style studio").scroll_into_view_if_needed()
    shot(page, "style-suggestion-opened", height=2000)
