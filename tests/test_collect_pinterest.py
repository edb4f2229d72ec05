"""Pinterest collector: real headless Chromium on a fake infinite-scroll board (loopback), plus the URL rules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from collect_fakes import FakeBoard

from artcore.collect import pinterest
from artcore.library import Library

ROOT = Path(__file__).resolve().parent.parent
needs_chromium = pytest.mark.skipif(
    not (Path(pinterest.CHROMIUM).is_file() and Path(pinterest.CHROMEDRIVER).is_file()),
    reason="needs /usr/bin/chromium and /usr/bin/chromedriver",
)


def run_cli(lib_dir, url, n, *extra) -> subprocess.CompletedProcess:
    args = [sys.executable, "-m", "artcore.collect.pinterest", "-t", "dotpainting_on_rocks", "-u", url,
            "-mc", str(n), "--library", str(lib_dir), "--pause", "0", "0.01", "--scroll-wait", "1.5", *extra]  # fmt: skip
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)


@needs_chromium
def test_scrolls_a_board_behind_a_cookie_wall_and_tops_up_without_refetching(server, tmp_path):
    # Pin 2's original is gone (404) and pin 3's is not an image: both fall back to the largest srcset entry.
    board = FakeBoard(server, total=30, step=6, faults={2: ["always-404"], 3: ["always-html"]})
    lib_dir = tmp_path / "lib"
    first = run_cli(lib_dir, board.url, 8, "--workers", "3", "--batch-size", "4")
    assert first.returncode == 0, first.stderr
    assert "kept 8 new image(s); the library now has 8 of 8" in first.stdout

    second = run_cli(lib_dir, board.url, 20)  # more than one screen: needs the wall dismissed and scrolling
    assert second.returncode == 0, second.stderr
    assert "kept 12 new image(s); the library now has 20 of 20" in second.stdout
    assert "skipped 8: already in the library" in second.stdout
    rows = Library(lib_dir).records(field="style", value="dotpainting_on_rocks", source="pinterest")
    assert len(rows) == 20 and len({r["original"] for r in rows}) == 20 and len({r["sha256"] for r in rows}) == 20
    assert {r["original"] for r in rows} == {board.server.url_for(f"/pin/{5000 + i}/") for i in range(1, 21)}
    # Originals over thumbnails: every pin's original was asked for once, the fallbacks took the 736x copy.
    assert board.hits["originals"] == 20 and board.hits["736x"] == 2 and board.hits["236x"] == 0
    by_pin = {r["original"]: r for r in rows}
    pin2 = by_pin[board.server.url_for("/pin/5002/")]
    assert (pin2["width"], pin2["height"]) == (736, 552)
    pin1 = by_pin[board.server.url_for("/pin/5001/")]
    assert (pin1["width"], pin1["height"]) == (900, 675)
    assert '"Rock 1"' in pin1["attribution"] and pin1["original"] in pin1["attribution"]

    third = run_cli(lib_dir, board.url, 20)  # done already: no browser, no download
    assert third.returncode == 0 and "kept 0 new image(s)" in third.stdout
    assert board.hits["originals"] == 20


@needs_chromium
def test_a_board_that_runs_out_is_reported(server, tmp_path):
    board = FakeBoard(server, total=9, step=6)
    done = run_cli(tmp_path / "lib", board.url, 15, "--json")
    assert done.returncode == 1
    assert '"have": 9' in done.stdout and '"exhausted": true' in done.stdout


def test_url_rules(monkeypatch):
    monkeypatch.delenv("ARTCORE_ALLOWED_HOSTS", raising=False)
    for ok in ("https://nl.pinterest.com/someone/dotpainting-on-rocks/", "https://www.pinterest.co.uk/x/",
               "https://pinterest.com/search/pins/?q=dots"):  # fmt: skip
        assert pinterest.board_url_allowed(ok), ok
    for bad in ("http://127.0.0.1:8000/board/", "https://pinterest.com.evil.example/", "file:///etc/passwd",
                "https://evilpinterest.com/", "http://169.254.169.254/latest/"):  # fmt: skip
        assert not pinterest.board_url_allowed(bad), bad
    assert pinterest.image_url_allowed("https://i.pinimg.com/originals/aa/bb/cc/x.jpg")
    assert not pinterest.image_url_allowed("http://10.0.0.1/x.jpg")
    monkeypatch.setenv("ARTCORE_ALLOWED_HOSTS", "127.0.0.1, localhost")
    assert pinterest.board_url_allowed("http://127.0.0.1:8000/board/")
    assert not pinterest.board_url_allowed("http://10.0.0.1/board/")
    with pytest.raises(pinterest.UserError, match="not a Pinterest page"):
        pinterest.Board("http://10.0.0.1/board/", url_allowed=pinterest.board_url_allowed)


def test_best_urls_prefers_originals_then_the_largest_srcset_entry():
    src = "https://i.pinimg.com/236x/0a/1b/2c/abc.jpg"
    srcset = ("https://i.pinimg.com/236x/0a/1b/2c/abc.jpg 1x, https://i.pinimg.com/474x/0a/1b/2c/abc.jpg 2x, "
              "https://i.pinimg.com/736x/0a/1b/2c/abc.jpg 4x")  # fmt: skip
    assert pinterest.best_urls(src, srcset) == [
        "https://i.pinimg.com/originals/0a/1b/2c/abc.jpg",
        "https://i.pinimg.com/736x/0a/1b/2c/abc.jpg",
        src,
    ]
    assert pinterest.parse_srcset("a.jpg 236w, b.jpg 736w, c.jpg") == [(236.0, "a.jpg"), (736.0, "b.jpg"), (1.0, "c.jpg")]
    assert pinterest.best_urls("/236x/x.jpg", "", "http://h/board/") == ["http://h/originals/x.jpg", "http://h/236x/x.jpg"]
    assert pinterest.best_urls("data:image/gif;base64,R0l", "") == []
    assert pinterest.pin_key("https://nl.pinterest.com/pin/123/?mt=login#x") == "https://nl.pinterest.com/pin/123/"
