"""The Collect page under AppTest, against the fake Flickr on loopback."""

from __future__ import annotations

from collect_fakes import FakeFlickr
from streamlit.testing.v1 import AppTest

from artcore.config import PROJECT_ROOT
from artcore.library import Library


def collect_page(monkeypatch, root) -> AppTest:
    monkeypatch.setenv("ARTCORE_HOME", str(root))
    at = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=120).run()
    return at.switch_page("pages/collect.py").run()


def test_flickr_form_fetches_exactly_n_with_attribution(monkeypatch, tmp_path, server):
    fake = FakeFlickr(server, n=12, faults={2: ["500"], 4: ["always-html"]})
    monkeypatch.setenv("FLICKR_API_KEY", "k")
    monkeypatch.setenv("FLICKR_API_SECRET", "s")
    monkeypatch.setenv("ARTCORE_FLICKR_API_URL", fake.api_url)
    monkeypatch.setenv("ARTCORE_ALLOWED_HOSTS", "127.0.0.1")  # the fake's image host, like live.staticflickr.com
    at = collect_page(monkeypatch, tmp_path / "lib")
    assert not at.exception
    at.text_input(key="flickr_tag").input("dotpainting")
    at.number_input(key="flickr_count").set_value(6)
    at.text_input(key="flickr_label").input("dot art")
    at.button[0].click().run()  # the Flickr form's submit button
    assert not at.exception
    assert any("now has 6 of 6" in s.value for s in at.success), [e.value for e in at.error]
    rows = Library(tmp_path / "lib").records(field="style", value="dot art", source="flickr")
    assert len(rows) == 6 and all("Artist" in r["attribution"] and r["licence"] for r in rows)
    assert len(at.get("image")) >= 6  # the result grid


def test_pinterest_form_refuses_other_hosts_and_flickr_needs_a_key(monkeypatch, tmp_path):
    monkeypatch.delenv("ARTCORE_ALLOWED_HOSTS", raising=False)
    monkeypatch.delenv("FLICKR_API_KEY", raising=False)
    monkeypatch.setenv("ARTCORE_FLICKR_CONFIG", str(tmp_path / "none.toml"))
    at = collect_page(monkeypatch, tmp_path / "lib")
    assert any("get a free key" in i.value for i in at.info)
    at.text_input(key="pinterest_name").input("rocks")
    at.text_input(key="pinterest_url").input("http://169.254.169.254/latest/meta-data/")
    at.button[1].click().run()
    assert not at.exception
    assert "only fetches Pinterest pages" in at.error[0].value
