"""App-side helpers shared by the pages: cached library and models, progress bars, thumbnail grids."""

from __future__ import annotations

import time

import streamlit as st

from artcore import config, registry
from artcore.library import LABEL_FIELDS, Library


@st.cache_resource(show_spinner=False)
def _library(root: str) -> Library:
    return Library(root)


def library() -> Library:
    """The app's library ($ARTCORE_HOME, else data/library), opened once per server."""
    return _library(str(config.library_dir()))


@st.cache_resource(show_spinner="Loading model…")
def model(name: str):
    """A model from ``artcore.registry``, loaded once and shared by every session."""
    return registry.get(name)


@st.cache_data(show_spinner=False, max_entries=4)
def records_with_stats(root: str, version: str) -> list[dict]:
    """All catalog rows with their stored statistics; ``version`` keys the cache to the catalog's state."""
    return Library(root).records(with_stats=True)


class Progress:
    """An ``st.progress`` bar usable as an artcore progress callback; redraws at most every 0.2 s."""

    def __init__(self, label: str):
        self.label = label
        self.bar = st.progress(0.0, text=label)
        self.last = 0.0

    def __call__(self, done: int, total: int, message: str = "") -> None:
        now = time.monotonic()
        if done < total and now - self.last < 0.2:
            return
        self.last = now
        self.bar.progress(done / total if total else 1.0, text=f"{self.label} {done}/{total} {message}")

    def clear(self) -> None:
        self.bar.empty()


def thumbnail_grid(lib: Library, rows: list[dict], columns: int = 6, caption_field: str | None = None) -> None:
    """Thumbnails in a grid, captioned by ``caption_field`` (else by whichever label an image has)."""
    cols = st.columns(columns)
    for i, r in enumerate(rows):
        fields = (caption_field, *LABEL_FIELDS) if caption_field else ()
        caption = next((r[f] for f in fields if r.get(f)), None)
        cols[i % columns].image(str(lib.thumbnail(r["sha256"])), caption=caption, width="stretch")


def _use_app_navigation() -> None:
    """Make the app's own navigation win over Streamlit's legacy ``pages/`` mode.

    When a server's first visitor opens a page URL directly, Streamlit runs that page without
    ``streamlit_app.py`` (no navigation, raw file names). Every page imports this module, so we switch the
    process to ``st.navigation`` mode and rerun once; outside a Streamlit server this does nothing.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


_use_app_navigation()
