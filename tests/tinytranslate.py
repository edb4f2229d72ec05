"""Tiny translators trained in seconds on real pictures, for the Translate page's tests."""

from __future__ import annotations

import shutil
from pathlib import Path

TINY = {"unpaired": {"ngf": 4, "n_blocks": 1, "ndf": 8, "batch": 1, "res": 64},
        "sketch": {"ngf": 8, "depth": 3, "ndf": 8, "batch": 1, "res": 64, "classifier_warmup": 5}}  # fmt: skip
PAINTERS = {"Monet": "Claude_Monet", "VanGogh": "Vincent_van_Gogh"}  # artist10's folder → the class (bestartworks')


def picture_folders(root: Path, artdata: Path) -> dict[str, Path]:
    """Small folders of real pictures under ``root``: ``photos``, ``monet`` (paintings) and ``painters`` (one
    sub-folder of paintings per painter)."""
    folders = {"photos": root / "photos", "monet": root / "monet", "painters": root / "painters"}
    if not folders["photos"].is_dir():
        shutil.copytree(artdata / "photos", folders["photos"])
        for folder, name in PAINTERS.items():
            for f in sorted((artdata / "artist10" / folder).glob("*.jpg"))[:5]:
                dest = folders["painters"] / name / f.name
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(f, dest)
        shutil.copytree(folders["painters"] / "Claude_Monet", folders["monet"])
    return folders


def train_tiny(out: Path, kind: str, folders: dict[str, Path], steps: int = 2) -> Path:
    """A tiny translator of ``kind`` trained for ``steps`` steps into run folder ``out``; its model file."""
    from artcore.translate import sketch, unpaired

    if kind == "unpaired":
        unpaired.train(out, str(folders["photos"]), str(folders["monet"]), 1.0, max_steps=steps, **TINY[kind])
    else:
        sketch.train(out, str(folders["painters"]), 1.0, max_steps=steps, **TINY[kind])
    return out / "model.pt"
