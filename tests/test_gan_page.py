"""The Generate page under AppTest: grid with class mixing, a latent walk, a projection then a walk from it,
a style walk, and one-click training on the library."""

from __future__ import annotations

import time

import pytest
from jobwait import settle
from streamlit.testing.v1 import AppTest

from artcore.config import PROJECT_ROOT
from artcore.library import Library


@pytest.fixture(scope="module")
def gan_library(tmp_path_factory, artdata) -> Library:
    lib = Library(tmp_path_factory.mktemp("gan") / "library")
    for genre in ("Landscape", "Portrait"):
        for f in sorted((artdata / "genre4" / genre).iterdir())[:6]:
            lib.add_bytes(f.read_bytes(), source="test", original=str(f), genre=genre)
    return lib


@pytest.fixture
def at(monkeypatch, gan_library, tmp_path) -> AppTest:
    monkeypatch.setenv("ARTCORE_HOME", str(gan_library.root))
    monkeypatch.setenv("ARTCORE_VIDEO_JOBS", str(tmp_path / "jobs"))
    at = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=300).run()
    at.switch_page("pages/generate.py").run()
    assert not at.exception, at.exception
    return at


def test_generate_grid_and_class_mix(at):
    assert "4 kinds" in at.info[0].value and "Landscape" in at.info[0].value
    assert "Fréchet" not in at.info[0].value  # figures for the curious sit in an "Advanced" expander
    assert len(at.get("image")) == 1  # the grid
    assert not [b for b in at.button if b.label == "Stop"]  # nothing runs: no Stop anywhere
    at.multiselect(key="g_classes").set_value(["Landscape", "Portrait"]).run()
    assert not at.exception
    assert [s.label for s in at.slider][:2] == ["Weight: Landscape", "Weight: Portrait"]
    at.slider(key="g_classes_Landscape").set_value(0.7).run()
    assert not at.exception and not at.error
    assert [b.label for b in at.get("download_button")][0] == "Download grid (PNG)"


def test_latent_walk_and_projection(at, artdata):
    at.slider(key="w_frames").set_value(8).run()
    at.button(key="w_go").click().run()
    assert not at.exception and not at.error
    assert at.session_state["gan_result"].endswith(".mp4")
    assert any(b.label == "Download GIF" for b in at.get("download_button"))
    at.radio(key="p_how").set_value("From the library").run()
    at.slider(key="p_steps").set_value(50).run()
    at.button(key="p_go").click().run()
    assert not at.exception and not at.error
    proj = at.session_state["g_projection"]
    assert proj.steps == 50 and proj.image.shape == (32, 32, 3)
    assert "Your found picture" in at.radio(key="w_From_kind").options
    at.radio(key="w_From_kind").set_value("Projected picture").run()
    at.button(key="w_go").click().run()
    assert not at.exception and not at.error


def test_style_walk(at):
    at.radio(key="s_how").set_value("From the library").run()
    at.slider(key="s_frames").set_value(8).run()
    at.select_slider(key="s_size").set_value(256).run()
    at.button(key="s_go").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.session_state["style_result"].endswith(".mp4")


def test_train_on_the_library_as_a_background_job(at, gan_library, monkeypatch):
    """Train runs on the server (it outlives the tab): progress with Stop while it runs, then its pictures."""
    import threading

    from artcore import config, jobs
    from artcore.gan import train as gan_train
    from artcore.gan.train import library_run_folder

    board, real, go, minutes = jobs.board(config.library_dir()), gan_train.train_run, threading.Event(), [0.1]

    def short(out, res, _minutes, **kw):  # the slider's shortest time box is a minute: train for seconds instead
        go.wait(120)
        return real(out, res, minutes[0], **kw)

    monkeypatch.setattr(gan_train, "train_run", short)
    assert at.selectbox(key="t_field").value == "genre"
    at.slider(key="t_minutes").set_value(1).run()
    try:
        at.button(key="t_go").click().run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        (job,) = [j for j in board.jobs() if j.kind == "gan-train" and j.active]
        assert job.params == {"field": "genre", "res": 32, "minutes": 1}
        assert any("Training the model on your genres" in p.proto.text for p in at.get("progress"))
        assert at.button(key="t_go").disabled and at.button(key=f"job_stop_{job.id}")
    finally:
        go.set()
    at = settle(at)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert board.get(job.id).status == "done" and not at.get("progress")
    assert any(s.value.startswith("Trained (") and "library: genre-32" in s.value for s in at.success)
    run = library_run_folder(gan_library, "genre", 32)
    assert (run / "model.pt").is_file() and (run / "samples" / "latest.png").is_file()
    assert "Its latest pictures: one row per genre" in [c for i in at.get("image") for c in i.captions]

    # Train again, and Stop it once it learns: it says what was kept.
    minutes[0] = 5.0
    at.button(key="t_go").click().run()
    (again,) = [j for j in board.jobs() if j.kind == "gan-train" and j.active]
    deadline = time.monotonic() + 120
    while "pictures seen" not in (board.get(again.id).message or "") and time.monotonic() < deadline:
        time.sleep(0.2)
    at.run()
    at.button(key=f"job_stop_{again.id}").click().run()
    at = settle(at)
    assert board.get(again.id).status == "stopped"
    assert any("what the model learnt so far is kept" in i.value for i in at.info), [i.value for i in at.info]


def test_is_it_original_compares_a_sample_with_the_training_works(at):
    at.selectbox(key="g_orig_pick").set_value(3).run()
    before = len(at.get("image"))  # the grid, and the Train tab's latest samples when a test trained one
    at.button(key="g_orig_original").click().run()
    assert not at.exception, at.exception
    said = [m.value for m in (*at.success, *at.warning, *at.error)]
    assert len(said) == 1 and "Compared with the 1,146 works gan-genre4-32 was trained on" in said[0], said
    assert len(at.get("image")) == before + 1 + 5  # the sample and its 5 nearest training works
