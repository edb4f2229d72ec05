"""The Generate page in real headless Chromium: a grid of generated paintings, a class mix, an uploaded photo
projected into the GAN, and a latent walk from it played as a video."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e


def test_generate_mix_project_walk(open_page, shot, artdata, tmp_path):
    page = open_page("/generate")
    page.get_by_text(re.compile(r"This generator paints")).wait_for()
    grid = page.locator("[data-testid=stImage] img").first
    grid.wait_for()
    before = grid.get_attribute("src")

    # Mix a second kind in: weight sliders appear and the grid changes.
    box = page.locator("[data-testid=stMultiSelect] input").first
    box.click()
    box.fill("Portrait")
    page.get_by_role("option", name="Portrait", exact=True).click()
    page.keyboard.press("Escape")
    open_page.wait()
    page.get_by_text("Weight: Portrait").wait_for()
    assert page.locator("[data-testid=stImage] img").first.get_attribute("src") != before
    shot(page, "generate_mix")

    # Find an uploaded photo in the model.
    page.get_by_role("tab", name="Find your picture").click()
    photo = sorted((artdata / "photos").iterdir())[0]
    page.locator("[data-testid=stFileUploaderDropzoneInput]").nth(0).set_input_files(str(photo))
    open_page.wait()
    page.get_by_role("button", name="Find it", exact=True).click()
    page.get_by_text("Your picture · the model's closest painting").wait_for(timeout=600_000)
    open_page.wait()
    shot(page, "generate_projection")

    # Morph from the found picture to a numbered one and play it.
    page.get_by_role("tab", name="Morph", exact=True).click()
    page.get_by_text("Your found picture").first.click()
    open_page.wait()
    page.get_by_role("button", name="Render the morph").click()
    player = page.locator("[data-testid=stVideo]").first
    player.wait_for(timeout=300_000)
    open_page.wait()
    duration = player.evaluate("v => new Promise(r => v.readyState >= 1 ? r(v.duration) : "
                               "v.addEventListener('loadedmetadata', () => r(v.duration)))")  # fmt: skip
    assert duration == pytest.approx(60 / 24, abs=0.1)
    with page.expect_download() as dl:
        page.get_by_role("button", name="Download GIF").click()
    saved = tmp_path / "walk.gif"
    dl.value.save_as(saved)
    from PIL import Image

    assert Image.open(saved).n_frames == 60
    shot(page, "generate_walk")
