"""Sketch → painting: pix2pix (Isola et al., 2017) on pairs made from the library's own paintings.

Each painting gives its own line drawing (XDoG, Winnemöller et al. 2012: a thresholded difference of Gaussians,
with random line widths and contrast so it looks like a pencil sketch rather than one fixed filter), and the
class-conditional U-Net learns drawing + painter (or genre) → the painting: an L1 loss to the painting plus a
least-squares PatchGAN loss that judges (drawing, painting, class) together.

L1 alone lets the network read the painter off the drawing's subject (a lit head → Rembrandt) and ignore the class
it is asked for. So a classifier that sees only paintings, trained on the real ones, also judges every render, and
each drawing is rendered a second time as another class: the generator is rewarded when the classifier names the
class it was asked for (AC-GAN's auxiliary classifier, Odena et al. 2017, applied to swapped classes).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from artcore.errors import UserError
from artcore.gan.common import to_uint8
from artcore.library import image_set
from artcore.translate.common import Run, cached, crop_each, load_squares, split, to_tensor

INK_FLOOR = 0.002  # below this share of dark pixels a drawing is treated as blank
CLASSIFIER_BATCH = 16  # real crops per classifier step


@dataclass
class SketchConfig:
    res: int = 128
    ngf: int = 32
    depth: int = 5
    ndf: int = 32
    l1_weight: float = 100.0
    class_weight: float = 3.0  # the classifier's say on own and swapped renders; 0 is plain pix2pix
    classifier_warmup: int = 300  # the classifier's steps alone before the GAN's: a guessing one only adds noise
    fake_class: bool = True  # the classifier also learns to spot renders, so colour alone cannot pass for a painter
    batch: int = 4
    lr: float = 2e-4


def make_generator(config: dict, n_classes: int):
    from artcore.translate.nets import SketchUNet

    return SketchUNet(n_classes, config["ngf"], config["depth"])


def xdog(rgb: np.ndarray, sigma: float = 1.0, k: float = 1.6, strength: float = 1.0, thicken: int = 0,
         min_stroke: int = 12) -> np.ndarray:  # fmt: skip
    """A line drawing of ``rgb`` (H×W×3 uint8): H×W uint8, white paper (255) and dark lines.

    Brush texture is smoothed away first (an edge-keeping bilateral filter), the contrast is stretched so dark
    paintings still draw, and strokes shorter than ``min_stroke`` pixels are dropped: a sketch has contours, not
    grain. ``strength`` > 1 draws more lines.
    """
    import cv2

    smooth = cv2.bilateralFilter(cv2.bilateralFilter(rgb, 7, 40, 5), 7, 40, 5)
    gray = cv2.cvtColor(smooth, cv2.COLOR_RGB2GRAY).astype(np.float32)
    lo, hi = np.percentile(gray, (2, 98))
    gray = np.clip((gray - lo) / max(hi - lo, 1.0), 0, 1)
    d = cv2.GaussianBlur(gray, (0, 0), sigma) - cv2.GaussianBlur(gray, (0, 0), sigma * k)
    ink = np.clip(-d / (0.05 / strength), 0, 1)  # darker on the dark side of an edge, as a pencil falls
    mask = (ink > 0.35).astype(np.uint8)
    n, comp, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    small = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] < min_stroke)
    ink[np.isin(comp, small[small > 0])] = 0
    ink[ink < 0.2] = 0  # clean paper: user drawings have no grey haze between the lines
    if thicken:
        ink = cv2.dilate(ink, np.ones((thicken + 1, thicken + 1), np.uint8))
    return (255 * (1 - ink)).astype(np.uint8)


def random_sketch(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``xdog`` with random line width, sensitivity and thickness: drawings vary as people's do."""
    return xdog(rgb, sigma=float(rng.uniform(0.7, 1.5)), strength=float(rng.uniform(0.6, 1.6)),
                thicken=int(rng.integers(0, 2)))  # fmt: skip


def prepare_drawing(img, size: int | None = None) -> np.ndarray:
    """A user's drawing (PIL image, any mode; transparent canvas = paper) as H×W uint8 lines on white, its longest
    side ``size``; a clear ``UserError`` when there is nothing drawn."""
    from PIL import Image

    if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
        paper = Image.new("RGBA", img.size, "white")
        paper.alpha_composite(img.convert("RGBA"))
        img = paper
    gray = img.convert("L")
    if size:
        scale = size / max(gray.size)
        gray = gray.resize((max(8, round(gray.width * scale)), max(8, round(gray.height * scale))),
                           Image.Resampling.LANCZOS)  # fmt: skip
    arr = np.asarray(gray, np.uint8)
    if min(arr.shape) < 32:
        raise UserError(f"the drawing is only {arr.shape[1]}×{arr.shape[0]} pixels; draw or upload at least 64×64")
    paper = np.percentile(arr, 90)
    if (arr < paper - 60).mean() < INK_FLOOR:
        raise UserError("the drawing is blank (or nearly): draw some lines in dark ink on light paper first")
    return arr


def class_tree(spec: str, classes: list[str] | None, lib=None) -> dict[str, list[Path]]:
    """Paintings per class from a folder with one sub-folder per class, or the library's ``FIELD`` labels
    (``artist`` or ``artist:A,B``); ``classes`` picks some of them."""
    from artcore.config import LABEL_FIELDS

    field, _, values = str(spec).partition(":")
    if field in LABEL_FIELDS and not Path(spec).exists():
        if lib is None:
            raise UserError(f"{spec} names library labels, but no library was given")
        wanted = set(classes or (values.split(",") if values else []))
        tree: dict[str, list[Path]] = {}
        for r in lib.records(field=field):
            if not wanted or r[field] in wanted:
                tree.setdefault(r[field], []).append(Path(r["path"]))
    else:
        root = Path(spec)
        if not root.is_dir():
            raise UserError(f"{spec} is neither a folder of class sub-folders nor a library label field")
        subs = sorted(d for d in root.iterdir() if d.is_dir() and (not classes or d.name in classes))
        tree = {d.name: image_set(str(d)) for d in subs if any(d.iterdir())}
    missing = sorted(set(classes or []) - set(tree))
    if missing:
        raise UserError(f"no paintings for {', '.join(missing)} in {spec}")
    if len(tree) < 1:
        raise UserError(f"{spec} has no classes of paintings (expected one sub-folder per painter or genre)")
    return dict(sorted(tree.items()))


def train(out, paintings: str, minutes: float, *, classes: list[str] | None = None, res: int = 128, lib=None,
          held_out: float = 0.2, max_steps: int | None = None, progress=None, should_stop=None, decoded=None,
          init: str | None = None, **overrides) -> dict:  # fmt: skip
    """Train (or resume) run folder ``out``: drawings made from ``paintings`` (one class per sub-folder or label)
    → those paintings, for ``minutes``. ``held_out`` of each class is never trained on. ``init``: a sketch model
    file of the same classes and size whose generator a new run starts from."""
    import torch
    import torch.nn.functional as F

    from artcore.translate.common import read_state
    from artcore.translate.nets import PainterClassifier, PatchDiscriminator

    cfg = asdict(SketchConfig(res=res, **overrides))
    load = round(res * 1.25)

    def build():
        tree = class_tree(paintings, classes, lib)
        splits = [split(paths, held_out) for paths in tree.values()]
        total, done = sum(len(t) for t, _ in splits), 0
        images, labels = [], []
        for ci, (train_paths, _) in enumerate(splits):  # per class, so an unreadable file cannot shift the labels
            arr = load_squares(train_paths, load, decoded and (lambda i, n, d=done: decoded(d + i, total)))
            done += len(train_paths)
            images.append(arr)
            labels += [ci] * len(arr)
        held = [str(p) for _, h in splits for p in h]
        return {"images": np.concatenate(images), "labels": np.array(labels), "classes": np.array(list(tree)),
                "held_out": np.array(held)}  # fmt: skip

    data = cached(out, "dataset", build, f"{paintings} ({', '.join(classes) if classes else 'every class'})")
    names = [str(c) for c in data["classes"]]
    n = len(names)
    torch.manual_seed(0)
    G, D, C = make_generator(cfg, n), PatchDiscriminator(1 + 3 + n, cfg["ndf"]), PainterClassifier(n + cfg["fake_class"], cfg["ndf"])
    counts = np.bincount(data["labels"], minlength=n)
    desc = f"drawings made from {len(data['images'])} paintings of {paintings} (" + ", ".join(
        f"{c} {k}" for c, k in zip(names, counts)) + f"); {len(data['held_out'])} held out"  # fmt: skip
    if init and not (Path(out) / "checkpoint.pt").exists():
        start = read_state(Path(init), "model to start from")
        if start["kind"] != "sketch" or start["classes"] != names or any(
                start["config"][k] != cfg[k] for k in ("ngf", "depth")):  # fmt: skip
            raise UserError(f"{init} is not a sketch model of the same classes and size; it cannot start this run")
        G.load_state_dict({k: v.float() for k, v in start["G"].items()})
        desc += f"; started from {Path(init).name} ({start['images_seen']} pairs)"
    opts = {f"opt_{k}": torch.optim.Adam(m.parameters(), lr=cfg["lr"], betas=(0.5, 0.999))
            for k, m in {"G": G, "D": D, "C": C}.items()}  # fmt: skip
    opt_G, opt_D, opt_C = opts.values()
    run = Run(out, "sketch", cfg, names, {"G": G, "D": D, "C": C}, opts, desc, [str(p) for p in data["held_out"]])
    rng = np.random.default_rng(run.step)
    eye = torch.eye(n)

    def pairs(count: int, r: np.random.Generator):
        idx = r.integers(0, len(data["images"]), count)
        crops = crop_each(data["images"][idx], res, r)
        sketches = np.stack([random_sketch(c, r) for c in crops])[..., None]
        return to_tensor(sketches), to_tensor(crops), eye[torch.from_numpy(data["labels"][idx])]

    def with_class(x, c):
        return torch.cat([x, c[:, :, None, None].expand(-1, -1, *x.shape[2:])], 1)

    def train_classifier(fakes=None) -> float:
        """One step of the classifier on real paintings, named by painter, and on ``fakes`` (detached renders),
        named as the extra class "render" (fakes never teach it a painter's label)."""
        idx = rng.integers(0, len(data["images"]), CLASSIFIER_BATCH)
        crops = to_tensor(crop_each(data["images"][idx], res, rng))
        target = torch.from_numpy(data["labels"][idx])
        if fakes is not None:
            crops, target = torch.cat([crops, fakes]), torch.cat([target, torch.full((len(fakes),), n)])
        loss = F.cross_entropy(C(crops), target)
        opt_C.zero_grad(set_to_none=True)
        loss.backward()
        opt_C.step()
        return loss.item()

    if cfg["class_weight"] and n > 1 and run.step == 0:
        for _ in range(cfg["classifier_warmup"]):
            train_classifier()

    def step() -> dict:
        s, y, c = pairs(cfg["batch"], rng)
        label = c.argmax(1)
        fake = G(s, c)
        loss_d = ((D(with_class(torch.cat([s, fake.detach()], 1), c)) ** 2).mean()
                  + ((D(with_class(torch.cat([s, y], 1), c)) - 1) ** 2).mean()) / 2  # fmt: skip
        opt_D.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_D.step()
        stats = {"loss_d": loss_d.item()}
        loss_g = 0.0
        if cfg["class_weight"] and n > 1:
            other = (label + torch.from_numpy(rng.integers(1, n, len(label)))) % n
            swapped = G(s, eye[other])
            loss_c = train_classifier(torch.cat([fake, swapped]).detach() if cfg["fake_class"] else None)
            C.requires_grad_(False)
            loss_cls = (F.cross_entropy(C(fake), label) + F.cross_entropy(C(swapped), other)) / 2
            C.requires_grad_(True)
            loss_g = cfg["class_weight"] * loss_cls
            stats |= {"loss_c": loss_c, "loss_cls": loss_cls.item()}
        D.requires_grad_(False)
        loss_gan = ((D(with_class(torch.cat([s, fake], 1), c)) - 1) ** 2).mean()
        D.requires_grad_(True)
        loss_l1 = (fake - y).abs().mean()
        opt_G.zero_grad(set_to_none=True)
        (loss_g + loss_gan + cfg["l1_weight"] * loss_l1).backward()
        opt_G.step()
        return stats | {"loss_gan": loss_gan.item(), "loss_l1": loss_l1.item()}

    fixed = pairs(4, np.random.default_rng(7))

    def sample() -> np.ndarray:
        """Rows: the drawings, their paintings, then the same drawings rendered in each class."""
        from artcore.training import tile

        s, y, _ = fixed
        rows = [np.repeat(to_uint8(s), 3, -1), to_uint8(y)]
        with torch.no_grad():
            G.eval()
            rows += [to_uint8(G(s, eye[[ci] * len(s)])) for ci in range(n)]
            G.train()
        return tile(np.stack(rows))

    result = run.loop(step, sample, cfg["batch"], minutes, max_steps=max_steps, progress=progress,
                      should_stop=should_stop)  # fmt: skip
    return {**result, "paintings": paintings}
