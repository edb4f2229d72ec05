"""Is it original? in real headless Chromium: a generated picture against the works the shipped model learnt from."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e


def test_generate_is_it_original(open_page, shot):
    page = open_page("/generate")
    page.get_by_text(re.compile(r"This generator paints")).wait_for()
    page.get_by_role("button", name="Is it original?").click()
    # The first time, the model's 1,146 training paintings are read once (about a minute on a busy machine).
    verdict = page.get_by_text(re.compile(r"^(Original|Close to a work|This is a copy)"))
    verdict.first.wait_for(timeout=600_000)
    open_page.wait()
    assert page.get_by_text("Compared with the 1,146 works gan-genre4-32 was trained on", exact=False).count() == 1
    assert page.get_by_text("Your picture").count() >= 1
    assert page.locator("[data-testid=stException]").count() == 0
    shot(page, "generate-originality")
