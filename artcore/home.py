"""What the Home page shows: a plain-words guide and the library at a glance."""

from __future__ import annotations

from artcore import config
from artcore.library import LABEL_FIELDS, Library

GUIDE = {
    "Library": "Bring your images in: upload files, or import a folder where each sub-folder is an artist, genre or "
    "style (Kaggle's “Best Artworks of All Time” and WikiArt layouts are recognised). Browse what you have.",
    "Explore": "Understand your collection before you train on it: how many images per artist, sizes and shapes, "
    "brightness, colour and each artist's palette, near-duplicates and files that could not be read.",
}


def glance(lib: Library) -> dict:
    """Counts for the Home page's metrics."""
    stats = lib.stats()
    return {
        "images": stats["images"],
        **{f"{f}s": len(stats["labels"][f]) for f in LABEL_FIELDS},
        "skipped": stats["skipped"],
    }


def sample_folders() -> list[tuple[str, str]]:
    """The shared sample collections present on this machine, as (folder, label field)."""
    wanted = [("artist10", "artist"), ("genre4", "genre")]
    return [(str(config.SHARED_ARTDATA / name), f) for name, f in wanted if (config.SHARED_ARTDATA / name).is_dir()]
