"""Every page of the foundation under streamlit.testing's AppTest, through the app's own navigation."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from artcore.config import PROJECT_ROOT


def app(monkeypatch, library_root) -> AppTest:
    monkeypatch.setenv("ARTCORE_HOME", str(library_root))
    at = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=120)
    return at.run()


def test_home_empty_library_offers_samples(monkeypatch, tmp_path, artdata):
    at = app(monkeypatch, tmp_path / "lib")
    assert not at.exception
    assert at.title[0].value == "Artcore"
    assert [m.value for m in at.metric][:1] == ["0"]
    assert any("library is empty" in i.value for i in at.info)
    assert any("sample paintings" in b.label for b in at.button)


def test_home_with_library(monkeypatch, artist10_library):
    at = app(monkeypatch, artist10_library.root)
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Images"] == "100" and metrics["Artists"] == "10"


def test_library_page_imports_a_folder(monkeypatch, tmp_path, broken_folder):
    at = app(monkeypatch, tmp_path / "lib")
    at.switch_page("pages/library.py").run()
    assert not at.exception
    at.text_input(key="folder_path").input(str(broken_folder["root"])).run()
    at.button(key="folder_go").click().run()
    assert not at.exception
    assert any("Added" in s.value for s in at.success)
    assert any("could not be imported" in w.value for w in at.warning)
    assert at.dataframe  # the skipped-files report


def test_library_page_bad_folder_is_a_clear_error(monkeypatch, tmp_path):
    at = app(monkeypatch, tmp_path / "lib")
    at.switch_page("pages/library.py").run()
    at.text_input(key="folder_path").input(str(tmp_path / "nowhere")).run()
    at.button(key="folder_go").click().run()
    assert not at.exception
    assert "does not exist" in at.error[0].value


@pytest.mark.parametrize("field", ["artist"])
def test_explore_page_charts(monkeypatch, artist10_library, field):
    at = app(monkeypatch, artist10_library.root)
    at.switch_page("pages/explore.py").run()
    assert not at.exception
    charts = at.get("plotly_chart")
    assert len(charts) >= 7
    assert {m.label: m.value for m in at.metric}["Images"] == "100"


def test_explore_empty_library(monkeypatch, tmp_path):
    at = app(monkeypatch, tmp_path / "lib")
    at.switch_page("pages/explore.py").run()
    assert not at.exception
    assert "library is empty" in at.info[0].value
