"""What the Home page shows: a plain-words guide and the library at a glance."""

from __future__ import annotations

from artcore import config
from artcore.library import LABEL_FIELDS, Library

# (file, title, icon, what it does in plain words); a page is listed only once it works end to end.
PAGES = [
    ("pages/home.py", "Home", ":material/home:", ""),
    ("pages/library.py", "Library", ":material/photo_library:",
     "Bring your images in: upload files, or import a folder where each sub-folder is an artist, genre or style "
     "(Kaggle's “Best Artworks of All Time” and WikiArt layouts are recognised). Browse what you have."),
    ("pages/explore.py", "Explore", ":material/insights:",
     "Understand your collection before you train on it: images per artist, sizes and shapes, brightness, colour "
     "and each artist's palette, near-duplicates and files that could not be read."),
    ("pages/collect.py", "Collect", ":material/travel_explore:",
     "Gather more pictures from Flickr (by tag, reusable licences only by default) or a public Pinterest board, "
     "with their licence and attribution."),
    ("pages/style.py", "Style studio", ":material/palette:",
     "Repaint a photo in the style of any painting, a built-in style or an artist from your library, blended as "
     "you like, up to print resolution; or the classic slow-but-faithful Gatys method."),
    ("pages/video.py", "Video", ":material/movie:",
     "Stylise a video clip steadily, frame by frame without flicker, keeping its sound; download MP4 or GIF."),
    ("pages/live.py", "Live camera", ":material/videocam:",
     "Your camera, stylised live in the browser, with a snapshot button."),
    ("pages/resemble.py", "Which artist?", ":material/person_search:",
     "Upload a painting and see which painters it resembles most, the movements it looks like and who the painter "
     "was; or train a model on your library's own artists and see their most similar works."),
    ("pages/map.py", "Map", ":material/scatter_plot:",
     "Every artwork on one map, placed by how a neural network sees it: similar works sit together."),
    ("pages/generate.py", "Generate", ":material/auto_awesome:",
     "New paintings from a GAN trained here on paintings: mix genres, walk smoothly from one picture to another, "
     "find the GAN's nearest painting to your photo, or glide your photo from one painting's style to another's."),
]  # fmt: skip


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
