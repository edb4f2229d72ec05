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
    """Library records (with their stats) as a DataFrame with derived columns for charts."""
    df = pd.DataFrame(records)
    if df.empty:
        return df
    df["aspect"] = df["width"] / df["height"]
    df["megapixels"] = df["width"] * df["height"] / 1e6
    return df


def label_column(df: pd.DataFrame, field: str) -> pd.Series:
    return df[field].fillna("(unlabelled)").replace("", "(unlabelled)")


def counts(df: pd.DataFrame, field: str) -> pd.Series:
    """Images per label, largest first."""
    return label_column(df, field).value_counts()


def hue_by_label(df: pd.DataFrame, field: str) -> pd.DataFrame:
    """Mean hue histogram per label: rows labels, columns hue-bin centres in degrees."""
    hists = np.array([json.loads(h) for h in df["hue_hist"]])
    out = pd.DataFrame(hists, columns=[int((i + 0.5) * 360 / HUE_BINS) for i in range(HUE_BINS)])
    out[field] = label_column(df, field).to_numpy()
    return out.groupby(field).mean()


def label_palettes(df: pd.DataFrame, field: str, k: int = 6) -> dict[str, list[tuple[str, float]]]:
    """Each label's dominant colours (hex, share): weighted k-means over its images' stored palettes."""
    points: dict[str, list] = defaultdict(list)
    for label, palette in zip(label_column(df, field), df["palette"]):
        points[label].extend(json.loads(palette))
    result = {}
    for label, rows in points.items():
        arr = np.array(rows, dtype=np.float64)
        centres, share = kmeans(arr[:, :3], k, weights=arr[:, 3] + 1e-9)
        result[label] = [("#{:02x}{:02x}{:02x}".format(*(int(round(c)) for c in centre)), float(w)) for centre, w in zip(centres, share)]
    return result


def near_duplicate_groups(df: pd.DataFrame, max_distance: int = 6) -> list[list[str]]:
    """Groups of sha256 whose perceptual hashes differ in at most ``max_distance`` of 64 bits."""
    if len(df) < 2:
        return []
    hashes = np.array([int(h, 16) for h in df["phash"]], dtype=np.uint64)
    shas = df["sha256"].tolist()
    parent = list(range(len(hashes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # Blocked all-pairs popcount: 10,000 images is 100M comparisons, about a second in numpy.
    block = 1024
    for start in range(0, len(hashes), block):
        chunk = hashes[start : start + block]
        dist = np.bitwise_count(chunk[:, None] ^ hashes[None, :])
        for i, j in zip(*np.nonzero(dist <= max_distance)):
            a, b = start + int(i), int(j)
            if a < b:
                parent[find(a)] = find(b)
    groups: dict[int, list[str]] = defaultdict(list)
    for i, sha in enumerate(shas):
        groups[find(i)].append(sha)
    return sorted((g for g in groups.values() if len(g) > 1), key=len, reverse=True)


# ---------------------------------------------------------------- charts (plotly)


def _hue_colour(degrees: float) -> str:
    return f"hsl({degrees:.0f}, 75%, 50%)"


def fig_counts(df: pd.DataFrame, field: str):
    import plotly.express as px

    c = counts(df, field).rename_axis(field).reset_index(name="images")
    fig = px.bar(c, x=field, y="images", title=f"Images per {field}", text="images")
    return fig.update_layout(xaxis_title=None, showlegend=False)


def fig_sizes(df: pd.DataFrame):
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_histogram(x=df["width"], name="width", opacity=0.7, nbinsx=40)
    fig.add_histogram(x=df["height"], name="height", opacity=0.7, nbinsx=40)
    return fig.update_layout(barmode="overlay", title="Image sizes (pixels, as displayed)", xaxis_title="pixels",
                             yaxis_title="images")  # fmt: skip


def fig_aspect(df: pd.DataFrame):
    import plotly.express as px

    fig = px.histogram(df, x="aspect", nbins=40, title="Aspect ratio (width ÷ height; 1 is square)")
    return fig.update_layout(xaxis_title="aspect ratio", yaxis_title="images")


def fig_formats(df: pd.DataFrame):
    import plotly.express as px

    c = df["format"].value_counts().rename_axis("format").reset_index(name="images")
    return px.bar(c, x="format", y="images", title="File formats", text="images")


def fig_colour_by_label(df: pd.DataFrame, field: str, measure: str):
    import plotly.express as px

    data = df.assign(label=label_column(df, field))
    fig = px.box(data, x="label", y=measure, color="label", points="outliers",
                 title=f"{measure.capitalize()} per {field} (0 = {'black' if measure == 'brightness' else 'grey'}, 1 = full)")  # fmt: skip
    return fig.update_layout(showlegend=False, xaxis_title=None, yaxis_range=[0, 1])


def fig_hue(df: pd.DataFrame, field: str):
    import plotly.graph_objects as go

    table = hue_by_label(df, field)
    fig = go.Figure()
    for degrees in table.columns:
        fig.add_bar(y=table.index, x=table[degrees], orientation="h", name=f"{degrees}°",
                    marker_color=_hue_colour(degrees))  # fmt: skip
    return fig.update_layout(barmode="stack", title=f"Hue distribution per {field} (share of colourful pixels)",
                             xaxis_title="share", showlegend=False, height=max(300, 40 * len(table) + 120))  # fmt: skip


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


def samples_per_label(df: pd.DataFrame, field: str, n: int = 6) -> dict[str, list[dict]]:
    """Up to ``n`` evenly spread images per label, for the sample grid."""
    out = {}
    for label, group in df.assign(label=label_column(df, field)).groupby("label", sort=True):
        step = max(1, len(group) // n)
        out[label] = group.iloc[::step].head(n).to_dict("records")
    return out


def palette_html(label: str, swatches: list[tuple[str, float]]) -> str:
    """One row of colour swatches, each as wide as its share of the label's pixels."""
    cells = "".join(
        f'<div title="{hexcode} · {share:.0%}" style="background:{hexcode};flex:{max(share, 0.02):.3f};height:28px"></div>'
        for hexcode, share in swatches
    )
    return (f'<div style="display:flex;align-items:center;gap:12px;margin:2px 0"><div style="width:140px;'
            f'font-size:0.9rem">{label}</div><div style="display:flex;flex:1;border-radius:4px;overflow:hidden">'
            f"{cells}</div></div>")  # fmt: skip


def summary(df_all: pd.DataFrame, sources: list[str] | None, field: str, values: list[str] | None) -> dict:
    """Everything the Explore page shows for one filter, computed from stored per-image statistics."""
    df = filtered(df_all, sources, field, values)
    out = {
        "images": len(df),
        "unlabelled": len(filtered(df_all, sources)) - len(filtered(df_all, sources, field)),
        "figures": [],
    }
    if df.empty:
        return out
    out.update(
        labels=int(df[field].nunique()),
        median_size=f"{int(df['width'].median())}×{int(df['height'].median())}",
        megapixels=float(df["megapixels"].sum()),
        counts=fig_counts(df, field),
        figures=[fig_sizes(df), fig_aspect(df), fig_colour_by_label(df, field, "brightness"),
                 fig_colour_by_label(df, field, "saturation"), fig_hue(df, field), fig_formats(df)],  # fmt: skip
        palettes=label_palettes(df, field),
        samples=samples_per_label(df, field),
        label_sizes=counts(df, field).to_dict(),
        near_duplicates=near_duplicate_groups(df),
    )
    return out
