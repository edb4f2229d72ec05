"""What the Home page shows: a plain-words guide and the library at a glance."""

from __future__ import annotations

from artcore import config
from artcore.library import LABEL_FIELDS, Library

# The one page table: the sidebar (streamlit_app.py) and Home's cards both follow it, in this order.
# (file, title, icon, what it does in plain words); a page is listed only once it works end to end.
PAGES = [
    ("pages/home.py", "Home", ":material/home:", ""),
    ("pages/library.py", "Library", ":material/photo_library:",
     "Bring your pictures in: upload files, or import a folder where each sub-folder is an artist, genre or style. "
     "Browse what you have, fix names, remove what you do not want."),
    ("pages/explore.py", "Explore", ":material/insights:",
     "Your collection at a glance: sample pictures and each artist's palette, how many pictures each has, how "
     "light and colourful they are, doubles, and files that could not be read."),
    ("pages/collect.py", "Collect", ":material/travel_explore:",
     "Gather more pictures from Flickr (by tag; by default only pictures you may reuse and change) or a public "
     "Pinterest board, each with its licence and credit line."),
    ("pages/style.py", "Style studio", ":material/palette:",
     "Repaint a photo in the style of a painting, one of 26 ready-made styles or an artist in your library; "
     "blend styles as you like, up to print size."),
    ("pages/translate.py", "Translate", ":material/brush:",
     "Turn a photo into a painting in a painter's manner, or your own drawing into a painting by a painter you "
     "pick; train new ones on your library."),
    ("pages/video.py", "Video", ":material/movie:",
     "Repaint a video clip in a style, steadily and without flicker, keeping its sound; download MP4 or GIF."),
    ("pages/live.py", "Live camera", ":material/videocam:",
     "Your camera, repainted live in the browser, with a snapshot button."),
    ("pages/resemble.py", "Which artist?", ":material/person_search:",
     "Upload a painting and see which painters it resembles most, the movements it looks like and who the painter "
     "was; or train a model on your library's own artists and see their most similar works."),
    ("pages/map.py", "Map", ":material/scatter_plot:",
     "Every picture on one map, placed by how it looks: similar works sit together. Drop in a picture of yours "
     "to see where it belongs."),
    ("pages/generate.py", "Generate", ":material/auto_awesome:",
     "Small new paintings from a model trained here on paintings: mix genres, morph from one picture to another, "
     "or glide your photo from one painting's style to another's."),
]  # fmt: skip

# The shared sample collections: (folder, label field, what it is in plain words; {painters} is filled in).
SAMPLES = [
    ("artist10", "artist", "{n} painters × 10 paintings: impressionists and post-impressionists, and Matisse ({painters})"),
    ("genre4", "genre", "{images:,} Louvre paintings in {n} genres ({painters})"),
]
_NAMES = {"VanGogh": "Van Gogh", "Cezanne": "Cézanne", "Naturmort": "still lifes", "Genre": "genre scenes",
          "Landscape": "landscapes", "Portrait": "portraits"}  # fmt: skip


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
    return [(str(config.SHARED_ARTDATA / name), f) for name, f, _ in SAMPLES if (config.SHARED_ARTDATA / name).is_dir()]


def sample_description() -> list[str]:
    """What the sample import brings, one line per collection, from the folders themselves: "10 painters × 10
    paintings: impressionists and post-impressionists, and Matisse (Cézanne, Degas, …)", "1,146 Louvre paintings
    in 4 genres (…)"."""
    parts = []
    for name, _, text in SAMPLES:
        root = config.SHARED_ARTDATA / name
        if not root.is_dir():
            continue
        subs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
        images = sum(1 for d in subs for f in d.iterdir() if f.is_file())
        names = ", ".join(_NAMES.get(p.name, p.name) for p in subs)
        parts.append(text.format(n=len(subs), images=images, painters=names))
    return parts


def sample_import(samples: list[tuple[str, str]]) -> dict:
    """The background import job's parameters for the sample collections (``artcore.tasks.import_folders``)."""
    return {"purpose": "samples", "folders": [{"path": folder, "label_from": "parent", "label_field": field}
                                              for folder, field in samples]}  # fmt: skip
