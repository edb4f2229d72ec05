"""A walk through style space that needs no GAN: the user's picture rendered in a style that glides from one
source to another (two paintings, two artists, two built-ins). Magenta sources interpolate their 100-d style
vectors; built-ins interpolate their blend weights; a built-in and a painting cross-fade their renderings.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from artcore.errors import UserError

DEFAULT_SIZE = 512
MAX_FRAMES = 600


def _even_size(size: tuple[int, int], longest: int) -> tuple[int, int]:
    """(w, h) with the longer side ``longest`` and both sides even (H.264 needs even sizes)."""
    scale = longest / max(size)
    return tuple(max(32, 2 * round(s * scale / 2)) for s in size)  # type: ignore[return-value]


def style_walk(content, a, b, *, frames: int = 60, size: int = DEFAULT_SIZE, loop: bool = False,
               progress: Callable[[int, int], None] | None = None, should_stop: Callable[[], bool] | None = None,
               **options) -> np.ndarray:  # fmt: skip
    """Frames (N×H×W×3 uint8) of ``content`` rendered from style source ``a`` to ``b``.

    ``a`` and ``b`` are ``artcore.style.StyleSource``; ``options`` go to ``artcore.style.render.renderer`` (strength,
    preserve_color, style_scale, library). With ``loop`` the walk comes back to ``a``.
    """
    from PIL import Image

    from artcore.imageio import open_image
    from artcore.style import StyleSource
    from artcore.style.render import renderer

    if not 2 <= frames <= MAX_FRAMES:
        raise UserError(f"a style walk needs 2 to {MAX_FRAMES} frames, got {frames}")
    if not 64 <= size <= 2048:
        raise UserError(f"walk size must be between 64 and 2048 px, got {size}")
    img = content if isinstance(content, Image.Image) else open_image(content)
    img = img.resize(_even_size(img.size, size), Image.Resampling.LANCZOS)
    arr = np.asarray(img)
    out = []
    for i, t in enumerate(np.linspace(0.0, 1.0, frames)):
        if should_stop and should_stop():
            raise UserError("style walk stopped")
        mix = [StyleSource(a.kind, a.value, 1.0 - t, a.name), StyleSource(b.kind, b.value, t, b.name)]
        out.append(renderer(mix, reference=img, **options)(arr))
        if progress:
            progress(i + 1, frames)
    if loop:
        out += out[-2:0:-1]
    return np.stack(out)
