"""The Collect page under AppTest, against the fake Flickr on loopback: fetching, the Flickr key pasted on the
page (saved, never shown again, forgotten), licences that allow reuse and changes by default."""

from __future__ import annotations

import json
import logging
import stat

from collect_fakes import FakeFlickr
from streamlit.testing.v1 import AppTest

from artcore import config
from artcore.collect import flickr
from artcore.config import PROJECT_ROOT
from artcore.library import Library

KEY, SECRET = "a1b2c3d4e5f6PASTEDkey", "f6e5d4c3PASTEDsecret"


def collect_page(monkeypatch, root) -> AppTest:
    monkeypatch.setenv("ARTCORE_HOME", str(root))
    at = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=120).run()
    return at.switch_page("pages/collect.py").run()


def fake_flickr(monkeypatch, server, **kw) -> FakeFlickr:
    fake = FakeFlickr(server, **kw)
    monkeypatch.setenv("ARTCORE_FLICKR_API_URL", fake.api_url)
    monkeypatch.setenv("ARTCORE_ALLOWED_HOSTS", "127.0.0.1")  # the fake's image host, like live.staticflickr.com
    return fake


def no_key(monkeypatch, tmp_path) -> None:
    for name in ("FLICKR_API_KEY", "FLICKR_API_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(flickr.CONFIG_ENV, str(tmp_path / "none.toml"))


def walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def page_text(at: AppTest) -> str:
    """Everything the page sends to the browser (values, labels, bodies), as one string."""
    return "\n".join(str(node.proto) for node in walk(at._tree) if getattr(node, "proto", None) is not None)


def test_flickr_form_fetches_exactly_n_with_attribution(monkeypatch, tmp_path, server):
    fake = fake_flickr(monkeypatch, server, n=12, faults={2: ["500"], 4: ["always-html"]})
    monkeypatch.setenv("FLICKR_API_KEY", "k")
    monkeypatch.setenv("FLICKR_API_SECRET", "s")
    at = collect_page(monkeypatch, tmp_path / "lib")
    assert not at.exception
    assert any("set on this server ✓" in c.value for c in at.caption)  # a key from the environment: no form
    at.text_input(key="flickr_tag").input("dotpainting")
    at.number_input(key="flickr_count").set_value(6)
    at.text_input(key="flickr_label").input("dot art")
    at.button(key="flickr_go").click().run()
    assert not at.exception
    assert any("now has 6 of 6" in s.value for s in at.success), [e.value for e in at.error]
    rows = Library(tmp_path / "lib").records(field="style", value="dot art", source="flickr")
    assert len(rows) == 6 and all("Artist" in r["attribution"] and r["licence"] for r in rows)
    assert len(at.get("image")) >= 6  # the result grid
    # Only licences that allow reuse and changes, commercial use included, were asked for.
    assert fake.api_calls[0]["license"] == "4,5,7,8,9,10"


def test_default_licences_allow_reuse_and_changes_others_can_be_ticked(monkeypatch, tmp_path, server):
    fake = fake_flickr(monkeypatch, server, n=3, licences={1: 2, 2: 2})
    monkeypatch.setenv("FLICKR_API_KEY", "k")
    monkeypatch.setenv("FLICKR_API_SECRET", "s")
    at = collect_page(monkeypatch, tmp_path / "lib")
    ticked = {i for i in flickr.LICENCES if at.checkbox(key=f"flickr_licence_{i}").value}
    # CC BY, CC BY-SA, no known restrictions, US Government, CC0, public domain; no NonCommercial, NoDerivs, ARR.
    assert ticked == {4, 5, 7, 8, 9, 10} == set(flickr.REUSE_LICENCES)
    assert all("not for commercial use" in flickr.LICENCE_PLAIN[i] for i in (1, 2, 3))
    assert "no changes" in flickr.LICENCE_PLAIN[6] and "no changes" in flickr.LICENCE_PLAIN[3]
    assert flickr.parse_licences(None, False) == [4, 5, 7, 8, 9, 10]  # the command line's default too
    # The painter may still tick one: NonCommercial pictures are then asked for too.
    at.checkbox(key="flickr_licence_2").check()
    at.text_input(key="flickr_tag").input("dotpainting")
    at.number_input(key="flickr_count").set_value(3)
    at.button(key="flickr_go").click().run()
    assert not at.exception and at.checkbox(key="flickr_licence_2").value
    assert fake.api_calls[0]["license"] == "4,5,7,8,9,10,2"
    assert any("now has 3 of 3" in s.value for s in at.success), [e.value for e in at.error]


def test_flickr_key_pasted_saved_never_shown_then_forgotten(monkeypatch, tmp_path, server, caplog):
    caplog.set_level(logging.DEBUG)
    no_key(monkeypatch, tmp_path)
    fake = fake_flickr(monkeypatch, server, n=4)
    root = tmp_path / "lib"
    at = collect_page(monkeypatch, root)
    assert any("Connect Flickr" in m.value for m in at.markdown)
    assert at.button(key="flickr_go").disabled  # nothing to fetch with yet
    at.text_input(key="flickr_key_in").input(f"  {KEY} ")  # pasted with stray spaces
    at.text_input(key="flickr_secret_in").input(SECRET)
    at.button(key="flickr_key_save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert any(s.value == "Flickr key saved ✓" for s in at.success)
    assert not any(t.key in ("flickr_key_in", "flickr_secret_in") for t in at.text_input)  # the fields are gone
    assert all(at.session_state[k] == "" for k in ("flickr_key_in", "flickr_secret_in") if k in at.session_state)

    # In the library's settings: 0600, written whole; used for the search; never on the page nor in the logs.
    path = config.settings_path(root)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and not list(root.glob(".tmp-*"))
    assert json.loads(path.read_text())["flickr_api_key"] == KEY
    assert flickr.credentials(root) == (KEY, SECRET) and flickr.key_source(root) == "library"
    at.text_input(key="flickr_tag").input("dotpainting")
    at.number_input(key="flickr_count").set_value(2)
    at.button(key="flickr_go").click().run()
    assert not at.exception and any("now has 2 of 2" in s.value for s in at.success), [e.value for e in at.error]
    assert all(f'oauth_consumer_key="{KEY}"' in h for h in fake.auth_headers)
    for secret in (KEY, SECRET):
        assert secret not in page_text(at)
        assert secret not in caplog.text

    # The environment still wins over the saved key.
    monkeypatch.setenv("FLICKR_API_KEY", "envkey")
    monkeypatch.setenv("FLICKR_API_SECRET", "envsecret")
    assert flickr.credentials(root) == ("envkey", "envsecret")
    no_key(monkeypatch, tmp_path)

    at.button(key="flickr_forget").click().run()
    assert not at.exception
    assert "flickr_api_key" not in json.loads(path.read_text()) and flickr.key_source(root) is None
    assert any("Connect Flickr" in m.value for m in at.markdown) and at.button(key="flickr_go").disabled


def test_pinterest_form_refuses_other_hosts_and_a_bad_key_is_one_sentence(monkeypatch, tmp_path):
    monkeypatch.delenv("ARTCORE_ALLOWED_HOSTS", raising=False)
    no_key(monkeypatch, tmp_path)
    at = collect_page(monkeypatch, tmp_path / "lib")
    at.text_input(key="flickr_key_in").input("not a key!")
    at.text_input(key="flickr_secret_in").input("x")
    at.button(key="flickr_key_save").click().run()
    assert not at.exception and "does not look like a Flickr key" in at.error[0].value
    assert "not a key!" not in page_text(at) and flickr.key_source(tmp_path / "lib") is None
    at.text_input(key="pinterest_name").input("rocks")
    at.text_input(key="pinterest_url").input("http://169.254.169.254/latest/meta-data/")
    at.button(key="pinterest_go").click().run()
    assert not at.exception
    assert "only fetches Pinterest pages" in at.error[0].value
