"""Where things live: the library folder and the project's bundled weights."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WEIGHTS_DIR = PROJECT_ROOT / "weights"
SHARED_ARTDATA = PROJECT_ROOT.parent / "shared" / "artdata"
LABEL_FIELDS = ("artist", "genre", "style")  # the library's label columns


def cache_dir() -> Path:
    """Where derived files (prepared ONNX graphs, embedding caches) live: ``$ARTCORE_CACHE`` or ~/.cache/artcore."""
    return Path(os.environ.get("ARTCORE_CACHE") or Path.home() / ".cache" / "artcore").expanduser()


def library_dir(explicit: str | os.PathLike | None = None) -> Path:
    """The library folder: an explicit path, else ``$ARTCORE_HOME``, else ``data/library`` in the project."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    env = os.environ.get("ARTCORE_HOME")
    if env:
        return Path(env).expanduser().resolve()
    return PROJECT_ROOT / "data" / "library"
