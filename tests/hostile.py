"""Pictures a painter may well open that are awkward for the networks: panoramas, tiny and huge images, 16-bit PNGs,
CMYK JPEGs and a text file renamed .jpg. Built from a real photo; used by the upload tests and the e2e test."""

from __future__ import annotations

import functools
import io

import numpy as np
from PIL import Image

from artcore.config import SHARED_ARTDATA

PHOTO = SHARED_ARTDATA / "photos" / "sailboat.jpg"


def _photo() -> Image.Image:
    if PHOTO.is_file():
        return Image.open(PHOTO).convert("RGB")
    # A painterly stand-in when the shared data is absent: smooth colour ramps and a few shapes.
    y, x = np.mgrid[0:480, 0:640]
    arr = np.stack([x * 255 // 640, y * 255 // 480, (x + y) * 255 // 1120], -1).astype(np.uint8)
    return Image.fromarray(arr)


def _encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def panorama(width: int, height: int) -> bytes:
    """A valid JPEG panorama: a horizontal strip of the photo, stretched to ``width``×``height``."""
    img = _photo()
    strip = img.crop((0, img.height // 3, img.width, img.height // 3 + max(1, img.width * height // width)))
    return _encode(strip.resize((width, height), Image.Resampling.BICUBIC), "JPEG", quality=88)


def tiny(side: int) -> bytes:
    """A ``side``×``side`` PNG (1×1: a single pixel)."""
    return _encode(_photo().resize((side, side), Image.Resampling.BOX), "PNG")


def huge(width: int = 9000, height: int = 6000) -> bytes:
    """A big JPEG (54 megapixels by default), as a camera's or a scanner's."""
    return _encode(_photo().resize((width, height), Image.Resampling.BILINEAR), "JPEG", quality=80)


def png16(width: int = 400, height: int = 300) -> bytes:
    """A 16-bit greyscale PNG, as scanners and raw converters write them."""
    grey = np.asarray(_photo().convert("L").resize((width, height)), dtype="<u2") * 257
    return _encode(Image.fromarray(grey), "PNG")


def cmyk_jpeg(width: int = 400, height: int = 300) -> bytes:
    """A CMYK JPEG, as print workflows write them."""
    return _encode(_photo().resize((width, height)).convert("CMYK"), "JPEG", quality=90)


def text_as_jpg() -> bytes:
    """A text file someone renamed to .jpg."""
    return b"Shopping list: cadmium red, ultramarine, linseed oil.\nNot a picture at all.\n"


@functools.cache
def uploads() -> dict[str, tuple[str, bytes, str]]:
    """name → (file name, bytes, MIME type) for every hostile upload the app must survive."""
    return {
        "panorama-4000x300": ("panorama.jpg", panorama(4000, 300), "image/jpeg"),
        "panorama-1024x240": ("panorama-small.jpg", panorama(1024, 240), "image/jpeg"),
        "tiny-1x1": ("dot.png", tiny(1), "image/png"),
        "tiny-8x8": ("eight.png", tiny(8), "image/png"),
        "png16": ("scan16.png", png16(), "image/png"),
        "cmyk": ("print-cmyk.jpg", cmyk_jpeg(), "image/jpeg"),
        "text-as-jpg": ("notes.jpg", text_as_jpg(), "image/jpeg"),
    }


BAD = {"tiny-1x1", "tiny-8x8", "text-as-jpg"}  # refused (one sentence) or upscaled, depending on the capability
