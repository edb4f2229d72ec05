"""What both translators share: image sets (a folder or a library label), the training loop's habits (time box,
atomic checkpoints, resume, samples, log, progress, stop) and the model file.

A run folder holds ``checkpoint.pt`` (everything needed to resume), ``model.pt`` (the generator alone, float16:
what ``apply`` loads and what ships in ``weights/``), ``log.jsonl`` and ``samples/latest.png``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from artcore.errors import UserError
from artcore.training import atomic_torch_save, hardware

CHECKPOINT = "checkpoint.pt"
MODEL = "model.pt"
FORMAT = "artcore-translate-1"
KINDS = ("unpaired", "sketch")


# ------------------------------------------------------------------ data


def split(paths: list[Path], held_out: float) -> tuple[list[Path], list[Path]]:
    """(train, held out): a stable share of the files, chosen by a hash of their names, kept for evaluation."""
    import hashlib

    def held(p: Path) -> bool:
        return int(hashlib.sha256(Path(p).name.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < held_out

    return [p for p in paths if not held(p)], [p for p in paths if held(p)]


def load_squares(paths: list[Path], side: int, progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """The central square of each readable image at ``side`` px: N×side×side×3 uint8 (unreadable files skipped)."""
    from artcore.gan.common import square
    from artcore.imageio import ImageError, open_image

    def one(path):
        try:
            return square(open_image(path, max_side=4 * side), side)
        except ImageError:
            return None

    out = []
    with ThreadPoolExecutor(max(1, min(4, os.cpu_count() or 1))) as pool:
        for i, arr in enumerate(pool.map(one, paths)):
            if arr is not None:
                out.append(arr)
            if progress:
                progress(i + 1, len(paths))
    if not out:
        raise UserError("none of the images could be read")
    return np.stack(out)


def cached(out: Path, name: str, build: Callable[[], dict], sources: str) -> dict:
    """Arrays decoded once into ``out/name.npz`` and reused when the run resumes; a run resumed with other pictures
    (``sources`` differs) is refused rather than quietly trained on the first ones."""
    path = Path(out) / f"{name}.npz"
    if path.exists():
        with np.load(path) as f:
            arrays = {k: f[k] for k in f.files}
        if "sources" in arrays and str(arrays["sources"]) != sources:
            raise UserError(f"{Path(out).name} was trained on {arrays['sources']}; to train on other pictures, "
                            "use a new name or folder")  # fmt: skip
        return arrays
    arrays = {**build(), "sources": np.array(sources)}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{name}.{os.getpid()}.npz")
    np.savez(tmp, **arrays)
    os.replace(tmp, path)
    return arrays


def random_crops(images: np.ndarray, n: int, res: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` random ``res``-px crops (randomly mirrored) from random images: n×res×res×3 uint8."""
    return crop_each(images[rng.integers(0, len(images), n)], res, rng)


def crop_each(images: np.ndarray, res: int, rng: np.random.Generator) -> np.ndarray:
    """One random ``res``-px crop (randomly mirrored) of each image, in order, so labels stay with their pictures."""
    n, side = len(images), images.shape[1]
    ys, xs = rng.integers(0, side - res + 1, n), rng.integers(0, side - res + 1, n)
    crops = np.stack([img[y : y + res, x : x + res] for img, y, x in zip(images, ys, xs)])
    flip = rng.random(n) < 0.5
    crops[flip] = crops[flip, :, ::-1]
    return crops


def diff_augment(x, gen):
    """The same random shift (up to 1/8 of the side, zero-padded) and cutout (a 1/4-side hole) per picture, as
    differentiable tensor ops: shown to the discriminator on real and generated pictures alike (DiffAugment, Zhao et
    al. 2020), so that with a few hundred paintings it cannot win by remembering them. Colours are left alone: the
    palette is what it should judge."""
    import torch

    n, _, h, w = x.shape
    sy, sx = max(1, h // 8), max(1, w // 8)
    dy = torch.randint(-sy, sy + 1, (n,), generator=gen)
    dx = torch.randint(-sx, sx + 1, (n,), generator=gen)
    padded = torch.nn.functional.pad(x, (sx, sx, sy, sy))
    x = torch.stack([padded[i, :, sy + dy[i] : sy + dy[i] + h, sx + dx[i] : sx + dx[i] + w] for i in range(n)])
    ch, cw = h // 4, w // 4
    cy = torch.randint(0, h - ch + 1, (n,), generator=gen)
    cx = torch.randint(0, w - cw + 1, (n,), generator=gen)
    mask = torch.ones_like(x[:, :1])
    for i in range(n):
        mask[i, :, cy[i] : cy[i] + ch, cx[i] : cx[i] + cw] = 0
    return x * mask


def to_tensor(batch: np.ndarray):
    """N×H×W×C uint8 → N×C×H×W float in [-1, 1]."""
    import torch

    return torch.from_numpy(np.ascontiguousarray(batch)).permute(0, 3, 1, 2).float() / 127.5 - 1


# ------------------------------------------------------------------ model files


def read_state(path: Path, what: str = "translator") -> dict:
    """A translate checkpoint or model file as a dict; one clear ``UserError`` when missing, corrupt or not ours."""
    import torch

    try:
        state = torch.load(path, map_location="cpu", weights_only=False)
        if not isinstance(state, dict) or state.get("format") != FORMAT or state.get("kind") not in KINDS:
            raise ValueError("not an artcore translator")
    except FileNotFoundError:
        raise UserError(f"no {what} at {path}; train one with `artcore translate train`") from None
    except Exception as exc:  # torch raises many kinds on a damaged file; all mean the same to the user
        raise UserError(f"{path} is not a usable artcore translator ({str(exc)[:120]})") from exc
    return state


# ------------------------------------------------------------------ the training loop


class Run:
    """One training run's folder and habits: resume from its checkpoint, write atomically, log, sample, time-box.

    ``nets`` and ``opts`` are dicts of modules and optimisers; the trainer supplies a ``step()`` returning stats
    and a ``sample()`` returning a picture (H×W×3 uint8).
    """

    def __init__(self, out, kind: str, config: dict, classes: list[str], nets: dict, opts: dict, data: str,
                 held_out: list[str] = ()):  # fmt: skip
        self.out, self.kind, self.config, self.classes = Path(out), kind, config, classes
        self.nets, self.opts, self.data, self.held_out = nets, opts, data, list(held_out)
        self.images_seen, self.step, self.train_seconds = 0, 0, 0.0
        ckpt = self.out / CHECKPOINT
        if ckpt.exists():
            state = read_state(ckpt)
            if state["kind"] != kind or state["config"] != config or state["classes"] != classes:
                raise UserError(f"{self.out.name} holds a different run ({state['kind']}, classes "
                                f"{', '.join(state['classes']) or 'none'}, other settings); train under a new name or "
                                "folder")  # fmt: skip
            for k, m in {**nets, **opts}.items():
                m.load_state_dict(state[k])
            self.images_seen, self.step, self.train_seconds = state["images_seen"], state["step"], state["train_seconds"]

    def meta(self) -> dict:
        return {"format": FORMAT, "kind": self.kind, "config": self.config, "classes": self.classes,
                "images_seen": self.images_seen, "step": self.step, "train_seconds": round(self.train_seconds, 1),
                "hardware": hardware(), "data": self.data, "held_out": self.held_out}  # fmt: skip

    def write(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        states = {k: m.state_dict() for k, m in {**self.nets, **self.opts}.items()}
        atomic_torch_save({**self.meta(), **states}, self.out / CHECKPOINT)
        half = {k: v.half() if v.is_floating_point() else v for k, v in self.nets["G"].state_dict().items()}
        atomic_torch_save({**self.meta(), "G": half}, self.out / MODEL)

    def save_sample(self, grid: np.ndarray) -> None:
        from PIL import Image

        from artcore.imageio import atomic_save_image

        (self.out / "samples").mkdir(parents=True, exist_ok=True)
        img = Image.fromarray(grid)
        atomic_save_image(img, self.out / "samples" / f"{self.images_seen // 1000:06d}kimg.png")
        atomic_save_image(img, self.out / "samples" / "latest.png")

    def loop(self, step: Callable[[], dict], sample: Callable[[], np.ndarray], batch: int, minutes: float, *,
             max_steps: int | None = None, checkpoint_minutes: float = 5.0, sample_minutes: float = 5.0,
             progress: Callable[[dict], None] | None = None, should_stop: Callable[[], bool] | None = None) -> dict:  # fmt: skip
        """Call ``step`` until the time box, ``max_steps`` steps this session or ``should_stop()``; checkpoint
        and sample on the way and always at the end. Returns the last stats."""
        self.out.mkdir(parents=True, exist_ok=True)
        start = last_ckpt = last_sample = time.monotonic()
        seen0, steps, stats, t = self.images_seen, 0, {}, start
        try:
            while time.monotonic() - start < minutes * 60 and (max_steps is None or steps < max_steps):
                if should_stop and should_stop():
                    break
                stats = step()
                steps += 1
                self.step += 1
                self.images_seen += batch
                now = time.monotonic()
                self.train_seconds += now - t
                t = now
                stats = {**{k: round(float(v), 4) for k, v in stats.items()}, "images_seen": self.images_seen,
                         "step": self.step, "images_per_s": round((self.images_seen - seen0) / max(now - start, 1e-6), 2),
                         "minutes_left": round(max(0.0, minutes - (now - start) / 60), 2)}  # fmt: skip
                if progress:
                    progress(stats)
                if self.step % 20 == 0 or steps == 1:
                    with (self.out / "log.jsonl").open("a") as f:
                        f.write(json.dumps(stats) + "\n")
                if now - last_sample >= sample_minutes * 60:
                    self.save_sample(sample())
                    last_sample = now
                if now - last_ckpt >= checkpoint_minutes * 60:
                    self.write()
                    last_ckpt = now
        finally:
            self.write()
            self.save_sample(sample())
        return {**stats, "images_seen": self.images_seen, "step": self.step,
                "train_seconds": round(self.train_seconds, 1), "out": str(self.out), "kind": self.kind,
                "classes": self.classes}  # fmt: skip
