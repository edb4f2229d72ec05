"""Every page of the foundation under streamlit.testing's AppTest, through the app's own navigation."""

from __future__ import annotations

import pytest
from jobwait import settle
from streamlit.testing.v1 import AppTest

from artcore.config import PROJECT_ROOT


def app(monkeypatch, library_root) -> AppTest:
    monkeypatch.setenv("ARTCORE_HOME", str(library_root))
    at = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=120)
    return at.run()


def test_home_empty_library_offers_samples(monkeypatch, tmp_path, artdata):
    at = app(monkeypatch, tmp_path / "lib")
    assert not at.exception
    assert at.title[0].value == "Artcore"
    assert not at.metric  # no row of zeros
    assert any("library is empty" in m.value for m in at.markdown)
    assert any("sample paintings" in b.label for b in at.button)
    about = " ".join(m.value for m in at.markdown)
    assert "10 painters × 10 paintings: impressionists and post-impressionists" in about and "Van Gogh" in about
    assert "10 impressionists" not in about


def test_home_cards_follow_the_sidebar(monkeypatch, tmp_path):
    from artcore.home import PAGES

    at = app(monkeypatch, tmp_path / "lib")
    cards = [link.proto.label.strip("*") for link in at.get("page_link")]
    assert cards == [title for _, title, *_ in PAGES[1:]], cards  # the sidebar's order, read row by row


def test_home_with_library(monkeypatch, artist10_library):
    at = app(monkeypatch, artist10_library.root)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Images"] == "100" and metrics["Artists"] == "10"
    assert "Genres" not in metrics  # none yet: left out rather than shown as 0


def test_library_page_imports_a_folder(monkeypatch, tmp_path, broken_folder):
    at = app(monkeypatch, tmp_path / "lib")
    at.switch_page("pages/library.py").run()
    assert not at.exception
    at.text_input(key="folder_path").input(str(broken_folder["root"])).run()
    at.button(key="folder_go").click().run()
    assert not at.exception
    assert at.get("progress") or at.success  # running on the server, shown where the result will be
    at = settle(at)
    assert not at.exception
    assert any("Added" in s.value for s in at.success)
    assert any("could not be imported" in w.value for w in at.warning)
    assert at.dataframe  # the skipped-files report


def test_library_page_bad_folder_is_a_clear_error(monkeypatch, tmp_path):
    at = app(monkeypatch, tmp_path / "lib")
    at.switch_page("pages/library.py").run()
    at.text_input(key="folder_path").input(str(tmp_path / "nowhere")).run()
    at.button(key="folder_go").click().run()
    assert not at.exception
    assert "does not exist" in at.error[0].value


@pytest.mark.parametrize("field", ["artist"])
def test_explore_page_charts(monkeypatch, artist10_library, field):
    at = app(monkeypatch, artist10_library.root)
    at.switch_page("pages/explore.py").run()
    assert not at.exception
    svgs = [m.value for m in at.markdown if "<svg" in m.value]
    assert len(svgs) == 2 and "light and how colourful" in svgs[0]  # light and colour, colours used, drawn as SVG
    assert not at.get("plotly_chart")  # Advanced's are drawn when it is opened
    at.session_state["explore_advanced"] = True  # the painter opens "Advanced"
    at.run()
    assert not at.exception
    charts = at.get("plotly_chart")
    assert len(charts) == 4  # in Advanced: sizes, shapes, brightness, saturation
    assert {m.label: m.value for m in at.metric}["Images"] == "100"
    assert "Megapixels" not in {m.label for m in at.metric}
    # Every painter has 10 pictures and all are JPEGs: one sentence each instead of a chart of equal bars.
    assert any(c.value == "Each artist has 10 pictures. All 100 pictures are JPEG files." for c in at.caption)
    heads = [h.value for h in at.subheader]
    # Pictures first (palettes and samples), numbers after.
    assert heads.index("Each artist: its palette and a few pictures") < heads.index("In numbers")


def test_explore_small_set_no_empty_charts_and_dates(monkeypatch, tmp_path):
    import io
    import json
    import re

    from PIL import Image

    from artcore.library import Library

    lib = Library(tmp_path / "lib")
    for n, (colour, artist) in enumerate([((200, 40, 40), "Ann"), ((40, 40, 200), "Ann"), ((240, 220, 60), "Bo")]):
        buf = io.BytesIO()
        Image.new("RGB", (64, 64), colour).save(buf, "PNG")
        lib.add_bytes(buf.getvalue(), source="upload", original=f"p{n}.png", artist=artist)
    lib.import_uploads([("notes.jpg", b"a shopping list, not a picture")])
    at = app(monkeypatch, lib.root)
    at.switch_page("pages/explore.py").run()
    at.session_state["explore_advanced"] = True  # open "Advanced", where the size, shape and file-type charts go
    at.run()
    assert not at.exception
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert titles and not [t for t in titles if "sizes" in t or "Shapes" in t or "File types" in t], titles
    assert any(c.value == "All 3 pictures are 64×64 px. All 3 pictures are PNG files." for c in at.caption)
    skipped = at.dataframe[0].value
    assert list(skipped.columns) == ["file", "why", "from", "when"]
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}", skipped["when"][0])


def test_explore_shows_the_largest_painters_first_and_more_on_request(monkeypatch, tmp_path):
    import io

    import numpy as np
    from PIL import Image

    from artcore.library import Library

    lib = Library(tmp_path / "lib")
    rng = np.random.default_rng(0)
    sizes = {f"Painter {k:02d}": 3 if k in (7, 19) else 1 for k in range(26)}  # two larger ones, far down the names
    for artist, n in sizes.items():
        for _ in range(n):
            buf = io.BytesIO()
            Image.fromarray(rng.integers(0, 256, (48, 48, 3), dtype=np.uint8)).save(buf, "PNG")
            lib.add_bytes(buf.getvalue(), source="upload", original=f"{artist}-{_}.png", artist=artist)
    at = app(monkeypatch, lib.root)
    at.switch_page("pages/explore.py").run()
    assert not at.exception

    def sheets() -> list[str]:  # the painters' contact sheets (name, palette, pictures), top to bottom
        return [e.proto.body for e in at.get("html") if "<b>" in e.proto.body]

    def painters() -> list[str]:
        return [body.split("<b>")[1].split("</b>")[0] for body in sheets()]

    first = painters()
    assert len(first) == 12 and first[:2] == ["Painter 07", "Painter 19"], first  # the most works first
    assert sum(body.count("<img") for body in sheets()) >= 12  # their pictures, not only their names
    assert any(c.value.startswith("Showing 12 of 26 artists.") for c in at.caption)
    at.button(key="explore_labels_more").click().run()
    assert not at.exception
    assert painters()[:12] == first and len(painters()) == 24
    at.button(key="explore_labels_more").click().run()
    assert len(painters()) == 26 and "explore_labels_more" not in {b.key for b in at.button}  # all shown: no button
    at.sidebar.multiselect[0].set_value(["Painter 03"]).run()  # a new choice starts again from the first batch
    assert not at.exception and painters() == ["Painter 03"]


def test_explore_empty_library(monkeypatch, tmp_path):
    at = app(monkeypatch, tmp_path / "lib")
    at.switch_page("pages/explore.py").run()
    assert not at.exception
    assert "library is empty" in at.info[0].value
