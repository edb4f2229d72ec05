"""A user in real headless Chromium: train the artist model in one click, upload a painting, read the top 5 and
the similar works; then open the map, box-select dots, see their thumbnails, and place an upload on the map."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture
def artist10_app(app_library, artdata):
    """The live app's library holding artist10 (importing again is a no-op)."""
    app_library.import_path(artdata / "artist10", label_from="parent", label_field="artist")
    return app_library


def test_which_artist(open_page, shot, artdata, artist10_app):
    page = open_page("/resemble")
    # The page's first run may still be on its way: wait for the sidebar's button before deciding to click it.
    button = page.get_by_role("button", name=re.compile(r"^(Train the model|Retrain)$"))
    button.wait_for()
    if button.inner_text().strip() == "Train the model":
        button.click()
    page.get_by_text("This model only knows").wait_for(timeout=600_000)
    open_page.wait()
    painting = sorted((artdata / "artist10" / "Renoir").glob("*.jpg"))[0]
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(painting))
    page.get_by_text("Most similar works", exact=True).wait_for(timeout=120_000)
    open_page.wait()
    page.locator(".js-plotly-plot .main-svg").first.wait_for()
    assert page.locator(".js-plotly-plot .bars .point").count() == 5
    assert page.locator("[data-testid=stImage] img").count() >= 7  # the upload and six similar works
    assert page.get_by_text("closest of 10 labels").first.is_visible()
    shot(page, "resemble")


def test_map_select_shows_thumbnails(open_page, shot, artdata, artist10_app):
    page = open_page("/map")
    page.locator(".js-plotly-plot .main-svg").first.wait_for(timeout=600_000)
    page.get_by_text("100 images ·").wait_for(timeout=600_000)
    box = page.locator(".js-plotly-plot .nsewdrag").first.bounding_box()
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.6, steps=12)
    page.mouse.up()
    page.get_by_role("heading", name=re.compile(r"^\d+ selected")).wait_for(timeout=120_000)
    open_page.wait()
    page.locator("[data-testid=stImage] img").first.wait_for()
    page.locator("[data-testid=stDataFrame]").wait_for()
    shot(page, "map-selected")
    assert page.locator("[data-testid=stImage] img").count() >= 1
    assert page.locator("[data-testid=stDataFrame]").count() == 1

    # An uploaded painting is placed on the map (a star) among its nearest neighbours.
    painting = sorted((artdata / "artist10" / "Monet").glob("*.jpg"))[0]
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(painting))
    page.get_by_role("heading", name="Your image's nearest neighbours").wait_for(timeout=120_000)
    open_page.wait()
    assert page.locator(".js-plotly-plot .legendtext", has_text="your image").count() == 1
    shot(page, "map-placed")
