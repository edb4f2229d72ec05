"""Habits every trainer here shares: atomic checkpoints, a hardware line for model cards, picture grids."""

from __future__ import annotations

import os
import platform
from pathlib import Path

import numpy as np


def atomic_torch_save(obj, path: Path) -> None:
    """``torch.save`` to a temp file renamed into place: a killed run never leaves a half-written checkpoint."""
    import torch

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def hardware() -> str:
    import torch

    if torch.cuda.is_available():
        return f"{torch.cuda.device_count()}× {torch.cuda.get_device_name(0)}"
    return f"CPU ({platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__})"


def tile(images: np.ndarray, gap: int = 2) -> np.ndarray:
    """A rows×cols×H×W×3 array of images as one picture with white gaps."""
    rows, cols, h, w, _ = images.shape
    out = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap, 3), 255, np.uint8)
    for r in range(rows):
        for c in range(cols):
            out[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = images[r, c]
    return out
