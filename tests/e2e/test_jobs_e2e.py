"""A painter closes the tab in the middle of the sample import and comes back: it went on, and says so."""

from __future__ import annotations

import pytest
from conftest import wait_for_app

pytestmark = pytest.mark.e2e


def test_import_goes_on_after_the_tab_closes(_browser, app_url, app_library, shot):
    first = _browser.new_context(viewport={"width": 1400, "height": 1000})
    page = first.new_page()
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_role("button", name="Import the sample paintings").click()
    page.get_by_text("Copying the sample paintings into your library").first.wait_for(timeout=60_000)
    first.close()  # the tab is closed a moment into the import
    at_close = app_library.count()

    back = _browser.new_context(viewport={"width": 1400, "height": 1000})
    page = back.new_page()
    page.set_default_timeout(60_000)
    page.goto(app_url)
    wait_for_app(page)
    # Either still running (progress where the result will be, and in the sidebar) or already done.
    page.locator("[data-testid=stMetric]").first.wait_for(timeout=300_000)
    page.get_by_text("Finished work").wait_for(timeout=300_000)
    page.goto(app_url)  # the finished page: counts and the sidebar's note
    wait_for_app(page)
    page.get_by_text("Finished work").click()
    page.get_by_text("Added 1,246 pictures.").wait_for()
    shot(page, "jobs-import-after-tab-closed")
    assert app_library.count() == 1246 > at_close
    assert page.locator("[data-testid=stException]").count() == 0
    back.close()
