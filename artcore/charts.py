"""Charts drawn on the server as SVG text: they show with the page, with no chart library for the browser to load
and lay out first, and hovering a mark names it (an SVG ``<title>``). Text takes the page's colour, so they read in
the light and the dark theme. Pages show them with ``st.markdown(..., unsafe_allow_html=True)``: ``st.html``'s
sanitiser keeps HTML only and drops the SVG. Every label is escaped here."""

from __future__ import annotations

from html import escape

import numpy as np
import pandas as pd

WIDTH = 860  # viewBox units: the chart scales to its column, text with it
ROW = 22  # one label's row in the bar charts
NAMES = 190  # room for the labels left of the bars
SPAN = WIDTH - NAMES - 60  # the bars' full length, room for a number after them
MUTED = "#8a8f98"  # grid lines and axis words: readable on white and on the dark theme


def _figure(title: str, height: float, body: str) -> str:
    return (f'<figure style="margin:0 0 1.2rem 0"><figcaption style="font-weight:600;margin:0 0 .4rem 0">'
            f'{_text(title)}</figcaption><svg viewBox="0 0 {WIDTH} {height:.0f}" width="100%" role="img" '
            f'aria-label="{_text(title)}" style="font:13px sans-serif;fill:currentColor;overflow:visible">'
            f'{body}</svg></figure>')  # fmt: skip


def _text(label) -> str:
    """A label as one line of SVG text (a line break would end the page's HTML block)."""
    return escape(" ".join(str(label).split()))


def _short(label: str, chars: int = 26) -> str:
    return _text(label if len(label) <= chars else label[: chars - 1] + "…")


def _rows(labels, draw, top: float = 4) -> tuple[str, float]:
    """Each label's name right-aligned at the left, then ``draw(i, label, y)``'s marks; the SVG and its height."""
    out = []
    for i, label in enumerate(labels):
        y = top + i * ROW
        out.append(f'<g data-label="{_text(label)}"><text x="{NAMES - 8}" y="{y + 15}" text-anchor="end">'
                   f'{_short(str(label))}</text>{draw(i, str(label), y)}</g>')  # fmt: skip
    return "".join(out), top + len(labels) * ROW


def _ticks(height: float, fractions, words) -> str:
    """Vertical grid lines across the bar area at ``fractions`` of it, named ``words`` below."""
    return "".join(f'<line x1="{NAMES + f * SPAN:.1f}" x2="{NAMES + f * SPAN:.1f}" y1="0" y2="{height:.0f}" '
                   f'stroke="{MUTED}" stroke-opacity=".35"/><text x="{NAMES + f * SPAN:.1f}" y="{height + 14:.0f}" '
                   f'text-anchor="middle" fill="{MUTED}">{w}</text>' for f, w in zip(fractions, words))  # fmt: skip


def bars(counts: pd.Series, title: str, unit: str = "pictures") -> str:
    """One horizontal bar per label (``counts``: label → number, in the order to show), the number at its end."""
    top = max(float(counts.max()), 1.0)

    def bar(_i, label, y):
        n = int(counts[label])
        w = max(1.0, SPAN * n / top)
        return (f'<rect x="{NAMES}" y="{y + 3}" width="{w:.1f}" height="{ROW - 6}" rx="2" fill="#5b7fb5">'
                f'<title>{_text(label)}: {n:,} {unit}</title></rect>'
                f'<text x="{NAMES + w + 6:.1f}" y="{y + 15}">{n:,}</text>')  # fmt: skip

    body, height = _rows(counts.index, bar)
    return _figure(title, height + 4, body)


def stacked_shares(table: pd.DataFrame, title: str, colours: list[str], names: list[str]) -> str:
    """One bar per row of ``table`` (label → shares by column), its parts side by side in ``colours`` and named
    ``names`` on hover, scaled so each row fills the width; a 0–100% scale below."""
    shares = table.to_numpy(np.float64)
    shares = shares / np.where(shares.sum(1, keepdims=True) > 0, shares.sum(1, keepdims=True), 1.0)

    def row(i, label, y):
        x, parts = float(NAMES), []
        for share, colour, name in zip(shares[i], colours, names):
            if share > 0:
                parts.append(f'<rect x="{x:.1f}" y="{y + 3}" width="{share * SPAN:.1f}" height="{ROW - 6}" '
                             f'fill="{colour}"><title>{_text(label)}: {name}, {share:.0%}</title></rect>')  # fmt: skip
                x += share * SPAN
        return "".join(parts)

    body, height = _rows(table.index, row)
    grid = _ticks(height, (0, 0.25, 0.5, 0.75, 1), ("0%", "25%", "50%", "75%", "100%"))
    return _figure(title, height + 22, grid + body)


# Where a dot's name goes for each side ``eda.label_positions`` picks: offset from the dot (in radii and units)
# and the text's anchor.
_SIDES = {"top center": (0, -1, -4, "middle"), "bottom center": (0, 1, 13, "middle"),
          "middle right": (1, 0, 4, "start"), "middle left": (-1, 0, 4, "end")}  # fmt: skip


def dots(x, y, sizes, colours, labels, sides, title: str, x_words: str, y_words: str, what: str = "pictures") -> str:
    """A scatter of named dots: ``x``/``y`` in 0–1 or any range (each axis spans its data and a margin), dot
    areas as ``sizes``, filled with ``colours``, each name on the side ``sides`` gives (see ``_SIDES``)."""
    x, y, sizes = (np.asarray(a, np.float64) for a in (x, y, sizes))
    height, left, bottom, pad = 460, 40, 420, 0.08
    fit = lambda a: (a - (a.min() - pad)) / (np.ptp(a) + 2 * pad)  # noqa: E731
    px, py = left + fit(x) * (WIDTH - left - 20), bottom - fit(y) * (bottom - 10)
    radii = 7 + 13 * np.sqrt(sizes / max(sizes.max(), 1.0))
    marks = []
    for i in np.argsort(-radii):  # large dots first, so small ones stay visible on top
        dx, dy, extra, anchor = _SIDES[sides[i]]
        tx, ty = px[i] + dx * (radii[i] + 4), py[i] + dy * radii[i] + (extra if dy else 4)
        marks.append(f'<g data-label="{_text(labels[i])}"><circle cx="{px[i]:.1f}" cy="{py[i]:.1f}" '
                     f'r="{radii[i]:.1f}" fill="{colours[i]}" stroke="#444" stroke-width="1">'
                     f'<title>{_text(labels[i])}: {int(sizes[i]):,} {what}</title></circle>'
                     f'<text x="{tx:.1f}" y="{ty:.1f}" text-anchor="{anchor}">{_short(str(labels[i]), 22)}</text></g>')  # fmt: skip
    frame = (f'<rect x="{left}" y="0" width="{WIDTH - left - 10}" height="{bottom + 10}" fill="none" '
             f'stroke="{MUTED}" stroke-opacity=".5"/><text x="{(WIDTH + left) / 2:.0f}" y="{height - 12}" '
             f'text-anchor="middle" fill="{MUTED}">{_text(x_words)}</text><text x="14" y="{bottom / 2:.0f}" '
             f'text-anchor="middle" fill="{MUTED}" transform="rotate(-90 14 {bottom / 2:.0f})">{_text(y_words)}</text>')  # fmt: skip
    return _figure(title, height, frame + "".join(marks))
