"""``artcore.ui.Progress``: plain words, how far, and the time left from the rate so far."""

from __future__ import annotations

from artcore import ui


def test_progress_says_what_happens_and_the_time_left():
    now = [100.0]
    bar = ui.Progress("Reading your {total:,} paintings so the map can place them", note="once", count=False,
                      messages=False, clock=lambda: now[0])  # fmt: skip
    assert bar.text(0, 1795, "artnet") == "Reading your 1,795 paintings so the map can place them (once)"
    now[0] += 1.0
    assert "left" not in bar.text(40, 1795)  # too early for an estimate: no guess
    now[0] += 9.0
    # 500 paintings in 10 s since the first report: 1,295 more at 50 a second.
    assert bar.text(500, 1795) == "Reading your 1,795 paintings so the map can place them (once; about 25 s left)"
    assert bar.text(1795, 1795).endswith("(once)")  # done: nothing left to announce

    now[0] = 0.0
    render = ui.Progress("Repainting the clip frame by frame", messages=False, clock=lambda: now[0])
    render(48, 96, "resuming")  # a resumed job: the rate counts from where it started
    now[0] = 12.0
    assert render.text(60, 96, "3 s left") == "Repainting the clip frame by frame (60 of 96; about 35 s left)"
    render.clear()

    assert [ui.time_left(s) for s in (4, 44, 200, 5000)] == [
        "a few seconds left", "about 45 s left", "about 3 min left", "about 1 h 23 min left"]  # fmt: skip


def test_a_next_stage_has_its_own_words_and_rate():
    now = [0.0]
    bar = ui.Progress("Reading your {total:,} pictures so the map can place them", note="once", count=False,
                      messages=False, clock=lambda: now[0])  # fmt: skip
    bar(10, 100)
    now[0] = 500.0  # reading took long; placing the map's works must not inherit that rate
    bar.stage("Arranging your {total:,} pictures on the map")
    bar(20_000, 100_000)
    now[0] = 505.0  # 20,000 placed in 5 s: 60,000 more take 15
    words = bar.text(40_000, 100_000)
    assert words == "Arranging your 100,000 pictures on the map (40,000 of 100,000; about 15 s left)"
    bar.clear()
