"""Using a trained generator: load it, generate seeds with truncation and class mixing, walk the latent space.

Class mixing interpolates the label embeddings ("70% Landscape, 30% Portrait" is the embedding 0.7·e_L + 0.3·e_P
fed to the mapping network). Truncation pulls w toward the mean w of the chosen class mix, not the global mean,
so a truncated landscape stays a landscape.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from artcore import registry
from artcore.config import WEIGHTS_DIR
from artcore.errors import UserError
from artcore.gan.common import MODEL, config_of, read_checkpoint, to_uint8
from artcore.labels import shown

DEFAULT_MODEL = WEIGHTS_DIR / "gan-genre4-32.pt"
DISPLAY_SIDE = 128  # outputs are enlarged to at least this many pixels a side for viewing and export


@dataclass
class GanModel:
    """A loaded EMA generator with its class names and training facts."""

    G: object
    classes: list[str]
    info: dict
    path: Path
    _w_means: dict = field(default_factory=dict, repr=False)

    @property
    def resolution(self) -> int:
        return self.G.cfg.resolution

    @staticmethod
    def label(name: str) -> str:
        """A class as people write it: ``Vincent_van_Gogh`` → ``Vincent van Gogh``."""
        return shown(name)

    def class_vector(self, mix: dict[str, float] | None) -> np.ndarray:
        """Class weights (summing to 1) from {name: weight}; names are matched case-insensitively."""
        if not mix:
            raise UserError(f"pick at least one class: {', '.join(self.classes)}")
        lower = {c.lower(): i for i, c in enumerate(self.classes)}
        vec = np.zeros(len(self.classes), np.float32)
        for name, weight in mix.items():
            if name.lower() not in lower:
                raise UserError(f"this model has no class {name!r}; it knows {', '.join(self.classes)}")
            if weight < 0:
                raise UserError(f"the weight of {name} is negative; weights are shares, 0 or more")
            vec[lower[name.lower()]] += weight
        if vec.sum() <= 0:
            raise UserError("the class weights sum to zero; give at least one class a weight above 0")
        return vec / vec.sum()

    def z(self, seed: int):
        import torch

        return torch.randn(1, self.G.cfg.z_dim, generator=torch.Generator().manual_seed(int(seed)))

    def w_mean(self, c: np.ndarray):
        """The mean w of a class mix (over 2,048 random z), the centre that truncation pulls toward."""
        import torch

        key = tuple(np.round(c, 4))
        if key not in self._w_means:
            g = torch.Generator().manual_seed(0)
            z = torch.randn(2048, self.G.cfg.z_dim, generator=g)
            with torch.no_grad():
                self._w_means[key] = self.G.map(z, torch.from_numpy(c)[None].expand(len(z), -1)).mean(0, keepdim=True)
        return self._w_means[key]

    def w(self, z, c: np.ndarray, trunc: float = 1.0):
        """Truncated w for latent(s) ``z`` (N×z_dim) and one class mix."""
        import torch

        with torch.no_grad():
            w = self.G.map(z, torch.from_numpy(c)[None].expand(len(z), -1))
            if trunc != 1.0:
                mean = self.w_mean(c)
                w = mean + trunc * (w - mean)
        return w

    def render(self, w, noise: list) -> np.ndarray:
        """uint8 images (N×H×W×3) for w (N×w_dim) and per-layer noise (see ``Generator.seed_noise``)."""
        import torch

        with torch.no_grad():
            return to_uint8(self.G.synthesis(w, noise=noise))


def load_model(path=None) -> GanModel:
    """A model file or a training run folder (its ``model.pt``); ``None``: the shipped default."""
    from artcore.gan.model import Generator

    path = Path(path) if path else DEFAULT_MODEL
    if path.is_dir():
        path = path / MODEL
    state = read_checkpoint(path)
    G = Generator(config_of(state))
    # Saved models may be float16; integer buffers (batch norm's counters) stay as they are.
    G.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state["G_ema"].items()})
    G.eval().requires_grad_(False)
    info = {k: v for k, v in state.items() if k not in ("G_ema", "G", "D", "opt_G", "opt_D")}
    return GanModel(G, list(state["classes"]), info, path)


def available_models(lib=None) -> dict[str, Path]:
    """Models a user can pick: the shipped ones (the default first), the library's own runs (trained in the app)
    and the CLI's runs under ``runs/``, newest first."""
    from artcore.config import PROJECT_ROOT

    shipped = [DEFAULT_MODEL] + sorted(p for p in WEIGHTS_DIR.glob("gan-*.pt") if p != DEFAULT_MODEL)
    found = {f"shipped: {p.stem}": p for p in shipped if p.is_file()}
    roots = [("library", Path(lib.root) / "gan-runs")] if lib is not None else []
    for kind, root in [*roots, ("run", PROJECT_ROOT / "runs")]:
        runs = sorted(root.glob(f"*/{MODEL}"), key=lambda p: p.stat().st_mtime, reverse=True)
        found.update({f"{kind}: {p.parent.name}": p for p in runs})
    return found


@registry.loader("gan")
def _default_model() -> GanModel:
    return load_model(None)


def training_files(model: GanModel) -> list[Path]:
    """The works ``model`` was trained on: its ``train_files`` (absolute, or relative to the shared art data: a
    shipped model's), else the images of the folder its ``data`` line names; [] when it does not say."""
    from artcore.config import PROJECT_ROOT, SHARED_ARTDATA

    if model.info.get("train_files"):
        return [p if p.is_absolute() else SHARED_ARTDATA / p for p in map(Path, model.info["train_files"])]
    data = str(model.info.get("data", ""))  # "folder DIR: …" (train_run) or "DIR: …"
    if not data or data.startswith("library "):
        return []
    folder = Path(data.removeprefix("folder ").split(":", 1)[0])
    folder = folder if folder.is_absolute() else PROJECT_ROOT / folder
    if not folder.is_dir():
        return []
    from artcore.embed import folder_images

    return [Path(p) for p in folder_images(folder)[0]]


def save_model(model: GanModel, out, metrics: dict | None = None, half: bool = True) -> Path:
    """Write ``model`` as a standalone model file (weights in float16 by default: half the size, same pictures to
    the eye), with ``metrics`` recorded for ``info`` and the works it was trained on (``train_files``: real paths,
    relative to the shared art data when inside it) for the originality check wherever the file goes."""
    from artcore.config import SHARED_ARTDATA
    from artcore.training import atomic_torch_save

    shared = SHARED_ARTDATA.resolve()

    def recorded(path: Path) -> str:
        real = path.resolve()
        return str(real.relative_to(shared) if real.is_relative_to(shared) else real)

    files = [recorded(p) for p in training_files(model)]
    state = {**model.info, "metrics": {**model.info.get("metrics", {}), **(metrics or {})},
             **({"train_files": files} if files else {}),
             "G_ema": {k: v.half() if half and v.is_floating_point() else v for k, v in model.G.state_dict().items()}}  # fmt: skip
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_torch_save(state, out)
    return out


def info(model: GanModel) -> dict:
    """What the model is: the ``gan info --json`` object."""
    meta = model.info
    return {"model": str(model.path), "classes": model.classes,
            "resolution": model.resolution, "trained_images": meta.get("images_seen"),
            "train_seconds": meta.get("train_seconds"),
            "hardware": meta.get("hardware"), "data": meta.get("data"), "class_counts": meta.get("class_counts"),
            "config": meta.get("config"), "metrics": meta.get("metrics", {})}  # fmt: skip


# ------------------------------------------------------------------ generating


def parse_seeds(text: str, limit: int = 256) -> list[int]:
    """'0-15', '3,7,9' or '4' → seeds."""
    seeds: list[int] = []
    try:
        for part in str(text).split(","):
            a, _, b = part.strip().partition("-")
            seeds += list(range(int(a), int(b) + 1)) if b else [int(a)]
    except ValueError:
        raise UserError(f"seeds {text!r}: write a number, a range like 0-15, or a list like 1,5,9") from None
    if not seeds or len(seeds) > limit or min(seeds) < 0:
        raise UserError(f"seeds {text!r}: give between 1 and {limit} seeds, 0 or more")
    return seeds


def parse_class_mix(items: Sequence[str]) -> dict[str, float]:
    """['Landscape@0.7', 'Portrait@0.3'] → {name: weight}; a class without @W weighs 1."""
    mix: dict[str, float] = {}
    for item in items:
        name, _, weight = item.rpartition("@") if "@" in item else (item, "", "1")
        try:
            mix[name] = mix.get(name, 0.0) + float(weight)
        except ValueError:
            raise UserError(f"--class {item!r}: write NAME or NAME@WEIGHT, e.g. Landscape@0.7") from None
    return mix


def generate(model: GanModel, seeds: Sequence[int], c: np.ndarray, trunc: float = 0.7) -> np.ndarray:
    """uint8 images (len(seeds)×H×W×3) for seeds under one class mix."""
    import torch

    z = torch.cat([model.z(s) for s in seeds])
    return model.render(model.w(z, c, trunc), model.G.seed_noise(seeds))


def enlarge(images: np.ndarray, side: int = DISPLAY_SIDE) -> np.ndarray:
    """Images (N×H×W×3) enlarged (Lanczos) to at least ``side`` px for viewing; unchanged when already that big."""
    from PIL import Image

    h = images.shape[1]
    if h >= side:
        return images
    f = -(-side // h)
    return np.stack([np.asarray(Image.fromarray(im).resize((im.shape[1] * f, h * f), Image.Resampling.LANCZOS))
                     for im in images])  # fmt: skip


def grid(images: np.ndarray, columns: int = 8) -> np.ndarray:
    """N images as one picture, ``columns`` a row, white gaps (empty cells white)."""
    from artcore.training import tile

    n, h, w, _ = images.shape
    rows = -(-n // columns)
    cells = np.full((rows * columns, h, w, 3), 255, np.uint8)
    cells[:n] = images
    return tile(cells.reshape(rows, columns, h, w, 3), gap=max(2, h // 32))


def class_rows(model: GanModel, seeds: Sequence[int], trunc: float = 0.7) -> np.ndarray:
    """rows (one per class) × seeds × H×W×3: the same seeds in every class."""
    return np.stack([generate(model, seeds, model.class_vector({c: 1.0}), trunc) for c in model.classes])


def mix_label(mix: dict[str, float]) -> str:
    """A class mix as a file-name part: "Rembrandt", or "Vincent_van_Gogh-70+Rembrandt-30" (percentages)."""
    if len(mix) == 1:
        return next(iter(mix))
    total = sum(mix.values()) or 1.0
    return "+".join(f"{name}-{round(100 * w / total)}" for name, w in mix.items())


def export_images(model: GanModel, seeds: Sequence[int], out_dir, mix: dict[str, float] | None = None,
                  trunc: float = 0.7) -> list[Path]:  # fmt: skip
    """One PNG per seed at the model's own resolution in ``out_dir``, ``<class>_<seed>.png``: for each class of the
    model, or for one class mix (``mix``). Written atomically; returns the paths."""
    from PIL import Image

    from artcore.imageio import atomic_save_image
    from artcore.shared import safe_name

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    mixes = [mix] if mix else [{c: 1.0} for c in model.classes]
    paths = []
    for m in mixes:
        label = safe_name(mix_label(m), limit=120)
        for seed, image in zip(seeds, generate(model, seeds, model.class_vector(m), trunc)):
            paths.append(out_dir / f"{label}_{seed}.png")
            atomic_save_image(Image.fromarray(image), paths[-1])
    return paths


# ------------------------------------------------------------------ walks


@dataclass
class Endpoint:
    """Where a walk starts or ends: a latent z with a class mix, or a w (a projected image); with its noise."""

    label: str
    z: object = None
    c: np.ndarray | None = None
    w: object = None
    noise: list | None = None

    @classmethod
    def from_projection(cls, label: str, proj) -> Endpoint:
        return cls(label, w=proj.w, noise=proj.noise)


def endpoint(model: GanModel, spec: str, *, seed: int = 0, c: np.ndarray | None = None,
             project_steps: int = 200, progress=None) -> Endpoint:  # fmt: skip
    """``seed:N`` (with class mix ``c``, default the first class), ``class:NAME`` (at ``seed``), or ``image:PATH``
    (a picture, projected first, or a saved projection ``.npz``)."""
    import torch

    kind, _, value = spec.partition(":")
    kind = kind.strip().lower()
    default_c = c if c is not None else model.class_vector({model.classes[0]: 1.0})
    if kind == "seed":
        n = parse_seeds(value, 1)[0]
        return Endpoint(spec, z=model.z(n), c=default_c, noise=model.G.seed_noise([n]))
    if kind == "class":
        c = model.class_vector(parse_class_mix(value.split(",")))
        return Endpoint(spec, z=model.z(seed), c=c, noise=model.G.seed_noise([seed]))
    if kind == "image":
        from artcore.gan.project import load_projection, project

        path = Path(value)
        if path.suffix.lower() == ".npz":
            saved = load_projection(path)
            noise = [torch.from_numpy(saved[f"noise{i}"]) for i in range(model.G.num_layers)]
            return Endpoint(spec, w=torch.from_numpy(saved["w"]), noise=noise)
        return Endpoint.from_projection(spec, project(model, path, steps=project_steps, progress=progress))
    raise UserError(f"walk end {spec!r}: write seed:N, class:NAME or image:PATH")


def slerp(a, b, t: float):
    """Spherical interpolation of Gaussian latents (keeps them on the shell where z lives)."""
    import torch

    an, bn = a / a.norm(dim=1, keepdim=True), b / b.norm(dim=1, keepdim=True)
    omega = torch.acos((an * bn).sum(1, keepdim=True).clamp(-1 + 1e-7, 1 - 1e-7))
    if float(omega.abs().max()) < 1e-4:
        return a + (b - a) * t
    so = torch.sin(omega)
    return torch.sin((1 - t) * omega) / so * a + torch.sin(t * omega) / so * b


def walk_ws(model: GanModel, a: Endpoint, b: Endpoint, frames: int, trunc: float = 0.7, loop: bool = False):
    """(w, t) for every frame: slerp in Z with interpolated class embeddings when both ends are latents, else lerp
    in W; ``t`` runs 0 → 1 (→ 0 with ``loop``)."""
    import torch

    if frames < 2:
        raise UserError("a walk needs at least 2 frames")
    ts = np.linspace(0, 1, frames)
    ws = []
    for t in ts:
        if a.w is None and b.w is None:
            c = ((1 - t) * a.c + t * b.c).astype(np.float32)
            ws.append(model.w(slerp(a.z, b.z, float(t)), c, trunc))
        else:
            wa = a.w if a.w is not None else model.w(a.z, a.c, trunc)
            wb = b.w if b.w is not None else model.w(b.z, b.c, trunc)
            ws.append(torch.lerp(wa, wb, float(t)))
    ts = list(ts)
    if loop:  # and back again, without repeating the two ends
        ws += ws[-2:0:-1]
        ts += ts[-2:0:-1]
    return torch.cat(ws), ts


def _blend(x, y, ts: list[float]):
    """Noise maps between two ends, one per t; independent Gaussian maps keep their variance along the way."""
    import torch

    if torch.equal(x, y):
        return x.expand(len(ts), -1, -1, -1)
    return torch.cat([(x * (1 - t) + y * t) / np.hypot(1 - t, t) for t in ts])


def walk(model: GanModel, a: Endpoint, b: Endpoint, frames: int = 60, trunc: float = 0.7, loop: bool = False,
         progress: Callable[[int, int], None] | None = None) -> np.ndarray:  # fmt: skip
    """The frames (uint8 N×H×W×3) of a walk from ``a`` to ``b``. Each end's noise (its seed's, or a projection's)
    is blended along the walk too, keeping its variance, so the walk starts and ends exactly on its two pictures."""

    ws, ts = walk_ws(model, a, b, frames, trunc, loop)
    out = []
    for i in range(0, len(ws), 16):
        batch = [float(t) for t in ts[i : i + 16]]
        noise = [_blend(x, y, batch) for x, y in zip(a.noise, b.noise)]
        out.append(model.render(ws[i : i + 16], noise))
        if progress:
            progress(min(i + 16, len(ws)), len(ws))
    return np.concatenate(out)


def save_walk(frames: np.ndarray, out, fps: float = 24.0) -> dict:
    """Write a walk as MP4 or GIF (by ``out``'s suffix), enlarged to 256 px for viewing."""
    from artcore import video

    return video.save_frames(list(enlarge(frames, 256)), out, fps)
