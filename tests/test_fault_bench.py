"""The fault benchmark at a tiny size: the server process is SIGKILLed with a render and a folder import running;
the library is intact, a restarted board finds both jobs interrupted, resumes them to the end, and the import has
every painting once (``benchmarks/fault_bench.py``; 120 paintings and a 4-second clip at 160 px, well under a
minute)."""

from __future__ import annotations

import benchmod
import pytest


@pytest.mark.timeout(90)
def test_a_killed_server_leaves_the_library_intact_and_both_jobs_resume(tmp_path, artdata):
    bench = benchmod.load("fault_bench")
    run = bench.fault_run(tmp_path / "early", moment="early", paintings=120, painters=4, clip_seconds=4, size=160,
                          timeout=60)  # fmt: skip
    assert run["at_kill"]["caught_both_running"], run["at_kill"]
    assert run["at_kill"]["rows_committed"] == 50  # the import's first commit, and not its last
    after_kill = run["after_kill"]
    assert after_kill["integrity"] == "ok" and run["library_intact_after_kill"], after_kill
    assert run["interrupted_on_restart"] == ["interrupted", "interrupted"]

    assert run["restart"]["import_status"] == "done", run["restart"]
    assert run["restart"]["render_status"] == "done", run["restart"]
    imported = run["import"]
    assert imported["rows_after"] == imported["expected"] == 120
    assert imported["duplicate_rows"] == imported["duplicate_originals"] == 0
    assert imported["added_on_resume"] + imported["already_there_on_resume"] == 120
    assert run["render"]["segments_reused"] >= 1 and run["render"]["frames_out"] == run["render"]["frames_expected"]
    assert run["library_intact_after_resume"] and not run["render"]["segment_folder_left"]
    assert run["records_left"] == ["done", "done"]
