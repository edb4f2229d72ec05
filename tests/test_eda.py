"""EDA aggregates: near-duplicates, palettes, colour statistics, on real paintings."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import numpy as np
from PIL import Image

from artcore import eda
from artcore.imagestats import image_stats, kmeans


def test_near_duplicates_found_and_distinct_works_apart(tmp_library, artdata):
    files = sorted((artdata / "artist10" / "Monet").glob("*.jpg"))[:4]
    for f in files:
        tmp_library.add_bytes(f.read_bytes(), source="folder", original=str(f), artist="Monet")
    # A smaller, recompressed copy of the first painting: different bytes, same picture.
    img = Image.open(files[0]).convert("RGB")
    img.thumbnail((400, 400))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=70)
    copy = tmp_library.add_bytes(buf.getvalue(), source="upload", original="copy.jpg")
    assert copy.status == "added"
    df = eda.frame(tmp_library.records(with_stats=True))
    groups = eda.near_duplicate_groups(df)
    assert len(groups) == 1 and copy.sha256 in groups[0] and len(groups[0]) == 2


def test_aggregates_on_artist10(artist10_library):
    df = eda.frame(artist10_library.records(with_stats=True))
    assert eda.counts(df, "artist").to_dict() == dict.fromkeys(eda.counts(df, "artist").index, 10)
    hue = eda.hue_by_label(df, "artist")
    assert hue.shape == (10, 12) and np.allclose(hue.sum(axis=1), 1, atol=1e-3)
    palettes = eda.label_palettes(df, "artist")
    assert set(palettes) == set(df["artist"]) and all(len(p) == 6 for p in palettes.values())
    assert all(abs(sum(w for _, w in p) - 1) < 1e-6 for p in palettes.values())
    # Gauguin's Tahiti is more saturated than Whistler-grey Hassam/Degas on average: the stats carry real signal.
    sat = df.groupby("artist")["saturation"].mean()
    assert sat["Gauguin"] > sat.median()
    for fig in (eda.fig_sizes(df), eda.fig_aspect(df), eda.fig_formats(df),
                eda.fig_colour_by_label(df, "artist", "brightness")):  # fmt: skip
        assert fig.data
    # The page's own charts are SVG: a bar, a row of hues and a dot per painter, each named on hover.
    bars = eda.fig_counts(df, "artist")
    assert len(drawn(bars)) == 10 and "<title>Gauguin: 10 pictures</title>" in bars
    assert sorted(drawn(eda.fig_hue(df, "artist"))) == sorted(set(df["artist"]))
    light = eda.fig_light_and_colour(df, "artist", palettes)
    assert light.count("<circle") == light.count('r="20.0"') == 10  # ten pictures each: ten dots of one size
    samples = eda.samples_per_label(df, "artist", n=6)
    assert all(len(v) == 6 for v in samples.values())


def test_filter_drops_unlabelled(artist10_library):
    df = eda.frame(artist10_library.records(with_stats=True))
    assert len(eda.filtered(df, field="genre")) == 0
    assert len(eda.filtered(df, field="artist", values=["Monet"])) == 10
    assert len(eda.filtered(df, sources=["upload"])) == 0


def test_image_stats_on_pure_colours():
    red = Image.new("RGB", (64, 64), (255, 0, 0))
    s = image_stats(red)
    hist = np.array(json.loads(s["hue_hist"]))
    assert hist[0] == 1.0 and abs(s["saturation"] - 1) < 1e-6 and abs(s["brightness"] - 1) < 1e-6
    grey = image_stats(Image.new("RGB", (64, 64), (128, 128, 128)))
    assert grey["saturation"] == 0 and json.loads(grey["hue_hist"]) == [0.0] * 12
    centres, share = kmeans(np.array([[0, 0, 0]] * 30 + [[255, 255, 255]] * 10), 2)
    assert np.allclose(share, [0.75, 0.25]) and np.allclose(centres[0], 0)


def _png(colour, size=(64, 64), fmt="PNG") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, fmt)
    return buf.getvalue()


def small_set(lib) -> None:
    """Three pictures of one size and one file type, two artists, and a file that is not a picture."""
    for n, (colour, artist) in enumerate([((200, 40, 40), "Ann"), ((40, 40, 200), "Ann"), ((240, 220, 60), "Bo")]):
        lib.add_bytes(_png(colour), source="upload", original=f"p{n}.png", artist=artist)
    lib.import_uploads([("notes.jpg", b"a shopping list, not a picture")])


def drawn(svg: str) -> list[str]:
    """The labels an SVG chart of ``artcore.charts`` draws a mark for."""
    import re

    return re.findall(r'data-label="([^"]*)"', svg)


def titles(figs) -> list[str]:
    return [fig.layout.title.text for fig in figs]


def test_summary_leaves_out_charts_that_say_nothing(tmp_library):
    small_set(tmp_library)
    s = eda.summary(eda.frame(tmp_library.records(with_stats=True)), None, "artist", None)
    assert s["images"] == 3 and set(s["samples"]) == {"Ann", "Bo"} and set(s["palettes"]) == {"Ann", "Bo"}
    every = " ".join(titles(s["advanced"]) + s["figures"])
    assert "sizes" not in every and "Shapes" not in every and "File types" not in every
    assert s["notes"] == ["All 3 pictures are 64×64 px.", "All 3 pictures are PNG files."]
    assert s["counts"] is not None  # two artists: worth a bar each
    # One artist only: no counts chart; a different size and file type bring their charts back.
    one = eda.summary(eda.frame(tmp_library.records(with_stats=True)), None, "artist", ["Bo"])
    assert one["counts"] is None and one["notes"][0] == "The picture is 64×64 px."
    tmp_library.add_bytes(_png((10, 120, 10), (96, 48), "JPEG"), source="upload", original="wide.jpg", artist="Bo")
    s = eda.summary(eda.frame(tmp_library.records(with_stats=True)), None, "artist", None)
    assert s["notes"] == ["Each artist has 2 pictures."] and s["counts"] is None  # equal bars say nothing either
    assert [t.split(" ")[0] for t in titles(s["advanced"])[:3]] == ["Picture", "Shapes:", "File"]


def test_many_painters_largest_first_and_charts_keep_to_the_largest(tmp_library):
    rng = np.random.default_rng(1)
    n = eda.CHART_LABELS + 5
    for k in range(n):
        for i in range(1 + (k == n - 1) + 2 * (k == 3)):  # the last painter has 2 pictures, the fourth 3
            buf = io.BytesIO()
            Image.fromarray(rng.integers(0, 256, (40, 40, 3), dtype=np.uint8)).save(buf, "PNG")
            tmp_library.add_bytes(buf.getvalue(), source="upload", original=f"{k}-{i}.png", artist=f"P{k:02d}")
    s = eda.summary(eda.frame(tmp_library.records(with_stats=True)), None, "artist", None)
    order = list(s["label_sizes"])
    assert order[:3] == ["P03", f"P{n - 1:02d}", "P00"] and order[3:] == sorted(order[3:]) and len(order) == n
    assert s["chart_labels"] == eda.CHART_LABELS and s["labels"] == n
    light, hue = s["figures"]
    assert len(drawn(light)) == eda.CHART_LABELS and len(drawn(hue)) == eda.CHART_LABELS
    assert {"P03", f"P{n - 1:02d}"} <= set(drawn(hue))  # the largest are among them
    boxes = s["advanced"][-1]  # one box trace for every painter (not one trace each), the outliers in one more
    assert len(boxes.data) <= 2 and len(boxes.data[0].x) == eda.CHART_LABELS
    assert len(drawn(s["counts"])) == n  # how many each has: every painter
    assert len(s["samples"]) == n and len(s["palettes"]) == n  # every painter can still be shown on request


def test_skipped_files_show_dates_not_numbers(tmp_library):
    import re

    small_set(tmp_library)
    rows = eda.skipped_rows(tmp_library.skipped())
    assert [(r["file"], r["from"]) for r in rows] == [("notes.jpg", "upload")] and "not an image" in rows[0]["why"]
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}", rows[0]["when"]), rows[0]["when"]
    assert not any(isinstance(v, float) for r in rows for v in r.values())
    assert eda.when(1795851600.0) == time.strftime("%d %b %Y %H:%M", time.localtime(1795851600.0)).lstrip("0")
    assert eda.when(None) == ""


def test_names_of_close_dots_go_to_different_sides():
    import numpy as np

    from artcore.eda import label_positions

    # Sargent sat on Monet's name: two dots almost on top of each other, one far away.
    sides = label_positions(np.array([0.50, 0.51, 0.9]), np.array([0.50, 0.52, 0.1]))
    assert sides[0] != sides[1] and len(sides) == 3
    assert label_positions(np.array([0.5]), np.array([0.5])) == ["top center"]


def test_near_duplicate_pairs_are_kept_and_only_new_images_compared(tmp_library, artdata, monkeypatch):
    files = sorted((artdata / "artist10" / "Degas").glob("*.jpg"))[:5]
    for f in files[:4]:
        tmp_library.add_bytes(f.read_bytes(), source="folder", original=str(f), artist="Degas")
    assert eda.near_duplicate_pairs(tmp_library) == []
    img = Image.open(files[0]).convert("RGB")
    img.thumbnail((300, 300))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=60)
    copy = tmp_library.add_bytes(buf.getvalue(), source="upload", original="copy.jpg").sha256
    tmp_library.add_bytes(files[4].read_bytes(), source="folder", original=str(files[4]), artist="Degas")
    compared = []
    real = eda.close_pairs
    monkeypatch.setattr(eda, "close_pairs", lambda a, b, *args: compared.append((len(a), len(b))) or real(a, b, *args))
    pairs = eda.near_duplicate_pairs(tmp_library)
    assert compared == [(2, 6)]  # the two new images against all six, not 6 × 6
    df = eda.frame(tmp_library.records(with_stats=True))
    assert eda.near_duplicate_groups(df, pairs=pairs) == eda.near_duplicate_groups(df) and len(pairs) == 1
    assert copy in pairs[0]
    # A filter that leaves one of the pair out has no doubles; a removal takes its pairs with it.
    assert eda.near_duplicate_groups(eda.filtered(df, sources=["folder"]), pairs=pairs) == []
    compared.clear()
    tmp_library.remove_images([copy])
    assert eda.near_duplicate_pairs(tmp_library) == [] and compared == []  # nothing new to compare


def test_catalog_reads_only_new_rows_and_recomputes_only_changed_palettes(tmp_library, artist10_library, monkeypatch):
    """The Explore summary stays incremental: new pictures are read on their own, only their painters' palettes
    are computed again, and the result equals a summary from scratch; a removal reads everything again."""
    lib = tmp_library
    files = sorted(artist10_library.records(), key=lambda r: r["path"])
    for r in files[:30]:  # three painters
        lib.add_bytes(Path(r["path"]).read_bytes(), source="folder", original=r["path"], artist=r["artist"])
    catalog = eda.Catalog(lib)
    first = catalog.summary(None, "artist", None)
    read, clusters = [], []
    records, km = lib.records, eda.kmeans
    monkeypatch.setattr(lib, "records", lambda *a, **k: read.append(k.get("changed_after")) or records(*a, **k))
    monkeypatch.setattr(eda, "kmeans", lambda *a, **k: clusters.append(1) or km(*a, **k))
    newcomer = files[30]  # a fourth painter
    lib.add_bytes(Path(newcomer["path"]).read_bytes(), source="upload", original="new.jpg", artist="Newcomer")
    lib.add_bytes(_png((10, 200, 10)), source="upload", original="green.png", artist=files[0]["artist"])
    s = catalog.summary(None, "artist", None)
    assert len(read) == 1 and read[0] is not None  # only rows changed since the last look
    assert len(clusters) == 2  # the newcomer's palette and the changed painter's, not the two others
    assert s["images"] == first["images"] + 2 and s["label_sizes"]["Newcomer"] == 1
    scratch = eda.summary(eda.frame(records(with_stats=True)), None, "artist", None)
    assert s["palettes"] == scratch["palettes"] and s["label_sizes"] == scratch["label_sizes"]
    assert [x["sha256"] for x in s["samples"]["Newcomer"]] == [x["sha256"] for x in scratch["samples"]["Newcomer"]]
    lib.remove_images([files[0]["sha256"]])
    after = catalog.summary(None, "artist", None)
    assert read[-1] is None and after["images"] == s["images"] - 1  # a removal: everything read again


def test_contact_sheet_escapes_names_and_keeps_every_picture():
    pics = [("QUJD", '<img src=x onerror="alert(1)">'), ("REVG", "Monet & co")]
    html = eda.contact_sheet_html(pics, columns=2, captions=True)
    assert html.count("<img ") == 2 and "onerror=\"alert" not in html and "Monet &amp; co" in html
    assert "repeat(2,minmax(0,1fr))" in html and "data:image/jpeg;base64,QUJD" in html
