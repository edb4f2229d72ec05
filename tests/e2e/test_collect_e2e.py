"""The Collect page in real headless Chromium: a Pinterest board (fake, loopback) fetched, stopped and resumed."""

from __future__ import annotations

import pytest
from collect_fakes import FakeBoard, start_server

from artcore.collect.download import SERVER_CONFIG

pytestmark = pytest.mark.e2e


@pytest.fixture
def board(app_library):
    server = start_server()
    # The app only fetches Pinterest hosts; its operator allows the loopback fake in the library's collect.toml.
    config = app_library.root / SERVER_CONFIG
    config.write_text('allowed_hosts = ["127.0.0.1"]\n')
    yield FakeBoard(server, total=40, step=8, latency=1.0)
    config.unlink()
    server.clear()
    server.stop()


def fetch(page, board, n: int) -> None:
    page.get_by_role("tab", name="Pinterest").click()
    page.get_by_label("Name", exact=True).fill("rocks")
    page.get_by_label("Public Pinterest page").fill(board.url)
    page.get_by_label("Images wanted").nth(1).fill(str(n))
    page.get_by_role("button", name="Fetch from Pinterest").click()


def test_pinterest_fetch_stop_and_resume(open_page, shot, app_library, board):
    page = open_page("/collect")
    fetch(page, board, 20)
    # Live thumbnails arrive while it runs; then Stop.
    page.locator("[data-testid=stImage] img").first.wait_for(timeout=90_000)
    shot(page, "collect-running")
    page.get_by_role("button", name="Stop").click()
    page.get_by_text("Pinterest stopped").wait_for(timeout=60_000)
    open_page.wait()
    have = len(app_library.records(field="style", value="rocks", source="pinterest"))
    assert 1 <= have < 20

    board.latency = 0
    fetch(page, board, 20)
    page.get_by_text("now has 20 of 20").wait_for(timeout=120_000)
    open_page.wait()
    shot(page, "collect-done")
    rows = app_library.records(field="style", value="rocks", source="pinterest")
    assert len(rows) == 20 and len({r["original"] for r in rows}) == 20
    assert board.hits["originals"] <= 20 + 4  # at most the downloads in flight at Stop are asked for again
    assert page.locator("[data-testid=stImage] img").count() >= 20
    assert page.get_by_role("button", name="Stop").count() == 0
