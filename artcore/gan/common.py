"""What the trainer, the generator tools and the projector share: file names, reading a checkpoint and its config,
preparing a picture and turning generator output into pixels.

Kept apart so that ``train``, ``generate`` and ``project`` import this module rather than each other.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from artcore.errors import UserError

CHECKPOINT = "checkpoint.pt"
MODEL = "model.pt"
FORMAT = "artcore-gan-1"


def read_checkpoint(path: Path) -> dict:
    """A checkpoint or model file as a dict; a clear ``UserError`` when it is missing or not ours."""
    import torch

    try:
        state = torch.load(path, map_location="cpu", weights_only=False)
        if not isinstance(state, dict) or state.get("format") != FORMAT:
            raise ValueError("not an artcore GAN file")
    except FileNotFoundError:
        raise UserError(
            f"no GAN model at {path}; train one with `artcore gan train` or use the shipped default"
        ) from None
    except (OSError, RuntimeError, ValueError, EOFError) as exc:
        raise UserError(f"{path} is not an artcore GAN model ({exc})") from exc
    if state.get("config", {}).get("arch") == "projected":  # a trial projected GAN's networks, since removed
        raise UserError(f"{path} was made by a trial generator this version no longer has (a projected GAN); train "
                        "a new model on the same pictures (`artcore gan train`)")  # fmt: skip
    return state


def config_of(state: dict):
    """The ``GanConfig`` a checkpoint or model file was made with."""
    from artcore.gan.model import GanConfig

    return GanConfig.from_dict(state["config"])


def to_uint8(images) -> np.ndarray:
    """Generator output (N×3×H×W in [-1, 1]) as N×H×W×3 uint8."""
    return ((images.detach().float().clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).cpu().numpy()


def trim_background(img, tolerance: float = 40.0):
    """Crop away a plain margin (museum photos show the framed painting on a white or grey backdrop), so the
    painting fills the training image. Only a margin that matches the border's colour is removed."""
    small = img.convert("RGB")
    small.thumbnail((128, 128))
    arr = np.asarray(small, dtype=np.float32)
    ring = np.concatenate([arr[0], arr[-1], arr[:, 0], arr[:, -1]])
    backdrop = np.median(ring, axis=0)
    if np.abs(ring - backdrop).max(1).mean() > tolerance:  # the border is not one plain colour: nothing to trim
        return img
    rows, cols = np.nonzero(np.abs(arr - backdrop).max(2) > tolerance)
    if len(rows) == 0:
        return img
    sx, sy = img.width / arr.shape[1], img.height / arr.shape[0]
    box = (int(cols.min() * sx), int(rows.min() * sy), int((cols.max() + 1) * sx), int((rows.max() + 1) * sy))
    if (box[2] - box[0]) * (box[3] - box[1]) < 0.2 * img.width * img.height:  # a speck, not a painting
        return img
    return img.crop(box)


def square(img, res: int) -> np.ndarray:
    """The central square of ``img`` (its plain margin trimmed) at ``res``×``res`` as uint8 HxWx3; paintings keep
    their proportions."""
    from PIL import Image

    img = trim_background(img)
    side = min(img.size)
    left, top = (img.width - side) // 2, (img.height - side) // 2
    img = img.crop((left, top, left + side, top + side)).resize((res, res), Image.Resampling.LANCZOS)
    return np.asarray(img.convert("RGB"), dtype=np.uint8)
