"""No traceback ever reaches a page: ``artcore.guard.run_page`` and the plain-sentence helpers, under AppTest."""

from __future__ import annotations

import logging
import re

import pytest
from streamlit.testing.v1 import AppTest

from artcore.errors import UserError, sentence, strip_paths
from artcore.imageio import ImageError, open_picture, scaled_size


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("model file missing: /root/.cache/models/arbitrary.onnx; reinstall it", "Model file missing: arbitrary.onnx; reinstall it."),
        ("cannot read C:\\Users\\ana\\Pictures\\sea.jpg", "Cannot read sea.jpg."),
        ("folder ~/paintings/monet/ is empty", "Folder monet is empty."),
        ("upload a JPEG/PNG, see https://en.wikipedia.org/wiki/Claude_Monet", "Upload a JPEG/PNG, see https://en.wikipedia.org/wiki/Claude_Monet."),
        ("content image is too small (96×23 px)\n  both sides need 32 px", "Content image is too small (96×23 px) both sides need 32 px."),
        ("Done already!", "Done already!"),
    ],
)  # fmt: skip
def test_sentence_strips_paths_and_is_one_line(text, shown):
    assert sentence(text) == shown
    assert sentence(UserError(text)) == shown


def test_strip_paths_leaves_fractions_and_slashes_between_words():
    assert strip_paths("1/8 scale, and/or 3 / 4") == "1/8 scale, and/or 3 / 4"


def _wrapped(body: str) -> AppTest:
    """An app whose one page runs ``body`` inside ``guard.run_page``, as streamlit_app.py runs every page."""
    script = f"""
import streamlit as st
from artcore import guard
from artcore.errors import UserError

def page():
    st.write("before")
    {body}
    st.write("after")

guard.run_page(page)
"""
    return AppTest.from_string(script, default_timeout=30).run()


def test_user_error_becomes_one_sentence():
    at = _wrapped('raise UserError("content image is too small (96×23 px) in /srv/artcore/data/up.png")')
    assert not at.exception
    assert [e.value for e in at.error] == ["Content image is too small (96×23 px) in up.png."]
    assert [m.value for m in at.markdown] == ["before"]


def test_any_other_error_is_an_apology_with_an_id_in_the_log(caplog):
    with caplog.at_level(logging.ERROR, logger="artcore.app"):
        at = _wrapped('raise RuntimeError("secret detail from /srv/artcore/x.py")')
    assert not at.exception
    (shown,) = [e.value for e in at.error]
    m = re.fullmatch(r"Sorry — something went wrong on our side \(error ([0-9a-f]{6})\)\. It has been logged\.", shown)
    assert m, shown
    assert "secret" not in shown and "Traceback" not in shown
    (record,) = [r for r in caplog.records if r.name == "artcore.app"]
    assert m.group(1) in record.getMessage() and record.exc_info[0] is RuntimeError
    assert "Traceback" in caplog.text and "secret detail" in caplog.text  # the full story is in the server log


@pytest.mark.parametrize("control", ["stop", "rerun"])
def test_streamlit_control_flow_passes_through(control):
    """st.stop ends the page quietly; st.rerun (st.switch_page is the same kind) reruns it: neither is an error."""
    body = "st.session_state['runs'] = st.session_state.get('runs', 0) + 1\n    "
    body += "st.stop()" if control == "stop" else "if st.session_state['runs'] == 1:\n        st.rerun()"
    at = _wrapped(body)
    assert not at.exception and not at.error
    markdown = [m.value for m in at.markdown]
    if control == "stop":
        assert markdown == ["before"] and at.session_state["runs"] == 1  # stopped: "after" never drawn
    else:
        assert markdown == ["before", "after"] and at.session_state["runs"] == 2  # rerun once, then done


def test_app_hides_error_details():
    from artcore.config import PROJECT_ROOT

    at = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=60).run()
    import streamlit.config as config

    assert not at.exception
    assert config.get_option("client.showErrorDetails") == "none"


def test_open_picture_sentences_and_panoramas():
    import io

    from PIL import Image

    def png(w, h):
        buf = io.BytesIO()
        Image.new("RGB", (w, h), (90, 120, 200)).save(buf, format="PNG")
        return buf.getvalue()

    with pytest.raises(ImageError, match=r"^“notes\.jpg” cannot be read as a picture \(it is not in any picture"):
        open_picture(b"my shopping list", name="/home/ana/notes.jpg")
    with pytest.raises(ImageError, match=r"^This picture is only 1×1 pixels, too small to stylize; upload one at"):
        open_picture(png(1, 1), min_side=32, purpose="to stylize")
    # A panorama shrunk for speed keeps the minimum on its short side.
    assert open_picture(png(4000, 300), max_side=96, min_side=32).size == (427, 32)
    assert open_picture(png(1024, 240), max_side=96, min_side=32).size == (137, 32)
    assert open_picture(png(300, 200), max_side=96, min_side=32).size == (96, 64)
    assert scaled_size((50, 40), 96, 32) == (50, 40)  # never enlarged
