"""Shared mode for a class server (artcore.shared): folder roots, the teacher's passcode, limits, safe names."""

from __future__ import annotations

import os
import threading

import pytest
from streamlit.testing.v1 import AppTest

from artcore import jobs, shared
from artcore.config import PROJECT_ROOT
from artcore.errors import UserError

SECRET = "violet-easel-42"


@pytest.fixture
def class_server(tmp_path, monkeypatch):
    """A shared server whose teacher shared one folder, ``shared/``, beside a private one."""
    root, private = tmp_path / "shared", tmp_path / "private"
    (root / "paintings").mkdir(parents=True)
    private.mkdir()
    (root / "escape").symlink_to(private)
    config = tmp_path / "server.toml"
    config.write_text(f'[server]\nshared = true\nimport_roots = ["{root}"]\njobs_per_session = 2\n'
                      "max_upload_mb = 1\nmax_megapixels = 2\n")  # fmt: skip
    monkeypatch.setenv("ARTCORE_SERVER_CONFIG", str(config))
    monkeypatch.setenv("ARTCORE_HOME", str(tmp_path / "lib"))
    monkeypatch.setenv(shared.PASSCODE_ENV, SECRET)
    return {"root": root, "private": private}


def test_a_personal_server_restricts_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("ARTCORE_SERVER_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.delenv("ARTCORE_SHARED", raising=False)
    policy = shared.policy()
    assert not policy.shared and policy.check_folder("/etc") == shared.Path("/etc")
    policy.check_upload(10**9, 10**9)


def test_folders_only_below_the_shared_roots(class_server):
    policy = shared.policy()
    root, private = class_server["root"], class_server["private"]
    assert policy.check_folder(str(root / "paintings")) == (root / "paintings").resolve()
    for bad in (str(private), str(root / ".." / "private"), str(root / "escape"), "/etc", "/", "~",
                str(root / "nowhere"), "a\x00b"):  # fmt: skip
        with pytest.raises(UserError) as err:
            policy.check_folder(bad)
        assert str(private) not in str(err.value) and "/etc" not in str(err.value)


def test_the_passcode_and_the_limits(class_server):
    assert shared.passcode_ok(SECRET) and not shared.passcode_ok("violet") and not shared.passcode_ok("")
    os.environ.pop(shared.PASSCODE_ENV)
    assert not shared.passcode_ok(SECRET) and shared.passcode_ok(SECRET, {"teacher_passcode": SECRET})
    policy = shared.policy()
    with pytest.raises(UserError, match="up to 1 MB"):
        policy.check_upload(2_000_000)
    with pytest.raises(UserError, match="megapixels"):
        policy.check_upload(1000, 50_000_000)  # a 50-megapixel decompression bomb, refused from its header


@pytest.mark.parametrize("name, safe", [("../../x.jpg", "x.jpg"), ("a\x00b.png", "ab.png"), ("..", "upload"),
                                        ("C:\\Users\\me\\p.png", "p.png"), ("é.jpg", "é.jpg")])  # fmt: skip
def test_upload_names_never_become_paths(name, safe):
    assert shared.safe_name(name) == safe
    long = shared.safe_name("x" * 500 + ".jpeg")
    assert len(long) <= 80 and long.endswith(".jpeg")


def test_students_cannot_import_or_collect_without_the_passcode(class_server):
    at = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=120).run()
    at.switch_page("pages/library.py").run()
    assert not at.exception
    assert at.text_input(key="folder_path").disabled
    at.text_input(key="folder_passcode").input("guess").run()
    at.button(key="folder_unlock").click().run()
    assert any("not the teacher's passcode" in e.value for e in at.error)
    assert at.text_input(key="folder_path").disabled
    at.text_input(key="folder_passcode").input(SECRET).run()
    at.button(key="folder_unlock").click().run()
    assert not at.exception and not at.text_input(key="folder_path").disabled
    at.text_input(key="folder_path").input(str(class_server["private"])).run()
    assert any("only be imported from the folders the teacher shared" in e.value for e in at.error)
    assert at.button(key="folder_go").disabled
    page_text = " ".join(str(e.value) for e in (*at.markdown, *at.caption, *at.error, *at.info))
    assert SECRET not in page_text and str(class_server["private"]) not in page_text

    student = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=120).run()
    student.switch_page("pages/collect.py").run()
    assert not student.exception
    assert not student.get("text_input") or all(t.key == "collect_passcode" for t in student.text_input)
    assert not [b for b in student.button if b.key and "go" in b.key]


def test_place_in_line_follows_the_fair_queue_and_a_session_has_a_job_limit(class_server, tmp_path):
    from artcore import ui

    release = threading.Event()

    @jobs.task("test-wait")
    def wait(params, ctx):
        release.wait(30)

    board = jobs.Board(tmp_path / "lib2", workers=1)
    mine = []
    try:
        first = board.submit("test-wait", {}, title="a", owner="ann")
        second = board.submit("test-wait", {}, title="b", owner="ann")
        third = board.submit("test-wait", {}, title="c", owner="ben")
        board.wait(first.id, 0.5)
        assert board.place(third.id) == 0 and board.place(second.id) == 1  # ben has none running: he goes first
        assert board.place(first.id) is None
        # The app's own board, with this session's limit of 2 (outside a browser session, the owner is "").
        mine += [ui.start_job("test-wait", {}, "one"), ui.start_job("test-wait", {}, "two")]
        with pytest.raises(UserError, match="already have 2 pieces of work"):
            ui.start_job("test-wait", {}, "three")
    finally:
        release.set()
        for j in (first, second, third):
            board.wait(j.id, 30)
        for j in mine:
            ui.board().wait(j.id, 30)
        jobs.TASKS.pop("test-wait")


def test_a_class_server_takes_shorter_clips(class_server, tmp_path, artdata):
    from artcore import video

    (tmp_path / "server.toml").write_text("[server]\nshared = true\nmax_video_seconds = 1\n")
    clip = video.demo_clip(artdata / "photos" / "sailboat.jpg", "sailboat-test")  # a 3-second camera move
    at = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=120).run()
    at.switch_page("pages/video.py").run()
    at = at.get("file_uploader")[0].set_value(("move.mp4", clip.read_bytes(), "video/mp4")).run()
    assert not at.exception
    assert len(at.error) == 1 and "is 3 s long; this server stylizes clips up to 1 s" in at.error[0].value


def test_a_class_server_paints_in_its_queue(class_server, artdata, tmp_path):
    from jobwait import settle

    from artcore.library import Library

    photo = artdata / "photos" / "sailboat.jpg"
    Library(tmp_path / "lib").add_bytes(photo.read_bytes(), source="test", original=str(photo))
    at = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=180).run()
    at.switch_page("pages/style.py").run()
    at.multiselect(key="builtins").select(3).run()
    at.number_input(key="size").set_value(256).run()
    at.button(key="go").click().run()
    assert not at.exception, at.exception
    # (A quick painting may already be done and collected by the rerun: ask the board, not the session.)
    [job] = [j for j in jobs.board(tmp_path / "lib").jobs() if j.kind == "stylize"]
    assert job.kind == "stylize" and job.owner == "test session id" and "scratch" in job.params["content"]
    at = settle(at)
    assert not at.exception and not at.error
    assert any(c.value.startswith("Result: 256×") for c in at.caption)
    assert len(at.session_state["style_gallery"]) == 1


def test_artcore_app_shared_starts_a_class_server(tmp_path, monkeypatch):
    from artcore.commands import app

    monkeypatch.setenv("ARTCORE_SERVER_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.delenv("ARTCORE_SHARED", raising=False)
    seen = {}
    monkeypatch.setattr(app.os, "execve", lambda exe, cmd, env: seen.update(cmd=cmd, env=env))
    monkeypatch.setattr(app.os, "environ", dict(os.environ))  # cmd_app hands the policy its environment
    app.cmd_app(app.argparse.Namespace(port=9000, headless=True, shared=True, library=str(tmp_path / "lib")))
    assert seen["env"]["ARTCORE_SHARED"] == "1"
    assert seen["cmd"][-2:] == ["--server.maxUploadSize", "20"]  # the uploader says the class server's limit
    monkeypatch.setattr(app.os, "environ", {k: v for k, v in os.environ.items() if k != "ARTCORE_SHARED"})
    app.cmd_app(app.argparse.Namespace(port=9000, headless=True, shared=False, library=None))
    assert "--server.maxUploadSize" not in seen["cmd"] and "ARTCORE_SHARED" not in seen["env"]
