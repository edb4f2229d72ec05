"""Trained translation: photo → painter (``unpaired``, FastCUT) and sketch → painting (``sketch``, pix2pix).

This module finds and loads models and renders with them: the generator is exported to ONNX once per load and run
tile by tile (``artcore.tiles``), so any size up to 4096² renders in bounded memory without seams. Training lives
in the per-kind modules; what they share (data, the loop, model files) in ``common``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from artcore import registry
from artcore.config import PROJECT_ROOT
from artcore.errors import UserError
from artcore.labels import shown
from artcore.translate.common import MODEL, read_state

WEIGHTS_DIR = PROJECT_ROOT / "weights"
DEFAULT_PHOTO = WEIGHTS_DIR / "translate-photo-monet.pt"
DEFAULT_SKETCH = WEIGHTS_DIR / "translate-sketch-painters.pt"
MAX_SIDE = 4096  # the largest output side (tiles keep memory flat; time grows with the area)
TILE, OVERLAP = 1024, 128  # a 1024² picture is one pass


@dataclass
class Translator:
    """A loaded generator: ``kind`` "unpaired" (photo → painter) or "sketch" (drawing + class → painting)."""

    path: Path
    kind: str
    classes: list[str]
    info: dict
    session: object = field(repr=False)
    multiple: int = 8

    @property
    def name(self) -> str:
        return _model_name(self.path)

    def class_weights(self, name: str) -> np.ndarray:
        """The one-hot class vector for ``name`` (``Vincent_van_Gogh`` or "Vincent van Gogh", any case)."""
        want = name.strip().replace(" ", "_").lower()
        for i, c in enumerate(self.classes):
            if c.lower() == want:
                v = np.zeros((1, len(self.classes)), np.float32)
                v[0, i] = 1
                return v
        raise UserError(f"{self.name} does not know the class {name!r}; it knows {', '.join(self.classes)}")

    def _run(self, tile: np.ndarray, cls: np.ndarray | None) -> np.ndarray:
        """One tile (H×W×C uint8) through the network, padded to the network's multiple: H×W×3 float in [0, 1]."""
        h, w = tile.shape[:2]
        ph, pw = -h % self.multiple, -w % self.multiple
        x = np.pad(tile, ((0, ph), (0, pw), (0, 0)), mode="reflect") if ph or pw else tile
        x = x.transpose(2, 0, 1)[None].astype(np.float32) / 127.5 - 1
        feed = {"x": x} if cls is None else {"x": x, "cls": cls}
        y = self.session.run(None, feed)[0][0].transpose(1, 2, 0)
        return (y[:h, :w] + 1) / 2

    def render(self, arr: np.ndarray, cls: np.ndarray | None = None,
               progress: Callable[[int, int], None] | None = None) -> np.ndarray:  # fmt: skip
        from artcore.tiles import render_tiled

        return render_tiled(arr, lambda t: self._run(t, cls), tile=TILE, overlap=OVERLAP, progress=progress)


def _model_name(path: Path) -> str:
    """A run's folder name for its ``model.pt``, else the file's stem."""
    return path.parent.name if path.name == MODEL else path.stem


def _export(G, inputs: tuple, names: list[str]) -> bytes:
    """The generator as ONNX bytes with free height and width (so tiles of any shape run)."""
    import io

    import torch

    buf = io.BytesIO()
    axes = {"x": {2: "h", 3: "w"}, "y": {2: "h", 3: "w"}}
    with torch.no_grad():
        torch.onnx.export(G, inputs, buf, input_names=names, output_names=["y"], dynamic_axes=axes,
                          opset_version=17, dynamo=False)  # fmt: skip
    return buf.getvalue()


def load(path=None, kind: str = "unpaired") -> Translator:
    """A model file or a training run folder (its ``model.pt``); ``None``: the shipped default of ``kind``."""
    import warnings

    import torch

    path = Path(path) if path else (DEFAULT_PHOTO if kind == "unpaired" else DEFAULT_SKETCH)
    if path.is_dir():
        path = path / MODEL
    state = read_state(path)
    cfg, classes = state["config"], list(state["classes"])
    weights = {k: v.float() if v.is_floating_point() else v for k, v in state["G"].items()}
    res = cfg["res"]
    if state["kind"] == "unpaired":
        from artcore.translate.unpaired import make_generator

        G = make_generator(cfg)
        inputs, names = (torch.rand(1, 3, res, res),), ["x"]
    else:
        from artcore.translate.sketch import make_generator

        G = make_generator(cfg, len(classes))
        inputs, names = (torch.rand(1, 1, res, res), torch.eye(len(classes))[:1]), ["x", "cls"]
    try:
        G.load_state_dict(weights)
    except RuntimeError as exc:
        raise UserError(f"{path} does not fit this version's networks (damaged, or made by an older version); "
                        "train it again") from exc
    G.eval()
    with warnings.catch_warnings():  # the exporter's notes on instance norm and slicing are expected
        warnings.simplefilter("ignore")
        onnx = _export(G, inputs, names)
    info = {k: v for k, v in state.items() if k not in ("G", "D", "H", "opt_G", "opt_D")}
    return Translator(path, state["kind"], classes, info, registry.onnx_session(onnx), G.multiple)


@registry.loader("translate-photo")
def _default_photo() -> Translator:
    return load(None, "unpaired")


@registry.loader("translate-sketch")
def _default_sketch() -> Translator:
    return load(None, "sketch")


def available_models(lib=None, kind: str | None = None) -> dict[str, Path]:
    """Translators a user can pick: shipped ones (defaults first), the library's runs (trained in the app) and the
    CLI's runs under ``runs/`` (newest first); only ``kind`` when given."""
    shipped = [DEFAULT_PHOTO, DEFAULT_SKETCH] + sorted(
        p for p in WEIGHTS_DIR.glob("translate-*.pt") if p not in (DEFAULT_PHOTO, DEFAULT_SKETCH))  # fmt: skip
    found = {f"shipped: {_model_name(p).removeprefix('translate-')}": p for p in shipped if p.is_file()}
    roots = [("library", Path(lib.root) / "translate-runs")] if lib is not None else []
    for where, root in [*roots, ("run", PROJECT_ROOT / "runs")]:
        runs = sorted(root.glob(f"*/{MODEL}"), key=lambda p: p.stat().st_mtime, reverse=True)
        found.update({f"{where}: {p.parent.name}": p for p in runs})
    if kind is None:
        return {k: p for k, p in found.items() if _kind(p) is not None}
    return {k: p for k, p in found.items() if _kind(p) == kind}


def _kind(path: Path) -> str | None:
    """A model file's kind without building its network (None: not a translator, e.g. a GAN run's model); read
    once per version of the file, as the app asks on every rerun."""
    return _kind_of(str(path), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _kind_of(path: str, mtime_ns: int) -> str | None:
    try:
        return read_state(Path(path))["kind"]
    except UserError:
        return None


_WHERE = {"shipped": "ready-made", "library": "trained here", "run": "trained on the command line"}


def choices(lib=None, kind: str = "unpaired") -> dict[str, Path]:
    """``available_models`` under the names the app shows ("Monet · ready-made", "my-monet · trained here"), the
    shipped default first."""
    out = {}
    for label, path in available_models(lib, kind).items():
        where, _, name = label.partition(": ")
        if where == "shipped":
            name = shown(name.removeprefix("photo-").removeprefix("sketch-"))
            name = name[:1].upper() + name[1:]
        out[f"{name} · {_WHERE[where]}"] = path
    return out


def about(model: Translator) -> str:
    """How a translator was made, in one line: its training time, the crops it saw and what it learnt from."""
    info, minutes = model.info, model.info.get("train_seconds", 0) / 60
    took = f"{minutes:.0f} min" if minutes >= 1 else "under a minute"
    return (f"Trained for {took} on {info.get('hardware') or 'this computer'}, {info.get('images_seen', 0):,} crops "
            f"seen: {info.get('data') or 'no description'}.")  # fmt: skip


def run_name(kind: str, target: str) -> str:
    """A name for a new run from what it learns from: "photo-to-Claude_Monet", "sketch-artist"."""
    field, _, value = target.partition(":")
    what = value.split(",")[0] if value and kind == "unpaired" else field if value else Path(target).name
    return f"{'photo-to' if kind == 'unpaired' else 'sketch'}-{what}"


def trained_so_far(folder) -> dict | None:
    """A run folder's facts so far (kind, crops seen, what it learns from; no weights), or None before its first
    save."""
    path = Path(folder) / MODEL
    return {k: v for k, v in read_state(path).items() if k != "G"} if path.is_file() else None


def canvas_drawing(rgba: np.ndarray | None, size: tuple[int, int]):
    """A drawing canvas's picture (H×W×4 RGBA, transparent where nothing is drawn; None before the first stroke)
    as a PIL image for ``render_sketch``: blank paper of ``size`` (width, height) when nothing came back."""
    from PIL import Image

    if rgba is None:
        return Image.new("RGB", size, "white")
    return Image.fromarray(np.asarray(rgba, np.uint8), "RGBA")


def info(lib=None) -> list[dict]:
    """Every available translator: name, kind, path and classes (what ``artcore translate info`` prints)."""
    out = []
    for label, path in available_models(lib).items():
        state = read_state(path)
        out.append({"name": label, "kind": state["kind"], "path": str(path), "classes": list(state["classes"])})
    return out


def output_size(size: tuple[int, int], longest: int | None) -> tuple[int, int]:
    """``size`` scaled so its longest side is ``longest`` (up or down), at most ``MAX_SIDE``."""
    if longest is not None and not 64 <= longest <= MAX_SIDE:
        raise UserError(f"size {longest} is out of range; choose 64 to {MAX_SIDE} pixels on the longest side")
    longest = longest or min(max(size), 1024)
    scale = longest / max(size)
    return max(8, round(size[0] * scale)), max(8, round(size[1] * scale))


def translate_photo(model: Translator, image, size: int | None = None, progress=None) -> np.ndarray:
    """A photo (PIL image) in the translator's painter's manner, its longest side ``size`` (default: its own, at most
    1024): H×W×3 uint8."""
    from PIL import Image

    if model.kind != "unpaired":
        raise UserError(f"{model.name} turns drawings into paintings; pick a photo → painter model")
    img = image.convert("RGB").resize(output_size(image.size, size), Image.Resampling.LANCZOS)
    return model.render(np.asarray(img), progress=progress)


def render_sketch(model: Translator, drawing, class_name: str, size: int | None = 512, progress=None) -> np.ndarray:
    """A drawing (PIL image: dark lines on light paper) painted as ``class_name``: H×W×3 uint8, longest side
    ``size``."""
    from artcore.translate.sketch import prepare_drawing

    if model.kind != "sketch":
        raise UserError(f"{model.name} turns photos into paintings; pick a sketch → painting model")
    cls = model.class_weights(class_name)
    w, h = output_size(drawing.size, size or 512)
    lines = prepare_drawing(drawing, max(w, h))
    return model.render(lines[..., None], cls, progress=progress)
