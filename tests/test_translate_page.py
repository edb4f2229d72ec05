"""The Translate page under AppTest: no model yet, a photo painted in a painter's manner, a drawing painted as a
painter (and a blank one refused in one sentence), sending a result to the style studio, training a translator as a
background job, and a class server's queue and shared folders."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from jobwait import settle
from streamlit.testing.v1 import AppTest
from tinytranslate import TINY, picture_folders, train_tiny

from artcore import jobs, shared, translate
from artcore.config import PROJECT_ROOT
from artcore.library import Library
from artcore.translate import sketch

BLANK = "The drawing is blank (or nearly): draw some lines in dark ink on light paper first."


@pytest.fixture(scope="module")
def folders(tmp_path_factory, artdata):
    return picture_folders(tmp_path_factory.mktemp("pictures"), artdata)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, folders) -> dict:
    """A tiny photo → painter and a tiny sketch → painting model (Monet and Van Gogh), trained once."""
    runs = tmp_path_factory.mktemp("runs")
    return {kind: train_tiny(runs / kind, kind, folders) for kind in ("unpaired", "sketch")}


def _models_at(monkeypatch, root, photo=None, drawing=None) -> None:
    """The translators the app finds: ``photo``/``drawing`` (model files) as the shipped ones, no CLI runs."""
    weights = root / "weights"
    weights.mkdir()
    monkeypatch.setattr(translate, "WEIGHTS_DIR", weights)
    monkeypatch.setattr(translate, "DEFAULT_PHOTO", weights / "translate-photo-monet.pt")
    monkeypatch.setattr(translate, "DEFAULT_SKETCH", weights / "translate-sketch-painters.pt")
    monkeypatch.setattr(translate, "PROJECT_ROOT", root)  # its runs/ is empty
    for model, dest in ((photo, translate.DEFAULT_PHOTO), (drawing, translate.DEFAULT_SKETCH)):
        if model:
            shutil.copy(model, dest)


def _page(monkeypatch, library_root) -> AppTest:
    monkeypatch.setenv("ARTCORE_HOME", str(library_root))
    at = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=300).run()
    at.switch_page("pages/translate.py").run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def page(monkeypatch, tmp_path, tiny) -> AppTest:
    _models_at(monkeypatch, tmp_path, tiny["unpaired"], tiny["sketch"])
    return _page(monkeypatch, tmp_path / "lib")


def _upload(at: AppTest, key: str, path) -> AppTest:
    return at.file_uploader(key=key).set_value((path.name, path.read_bytes(), "image/jpeg")).run()


def _drawing(artdata) -> bytes:
    """A line drawing (PNG) of a real photo: the sailboat's outlines in black on white."""
    from PIL import Image

    from artcore.imageio import open_image, png_bytes

    return png_bytes(Image.fromarray(sketch.xdog(np.asarray(open_image(artdata / "photos" / "sailboat.jpg")))))


def test_no_model_yet_is_one_sentence(monkeypatch, tmp_path):
    _models_at(monkeypatch, tmp_path)
    at = _page(monkeypatch, tmp_path / "lib")
    assert [i.value for i in at.info] == [
        "No photo → painter model yet: train one in the Train tab and it appears here.",
        "No sketch → painting model yet: train one in the Train tab and it appears here."]  # fmt: skip
    assert not at.error and not at.get("file_uploader")  # nothing to upload to until there is a model
    assert at.button(key="tt_go").disabled  # training needs its pictures first


def test_a_photo_is_painted_and_sent_to_the_style_studio(page, artdata):
    at = page
    assert at.title[0].value == "Translate"
    assert at.selectbox(key="tp_model").options == ["Monet · ready-made"]
    assert at.button(key="tp_go").disabled  # no photo yet
    at = _upload(at, "tp_upload", artdata / "photos" / "tubingen.jpg")
    at.select_slider(key="tp_size").set_value(512).run()
    at.button(key="tp_go").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    _, result = at.session_state["tp_result"]
    assert result.size == (512, 384)  # the photo's 4:3 at the chosen longest side
    assert any(c.value == "Your photo painted, 512×384 px: drag the slider to compare" for c in at.caption)
    assert [b.label for b in at.get("download_button")] == ["Download PNG"]
    at.button(key="tp_send").click().run()
    assert not at.exception
    assert at.title[0].value == "Style studio" and at.radio(key="content_from").value == "Sent here"
    assert at.session_state["style_sent_picture"].size == (512, 384)  # the painting, to add brushwork to
    assert [t.value for t in at.toast] == ["Your picture is the content: pick styles and press Stylize."]


def test_an_uploaded_drawing_is_painted_and_a_blank_one_refused(page, artdata):
    from PIL import Image

    from artcore.imageio import png_bytes

    at = page
    assert at.selectbox(key="ts_class").options == ["Claude Monet", "Vincent van Gogh"]  # as people write them
    at.button(key="ts_go").click().run()  # nothing drawn on the canvas yet
    assert not at.exception and [e.value for e in at.error] == [BLANK]
    assert "ts_result" not in at.session_state

    at.radio(key="ts_how").set_value("upload").run()
    at.file_uploader(key="ts_upload").set_value(("boat.png", _drawing(artdata), "image/png")).run()
    at.selectbox(key="ts_class").set_value("Vincent_van_Gogh").run()
    at.button(key="ts_go").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    painted_as, result = at.session_state["ts_result"]
    assert painted_as == "Vincent_van_Gogh" and result.size == (512, 512)
    assert "Painted as Vincent van Gogh, 512×512 px" in [c for i in at.get("image") for c in i.captions]
    assert [b.label for b in at.get("download_button")] == ["Download PNG"]

    blank = png_bytes(Image.new("RGB", (300, 200), "white"))
    at.file_uploader(key="ts_upload").set_value(("blank.png", blank, "image/png")).run()
    at.button(key="ts_go").click().run()
    assert not at.exception and [e.value for e in at.error] == [BLANK]


def test_training_a_translator_as_a_background_job(monkeypatch, tmp_path, folders):
    """A photo → painter translator trained from a folder of photos to a library painter: progress while it runs,
    then it is offered in the picker; training again under the same name carries on."""
    from artcore.translate import unpaired

    lib = Library(tmp_path / "lib")
    for f in sorted(folders["monet"].iterdir()):
        lib.add_bytes(f.read_bytes(), source="test", original=str(f), artist="Monet")
    _models_at(monkeypatch, tmp_path)
    real = unpaired.train
    monkeypatch.setattr(unpaired, "train", lambda out, source, target, minutes, **kw: real(
        out, source, target, minutes, max_steps=3, **TINY["unpaired"], **kw))  # seconds, not an hour  # fmt: skip
    at = _page(monkeypatch, lib.root)
    assert at.radio(key="tt_from_how").value == "folder"  # photos: a library rarely labels them
    at.text_input(key="tt_from_folder").input(str(folders["photos"])).run()
    assert at.selectbox(key="tt_to_field").value == "artist" and at.selectbox(key="tt_to_value").value == "Monet"
    at.slider(key="tt_minutes").set_value(1).run()
    assert at.button(key="tt_go").label == "Start training"
    at.button(key="tt_go").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    board = jobs.board(lib.root)
    (job,) = [j for j in board.jobs() if j.kind == "translate-train"]
    assert job.params == {"kind": "unpaired", "source": str(folders["photos"]), "target": "artist:Monet",
                          "minutes": 1, "name": "photo-to-Monet"}  # fmt: skip
    at = settle(at)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert board.get(job.id).status == "done"
    assert any("Pick “photo-to-Monet · trained here” as the model" in s.value for s in at.success)
    assert at.selectbox(key="tp_model").options == ["photo-to-Monet · trained here"]
    assert "What it makes of a few training pictures, at its latest save" in [c for i in at.get("image")
                                                                              for c in i.captions]  # fmt: skip
    assert at.button(key="tt_go").label == "Carry on training"
    assert any(c.value.startswith("“photo-to-Monet” has seen 3 crops so far") for c in at.caption)

    at.radio(key="tt_kind").set_value("sketch").run()  # the same name cannot hold another kind
    at.text_input(key="tt_name").input("photo-to-Monet").run()
    assert "already turns photo → painter: choose another name" in at.error[0].value
    assert at.button(key="tt_go").disabled


@pytest.fixture
def class_server(tmp_path, monkeypatch, tiny):
    """A shared server that paints in its queue, the teacher having shared one folder."""
    (tmp_path / "shared").mkdir()
    config = tmp_path / "server.toml"
    config.write_text(f'[server]\nshared = true\nimport_roots = ["{tmp_path / "shared"}"]\n')
    monkeypatch.setenv("ARTCORE_SERVER_CONFIG", str(config))
    monkeypatch.setenv(shared.PASSCODE_ENV, "violet-easel-42")
    _models_at(monkeypatch, tmp_path, tiny["unpaired"], tiny["sketch"])
    return _page(monkeypatch, tmp_path / "lib")


def test_a_class_server_paints_in_its_queue_and_guards_training(class_server, tmp_path, artdata, folders):
    at = class_server
    at = _upload(at, "tp_upload", artdata / "photos" / "sailboat.jpg")
    at.select_slider(key="tp_size").set_value(512).run()
    at.button(key="tp_go").click().run()
    assert not at.exception, at.exception
    (job,) = jobs.board(tmp_path / "lib").jobs()
    assert job.kind == "translate-photo" and "scratch" in job.params["content"] and job.params["size"] == 512
    at = settle(at)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.session_state["tp_result"][1].size == (512, 512)

    at.button(key="ts_go").click().run()  # a blank drawing is refused at once, not queued
    assert [e.value for e in at.error] == [BLANK] and len(jobs.board(tmp_path / "lib").jobs()) == 1
    at.radio(key="ts_how").set_value("upload").run()
    at.file_uploader(key="ts_upload").set_value(("boat.png", _drawing(artdata), "image/png")).run()
    at.button(key="ts_go").click().run()
    assert not at.exception, at.exception
    (job,) = [j for j in jobs.board(tmp_path / "lib").jobs() if j.kind == "translate-sketch"]
    assert job.params["class"] == "Claude_Monet"
    at = settle(at)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.session_state["ts_result"][0] == "Claude_Monet"

    # Training is the teacher's; a folder outside the shared ones is refused without naming anything.
    assert at.text_input(key="tt_passcode").label == "Teacher's passcode, to train a translator"
    assert at.text_input(key="tt_from_folder").disabled and "tt_go" not in [b.key for b in at.button]
    at.text_input(key="tt_passcode").input("violet-easel-42").run()
    at.button(key="tt_unlock").click().run()
    at.text_input(key="tt_from_folder").input(str(folders["photos"])).run()
    assert [e.value for e in at.error] == [
        "On this class server, folders can only be imported from the folders the teacher shared."]
    assert at.button(key="tt_go").disabled
