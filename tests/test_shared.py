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


def class_app(tmp_path, artdata, page: str) -> AppTest:
    """The class server's app on ``page``, its library holding one photo (the sailboat)."""
    from artcore.library import Library

    photo = artdata / "photos" / "sailboat.jpg"
    Library(tmp_path / "lib").add_bytes(photo.read_bytes(), source="test", original=str(photo))
    at = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=180).run()
    return at.switch_page(page).run()


def queued(tmp_path, kind: str) -> jobs.Job:
    """The one job of ``kind`` on the class server's board, owned by the AppTest session. (A quick one may already
    be done and collected by the page's rerun: ask the board, not the session.)"""
    [job] = [j for j in jobs.board(tmp_path / "lib").jobs() if j.kind == kind]
    assert job.owner == "test session id" and "scratch" in job.params["out"]
    return job


def test_a_class_server_paints_in_its_queue(class_server, artdata, tmp_path):
    from jobwait import settle

    at = class_app(tmp_path, artdata, "pages/style.py")
    at.multiselect(key="builtins").select(3).run()
    at.number_input(key="size").set_value(256).run()
    at.button(key="go").click().run()
    assert not at.exception, at.exception
    assert "scratch" in queued(tmp_path, "stylize").params["content"]
    at = settle(at)
    assert not at.exception and not at.error
    assert any(c.value.startswith("Result: 256×") for c in at.caption)
    assert len(at.session_state["style_gallery"]) == 1


def test_a_quick_painting_shows_in_the_run_its_click_starts(class_server, artdata, tmp_path):
    """Once a Stylize has been timed, the next, expected to end within the second, is waited for in the click's
    own page run: its result shows there, without the progress and a second run of the page."""
    from jobwait import settle

    at = class_app(tmp_path, artdata, "pages/style.py")
    at.multiselect(key="builtins").select(3).run()
    at.number_input(key="size").set_value(128).run()
    at = settle(at.button(key="go").click().run())
    assert any(c.value.startswith("Result: 128×") for c in at.caption)
    at.number_input(key="size").set_value(192).run()
    at.button(key="go").click().run()
    assert not at.exception and not at.error
    assert any(c.value.startswith("Result: 192×") for c in at.caption)
    assert "style_job" not in at.session_state


def test_a_class_server_makes_contact_sheets_and_classic_paintings_in_its_queue(class_server, artdata, tmp_path):
    from jobwait import settle

    at = class_app(tmp_path, artdata, "pages/style.py")
    at.button(key="sheet_go").click().run()
    assert not at.exception, at.exception
    queued(tmp_path, "contact-sheet")
    at = settle(at)
    assert not at.exception and not at.error
    assert at.session_state["style_sheet"][1].width > 1000  # the 26 styles and the picture, named
    assert at.get("download_button")[0].label == "Download contact sheet"

    painting = artdata / "styles" / "picabia_udnie.jpg"
    at.file_uploader(key="gatys_style").set_value((painting.name, painting.read_bytes(), "image/jpeg")).run()
    at.slider(key="g_steps").set_value(5).run()
    at.slider(key="g_size").set_value(128).run()
    at.slider(key="g_every").set_value(2).run()
    at.button(key="g_go").click().run()
    assert not at.exception, at.exception
    job = queued(tmp_path, "gatys")
    assert job.params["settings"]["steps"] == 5 and job.params["every"] == 2
    at = settle(at)
    assert not at.exception and not at.error
    assert min(at.session_state["gatys_result"][1].size) == 128
    assert os.path.isfile(job.params["preview"])  # the picture so far, shown while it ran
    assert [name for name, _ in at.session_state["style_gallery"]] == [f"Gatys · {painting.name}"]
    assert any(b.label == "Download PNG" for b in at.get("download_button"))


def test_a_stopped_classic_painting_keeps_the_picture_so_far(class_server, artdata, tmp_path):
    from PIL import Image

    from artcore import tasks
    from artcore.style.gatys import GatysSettings

    photo, painting = Image.open(artdata / "photos" / "sailboat.jpg"), Image.open(artdata / "styles" / "picabia_udnie.jpg")
    params = tasks.gatys_params(tmp_path, photo, painting, GatysSettings(steps=50, size=128), 100)
    cancel, seen = threading.Event(), []

    def report(done, total, message):
        seen.append(done)
        if done == 3:
            cancel.set()  # Stop, pressed during the third step

    ctx = jobs.Context(tmp_path, jobs.Job(id="x", kind="gatys", title="", params=params), cancel, report)
    result = tasks.paint_gatys(params, ctx)
    assert seen == [1, 2, 3] and Image.open(result["output"]).size[1] == 128


def test_a_class_server_finds_your_picture_in_its_queue(class_server, artdata, tmp_path, monkeypatch):
    from jobwait import settle

    from artcore.gan import generate as gan

    monkeypatch.setenv("ARTCORE_VIDEO_JOBS", str(tmp_path / "video-jobs"))  # the morph's video, kept apart
    at = class_app(tmp_path, artdata, "pages/generate.py")
    at.radio(key="p_how").set_value("From the library").run()
    at.slider(key="p_steps").set_value(50).run()
    at.button(key="p_go").click().run()
    assert not at.exception, at.exception
    job = queued(tmp_path, "project")
    assert job.params["model"] == str(next(iter(gan.available_models().values()))) and job.params["steps"] == 50
    at = settle(at)
    assert not at.exception and not at.error
    proj = at.session_state["g_projection"]
    assert proj.steps == 50 and proj.image.shape == proj.target.shape and proj.psnr > 5
    assert any(c.startswith("Your picture · the model's closest painting") for i in at.get("image") for c in i.captions)
    assert "Your found picture" in at.radio(key="w_From_kind").options
    at.radio(key="w_From_kind").set_value("Projected picture").run()
    at.slider(key="w_frames").set_value(8).run()
    at.button(key="w_go").click().run()  # a morph from the found picture, as from one found here
    assert not at.exception and not at.error and at.session_state["gan_result"].endswith(".mp4")


def test_artcore_app_shared_starts_a_class_server(tmp_path, monkeypatch):
    from artcore.commands import app

    monkeypatch.setenv("ARTCORE_SERVER_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.delenv("ARTCORE_SHARED", raising=False)
    for var in shared.THREAD_VARIABLES:
        monkeypatch.delenv(var, raising=False)
    seen = {}
    monkeypatch.setattr(app.os, "execve", lambda exe, cmd, env: seen.update(cmd=cmd, env=env))
    monkeypatch.setattr(app.os, "environ", dict(os.environ))  # cmd_app hands the policy its environment
    app.cmd_app(app.argparse.Namespace(port=9000, headless=True, shared=True, library=str(tmp_path / "lib")))
    assert seen["env"]["ARTCORE_SHARED"] == "1"
    cmd = " ".join(seen["cmd"])
    assert "--server.maxUploadSize 20" in cmd  # the uploader says the class server's limit
    # no per-session source watcher and no full garbage collection after each run: page loads at 30 sessions
    assert "--server.fileWatcherType none" in cmd and "--runner.postScriptGC false" in cmd
    threads = str(shared.threads_per_job(os.cpu_count() or 1))  # workers default to the cores: a core each
    assert all(seen["env"][v] == threads for v in shared.THREAD_VARIABLES)
    monkeypatch.setattr(app.os, "environ", {k: v for k, v in os.environ.items() if k != "ARTCORE_SHARED"})
    app.cmd_app(app.argparse.Namespace(port=9000, headless=True, shared=False, library=None))
    assert "--server.maxUploadSize" not in seen["cmd"] and "ARTCORE_SHARED" not in seen["env"]
    assert "--runner.postScriptGC" not in seen["cmd"]
    assert "ARTCORE_THREADS" not in seen["env"]  # a personal server keeps every library's own defaults


def test_jobs_share_the_cores_without_oversubscribing(monkeypatch):
    from artcore import registry

    assert [shared.threads_per_job(w, cores=8) for w in (1, 2, 3, 8, 16)] == [8, 4, 2, 1, 1]
    monkeypatch.setenv("ARTCORE_THREADS", "1")
    assert registry.session_options().intra_op_num_threads == 1
    monkeypatch.delenv("ARTCORE_THREADS")
    assert registry.session_options().intra_op_num_threads == 0  # onnxruntime's own default


def test_class_server_hands_onnxruntime_memory_back(monkeypatch):
    from artcore import registry

    monkeypatch.delenv("ARTCORE_SHARED", raising=False)
    assert registry.session_options().enable_cpu_mem_arena  # a personal server keeps onnxruntime's fast arena
    monkeypatch.setenv("ARTCORE_SHARED", "1")
    assert not registry.session_options().enable_cpu_mem_arena  # many sessions' peaks are not kept for good


def test_only_the_queues_workers_keep_onnxruntimes_memory_until_the_queue_empties(monkeypatch):
    """A class server's job workers (one per core) keep the arena's memory of an ordinary pass for the next; a
    page's run, or a pass larger than ARENA_KEEP_PIXELS, hands it back; so does ``release_memory`` (the queue
    emptied), for every loaded style network. A personal server keeps onnxruntime's default."""
    from artcore import registry

    def shrinks(name: str, pixels: int | None) -> bool:
        out = []
        t = threading.Thread(target=lambda: out.append(registry.arena_run_options(pixels)), name=name)
        t.start()
        t.join()
        try:
            return out[0].get_run_config_entry("memory.enable_memory_arena_shrinkage") == "cpu:0"
        except RuntimeError:  # no such entry
            return False

    monkeypatch.delenv("ARTCORE_SHARED", raising=False)
    assert registry.arena_run_options(512 * 512) is None
    monkeypatch.setenv("ARTCORE_SHARED", "1")
    assert not shrinks("artcore-jobs-0", 512 * 512)
    assert shrinks("artcore-jobs-1", 1152 * 1152)
    assert shrinks("artcore-jobs-1", None)
    assert shrinks("ScriptRunner.scriptThread", 256 * 256)
    assert registry.session_options(arena=True).enable_cpu_mem_arena
    assert not registry.session_options().enable_cpu_mem_arena

    released = []
    monkeypatch.setattr(registry, "_RELEASERS", [lambda: released.append(True)])
    shared.release_memory()
    assert released == [True]
