"""The Translate page in real headless Chromium: an uploaded photo painted in a painter's manner with the
before/after slider, and a drawing made with the mouse on the canvas painted as a painter."""

from __future__ import annotations

import pytest
from tinytranslate import picture_folders, train_tiny

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def tiny_models(app_library, artdata, tmp_path_factory) -> None:
    """Tiny translators in the live app's library, as if trained on its Train tab."""
    folders = picture_folders(tmp_path_factory.mktemp("pictures"), artdata)
    for kind, name in (("unpaired", "tiny-photo"), ("sketch", "tiny-sketch")):
        train_tiny(app_library.root / "translate-runs" / name, kind, folders, steps=20)


def _tab(page):
    return page.locator("[role=tabpanel]:visible")


def _pick(page, open_page, label: str, option: str) -> None:
    """Choose ``option`` in the visible tab's selectbox labelled ``label``."""
    _tab(page).get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    open_page.wait()


def test_translate_photo_and_drawing(tiny_models, open_page, shot, artdata, tmp_path):
    page = open_page("/translate")
    page.get_by_role("heading", name="Translate").wait_for()

    # A photo painted in the tiny Monet's manner, compared with the slider, downloaded.
    _pick(page, open_page, "Model", "tiny-photo · trained here")
    _tab(page).locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(
        str(artdata / "photos" / "tubingen.jpg"))  # fmt: skip
    open_page.wait()
    page.get_by_role("button", name="Translate", exact=True).click()
    page.get_by_text("Your photo painted, 512×384 px").wait_for(timeout=120_000)
    open_page.wait()
    frame = page.frame_locator("iframe").first
    frame.locator("#pos").fill("30")
    assert "70%" in frame.locator("#clip").get_attribute("style")
    with page.expect_download() as dl:
        _tab(page).get_by_role("button", name="Download PNG").click()
    from PIL import Image

    assert Image.open(dl.value.path()).size == (512, 384)
    shot(page, "translate-photo", height=2000)

    # A drawing made with the mouse, painted as Van Gogh.
    page.get_by_role("tab", name="Sketch → painting").click()
    _pick(page, open_page, "Model", "tiny-sketch · trained here")
    paper = _tab(page).locator("canvas").last
    paper.scroll_into_view_if_needed()  # the mouse draws only inside the window
    box = paper.bounding_box()
    strokes = [[(0.15, 0.8), (0.35, 0.3), (0.55, 0.8)], [(0.25, 0.6), (0.45, 0.6)], [(0.6, 0.75), (0.9, 0.7)],
               [(0.7, 0.2), (0.75, 0.35), (0.85, 0.25)]]  # a tent, its beam, the ground, a bird  # fmt: skip
    for stroke in strokes:
        page.mouse.move(box["x"] + stroke[0][0] * box["width"], box["y"] + stroke[0][1] * box["height"])
        page.mouse.down()
        for (x0, y0), (x1, y1) in zip(stroke, stroke[1:]):
            for t in range(1, 11):
                page.mouse.move(box["x"] + (x0 + (x1 - x0) * t / 10) * box["width"],
                                box["y"] + (y0 + (y1 - y0) * t / 10) * box["height"])  # fmt: skip
        page.mouse.up()
        open_page.wait()
    _pick(page, open_page, "Paint it as", "Vincent van Gogh")
    _tab(page).get_by_role("button", name="Paint it").click()
    page.get_by_text("Painted as Vincent van Gogh, 512×384 px").wait_for(timeout=120_000)
    open_page.wait()
    assert not _tab(page).locator("[data-testid=stAlert]").count()  # the strokes came back: not a blank drawing
    shot(page, "translate-sketch", height=1600)
