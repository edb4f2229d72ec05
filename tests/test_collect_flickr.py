"""Flickr collector and the shared downloader against a fake Flickr on loopback: faults, cancel, kill and resume."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from collect_fakes import FakeFlickr, jpeg

from artcore.collect import download, flickr
from artcore.collect.download import Settings, collect, count_labelled
from artcore.errors import UserError
from artcore.library import Library

ROOT = Path(__file__).resolve().parent.parent
KEY, SECRET = "KEYabc123notlogged", "SECRETdef456notlogged"
FAST = Settings(workers=4, batch_size=8, pause=(0.0, 0.01), retries=3, backoff=0.01, timeout=1.0)


@pytest.fixture(autouse=True)
def flickr_env(monkeypatch):
    monkeypatch.setenv("FLICKR_API_KEY", KEY)
    monkeypatch.setenv("FLICKR_API_SECRET", SECRET)


@pytest.fixture
def lib(tmp_path) -> Library:
    return Library(tmp_path / "lib")


def search(fake: FakeFlickr, per_page: int = 10, licences=flickr.REUSE_LICENCES, cancel=None) -> flickr.Search:
    return flickr.Search("dotpainting", licences=list(licences) if licences else None, per_page=per_page,
                         max_side=2048, api_url=fake.api_url, settings=FAST, cancel=cancel)  # fmt: skip


def run(lib, fake, n, **kw) -> download.Report:
    return collect(lib, search(fake), target=n, source="flickr", label_field="style", label="dots",
                   settings=kw.pop("settings", FAST), **kw)  # fmt: skip


def assert_exactly(lib, n):
    rows = lib.records(field="style", value="dots", source="flickr")
    assert len(rows) == n
    assert len({r["original"] for r in rows}) == n
    assert len({r["sha256"] for r in rows}) == n
    return rows


def test_faults_are_retried_or_skipped_and_attribution_is_kept(server, lib):
    faults = {
        1: ["429", "429"], 2: ["500", "503"], 3: ["slow"],  # transient: retried, then kept
        4: ["always-truncated"], 6: ["always-cut"], 7: ["always-404"],  # permanent: skipped with a reason
        5: ["html"],  # the large size is not an image: falls back to the next size
    }
    fake = FakeFlickr(server, n=40, faults=faults, licences={10: 0, 11: 3}, same_content={9: 8},
                      api_faults=["500"])  # fmt: skip
    seen = []
    report = run(lib, fake, 20, progress=lambda have, total, thumb: seen.append((have, total, thumb)))

    rows = assert_exactly(lib, 20)
    assert report.have == 20 and len(report.kept) == 20 and not report.cancelled
    reasons = report.reasons()
    assert reasons["connection failed or body truncated"] == 1
    assert reasons["HTTP 404"] == 1
    assert sum(n for r, n in reasons.items() if r.startswith("not a usable image")) == 1
    assert reasons["same content already in the library"] == 1
    kept_ids = {int(r["original"].rstrip("/").rsplit("/", 1)[1]) - 1000 for r in rows}
    assert {1, 2, 3, 5} <= kept_ids
    assert not kept_ids & {4, 6, 7, 10, 11}  # 10: All Rights Reserved, 11: ND: never asked for
    assert fake.image_hits[1] == 3 and fake.image_hits[2] == 3 and fake.image_hits[5] == 2
    # Progress: the start, then once per candidate; each image kept comes with its thumbnail.
    kept = [s for s in seen if s[2] is not None]
    assert seen[0] == (0, 20, None) and len(seen) == 1 + 20 + sum(reasons.values())
    assert [s[0] for s in kept] == list(range(1, 21)) and all(Path(s[2]).is_file() for s in kept)
    # API: paged with the reuse licences, the 500 retried, signed with our key.
    assert fake.api_calls[0]["license"] == "4,5,7,8,9,10" and fake.api_calls[0]["per_page"] == "10"
    assert [c["page"] for c in fake.api_calls] == ["1", "1", "2", "3"]
    assert all(f'oauth_consumer_key="{KEY}"' in h for h in fake.auth_headers)
    r = next(r for r in rows if r["original"].endswith("/1001/"))
    assert r["licence"] == "CC BY 2.0"
    assert r["original"] == "https://www.flickr.com/photos/1@N01/1001/"
    for part in ('"Dots 1"', "Artist 1", "https://www.flickr.com/people/1@N01/", r["original"], "CC BY 2.0",
                 fake.server.url_for("/img/1_k.jpg")):  # fmt: skip
        assert part in r["attribution"]


def test_rerun_after_success_adds_nothing_and_downloads_nothing(server, lib):
    fake = FakeFlickr(server, n=15)
    assert len(run(lib, fake, 10).kept) == 10
    hits = sum(fake.image_hits.values())
    report = run(lib, fake, 10)
    assert report.kept == [] and report.had == 10 and sum(fake.image_hits.values()) == hits
    assert len(fake.api_calls) == 1  # the second run made no API call either
    assert_exactly(lib, 10)
    # A larger target tops up from where the first run stopped, never fetching a photo twice.
    report = run(lib, fake, 13)
    assert len(report.kept) == 3 and report.reasons() == {"already in the library": 10}
    assert_exactly(lib, 13)
    assert max(fake.image_hits.values()) == 1


def test_cancel_midway_then_resume_gives_exactly_n(server, lib):
    fake = FakeFlickr(server, n=40, latency=0.02)
    cancel = threading.Event()

    def progress(have, total, thumb):
        if have >= 5:
            cancel.set()

    report = run(lib, fake, 25, progress=progress, cancel=cancel)
    assert report.cancelled and 5 <= report.have < 25
    assert "run the same command again" in report.summary()
    report = run(lib, fake, 25)
    assert report.have == 25 and not report.cancelled
    assert_exactly(lib, 25)
    # Only downloads cut off by the cancel are fetched again.
    assert sum(n - 1 for n in fake.image_hits.values()) <= FAST.workers


def test_source_exhausted_and_api_failure_are_reported(server, lib):
    fake = FakeFlickr(server, n=6, faults={2: ["always-404"]})
    report = run(lib, fake, 10)
    assert report.exhausted and report.have == 5
    assert "no more matching images" in report.summary()
    fake.api_faults = ["503"] * 10
    report = run(lib, fake, 10)
    assert report.error and "HTTP 503" in report.error and report.kept == []


def test_size_cap_host_policy_and_redirects(server):
    data = jpeg(1, (400, 300))
    server.expect_request("/big.jpg").respond_with_data(data, content_type="image/jpeg")
    server.expect_request("/chunked.jpg").respond_with_data(iter([data]), content_type="image/jpeg")
    server.expect_request("/hop").respond_with_data("", status=302, headers={"Location": "/big.jpg"})
    server.expect_request("/away").respond_with_data("", status=302, headers={"Location": "http://localhost:9/x"})
    fetch = download.Fetcher(Settings(max_bytes=len(data) - 1, retries=0), threading.Event())
    for path in ("/big.jpg", "/chunked.jpg"):  # refused by Content-Length, and while streaming without one
        with pytest.raises(download.FetchError, match="cap"):
            fetch.get(server.url_for(path))
    only_loopback = Settings(url_allowed=lambda u: u.startswith("http://127.0.0.1:"), retries=0)
    fetch = download.Fetcher(only_loopback, threading.Event())
    assert fetch.get(server.url_for("/hop")) == data
    with pytest.raises(download.FetchError, match="host not allowed: localhost"):
        fetch.get(server.url_for("/away"))


def test_pick_urls_rate_limiter_licences_and_credentials(monkeypatch, tmp_path):
    photo = {"url_o": "o", "width_o": 6000, "height_o": 4000, "url_k": "k", "width_k": 2048, "height_k": 1365,
             "url_b": "b", "width_b": "1024", "height_b": "683", "url_m": "m"}  # fmt: skip
    assert flickr.pick_urls(photo, 2048) == ["k", "b", "m"]
    assert flickr.pick_urls(photo, 10_000) == ["o", "k", "b", "m"]
    assert flickr.pick_urls({"url_o": "o", "width_o": 5000, "height_o": 10}, 100) == ["o"]
    assert flickr.pick_urls({"url_o": "o", "url_h": "h", "url_z": "z"}, 1024) == ["z"]  # unknown original: too big

    now = [0.0]
    limiter = flickr.RateLimiter(calls=3, period=10.0, clock=lambda: now[0])
    waits = []

    class Clock(threading.Event):
        def wait(self, timeout=None):
            waits.append(timeout)
            now[0] += timeout
            return False

    for _ in range(7):
        limiter.acquire(Clock())
    assert waits == [10.0, 10.0] and now[0] == 20.0  # calls 4 and 7 wait for the window to slide

    assert flickr.parse_licences(None, False) == list(flickr.REUSE_LICENCES)
    assert flickr.parse_licences("4, 9", False) == [4, 9] and flickr.parse_licences("4", True) is None
    with pytest.raises(UserError):
        flickr.parse_licences("cc-by", False)

    monkeypatch.delenv("FLICKR_API_KEY")
    monkeypatch.setenv("ARTCORE_HOME", str(tmp_path / "lib"))  # no key saved in this library's settings
    monkeypatch.setenv(flickr.CONFIG_ENV, str(tmp_path / "flickr.toml"))
    with pytest.raises(UserError, match="get a free key at"):
        flickr.credentials()
    (tmp_path / "flickr.toml").write_text('api_key = "k2"\napi_secret = "s2"\n')
    monkeypatch.delenv("FLICKR_API_SECRET")
    assert flickr.credentials() == ("k2", "s2")


def cli(lib_dir, fake, *extra, env=None) -> subprocess.Popen:
    args = [sys.executable, "-m", "artcore.collect.flickr", "-t", "dotpainting", "--library", str(lib_dir),
            "--api-url", fake.api_url, "--pause", "0", "0.01", "--per-page", "10", "--timeout", "2", *extra]  # fmt: skip
    env = {**os.environ, "FLICKR_API_KEY": KEY, "FLICKR_API_SECRET": SECRET, **(env or {})}
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_rows(lib, n: int, timeout: float = 60) -> None:
    """Until a CLI run has kept ``n`` "dotpainting" pictures (or ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while count_labelled(lib, "flickr", "style", "dotpainting") < n and time.monotonic() < deadline:
        time.sleep(0.05)


def test_cli_killed_midway_then_rerun_gives_exactly_n(server, tmp_path):
    fake = FakeFlickr(server, n=40, latency=0.15, faults={3: ["500"], 8: ["always-html"]})
    lib_dir = tmp_path / "lib"
    proc = cli(lib_dir, fake, "-mc", "24", "--workers", "2", "--batch-size", "4")
    lib = Library(lib_dir)
    wait_for_rows(lib, 6)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    first = count_labelled(lib, "flickr", "style", "dotpainting")
    assert 6 <= first < 24
    hits_before = dict(fake.image_hits)

    fake.latency = 0
    proc = cli(lib_dir, fake, "-mc", "24", "--json")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert '"have": 24' in out
    rows = Library(lib_dir).records(field="style", value="dotpainting", source="flickr")
    assert len(rows) == 24 and len({r["original"] for r in rows}) == 24 and len({r["sha256"] for r in rows}) == 24
    # Photos kept before the kill were not fetched again (one in flight at the kill may be).
    refetched = [i for i, n in fake.image_hits.items() if n > hits_before.get(i, 0) and i in hits_before]
    assert len(refetched) <= 2 + 1  # at most the kill's in-flight pair, plus photo 8 (never an image)
    stored = [p for p in (lib_dir / "images").rglob("*") if p.is_file() and not p.name.startswith(".tmp")]
    assert len(stored) == 24

    # After success the same command adds nothing; the output never shows the key or secret.
    proc = cli(lib_dir, fake, "-mc", "24")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "kept 0 new image(s); the library now has 24 of 24" in out
    for text in (out, err):
        assert KEY not in text and SECRET not in text


def test_cli_errors_are_one_sentence_and_never_show_the_key(server, tmp_path):
    fake = FakeFlickr(server, n=3, api_faults=["500"] * 10)
    proc = cli(tmp_path / "lib", fake, "-mc", "2", "--retries", "1")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "the Flickr API failed (HTTP 500) after 2 attempt(s)" in err
    assert KEY not in out + err and SECRET not in out + err
    fake.api_faults = ["invalid-key"]
    proc = cli(tmp_path / "lib", fake, "-mc", "2")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "Flickr refused the search: Error: 100: Invalid API Key" in err
    assert KEY not in out + err and SECRET not in out + err and len(fake.api_calls) == 3  # not retried
    proc = cli(tmp_path / "lib", fake, "-mc", "2", env={"FLICKR_API_KEY": "", flickr.CONFIG_ENV: "/nonexistent"})
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and err.count("\n") == 1 and "FLICKR_API_KEY" in err


def test_the_cli_and_the_app_collecting_one_label_at_once_never_overshoot(server, tmp_path):
    """A CLI run and an in-process (app) run of the same library and label: the second waits for the first's lock
    across processes, then finds the target met; the library ends with exactly the target."""
    fake = FakeFlickr(server, n=40, latency=0.1)
    lib_dir = tmp_path / "lib"
    proc = cli(lib_dir, fake, "-mc", "16", "--workers", "4", "--batch-size", "4")
    lib = Library(lib_dir)
    wait_for_rows(lib, 2)
    report = collect(lib, search(fake), target=16, source="flickr", label_field="style", label="dotpainting",
                     settings=FAST)  # fmt: skip
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert report.had == 16 and not report.kept  # it waited for the CLI, then had nothing left to do
    rows = lib.records(field="style", value="dotpainting", source="flickr")
    assert len(rows) == 16 and len({r["sha256"] for r in rows}) == 16
