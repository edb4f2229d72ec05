"""Rendering in the style studio: a picture (``stylize``, ``stylize_to_file``), a prepared blend for video and the
camera (``renderer``), every built-in on one sheet (``contact_sheet``). Styles come from ``artcore.style``.

Big outputs are rendered in overlapping tiles (``artcore.tiles``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from artcore import registry
from artcore.errors import UserError
from artcore.style import MIN_SIDE, NUM_BUILTIN, STYLE_SCALE, StyleSource, _check_size, label_vector, style_vector
from artcore.style.builtins import builtin_painter, builtin_title

MAX_SIDE = 16384
TILE = 1152  # largest side of one network pass; beyond WHOLE_MAX px the picture is tiled
OVERLAP = 128
WHOLE_MAX = 1536
DEFAULT_MAX = 4096  # without --size, bigger contents are scaled down to this (time grows with pixels)


def _min_short(size: tuple[int, int], short: int = MIN_SIDE) -> tuple[int, int]:
    """``size`` scaled so its shorter side is ``short`` px; a UserError when the longer side would then exceed
    ``MAX_SIDE`` (a strip too long and thin to render)."""
    scale = short / min(size)
    w, h = max(short, round(size[0] * scale)), max(short, round(size[1] * scale))
    if max(w, h) > MAX_SIDE:
        raise UserError(f"this picture is too long and thin to stylize ({size[0]}×{size[1]} px); crop it to at most "
                        f"{MAX_SIDE // short} times as long as it is high")  # fmt: skip
    return w, h


def _padded_run(arr: np.ndarray, run: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Run a stride-4 network on H×W×3 floats: reflect-pad to multiples of 4, crop back."""
    h, w = arr.shape[:2]
    ph, pw = (-h) % 4, (-w) % 4
    if ph or pw:
        arr = np.pad(arr, ((0, ph), (0, pw), (0, 0)), mode="reflect")
    return run(arr)[:h, :w]


def _magenta(arr: np.ndarray, vec: np.ndarray, keep: bool = True) -> np.ndarray:
    sess = registry.get("magenta-transform")
    names = [i.name for i in sess.get_inputs()]
    return sess.run(None, {names[0]: arr[None], names[1]: vec.reshape(1, 1, 1, 100).astype(np.float32)},
                    registry.arena_run_options(arr.shape[0] * arr.shape[1] if keep else None))[0][0]  # fmt: skip


def _builtin(arr: np.ndarray, weights: np.ndarray, keep: bool = True) -> np.ndarray:
    sess = registry.get("builtin26")
    x = np.ascontiguousarray(arr.transpose(2, 0, 1)[None])
    out = sess.run(None, {"image": x, "style_weights": weights.astype(np.float32)},
                   registry.arena_run_options(arr.shape[0] * arr.shape[1] if keep else None))[0][0]  # fmt: skip
    return np.ascontiguousarray(out.transpose(1, 2, 0))  # later passes over a strided view are several times slower


@registry.releaser
def _release() -> None:
    """A tiny pass through each loaded style network that hands its arena's memory back (a class server)."""
    tiny = np.zeros((MIN_SIDE, MIN_SIDE, 3), np.float32)
    if registry.loaded("builtin26"):
        _builtin(tiny, np.eye(NUM_BUILTIN, dtype=np.float32)[0], keep=False)
    if registry.loaded("magenta-transform"):
        _magenta(tiny, np.zeros(100, np.float32), keep=False)


def _preserve_color(styled: np.ndarray, content: np.ndarray) -> np.ndarray:
    """Keep the content's chroma, take the stylised luminance.

    Swapping Y in YCbCr equals adding the luminance difference to every RGB channel, since Y enters R, G, B
    with coefficient 1 in the inverse transform.
    """
    luma = np.array([0.299, 0.587, 0.114], np.float32)
    return content + ((styled - content) @ luma)[..., None]


def output_size(size: tuple[int, int], longest: int | None) -> tuple[int, int]:
    """Width and height with the longer side ``longest`` (default: the content's own, at most DEFAULT_MAX)."""
    if not longest:
        if max(size) <= DEFAULT_MAX:
            return size
        longest = DEFAULT_MAX
    if not MIN_SIDE <= longest <= MAX_SIDE:
        raise UserError(f"--size must be between {MIN_SIDE} and {MAX_SIDE} px, got {longest}")
    scale = longest / max(size)
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def blend(sources: Sequence[StyleSource], style_scale: int = STYLE_SCALE, library=None):
    """The ingredients of a blend: ``(style vector, its share, built-in shares)``.

    Magenta sources (images, vectors, library labels) average into one style vector, weighted; built-ins keep one
    share each (an array of ``NUM_BUILTIN``). Shares are fractions of the total weight; a missing ``library``
    means the default one.
    """
    if not sources:
        raise UserError("give at least one style")
    if not 32 <= style_scale <= 2048:
        raise UserError(f"style scale must be between 32 and 2048 px, got {style_scale}")
    weights = np.array([s.weight for s in sources], np.float64)
    if (weights < 0).any() or not np.isfinite(weights).all():
        raise UserError("style weights must be non-negative numbers")
    if weights.sum() <= 0:
        raise UserError("style weights sum to zero; give at least one style a positive weight")
    weights = weights / weights.sum()
    vec, vec_weight = np.zeros(100, np.float64), 0.0
    builtin = np.zeros(NUM_BUILTIN, np.float32)
    for src, wt in zip(sources, weights, strict=True):
        if wt == 0:
            continue
        if src.kind == "builtin":
            builtin[src.value] += wt
            continue
        if src.kind == "vector":
            v = np.asarray(src.value, np.float64).reshape(100)
        elif src.kind == "image":
            v = style_vector(src.value, style_scale)
        else:
            if library is None:
                from artcore.library import Library

                library = Library()
            v = label_vector(library, src.kind, src.value, src.exclude, style_scale)
        vec += wt * v
        vec_weight += wt
    if vec_weight:
        vec /= vec_weight
    return vec, vec_weight, builtin


def renderer(
    sources: Sequence[StyleSource],
    *,
    strength: float = 1.0,
    preserve_color: bool = False,
    style_scale: int = STYLE_SCALE,
    library=None,
    reference=None,
    tile: int = TILE,
    overlap: int = OVERLAP,
) -> Callable[..., np.ndarray]:
    """Prepare a blend of ``sources`` once; returns ``render(frame, progress=None)``: H×W×3 uint8 → uint8.

    Style vectors are computed here, not per call, so a video or camera feed keeps one fixed style. Magenta
    sources (images, library labels) blend by averaging style vectors; built-ins blend inside their own network;
    a mix of both blends the two renderings by their total weights. ``strength`` below 1 moves style vectors
    toward the style of ``reference`` (a PIL image; default: the first frame rendered), as Magenta does, and
    fades built-in renderings toward the content.
    """
    from PIL import Image

    if not 0.0 <= strength <= 1.0:
        raise UserError(f"strength must be between 0 and 1, got {strength}")
    vec, vec_weight, builtin = blend(sources, style_scale, library)
    builtin_weight = float(builtin.sum())
    if builtin_weight:
        builtin /= builtin_weight
    mixed: list[np.ndarray] = []  # the strength-adjusted style vector, fixed at the first call

    def render_tile(tile_u8: np.ndarray) -> np.ndarray:
        arr = tile_u8.astype(np.float32)
        arr *= 1.0 / 255.0
        # Full-size array passes cost about 5 ms each at 1024²: a single source (weight 1) skips the blending.
        parts = []
        if vec_weight:
            parts.append((vec_weight, _padded_run(arr, lambda a: _magenta(a, mixed[0]))))
        if builtin_weight:
            styled = _padded_run(arr, lambda a: _builtin(a, builtin))
            if strength < 1.0:
                styled = strength * styled + (1.0 - strength) * arr
            parts.append((builtin_weight, styled))
        out = parts[0][1] if len(parts) == 1 else sum(w * p for w, p in parts)
        if preserve_color:
            out = _preserve_color(out, arr)
        return out

    def render(frame: np.ndarray, progress: Callable[[int, int], None] | None = None) -> np.ndarray:
        from artcore.tiles import render_tiled

        h, w = frame.shape[:2]
        _check_size((w, h), "content image")
        if vec_weight and not mixed:
            own = 0.0
            if strength < 1.0:
                own = style_vector(reference if reference is not None else Image.fromarray(frame), style_scale)
            mixed.append(strength * vec + (1.0 - strength) * own)
        big = max(w, h) > WHOLE_MAX
        return render_tiled(frame, render_tile, tile=tile if big else max(w, h), overlap=overlap, progress=progress)

    return render


def stylize(
    content,
    sources: Sequence[StyleSource],
    *,
    size: int | None = None,
    strength: float = 1.0,
    preserve_color: bool = False,
    style_scale: int = STYLE_SCALE,
    library=None,
    tile: int = TILE,
    overlap: int = OVERLAP,
    progress: Callable[[int, int], None] | None = None,
):
    """Render ``content`` (path, bytes or PIL image) in a weighted blend of ``sources``; returns a PIL image.

    See ``renderer`` for how sources blend and what ``strength`` does.
    """
    from PIL import Image

    from artcore.imageio import open_image

    if not sources:
        raise UserError("give at least one style")
    img = content if isinstance(content, Image.Image) else open_image(content)
    # Load the rendering networks while the picture is resized and style vectors computed.
    networks = {"builtin26" if s.kind == "builtin" else "magenta-transform" for s in sources if s.weight > 0}
    registry.prefetch(*sorted(networks))
    _check_size(img.size, "content image")
    w, h = output_size(img.size, size)
    if min(w, h) < MIN_SIDE:  # a panorama asked small: keep the networks' minimum on its short side
        w, h = _min_short(img.size)
    _check_size((w, h), "output")
    if (w, h) != img.size:
        img = img.resize((w, h), Image.Resampling.LANCZOS)
    render = renderer(
        sources,
        strength=strength,
        preserve_color=preserve_color,
        style_scale=style_scale,
        library=library,
        reference=img,
        tile=tile,
        overlap=overlap,
    )
    return Image.fromarray(render(np.asarray(img), progress=progress))


def stylize_to_file(content, sources: Sequence[StyleSource], out: Path, **kwargs) -> dict:
    """``stylize`` then write a PNG atomically; returns ``{"output", "size", "seconds"}`` (the CLI's JSON)."""
    from artcore.imageio import FAST_PNG, atomic_save_image

    t0 = time.perf_counter()
    result = stylize(content, sources, **kwargs)
    atomic_save_image(result, Path(out), **FAST_PNG)
    return {"output": str(out), "size": list(result.size), "seconds": round(time.perf_counter() - t0, 3)}


def contact_sheet(content, tile: int = 256, columns: int = 7, progress=None):
    """Every built-in style on a small copy of ``content``, each with the painting's title and painter above it, to
    help pick; ``progress(done, total)`` after each style."""
    import unicodedata

    from PIL import Image, ImageDraw, ImageFont

    from artcore.imageio import open_image, scaled_size

    img = content if isinstance(content, Image.Image) else open_image(content, max_side=tile * 2)
    _check_size(img.size, "content image")
    # Each cell's longer side is ``tile`` px, but a panorama keeps the networks' minimum on its short side.
    img = img.resize(scaled_size(img.size, tile, MIN_SIDE), Image.Resampling.LANCZOS)
    tw, th = img.size
    cells = [(("Your picture", ""), img)]
    for i in range(NUM_BUILTIN):
        cells.append(((builtin_title(i), builtin_painter(i) or "painting not identified"),
                      stylize(img, [StyleSource("builtin", i)])))  # fmt: skip
        if progress:
            progress(i + 1, NUM_BUILTIN)
    rows = -(-len(cells) // columns)
    pad, text = 6, 34
    sheet = Image.new("RGB", (columns * (tw + pad) + pad, rows * (th + text + pad) + pad), "white")
    draw = ImageDraw.Draw(sheet)
    try:
        font, fold = ImageFont.truetype("DejaVuSans.ttf", 13), False  # has the accents of Léger, Grasset, ...
    except OSError:
        font, fold = ImageFont.load_default(size=13), True  # Pillow's own font lacks them: "Leger", not "L□ger"

    def fit(words: str) -> str:  # shorten with an ellipsis to the cell's width
        if fold:
            words = "".join(c for c in unicodedata.normalize("NFKD", words) if not unicodedata.combining(c))
        if draw.textlength(words, font=font) <= tw - 4:
            return words
        while words and draw.textlength(words + "…", font=font) > tw - 4:
            words = words[:-1]
        return words.rstrip() + "…"

    for n, ((title, painter), cell) in enumerate(cells):
        r, c = divmod(n, columns)
        x, y = pad + c * (tw + pad), pad + r * (th + text + pad)
        draw.text((x + 2, y), fit(title), fill="black", font=font)
        draw.text((x + 2, y + 16), fit(painter), fill="#555555", font=font)
        sheet.paste(cell, (x, y + text))
    return sheet
