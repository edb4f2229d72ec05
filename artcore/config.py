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


SETTINGS_FILE = "config.json"  # in the library folder: small settings the app keeps, e.g. a Flickr key


def settings_path(library: str | os.PathLike | None = None) -> Path:
    return library_dir(library) / SETTINGS_FILE


def read_settings(library: str | os.PathLike | None = None) -> dict:
    """The library's settings (``config.json``), or {} when there are none or the file cannot be read."""
    import json

    try:
        data = json.loads(settings_path(library).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_settings(changes: dict, library: str | os.PathLike | None = None) -> Path:
    """Merge ``changes`` into the library's settings (a ``None`` value removes that key); written atomically
    (temp file, then rename) and readable by this user only (0600), as it may hold secrets."""
    import json
    import tempfile

    path = settings_path(library)
    data = {**read_settings(library), **changes}
    data = {k: v for k, v in data.items() if v is not None}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".tmp-{os.getpid()}-", suffix=".json")  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
