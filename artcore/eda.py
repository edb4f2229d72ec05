"""Dataset exploration: per-image statistics (computed once, at import) and their aggregation.

Everything heavy happens per image when it enters the library; the Explore page only aggregates stored
numbers, so it stays responsive on 10,000 images.
"""

from __future__ import annotations

import json
from collections import defaultdict

import numpy as np
import pandas as pd

from artcore.imagestats import HUE_BINS, kmeans


def frame(records: list[dict]) -> pd.DataFrame:
    """Library records (with their stats) as a DataFrame with derived columns for charts; the stored palettes and
    hue histograms parsed from JSON once, here."""
    df = pd.DataFrame(records)
    if df.empty:
        return df
    df["aspect"] = df["width"] / df["height"]
    df["megapixels"] = df["width"] * df["height"] / 1e6
    for column in ("palette", "hue_hist"):
        df[column] = _json_column(df[column])
    return df


class Catalog:
    """A library's ``frame`` kept up to date by reading only the rows added or relabelled since the last look (all
    of them again after a removal or label fix), and each label's palette remembered while its pictures stay the
    same: an import of 100 pictures into 100,000 costs their rows and their painters' palettes, not a summary of
    the whole collection. One per library per process; safe to share between threads."""

    OVERLAP = 5.0  # seconds re-read before the newest change seen: a writer may commit an older timestamp late

    def __init__(self, lib) -> None:
        import threading

        self.lib, self._lock = lib, threading.Lock()
        self._df: pd.DataFrame | None = None
        self._edits = -1
        self._palettes: dict = {}

    def frame(self) -> pd.DataFrame:
        with self._lock:
            edits = self.lib.edits()
            newest = None if self._df is None or self._df.empty else self._df["changed"].max()
            if newest is None or pd.isna(newest) or edits != self._edits:  # (no change times: an old catalog)
                self._df, self._edits = frame(self.lib.records(with_stats=True)), edits
            else:
                fresh = frame(self.lib.records(with_stats=True, changed_after=newest - self.OVERLAP))
                if len(fresh):
                    kept = self._df[~self._df["sha256"].isin(fresh["sha256"])]
                    self._df = pd.concat([kept, fresh], ignore_index=True)
            return self._df

    def summary(self, sources: list[str] | None, field: str, values: list[str] | None,
                pairs: list[tuple[str, str]] | None = None) -> dict:  # fmt: skip
        """``summary`` of the current frame, with palettes of unchanged labels from memory."""
        df = self.frame()
        if len(self._palettes) > 4096:  # labels of filters long gone
            self._palettes.clear()
        return summary(df, sources, field, values, pairs, self._palettes)


def label_column(df: pd.DataFrame, field: str) -> pd.Series:
    return df[field].fillna("(unlabelled)").replace("", "(unlabelled)")


def counts(df: pd.DataFrame, field: str) -> pd.Series:
    """Images per label, largest first."""
    return label_column(df, field).value_counts()


def _json_column(column: pd.Series) -> list:
    """A column of JSON texts, parsed in one call (per-row ``json.loads`` costs seconds at 100,000 rows)."""
    return json.loads("[" + ",".join(column) + "]")


def hue_by_label(df: pd.DataFrame, field: str) -> pd.DataFrame:
    """Mean hue histogram per label: rows labels, columns hue-bin centres in degrees."""
    hists = np.array(df["hue_hist"].tolist(), dtype=np.float64).reshape(len(df), HUE_BINS)
    out = pd.DataFrame(hists, columns=[int((i + 0.5) * 360 / HUE_BINS) for i in range(HUE_BINS)])
    out[field] = label_column(df, field).to_numpy()
    return out.groupby(field).mean()


def label_palettes(df: pd.DataFrame, field: str, k: int = 6, memo: dict | None = None) -> dict[str, list[tuple[str, float]]]:
    """Each label's dominant colours (hex, share): weighted k-means over its images' stored palettes. ``memo``
    keeps them between calls, keyed by the label's pictures, so only labels whose pictures changed are computed."""
    memo = {} if memo is None else memo
    result = {}
    labels, shas = label_column(df, field), df["sha256"].to_numpy(object)
    for label, idx in labels.groupby(labels, sort=False).indices.items():
        key = (field, label, k, hash(tuple(shas[idx])))
        if key not in memo:
            arr = np.array([c for palette in df["palette"].iloc[idx] for c in palette], dtype=np.float64)
            centres, share = kmeans(arr[:, :3], k, weights=arr[:, 3] + 1e-9)
            memo[key] = [("#{:02x}{:02x}{:02x}".format(*(int(round(c)) for c in centre)), float(w))
                         for centre, w in zip(centres, share)]  # fmt: skip
        result[label] = memo[key]
    return result


NEAR_DISTANCE = 6  # perceptual-hash bits (of 64) two copies of one picture differ in at most
PAIRS_SCHEMA = """
CREATE TABLE IF NOT EXISTS near_duplicates (sha256 TEXT, other TEXT, PRIMARY KEY (sha256, other)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS near_duplicates_checked (sha256 TEXT PRIMARY KEY) WITHOUT ROWID;
"""


def close_pairs(hashes: np.ndarray, against: np.ndarray, max_distance: int = NEAR_DISTANCE) -> list[tuple[int, int]]:
    """Index pairs (i, j): ``hashes[i]`` and ``against[j]`` (uint64 perceptual hashes) differ in at most
    ``max_distance`` bits. Blocked popcount: 10,000 × 10,000 is about a second in numpy."""
    found = []
    block = max(64, (1 << 23) // max(1, len(against)))  # about 64 MB of XORs at a time, however many images
    for start in range(0, len(hashes), block):
        dist = np.bitwise_count(hashes[start : start + block, None] ^ against[None, :])
        found += [(start + int(i), int(j)) for i, j in zip(*np.nonzero(dist <= max_distance))]
    return found


def _hashes(phashes) -> np.ndarray:
    return np.array([int(h, 16) for h in phashes], dtype=np.uint64)


def near_duplicate_pairs(lib) -> list[tuple[str, str]]:
    """The library's near-duplicate pairs (sha256, sha256), kept in its catalog: only images not compared yet are
    compared, with every image, so an import of m images into n costs m × n comparisons, not n × n."""
    with lib.connect() as db:
        db.executescript(PAIRS_SCHEMA)
        rows = db.execute("SELECT i.sha256, i.phash, c.sha256 IS NULL FROM images i "
                          "LEFT JOIN near_duplicates_checked c USING (sha256)").fetchall()  # fmt: skip
        new = [k for k, r in enumerate(rows) if r[2]]
        if new:
            hashes = _hashes(r[1] for r in rows)
            links = {(rows[new[i]][0], rows[j][0]) for i, j in close_pairs(hashes[new], hashes) if new[i] != j}
            db.executemany("INSERT OR IGNORE INTO near_duplicates VALUES (?, ?)",
                           [p for a, b in links for p in ((a, b), (b, a))])  # fmt: skip
            db.executemany("INSERT OR IGNORE INTO near_duplicates_checked VALUES (?)", [(rows[k][0],) for k in new])
        # Both ends still in the library: a removal deletes the rows keyed by its sha256, not those naming it.
        return db.execute("SELECT n.sha256, n.other FROM near_duplicates n JOIN images i ON i.sha256 = n.other "
                          "WHERE n.sha256 < n.other").fetchall()  # fmt: skip


def near_duplicate_groups(df: pd.DataFrame, max_distance: int = NEAR_DISTANCE,
                          pairs: list[tuple[str, str]] | None = None) -> list[list[str]]:  # fmt: skip
    """Groups of sha256 whose perceptual hashes differ in at most ``max_distance`` of 64 bits, largest first.

    ``pairs``: the close pairs already known (``near_duplicate_pairs``); else they are found among ``df``'s rows."""
    if len(df) < 2:
        return []
    shas = df["sha256"].tolist()
    if pairs is None:
        hashes = _hashes(df["phash"])
        links = close_pairs(hashes, hashes, max_distance)
    else:
        index = {sha: i for i, sha in enumerate(shas)}
        links = [(index[a], index[b]) for a, b in pairs if a in index and b in index]
    parent = {i: i for link in links for i in link}  # only pictures with a double take part

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in links:
        if a != b:
            parent[find(a)] = find(b)
    groups: dict[int, list[str]] = defaultdict(list)
    for i in sorted(parent):
        groups[find(i)].append(shas[i])
    return sorted((g for g in groups.values() if len(g) > 1), key=len, reverse=True)


# ---------------------------------------------------------------- charts (SVG on the page, plotly in Advanced)


def _hue_colour(degrees: float) -> str:
    return f"hsl({degrees:.0f}, 75%, 50%)"


def fig_counts(df: pd.DataFrame, field: str) -> str:
    """How many pictures each label has (SVG), largest first."""
    from artcore.charts import bars

    return bars(counts(df, field), f"How many pictures each {field} has")


def _histogram(fig, values: pd.Series, **kwargs) -> None:
    """A histogram of ``values`` sent as each distinct value and its count: the same bars, whatever the number of
    pictures, in a figure a few kilobytes large."""
    c = values.value_counts()
    fig.add_histogram(x=c.index, y=c.to_numpy(), histfunc="sum", nbinsx=40, **kwargs)


def fig_sizes(df: pd.DataFrame):
    import plotly.graph_objects as go

    fig = go.Figure()
    _histogram(fig, df["width"], name="width", opacity=0.7)
    _histogram(fig, df["height"], name="height", opacity=0.7)
    return fig.update_layout(barmode="overlay", title="Picture sizes (pixels, as displayed)", xaxis_title="pixels",
                             yaxis_title="images")  # fmt: skip


def fig_aspect(df: pd.DataFrame):
    import plotly.graph_objects as go

    fig = go.Figure()
    _histogram(fig, df["aspect"].round(3))
    return fig.update_layout(title="Shapes: width ÷ height (1 is square, above 1 landscape)",
                             xaxis_title="aspect ratio", yaxis_title="images")  # fmt: skip


def fig_formats(df: pd.DataFrame):
    import plotly.express as px

    c = df["format"].value_counts().rename_axis("format").reset_index(name="images")
    return px.bar(c, x="format", y="images", title="File types", text="images")


def fig_colour_by_label(df: pd.DataFrame, field: str, measure: str):
    """Box plots of ``measure`` per label, their quartiles and whiskers (1.5 × the box) computed here, so only
    the outliers travel as points, not every picture's value. One box trace and one trace of outliers for all
    labels: a trace per label costs the browser time for each of 50 painters."""
    import plotly.graph_objects as go

    stats, out_x, out_y = [], [], []
    for label, values in df[measure].groupby(label_column(df, field), sort=True):
        q1, median, q3 = values.quantile([0.25, 0.5, 0.75])
        reach = 1.5 * (q3 - q1)
        inside = values.between(q1 - reach, q3 + reach)
        stats.append((label, q1, median, q3, values[inside].min(), values[inside].max()))
        out_x += [label] * int((~inside).sum())
        out_y += values[~inside].tolist()
    colour = "#5b7fb5"
    fig = go.Figure()
    if stats:
        labels, q1, median, q3, low, high = (list(c) for c in zip(*stats))
        fig.add_box(x=labels, q1=q1, median=median, q3=q3, lowerfence=low, upperfence=high, name=measure,
                    marker_color=colour)  # fmt: skip
    if out_x:
        fig.add_scatter(x=out_x, y=out_y, mode="markers", name="unusual pictures", hoverinfo="y",
                        marker={"color": colour, "size": 4})  # fmt: skip
    return fig.update_layout(title=f"{measure.capitalize()} per {field} (0 = {'black' if measure == 'brightness' else 'grey'}, 1 = full)",
                             showlegend=False, xaxis_title=None, yaxis_range=[0, 1])  # fmt: skip


def fig_hue(df: pd.DataFrame, field: str) -> str:
    """Which colours each label uses (SVG): a bar per label split by hue."""
    from artcore.charts import stacked_shares

    table = hue_by_label(df, field)
    return stacked_shares(table, f"Which colours each {field} uses (share of the colourful pixels; greys left out)",
                          [_hue_colour(d) for d in table.columns], [f"hue {d}°" for d in table.columns])  # fmt: skip


def label_positions(x: np.ndarray, y: np.ndarray) -> list[str]:
    """Where to put each dot's name ("top center", "middle left"…) so names do not sit on other dots or names: greedily,
    the side whose spot is farthest from every dot and every name placed so far (in the chart's relative units)."""
    span = lambda a: (a - a.min()) / (np.ptp(a) or 1.0)  # noqa: E731
    pts = np.stack([span(np.asarray(x, float)), span(np.asarray(y, float))], 1)
    sides = {"top center": (0, 0.07), "bottom center": (0, -0.07), "middle right": (0.1, 0), "middle left": (-0.1, 0)}
    placed: list[np.ndarray] = []
    out = []
    for i in np.argsort(-pts[:, 1]):  # from the top down
        others = np.delete(pts, i, 0)
        taken = np.array(placed + list(others)) if len(others) or placed else np.zeros((0, 2))

        def room(offset, p=pts[i], taken=taken) -> float:
            # Clearance of the name's spot: a name is about 0.12 wide and 0.06 high in these units.
            spot = p + np.array(offset)
            return float((np.abs(taken - spot) / [0.12, 0.06]).max(1).min()) if len(taken) else 9.0

        best = max(sides, key=lambda s: room(sides[s]))
        placed.append(pts[i] + np.array(sides[best]))
        out.append((i, best))
    return [side for _, side in sorted(out)]


def fig_light_and_colour(df: pd.DataFrame, field: str, palettes: dict[str, list[tuple[str, float]]]) -> str:
    """One dot per label (SVG): how light (left dark, right light) and how colourful (bottom muted, top vivid) its
    pictures are on average, the dot in the label's main colour and as large as its number of pictures."""
    from artcore.charts import dots

    data = df.assign(label=label_column(df, field)).groupby("label").agg(
        brightness=("brightness", "mean"), saturation=("saturation", "mean"), images=("sha256", "size"))
    x, y = data["brightness"].to_numpy(), data["saturation"].to_numpy()
    colours = [max(palettes.get(label) or [("#888888", 1.0)], key=lambda sw: sw[1])[0] for label in data.index]
    return dots(x, y, data["images"].to_numpy(), colours, list(data.index), label_positions(x, y),
                f"How light and how colourful each {field}'s pictures are", "darker ← → lighter", "muted ← → vivid")


def informative(df: pd.DataFrame) -> dict[str, bool]:
    """Which of the size, shape and file-type charts would say something about this set: a chart of one value
    (every picture the same size, one file type) says nothing, so it is replaced by one sentence."""
    return {
        "sizes": df[["width", "height"]].drop_duplicates().shape[0] > 1,
        "aspect": df["aspect"].round(2).nunique() > 1,
        "formats": df["format"].nunique() > 1,
    }


def when(timestamp: float | None) -> str:
    """A stored time (seconds since 1970) as a date a person reads: "29 Nov 2026 07:40" (this server's time)."""
    import time

    if timestamp is None or pd.isna(timestamp):
        return ""
    return time.strftime("%d %b %Y %H:%M", time.localtime(float(timestamp))).lstrip("0")


def skipped_rows(skipped: list[dict]) -> list[dict]:
    """The library's skipped files as a table for people: file, why, where from, when (a date, not a number)."""
    return [{"file": s.get("file"), "why": s.get("reason"), "from": s.get("source"), "when": when(s.get("at"))}
            for s in skipped]  # fmt: skip


def filtered(df: pd.DataFrame, sources: list[str] | None = None, field: str | None = None,
             values: list[str] | None = None) -> pd.DataFrame:  # fmt: skip
    """Rows from the given sources that carry a ``field`` label (among ``values`` if set)."""
    if df.empty:
        return df
    if sources:
        df = df[df["source"].isin(sources)]
    if field:
        labels = label_column(df, field)
        df = df[labels.isin(values)] if values else df[labels != "(unlabelled)"]
    return df


def largest_first(df: pd.DataFrame, field: str) -> pd.Series:
    """Images per label, largest first, labels of equal size by name: the order the page shows them in."""
    return counts(df, field).sort_index().sort_values(ascending=False, kind="stable")


def samples_per_label(df: pd.DataFrame, field: str, n: int = 6) -> dict[str, list[dict]]:
    """Up to ``n`` evenly spread images per label, for the sample grid."""
    labels = label_column(df, field)
    picks = {label: idx[:: max(1, len(idx) // n)][:n] for label, idx in sorted(labels.groupby(labels).indices.items())}
    rows = iter(df.iloc[np.concatenate(list(picks.values()))].to_dict("records")) if picks else iter(())
    return {label: [next(rows) for _ in idx] for label, idx in picks.items()}  # one take for all labels: fast


def palette_html(label: str, swatches: list[tuple[str, float]], height: int = 28) -> str:
    """One row of colour swatches, each as wide as its share of the label's pixels; ``label`` ("" for none) at its
    left. Widest first."""
    import html

    cells = "".join(
        f'<div title="{hexcode} · {share:.0%}" style="background:{hexcode};flex:{max(share, 0.02):.3f};height:{height}px"></div>'
        for hexcode, share in sorted(swatches, key=lambda sw: -sw[1])
    )
    name = f'<div style="width:140px;font-size:0.9rem">{html.escape(label)}</div>' if label else ""
    return (f'<div style="display:flex;align-items:center;gap:12px;margin:2px 0">{name}<div style="display:flex;'
            f'flex:1;border-radius:4px;overflow:hidden">{cells}</div></div>')  # fmt: skip


def contact_sheet_html(pictures: list[tuple[str, str]], columns: int = 6, title: str = "",
                       swatches: list[tuple[str, float]] | None = None, captions: bool = False) -> str:  # fmt: skip
    """HTML of ``title`` (bold, may hold escaped markup), a palette row (``swatches``, see ``palette_html``) and
    ``pictures`` (base64 JPEG, text) as a grid of ``columns`` equal squares; the text under each square with
    ``captions``, else on hover."""
    import html

    def cell(b64: str, text: str) -> str:
        text = html.escape(text)
        img = (f'<img src="data:image/jpeg;base64,{b64}" title="{text}" alt="{text}" '
               'style="width:100%;aspect-ratio:1;object-fit:cover;border-radius:4px;display:block">')  # fmt: skip
        if not captions:
            return img
        return (f'<figure style="margin:0">{img}<figcaption style="font-size:0.8rem;opacity:0.75;white-space:nowrap;'
                f'overflow:hidden;text-overflow:ellipsis">{text}</figcaption></figure>')  # fmt: skip

    head = f'<div style="margin:0 0 6px">{title}</div>' if title else ""
    palette = palette_html("", swatches, height=18) if swatches else ""
    return (f'<div style="margin-bottom:10px">{head}{palette}<div style="display:grid;grid-template-columns:'
            f'repeat({columns},minmax(0,1fr));gap:8px;margin-top:8px">{"".join(cell(*p) for p in pictures)}</div></div>')  # fmt: skip


CHART_LABELS = 30  # the per-label colour charts show at most this many labels, the largest


def summary(df_all: pd.DataFrame, sources: list[str] | None, field: str, values: list[str] | None,
            pairs: list[tuple[str, str]] | None = None, palettes_memo: dict | None = None) -> dict:  # fmt: skip
    """Everything the Explore page shows for one filter, computed from stored per-image statistics (``pairs``: the
    library's known near-duplicate pairs, see ``near_duplicate_groups``; ``palettes_memo``: see ``label_palettes``).

    Pictures first (``samples``, ``palettes``, ``label_sizes``: images per label, largest first, the order to show
    them in), then the charts worth drawing for this set: ``counts`` (None for a single label, or when every label
    has as many pictures) and ``figures`` (light and colour, colours used) as SVG text, ``advanced`` (plotly
    figures: sizes, shapes, file types and the brightness/saturation spread, each only when it has more than one
    value to show), and ``notes``: one plain sentence for each chart left out because it would show a single value.
    The per-label colour charts show the ``CHART_LABELS`` largest labels (``chart_labels``: how many they show)."""
    df = filtered(df_all, sources, field, values)
    out = {
        "images": len(df),
        "unlabelled": len(filtered(df_all, sources)) - len(filtered(df_all, sources, field)),
        "figures": [],
        "advanced": [],
        "notes": [],
    }
    if df.empty:
        return out
    palettes = label_palettes(df, field, memo=palettes_memo)
    useful = informative(df)
    n = len(df)
    every = "The picture is" if n == 1 else f"All {n:,} pictures are"
    notes = []
    if not useful["sizes"]:
        notes.append(f"{every} {int(df['width'].iloc[0])}×{int(df['height'].iloc[0])} px.")
    elif not useful["aspect"]:
        notes.append(f"{every} the same shape (width ÷ height {df['aspect'].iloc[0]:.2f}).")
    if not useful["formats"]:
        notes.append(f"{every} {df['format'].iloc[0]} files.")
    sizes = largest_first(df, field)
    # A chart row per label stops being readable (and fast to draw) past a few dozen: the largest labels only.
    top = df if len(sizes) <= CHART_LABELS else df[label_column(df, field).isin(sizes.index[:CHART_LABELS])]
    advanced = [fig_sizes(df)] if useful["sizes"] else []
    advanced += [fig_aspect(df)] if useful["aspect"] else []
    advanced += [fig_formats(df)] if useful["formats"] else []
    advanced += [fig_colour_by_label(top, field, "brightness"), fig_colour_by_label(top, field, "saturation")]
    labels = int(df[field].nunique())
    if labels > 1 and sizes.nunique() == 1:
        notes.insert(0, f"Each {field} has {int(sizes.iloc[0]):,} pictures.")
    out.update(
        labels=labels,
        median_size=f"{int(df['width'].median())}×{int(df['height'].median())}",
        megapixels=float(df["megapixels"].sum()),
        counts=fig_counts(df, field) if labels > 1 and sizes.nunique() > 1 else None,
        figures=[fig_light_and_colour(top, field, palettes), fig_hue(top, field)],
        advanced=advanced,
        notes=notes,
        palettes=palettes,
        samples=samples_per_label(df, field),
        label_sizes={label: int(size) for label, size in sizes.items()},
        chart_labels=min(len(sizes), CHART_LABELS),
        near_duplicates=near_duplicate_groups(df, pairs=pairs),
    )
    return out
