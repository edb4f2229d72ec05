"""Background jobs (artcore.jobs, artcore.tasks): they run on the server, stop, survive a restart and resume."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from jobwait import settle
from streamlit.testing.v1 import AppTest

from artcore import jobs
from artcore.config import PROJECT_ROOT
from artcore.library import Library


@pytest.fixture
def fresh_board(tmp_path):
    return jobs.Board(tmp_path / "lib")


def sample_import(artdata) -> dict:
    return {"purpose": "samples", "folders": [{"path": str(artdata / "artist10"), "label_from": "parent",
                                               "label_field": "artist"}]}  # fmt: skip


def test_import_job_runs_stops_and_resumes_without_duplicates(fresh_board, artdata):
    job = fresh_board.submit("import", sample_import(artdata), title="samples")
    deadline = time.monotonic() + 60
    while (j := fresh_board.get(job.id)).done < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert j.status == "running" and j.total == 100
    fresh_board.stop(job.id)
    stopped = fresh_board.wait(job.id, 60)
    assert stopped.status == "stopped" and stopped.done < 100
    lib = Library(fresh_board.library)
    part = lib.count()
    assert 0 < part < 100

    again = fresh_board.resume(job.id)
    assert fresh_board.get(job.id) is None  # the resumed job replaces the stopped one
    done = fresh_board.wait(again.id, 300)
    assert done.status == "done", done
    assert lib.count() == 100 and len(lib.label_counts("artist")) == 10
    assert done.result["added"] == 100 - part and done.result["summary"].startswith(f"Added {100 - part:,} pictures")
    on_disk = json.loads((fresh_board.folder / f"{again.id}.json").read_text())
    assert on_disk["status"] == "done" and on_disk["result"]["added"] == done.result["added"]


def test_a_job_left_running_by_a_dead_server_is_offered_for_resuming(tmp_path, artdata):
    lib_root = tmp_path / "lib"
    record = jobs.Job(id="20261129-101010-abcdef", kind="import", title="samples", params=sample_import(artdata),
                      status="running", done=250, total=1146, pid=2**22 + 12345)  # no such process
    (lib_root / "jobs").mkdir(parents=True)
    (lib_root / "jobs" / f"{record.id}.json").write_text(json.dumps(record.__dict__))
    board = jobs.Board(lib_root)
    found = board.find("import", active=False, purpose="samples")
    assert found.status == "interrupted" and found.done == 250
    assert "server stopped" in jobs.describe(found)
    resumed = board.wait(board.resume(found.id).id, 300)
    assert resumed.status == "done" and Library(lib_root).count() == 100


def test_a_live_servers_job_is_left_alone(tmp_path):
    lib_root = tmp_path / "lib"
    (lib_root / "jobs").mkdir(parents=True)
    record = jobs.Job(id="x1", kind="embed", title="t", params={}, status="running", pid=os.getppid())
    (lib_root / "jobs" / "x1.json").write_text(json.dumps(record.__dict__))
    assert jobs.Board(lib_root).get("x1").status == "running"


def test_failures_are_one_sentence_and_workers_survive(fresh_board, tmp_path):
    bad = fresh_board.wait(fresh_board.submit("import", {"folders": [{"path": str(tmp_path / "nowhere")}]},
                                              title="bad").id, 60)  # fmt: skip
    assert bad.status == "failed" and "does not exist" in bad.error and "Traceback" not in bad.error

    @jobs.task("test-crash")
    def crash(params, ctx):
        raise RuntimeError("/secret/server/path exploded")

    try:
        crashed = fresh_board.wait(fresh_board.submit("test-crash", {}, title="crash").id, 60)
    finally:
        jobs.TASKS.pop("test-crash")
    assert crashed.status == "failed" and crashed.error.startswith("Sorry") and "/secret" not in crashed.error
    with pytest.raises(jobs.UserError):
        fresh_board.submit("no-such-kind", {}, title="x")
    with pytest.raises(TypeError):
        fresh_board.submit("import", {"folders": [object()]}, title="not JSON")


def test_fair_queue_serves_the_owner_with_fewest_running_first():
    def job(owner, created, status="queued"):
        return jobs.Job(id=f"{owner}{created}", kind="k", title="t", params={}, owner=owner, status=status,
                        created=created)  # fmt: skip

    queued = [job("ann", 1), job("ann", 2), job("ben", 3)]
    assert jobs.fair_next(queued, [job("ann", 0, "running")]).owner == "ben"
    assert jobs.fair_next(queued, []).id == "ann1"  # otherwise the oldest


def test_time_left_is_plain_words():
    job = jobs.Job(id="j", kind="k", title="t", params={}, status="running", done=50, total=100,
                   rate_from=[time.time() - 10, 0], message="Reading")  # fmt: skip
    assert jobs.describe(job) == "Reading (50 of 100; about 10 s left)"
    assert [jobs.time_left(s) for s in (4, 44, 200, 5000)] == [
        "a few seconds left", "about 45 s left", "about 3 min left", "about 1 h 23 min left"]  # fmt: skip


def test_home_import_outlives_the_session_and_shows_on_return(monkeypatch, tmp_path, artdata):
    """Start the sample import, "close the tab" (drop the AppTest), and open the app again: the import ran on."""
    monkeypatch.setenv("ARTCORE_HOME", str(tmp_path / "lib"))
    at = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=120).run()
    at.button[0].click().run()
    assert not at.exception
    assert at.get("progress"), "no progress where the result will appear"
    del at  # the tab is closed
    again = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=120).run()
    assert not again.exception
    settle(again)  # ... until the import is done; then the painter opens the app once more
    back = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=120).run()
    metrics = {m.label: m.value for m in back.metric}
    assert int(metrics["Images"].replace(",", "")) > 1000 and metrics["Genres"] == "4"
    assert not any("library is empty" in m.value for m in back.markdown)
    # The sidebar's "Finished work" says what it did (a second run of an AppTest drops st.navigation's sidebar).
    assert any(m.value.endswith("Added 1,246 pictures.") for m in back.sidebar.markdown), back.sidebar.markdown


def test_cli_lists_stops_a_job_another_process_runs_and_resumes_it(fresh_board, artdata):
    import subprocess
    import sys

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "artcore", "--library", str(fresh_board.library), "jobs", *args],
                              capture_output=True, text=True, timeout=300)  # fmt: skip

    job = fresh_board.submit("import", sample_import(artdata), title="Importing the samples")
    deadline = time.monotonic() + 60
    while fresh_board.get(job.id).done < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    listed = cli()
    assert listed.returncode == 0 and job.id in listed.stdout and "running" in listed.stdout
    assert cli("stop", job.id).returncode == 0  # the other process leaves a note this one's worker reads
    stopped = fresh_board.wait(job.id, 60)
    assert stopped.status == "stopped" and stopped.done < 100
    resumed = cli("resume", job.id, "--json")
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["status"] == "done" and Library(fresh_board.library).count() == 100
    assert cli("stop", "nope").returncode == 2


def test_style_sources_travel_to_a_job_as_text(tmp_path, artdata):
    import numpy as np

    from artcore.style import StyleSource, label_vector, parse_source
    from artcore.tasks import source_specs

    lib = Library(tmp_path / "lib")
    for f in sorted((artdata / "artist10" / "Monet").glob("*.jpg"))[:4]:
        lib.add_bytes(f.read_bytes(), source="test", original=str(f), artist="Monet")
    out = lib.records()[0]["sha256"]
    picture = (artdata / "photos" / "sailboat.jpg").read_bytes()
    sources = [StyleSource("builtin", 3, 0.5), StyleSource("image", picture, 0.2), StyleSource("artist", "Monet", 0.2),
               StyleSource("artist", "Monet", 0.1, exclude=(out,))]  # fmt: skip
    specs = source_specs(sources, tmp_path / "files", lib)
    assert specs[0] == "builtin:3@0.5" and specs[2] == "artist:Monet@0.2"
    back = [parse_source(s) for s in specs]
    assert [b.kind for b in back] == ["builtin", "image", "artist", "vector"]
    assert Path(back[1].value).read_bytes() == picture and back[3].weight == 0.1
    np.testing.assert_allclose(back[3].value, label_vector(lib, "artist", "Monet", (out,)), atol=1e-6)


def test_scratch_files_of_closed_sessions_go_after_a_while(fresh_board):
    old = fresh_board.scratch("session-1") / "result.png"
    old.write_bytes(b"x")
    long_ago = time.time() - jobs.SCRATCH_HOURS * 3600 - 60
    os.utime(old, (long_ago, long_ago))
    fresh = fresh_board.scratch("session-2") / "content.png"
    fresh.write_bytes(b"y")
    assert fresh_board.scratch("../../etc").name == "etc" and fresh_board.scratch("").name == "personal"
    assert not old.exists() and old.parent.exists() and fresh.exists()
    os.utime(old.parent, (long_ago, long_ago))  # the emptied folder, idle as long: the next sweep takes it
    fresh_board.scratch("session-2")
    assert not old.parent.exists() and fresh.exists()


def test_a_render_sweeps_the_half_written_mp4_a_killed_server_left(fresh_board, tmp_path, artdata, monkeypatch):
    """A server killed while a render encoded its mp4 leaves ``.tmp-<pid>-….mp4`` beside the result (as large as
    the video; ``benchmarks/fault_bench.py`` found them kept for ever): the next render removes a dead writer's."""
    from artcore import video

    monkeypatch.setenv("ARTCORE_VIDEO_JOBS", str(tmp_path / "video-jobs"))
    clip = video.pan_zoom_clip(artdata / "photos" / "sailboat.jpg", tmp_path / "clip.mp4", seconds=1, fps=10,
                               size=96, audio=False)  # fmt: skip
    out = tmp_path / "renders" / "clip-styled.mp4"
    out.parent.mkdir()
    stale = out.parent / f".tmp-{2**22 + 12345}-{out.name}"  # no such process
    stale.write_bytes(b"half an mp4")
    live = out.parent / f".tmp-{os.getpid()}-other.mp4"  # a live writer's: left alone
    live.write_bytes(b"being written")
    job = fresh_board.submit("video", {"clip": str(clip), "sources": ["builtin:3@1.0"], "out": str(out),
                                       "settings": {"size": 96, "smooth": 0.0}}, title="render")  # fmt: skip
    done = fresh_board.wait(job.id, 120)
    assert done.status == "done", done
    assert out.is_file() and not stale.exists() and live.exists()


def test_a_finished_job_waits_for_its_page_however_busy_the_server(fresh_board, monkeypatch):
    """A page shows a job's result from its record: 30 newer jobs ending first must not prune it (at 50 sessions
    they did, and those pages showed nothing); records older than KEEP_ENDED_SECONDS beyond KEEP_ENDED still go."""

    @jobs.task("test-quick")
    def quick(params, ctx):
        return {"summary": "done"}

    try:
        first = fresh_board.wait(fresh_board.submit("test-quick", {}, title="mine").id, 60)
        for i in range(30):
            fresh_board.wait(fresh_board.submit("test-quick", {}, title=f"other {i}").id, 60)
        assert fresh_board.get(first.id).status == "done"
        monkeypatch.setattr(jobs, "KEEP_ENDED_SECONDS", 0)  # an hour later
        fresh_board.wait(fresh_board.submit("test-quick", {}, title="later").id, 60)
        assert fresh_board.get(first.id) is None
        assert len([j for j in fresh_board.jobs() if not j.active]) <= jobs.KEEP_ENDED + 1
    finally:
        jobs.TASKS.pop("test-quick")


def test_class_server_trims_memory_on_a_timer(monkeypatch):
    import threading

    from artcore import shared

    trimmed = threading.Event()
    monkeypatch.setenv("ARTCORE_SHARED", "1")
    monkeypatch.setattr(shared, "release_memory", lambda: trimmed.set())
    monkeypatch.setattr(shared, "_keeper", None)
    shared.keep_memory_low(every=0.05)
    assert trimmed.wait(5)
    keeper = shared._keeper
    shared.keep_memory_low(every=0.05)
    assert shared._keeper is keeper  # one thread per process
    monkeypatch.undo()  # off a class server the thread ends
    keeper.join(5)
    assert not keeper.is_alive()
    shared.release_memory()  # personal server: a no-op, and never an error on any libc


def test_sessions_of_closed_tabs_are_shut_down_after_a_grace_time():
    """Streamlit forgets a disconnected session after two minutes without shutting it down (its media files and
    download callables stay registered): a class server closes it itself, once its tab has been gone a while."""
    from types import SimpleNamespace as NS

    from artcore import shared

    sessions = {"open": True, "left": False, "back": False}  # id → connected

    class Manager:
        def list_active_sessions(self):
            return [NS(session=NS(id=i)) for i, on in sessions.items() if on]

        def list_sessions(self):
            return [NS(session=NS(id=i)) for i in sessions]

    closed = []
    runtime = NS(_session_mgr=Manager(), clear_user_info_for_session=closed.append)
    seen: dict[str, float] = {}
    assert shared.close_left_sessions(seen, grace=0.2, runtime=runtime) == 0 and set(seen) == {"left", "back"}
    sessions["back"] = True  # the tab reconnected in time: forgotten, kept
    time.sleep(0.25)
    assert shared.close_left_sessions(seen, grace=0.2, runtime=runtime) == 1
    assert closed == ["left"] and seen == {}
    assert shared.close_left_sessions(seen, runtime=NS(), grace=0) == 0  # no session manager: nothing, no error


def test_the_heap_is_trimmed_when_the_queue_empties_not_after_each_job(fresh_board, monkeypatch):
    """A trim stalls every thread's allocations: after each of 30 jobs it cost a class server a fifth of its
    renders. Three jobs queued at once: one trim, when the last ends; a job right after: none (TRIM_GAP), and
    one once the gap has passed."""
    import threading

    gate, trims = threading.Event(), []
    monkeypatch.setattr(jobs, "release_memory", lambda: trims.append(time.monotonic()))

    @jobs.task("test-gated")
    def gated(params, ctx):
        gate.wait(30)
        return {"summary": "done"}

    try:
        ids = [fresh_board.submit("test-gated", {}, title=f"job {i}").id for i in range(3)]
        gate.set()
        for job_id in ids:
            assert fresh_board.wait(job_id, 60).status == "done"
        time.sleep(0.2)
        assert len(trims) == 1
        fresh_board.wait(fresh_board.submit("test-gated", {}, title="soon after").id, 60)
        time.sleep(0.2)
        assert len(trims) == 1
        monkeypatch.setattr(jobs, "TRIM_GAP", 0.0)
        fresh_board.wait(fresh_board.submit("test-gated", {}, title="later").id, 60)
        time.sleep(0.2)
        assert len(trims) == 2
    finally:
        jobs.TASKS.pop("test-gated")


def test_a_job_records_the_cpu_time_its_worker_spent(fresh_board):
    """The load benchmark's "ideal" is the renders' CPU time spread over the workers: a job that computes for
    0.3 s records about that, one that waits 0.3 s records almost none."""

    @jobs.task("test-cpu")
    def burn(params, ctx):
        if not params["compute"]:
            time.sleep(0.3)
        end = time.thread_time() + 0.3
        while params["compute"] and time.thread_time() < end:
            pass
        return {"summary": "done"}

    try:
        busy = fresh_board.wait(fresh_board.submit("test-cpu", {"compute": True}, title="busy").id, 60)
        idle = fresh_board.wait(fresh_board.submit("test-cpu", {"compute": False}, title="idle").id, 60)
        assert 0.28 <= busy.cpu_seconds <= 1.0
        assert idle.cpu_seconds < 0.1
        assert json.loads(fresh_board._path(busy.id).read_text())["cpu_seconds"] == busy.cpu_seconds
    finally:
        jobs.TASKS.pop("test-cpu")


def test_how_long_until_a_job_ends_from_how_long_its_kind_took(fresh_board, tmp_path):
    """One worker, two jobs of a kind that has taken 0.2 s: the second is expected to end after about the first's
    run and its own; a restarted server still knows the kind's time from the records."""

    @jobs.task("test-timed")
    def timed(params, ctx):
        time.sleep(0.2)
        return {"summary": "done"}

    try:
        for i in range(3):
            fresh_board.wait(fresh_board.submit("test-timed", {}, title=f"timing {i}").id, 60)
        first = fresh_board.submit("test-timed", {}, title="first")
        second = fresh_board.submit("test-timed", {}, title="second")
        assert 0.25 <= fresh_board.end_estimate(second.id) <= 0.45
        assert fresh_board.end_estimate(first.id) <= 0.21
        fresh_board.wait(second.id, 60)
        assert fresh_board.end_estimate(second.id) == 0.0
        assert 0.19 <= jobs.Board(tmp_path / "lib")._typical()("test-timed") <= 0.3
    finally:
        jobs.TASKS.pop("test-timed")
