"""A user in real headless Chromium: ask the built-in painter model about a painting (painter, movement, facts),
then train the artist model in one click, upload a painting, read the top 5 and the similar works; then open the
map, box-select dots, see their thumbnails, and place an upload on the map."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture
def artist10_app(app_library, artdata):
    """The live app's library holding artist10 (importing again is a no-op)."""
    app_library.import_path(artdata / "artist10", label_from="parent", label_field="artist")
    return app_library


def held_out(meta: dict, artdata, painter: str = "Rembrandt") -> Path:
    """One of ``painter``'s paintings that the encoder never trained on (its held-out set), else their first."""
    return artdata / "bestartworks" / "images" / sorted(f for f in meta["test_files"] if f.startswith(f"{painter}/"))[0]


def test_which_artist(open_page, shot, artdata, artist10_app, tmp_path):
    from artcore import registry, whichartist

    meta = registry.get("artnet")[1]
    n = len(meta["painters"])
    page = open_page("/resemble")
    # Before any training the built-in painter model answers.
    page.get_by_text(f"The built-in model knows {n} painters").wait_for()
    assert page.get_by_text("held-out accuracy").first.is_visible()
    page.get_by_text(f"The {n} painters it knows").click()
    assert page.get_by_text(whichartist.builtin_painters(meta)[0]).first.is_visible()

    painting = held_out(meta, artdata)
    expected = whichartist.builtin_answer(whichartist.load_picture(painting.read_bytes()), meta)
    facts = expected["facts"]
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(painting))
    page.get_by_role("heading", name=facts["name"]).wait_for(timeout=120_000)
    open_page.wait()
    page.locator(".js-plotly-plot .main-svg").first.wait_for()
    assert page.locator(".js-plotly-plot .bars .point").count() == min(5, n)
    ticks = page.locator(".js-plotly-plot .ytick text").all_text_contents()
    assert sorted(ticks) == sorted(t["label"] for t in expected["top"])
    assert page.get_by_text("Looks like:").first.is_visible()
    for m in expected["movements"]:
        assert page.get_by_text(f"{m['label']} ({m['prob']:.0%})").first.is_visible()
    # The painter's card: the innermost block holding their name.
    card = page.locator("[data-testid=stVerticalBlock]", has=page.get_by_role("heading", name=facts["name"])).last
    for key in ("years", "movement", "nationality"):
        assert facts[key] in card.inner_text()
    assert facts["bio"][:40] in card.inner_text()
    link = page.get_by_role("link", name="Read more on Wikipedia")
    assert link.get_attribute("href") == facts["wikipedia"]
    assert page.get_by_text("Most similar works", exact=True).count() == 0  # the built-in model has no works to show
    shot(page, "resemble-builtin")

    # A text file renamed .jpg: one sentence, no traceback.
    notes = tmp_path / "notes.jpg"
    notes.write_text("these are my notes, not a picture")
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(notes))
    page.get_by_text("“notes.jpg” cannot be read as a picture").wait_for(timeout=60_000)
    open_page.wait()
    assert page.locator("[data-testid=stException]").count() == 0
    assert page.locator("[data-testid=stAlertContentError]").count() == 1

    # The library's own model, trained in one click from the sidebar, answers next (and is chosen by default).
    button = page.get_by_role("button", name=re.compile(r"^(Train the model|Retrain)$"))
    if button.inner_text().strip() == "Train the model":
        button.click()
    page.get_by_text("This model only knows").wait_for(timeout=600_000)
    open_page.wait()
    # Hassam and Sargent are not among the encoder's painters.
    assert page.get_by_text("the answer rests on style similarity only").is_visible()
    painting = sorted((artdata / "artist10" / "Renoir").glob("*.jpg"))[0]
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(painting))
    page.get_by_text("Most similar works", exact=True).wait_for(timeout=120_000)
    open_page.wait()
    page.locator(".js-plotly-plot .main-svg").first.wait_for()
    assert page.locator(".js-plotly-plot .bars .point").count() == 5
    assert page.locator("[data-testid=stImage] img").count() >= 7  # the upload and six similar works
    assert page.get_by_text("closest of 10 labels").first.is_visible()
    shot(page, "resemble")

    page.get_by_text(f"Built-in painters ({n})").click()
    page.get_by_text(f"The built-in model knows {n} painters").wait_for()
    open_page.wait()
    assert page.get_by_text("Most similar works", exact=True).count() == 0


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
