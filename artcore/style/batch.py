"""A whole collection restyled: every picture of a folder or library label in one blend of styles.

The blend is resolved once here (image and label styles become one Magenta style vector), so workers on other
processes or Ray nodes need neither the library nor the style pictures: they get a few numbers and the picture
paths, render, and send PNG bytes back; this process writes ``OUT/<stem>.png`` atomically. Pictures whose output
exists are skipped, so a stopped run continues where it was.
"""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from artcore.errors import UserError


def resolved(sources: Sequence, style_scale: int, library=None) -> list[tuple[str, list[float] | int, float]]:
    """The blend as plain data: ("vector", 100 numbers, share) for all Magenta styles together and
    ("builtin", index, share) for each built-in."""
    from artcore.style.render import blend

    vec, vec_share, builtin = blend(sources, style_scale, library)
    out: list = [("vector", vec.tolist(), vec_share)] if vec_share else []
    return out + [("builtin", int(i), float(builtin[i])) for i in np.flatnonzero(builtin)]


def render_batch(paths: list[str], styles: list, size: int, strength: float = 1.0,
                 preserve_color: bool = False) -> list[bytes]:  # fmt: skip
    """PNG bytes of each picture rendered in ``styles`` (from ``resolved``) at ``size`` px on its longest side."""
    from artcore.imageio import FAST_PNG
    from artcore.style import StyleSource
    from artcore.style.render import stylize

    sources = [StyleSource(kind, np.asarray(v, np.float32) if kind == "vector" else v, w) for kind, v, w in styles]
    out = []
    for p in paths:
        buf = io.BytesIO()
        stylize(p, sources, size=size, strength=strength, preserve_color=preserve_color).save(buf, "PNG", **FAST_PNG)
        out.append(buf.getvalue())
    return out


def output_names(paths: Sequence[Path]) -> list[str]:
    """``<stem>.png`` per picture; a stem that two pictures share gets a short hash of its path."""
    stems = [Path(p).stem for p in paths]
    seen: dict[str, int] = {}
    for s in stems:
        seen[s] = seen.get(s, 0) + 1
    return [f"{s}-{hashlib.sha256(str(p).encode()).hexdigest()[:8]}.png" if seen[s] > 1 else f"{s}.png"
            for s, p in zip(stems, paths)]  # fmt: skip


def stylize_collection(spec: str, sources: Sequence, out: Path, *, size: int = 512, strength: float = 1.0,
                       preserve_color: bool = False, style_scale: int = 256, library=None, engine=None,
                       progress: Callable[[int, int], None] | None = None) -> dict:  # fmt: skip
    """Render every picture ``spec`` names (a folder or ``FIELD:VALUE``) into ``out``; returns a summary
    (``images``, ``rendered`` now, ``skipped`` as already there, ``seconds``, ``images_per_s``)."""
    from artcore.imageio import atomic_write_bytes
    from artcore.library import image_set
    from artcore.parallel import Engine

    if not 64 <= size <= 4096:
        raise UserError(f"size must be between 64 and 4096 px, got {size}")
    paths = image_set(spec, library)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    names = output_names(paths)
    todo = [i for i, n in enumerate(names) if not (out / n).exists()]
    styles = resolved(sources, style_scale, library)
    kwargs = {"styles": styles, "size": size, "strength": strength, "preserve_color": preserve_color}
    t0, done = time.perf_counter(), 0
    if progress:
        progress(0, len(todo))
    for idx, pngs in (engine or Engine()).map("artcore.style.batch:render_batch", [str(paths[i]) for i in todo],
                                              kwargs, batch=4):  # fmt: skip
        for j, png in zip(idx, pngs):
            atomic_write_bytes(out / names[todo[j]], bytes(png))
        done += len(idx)
        if progress:
            progress(done, len(todo))
    seconds = time.perf_counter() - t0
    return {"images": len(paths), "rendered": done, "skipped": len(paths) - len(todo), "out": str(out),
            "seconds": round(seconds, 2), "images_per_s": round(done / seconds, 3) if done else None,
            "engine": (engine or Engine()).describe()}  # fmt: skip
