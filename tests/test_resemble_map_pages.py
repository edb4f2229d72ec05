"""The "Which artist?" and "Map" pages under streamlit.testing's AppTest, through the app's navigation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jobwait import settle
from streamlit.testing.v1 import AppTest

from artcore.config import PROJECT_ROOT


@pytest.fixture
def small_library(tmp_path, artdata, monkeypatch):
    """Eight labelled paintings (Monet, whom the painting encoder was trained on, and Hassam, whom it never saw),
    a private embedding cache, and the app pointed at them."""
    from artcore.library import Library

    monkeypatch.setenv("ARTCORE_CACHE", str(tmp_path / "cache"))
    lib = Library(tmp_path / "lib")
    for artist in ("Monet", "Hassam"):
        for p in sorted((artdata / "artist10" / artist).glob("*.jpg"))[:4]:
            lib.add_bytes(p.read_bytes(), source="folder", original=str(p), artist=artist)
    monkeypatch.setenv("ARTCORE_HOME", str(lib.root))
    return lib


def page(path: str) -> AppTest:
    at = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=300).run()
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def encoder_meta() -> dict:
    from artcore import registry

    return registry.get("artnet-onnx")[1]


def bar_labels(at: AppTest) -> list[str]:
    """The painter names on the top-N chart, best first."""
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    return spec["data"][0]["y"][::-1]


def walk(node):
    """Every element under ``node`` in page order."""
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def rembrandt(artdata) -> Path:
    return sorted((artdata / "bestartworks" / "images" / "Rembrandt").glob("*.jpg"))[0]


def test_resemble_answers_with_the_builtin_painters_before_any_training(small_library, artdata):
    from artcore import artnet, whichartist

    meta = encoder_meta()
    at = page("pages/resemble.py")
    n = len(meta["painters"])
    assert any(f"The built-in model knows {n} painters" in i.value and "held-out accuracy" in i.value
               for i in at.info)  # fmt: skip
    assert not at.get("radio") or not any(r.key == "resemble_mode" for r in at.radio)  # nothing to choose yet
    assert at.expander[0].label == f"The {n} painters it knows"
    assert artnet.nice_name(meta["painters"][0], meta) in at.expander[0].markdown[0].value

    painting = rembrandt(artdata)
    at = at.get("file_uploader")[0].set_value((painting.name, painting.read_bytes(), "image/jpeg")).run()
    assert not at.exception, at.exception
    assert not at.error
    expected = artnet.painters(whichartist.load_picture(painting.read_bytes()))
    first = expected["top"][0]["label"]
    facts = whichartist.painter_facts(first, meta)
    assert bar_labels(at) == [artnet.nice_name(t["label"], meta) for t in expected["top"]]
    assert len(bar_labels(at)) == min(5, n)
    assert any(m.value.startswith("**Looks like:**") for m in at.markdown)
    assert [s.value for s in at.subheader][0] == facts["name"]
    shown = "\n".join(m.value for m in at.markdown)
    for key in ("years", "movement", "nationality"):
        assert facts[key] and facts[key] in shown
    assert facts["bio"][:40] in shown
    assert f"]({facts['wikipedia']})" in shown
    assert "[" not in facts["bio"]  # no pronunciation guide in the short bio
    assert not any(s.value == "Most similar works" for s in at.subheader)  # only a library model has works to show


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("notes.jpg", b"these are my notes, not a picture", "cannot be read as a picture"),
        ("half.jpg", None, "cannot be read as a picture"),
        ("dot.png", None, "too small"),
    ],
)
def test_resemble_bad_upload_is_one_sentence(small_library, artdata, name, data, says):
    import io

    from PIL import Image

    if name == "half.jpg":
        whole = rembrandt(artdata).read_bytes()
        data = whole[: len(whole) // 2]
    elif name == "dot.png":
        buf = io.BytesIO()
        Image.new("RGB", (1, 1), (200, 10, 10)).save(buf, format="PNG")
        data = buf.getvalue()
    at = page("pages/resemble.py")
    at = at.get("file_uploader")[0].set_value((name, data, "image/jpeg")).run()
    assert not at.exception, at.exception
    assert len(at.error) == 1 and says in at.error[0].value
    assert at.error[0].value.count(". ") == 0 and at.error[0].value.endswith(".")
    assert not at.get("plotly_chart")


def test_resemble_trains_in_one_click_then_predicts(small_library, monkeypatch):
    from artcore import classify, whichartist

    at = page("pages/resemble.py")
    at = settle(at.button(key="resemble_train").click().run())
    assert not at.exception, at.exception
    mode = next(r for r in at.radio if r.key == "resemble_mode")
    assert mode.options == [f"Built-in painters ({len(encoder_meta()['painters'])})", "Your library's artists"]
    assert mode.value == "library"  # the model just trained is the one asked
    assert any("only knows **2 artists**" in i.value for i in at.info)
    # Hassam is not among the encoder's painters (neither the stand-in's 3 nor the shipped 42).
    assert any(c.value.startswith("For Hassam the answer rests on style similarity only") for c in at.caption)
    assert not any("Monet" in c.value and "style similarity only" in c.value for c in at.caption)
    record = small_library.records()[0]
    at = at.selectbox(key="resemble_pick").set_value(record["sha256"]).run()
    assert not at.exception, at.exception
    assert at.get("plotly_chart"), "no top-5 chart"
    assert bar_labels(at)[0] == record["artist"]  # one of its own training works
    assert sorted(bar_labels(at)) == ["Hassam", "Monet"]
    assert any(s.value == "Most similar works" for s in at.subheader)
    assert any(s.value == "Why" for s in at.subheader)
    assert any("closest of 2 labels" in m.value for m in at.markdown)
    assert any("most similar works" in m.value and "Light and colour" in m.value for m in at.markdown)
    assert not at.warning  # a library painting is close to the painters the model knows
    model = classify.load(classify.default_model_path(small_library, "artist"))
    _, result = whichartist.library_answer(model, whichartist.load_picture(record["path"]), record["path"])
    assert result["known"] and result["nearest"] == record["artist"]
    assert record["path"] not in [s["path"] for s in result["similar"]]  # not "similar" to itself
    assert len(result["similar"]) == 6

    # Far from every label's works: that is said first, before the bars.
    real = whichartist.library_answer

    def far(*args):
        x, result = real(*args)
        return x, {**result, "known": False, "nearest": "Hassam"}

    monkeypatch.setattr(whichartist, "library_answer", far)
    at.run()
    assert not at.exception, at.exception
    assert "Not close to any painter this model knows; nearest: Hassam" in at.warning[0].value
    order = [node.type for node in walk(at.main)]
    assert order.index("warning") < order.index("plotly_chart")

    # Back to the built-in painters: their answer, no similar works.
    at = next(r for r in at.radio if r.key == "resemble_mode").set_value("builtin").run()
    assert not at.exception, at.exception
    assert any("The built-in model knows" in i.value for i in at.info)
    assert not any(s.value == "Most similar works" for s in at.subheader)


def test_map_page_draws_the_library(small_library):
    at = page("pages/map.py")
    assert len(at.get("plotly_chart")) == 1
    assert any("8 images" in c.value for c in at.caption)
    at.selectbox(key="map_color").set_value("source").run()
    assert not at.exception


def test_map_selection_shows_the_selected_works(small_library):
    """A box over dots sends the chart's selection (the points' ``customdata``); the page shows those records."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    at = page("pages/map.py")
    chart = at.get("plotly_chart")[0].proto
    spec = json.loads(chart.spec)
    assert {t["type"] for t in spec["data"]} == {"scattergl"}
    first = spec["data"][0]  # typed arrays (base64) or plain lists, as plotly chose to write them
    rows = [int(v) for v in _plotly_array(first["customdata"])][:2]
    points = [{"curve_number": 0, "point_number": k, "point_index": k, "customdata": r} for k, r in enumerate(rows)]
    # AppTest has no setter for a chart's selection: send the widget value the browser sends after a box select.
    states = at._tree.get_widget_states()
    states.widgets.append(WidgetState(id=chart.id, string_value=json.dumps(
        {"selection": {"points": points, "point_indices": list(range(len(rows))), "box": [], "lasso": []}})))  # fmt: skip
    at._run(states)
    assert not at.exception, at.exception
    assert any(s.value == f"{len(rows)} selected" for s in at.subheader)
    records = small_library.records()
    table = at.dataframe[0].value
    assert sorted(table["original"]) == sorted(records[r]["original"] for r in rows)
    assert set(table["artist"]) == {first["name"]}


def _plotly_array(value):
    import base64

    import numpy as np

    if isinstance(value, dict):  # {"dtype": "i1", "bdata": "<base64>"}
        return np.frombuffer(base64.b64decode(value["bdata"]), np.dtype(value["dtype"]))
    return value


def test_map_page_on_an_empty_library(tmp_path, monkeypatch):
    monkeypatch.setenv("ARTCORE_HOME", str(tmp_path / "empty"))
    at = page("pages/map.py")
    assert any("needs at least 5 images" in i.value for i in at.info)


def test_resemble_says_a_library_work_is_a_copy_and_a_photo_is_not(small_library, artdata):
    at = page("pages/resemble.py")
    record = small_library.records()[0]
    at = at.selectbox(key="resemble_pick").set_value(record["sha256"]).run()
    at.button(key="resemble_original").click().run()
    assert not at.exception, at.exception
    assert len(at.error) == 1 and at.error[0].value.startswith("This is a copy of a work it knows")
    assert "Compared with this library (8 works)" in at.error[0].value
    photo = (artdata / "photos" / "sailboat.jpg").read_bytes()
    at = at.get("file_uploader")[0].set_value(("sailboat.jpg", photo, "image/jpeg")).run()
    at.button(key="resemble_original").click().run()
    assert not at.exception and not at.error
    assert at.success[-1].value.startswith("Original")
