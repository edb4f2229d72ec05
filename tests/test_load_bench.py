"""The load benchmark's client against a live app: two sessions at once load Home and Style studio over Streamlit's
websocket protocol without an error (``benchmarks/load_bench.py``; page loads only, well under a minute)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import benchmod
import pytest


@pytest.mark.timeout(90)
def test_two_sessions_load_home_and_style_studio(tmp_path):
    bench = benchmod.load("load_bench")
    out = tmp_path / "load.json"
    args = ["--sessions", "2", "--pages-only", "--queue", "on", "--settle", "0.5", "--timeout", "60", "--out", str(out)]
    # In a thread of its own: earlier tests (Playwright's sync API) may leave an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        report = pool.submit(bench.main, args).result()
    (run,) = report["runs"]
    assert run["errors"] == 0, run["error_messages"]
    assert run["warmup"]["error"] is None
    assert len(run["per_session"]) == 2
    for session in run["per_session"]:
        assert session["home_s"] > 0 and session["style_s"] > 0
        assert "click_s" not in session  # page loads only
    assert run["rss_peak_mb"] >= run["rss_start_mb"] > 0
    assert out.is_file()


@pytest.mark.timeout(90)
def test_a_short_soak_reloads_and_records_memory(tmp_path):
    bench = benchmod.load("load_bench")
    args = ["--sessions", "1", "--pages-only", "--queue", "on", "--soak", "4", "--settle", "0.5", "--timeout", "60",
            "--no-write"]  # fmt: skip
    with ThreadPoolExecutor(1) as pool:
        (run,) = pool.submit(bench.main, args).result()["runs"]
    assert run["errors"] == 0, run["error_messages"]
    assert run["soak_s"] == 4 and run["visits"] >= 2  # it came back (a reload) until the time was up
    assert len(run["per_session"]) == run["visits"]
