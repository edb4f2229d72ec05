"""Paged catalog reads (LIMIT/OFFSET through the index) and SQL counts, against a plain filter of every record."""

from __future__ import annotations

from collections import Counter

import pytest
from streamlit.testing.v1 import AppTest

from artcore.config import LABEL_FIELDS, PROJECT_ROOT

FILTERS = [{}, {"field": "artist"}, {"field": "artist", "value": "Monet"}, {"field": "genre"}, {"source": "folder"},
           {"source": "upload"}, {"field": "artist", "value": "Degas", "source": "folder"}]  # fmt: skip


def plain(rows: list[dict], field=None, value=None, source=None) -> list[dict]:
    """``records``' filters in Python."""
    return [r for r in rows if (not field or (r[field] == value if value is not None else bool(r[field])))
            and (not source or r["source"] == source)]  # fmt: skip


@pytest.mark.parametrize("where", FILTERS, ids=str)
def test_pages_cover_every_image_once_in_order(artist10_library, where):
    lib = artist10_library
    expected = plain(lib.records(), **where)
    assert lib.count(**where) == len(expected)
    for per_page in (7, 48, 100):
        pages = [lib.records(**where, offset=o, limit=per_page) for o in range(0, len(expected) + per_page, per_page)]
        assert all(len(p) <= per_page for p in pages) and not pages[-1]  # one past the end: empty
        assert [r["sha256"] for p in pages for r in p] == [r["sha256"] for r in expected]
    assert lib.records(**where, offset=5, limit=10) == expected[5:15]  # every column, not only the order


def test_newest_first_and_counts(artist10_library):
    lib = artist10_library
    rows = lib.records()
    assert lib.records(limit=12, newest_first=True)[::-1] == rows[-12:]  # Home's "Recently added"
    assert lib.records(newest_first=True) == rows[::-1]
    for field in LABEL_FIELDS:
        counts = lib.label_counts(field)
        assert counts == dict(Counter(r[field] for r in rows if r[field]))
        assert list(counts.values()) == sorted(counts.values(), reverse=True)
    assert lib.sources() == sorted({r["source"] for r in rows}) == ["folder"]
    assert lib.stats() == {"images": 100, "labels": {f: lib.label_counts(f) for f in LABEL_FIELDS}, "skipped": 0}


def test_queries_use_the_indexes(artist10_library):
    with artist10_library.connect() as db:
        for sql, args in [("SELECT rowid FROM images ORDER BY added, rowid LIMIT 48 OFFSET 48", ()),
                          ("SELECT rowid FROM images WHERE artist = ? ORDER BY added, rowid LIMIT 48", ("Monet",)),
                          ("SELECT COUNT(*) FROM images WHERE genre = ?", ("x",)),
                          ("SELECT MAX(changed) FROM images", ())]:  # fmt: skip
            plan = " ".join(r[3] for r in db.execute("EXPLAIN QUERY PLAN " + sql, args))
            assert "INDEX" in plan and "TEMP B-TREE" not in plan, (sql, plan)


def test_library_page_shows_page_two_then_three(monkeypatch, artist10_library):
    monkeypatch.setenv("ARTCORE_HOME", str(artist10_library.root))
    at = AppTest.from_file(str(PROJECT_ROOT / "streamlit_app.py"), default_timeout=120).run()
    at.switch_page("pages/library.py").run()
    assert not at.exception
    assert at.number_input(key="browse_page").label == "Page (of 3)"
    at.number_input(key="browse_page").set_value(2).run()
    assert not at.exception
    rows = artist10_library.records()

    def shown() -> list[str]:  # the numbered grid, as the picker for removal lists it
        pick = next(m for m in at.multiselect if m.key.startswith("remove_pick_"))
        return [o.split(" · ")[0] for o in pick.options]

    assert shown() == [f"{49 + i}. {r['artist']}" for i, r in enumerate(rows[48:96])]
    at.button(key="browse_next").click().run()
    assert not at.exception and at.number_input(key="browse_page").value == 3
    assert shown() == [f"{97 + i}. {r['artist']}" for i, r in enumerate(rows[96:])]
    assert at.button(key="browse_next").disabled
    at.selectbox(key="browse_value").set_value("Monet").run()  # 10 images: one page, so page 3 becomes page 1
    assert not at.exception and at.number_input(key="browse_page").value == 1
    assert shown() == [f"{1 + i}. Monet" for i in range(10)] and "browse_next" not in {b.key for b in at.button}
