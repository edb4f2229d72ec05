"""A painting encoder trained here: EfficientNet-Lite0 (ImageNet weights) fine-tuned on paintings.

The network learns two things at once from a Kaggle "Best Artworks of All Time" tree: who painted a picture (one
head, a painter per sub-folder) and the art movements of that painter (a second, multi-label head from
``artists.csv``'s ``genre`` column). Its pooled 1280-d features are the ``artnet`` embedding, the default for
which-artist, similar works and the map.

Training recipe (``artcore artnet train``): the stem and blocks 0–``CUT`` stay as ImageNet trained them (edges,
strokes and textures transfer; they are the expensive high-resolution layers), so each training painting is turned
once into ``views`` augmented views (random crops, flips, colour jitter, downscaling and JPEG re-encoding, so a
thumbnail or a phone photo looks like the scan) whose block-``CUT`` feature maps are cached; the blocks above and
both heads are then trained on the cached maps under a time-based cosine schedule. Time-boxed, resumable from an
atomic checkpoint in the work folder, tqdm progress, a ``--json`` summary; the shipped file holds the whole network
in float16 plus what it knows (painters, movements, artist facts, held-out figures).

Inference sees the whole picture squashed to 224×224 (composition kept; any input size gives the same input).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import os
import pickle
import time
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance

from artcore import labels as label_names
from artcore import registry
from artcore.config import WEIGHTS_DIR
from artcore.errors import UserError
from artcore.imageio import is_image_name, open_image

FORMAT = "artcore-artnet-1"
SIDE = 224
CUT = 4  # blocks 0..CUT stay frozen (stride 8); the rest are trained
HEAD = 1280
SHIPPED = WEIGHTS_DIR / "artnet-v1.pt"
FACT_KEYS = ("years", "genre", "nationality", "bio", "wikipedia")


# ------------------------------------------------------------------ data


def _ascii_name(name: str) -> str:
    """``Albrecht Dürer`` → ``Albrecht_Durer``: how the Kaggle tree names a painter's folder."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().strip().replace(" ", "_")


def painting_folder(root: str | os.PathLike) -> tuple[list[Path], list[str], dict[str, dict]]:
    """(paths, painter folder names, facts per painter) of a Kaggle-layout tree (``root`` or ``root/images``).

    Facts come from ``artists.csv`` beside the images (or one level up) and may be empty; ``facts[p]["genre"]``
    lists the painter's movements, comma-separated.
    """
    root = Path(root)
    images = root / "images" if (root / "images").is_dir() else root
    if not images.is_dir():
        raise UserError(f"{root} is not a folder")
    paths, labels = [], []
    for sub in sorted(p for p in images.iterdir() if p.is_dir() and not p.name.startswith(".")):
        for f in sorted(sub.iterdir()):
            if f.is_file() and is_image_name(f):
                paths.append(f)
                labels.append(sub.name)
    if not paths:
        raise UserError(f"{images} has no images in sub-folders; expected one sub-folder of paintings per painter")
    facts: dict[str, dict] = {}
    for csv_path in (images / "artists.csv", images.parent / "artists.csv"):
        if csv_path.is_file():
            with csv_path.open(newline="", encoding="utf-8-sig") as fh:
                for row in csv.DictReader(fh):
                    if row.get("name"):
                        facts[_ascii_name(row["name"])] = {"name": row["name"].strip(),
                                                           **{k: (row.get(k) or "").strip() for k in FACT_KEYS}}  # fmt: skip
            break
    return paths, labels, {p: facts[p] for p in sorted(set(labels)) if p in facts}


def movements_of(facts: dict) -> list[str]:
    return [m.strip() for m in (facts.get("genre") or "").split(",") if m.strip()]


def split(labels: list[str], test_frac: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Stratified (train, test) index arrays: ``test_frac`` of every painter's works, at least one, held out."""
    rng = np.random.default_rng(seed)
    labels_arr = np.array(labels)
    train, test = [], []
    for label in sorted(set(labels)):
        idx = rng.permutation(np.flatnonzero(labels_arr == label))
        k = max(1, round(test_frac * len(idx))) if test_frac > 0 else 0
        test += idx[:k].tolist()
        train += idx[k:].tolist()
    return np.array(sorted(train), int), np.array(sorted(test), int)


def network_input(img: Image.Image) -> np.ndarray:
    """The 224×224×3 float32 array in [0, 1] the network sees: the whole picture, squashed."""
    return np.asarray(img.convert("RGB").resize((SIDE, SIDE), Image.Resampling.BILINEAR), np.float32) / 255.0


def augment(img: Image.Image, rng: np.random.Generator, whole: bool = False) -> np.ndarray:
    """One training view: a random crop (``whole``: the entire picture), mirrored half the time, jittered colour,
    and now and then shrunk or re-encoded as JPEG, as thumbnails and phone photos are."""
    w, h = img.size
    if not whole:
        area = rng.uniform(0.3, 1.0) * w * h
        ratio = np.exp(rng.uniform(np.log(3 / 4), np.log(4 / 3)))
        cw, ch = min(w, round(np.sqrt(area * ratio))), min(h, round(np.sqrt(area / ratio)))
        x, y = rng.integers(0, w - cw + 1), rng.integers(0, h - ch + 1)
        img = img.crop((x, y, x + cw, y + ch))
    if rng.random() < 0.5:
        img = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    for enhance in (ImageEnhance.Brightness, ImageEnhance.Contrast, ImageEnhance.Color):
        img = enhance(img).enhance(rng.uniform(0.85, 1.15))
    if rng.random() < 0.3:
        small = int(rng.integers(80, SIDE))
        img = img.resize((small, small), Image.Resampling.BILINEAR)
    if rng.random() < 0.3:
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=int(rng.integers(35, 90)))
        img = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    return network_input(img)


# ------------------------------------------------------------------ network


def _build(n_painters: int, n_movements: int, imagenet: bool):
    import copy

    import torch
    from torch import nn

    from artcore import lite0

    class ArtNet(nn.Module):
        """Lite0 (batch norms folded) with a painter head and a movement head on the pooled features."""

        def __init__(self):
            super().__init__()
            # The ImageNet network is only copied (no weights file needed) when starting a training run.
            self.net = copy.deepcopy(registry.get("lite0")) if imagenet else _bare_lite0()
            self.painter = nn.Linear(HEAD, n_painters)
            self.movement = nn.Linear(HEAD, n_movements)

        def front(self, x):
            return lite0.block_outputs(self.net, x, (CUT,))[0]

        def top(self, h):
            for block in self.net._blocks[CUT + 1 :]:
                h = block(h)
            return self.net._swish(self.net._conv_head(h)).mean((2, 3))

        def trainable(self):
            return [*self.net._blocks[CUT + 1 :].parameters(), *self.net._conv_head.parameters(),
                    *self.painter.parameters(), *self.movement.parameters()]  # fmt: skip

        def forward(self, x):
            """Features ‖ painter logits ‖ movement logits for images in [0, 1] (N×3×224×224)."""
            f = self.top(self.front(x))
            return torch.cat([f, self.painter(f), self.movement(f)], 1)

    model = ArtNet()
    for p in model.parameters():
        p.requires_grad_(False)
    return model


def _bare_lite0():
    """Lite0's architecture with batch norms folded away, weights to be loaded."""
    from efficientnet_lite_pytorch import EfficientNet

    from artcore import lite0

    net = EfficientNet.from_name("efficientnet-lite0")
    net.eval()
    lite0._fold_batchnorm(net)
    return net


def load(path: str | os.PathLike | None = None):
    """(network in eval mode, meta) from a shipped or trained file; float16 weights are widened to float32."""
    import torch

    path = Path(path or SHIPPED)
    if not path.is_file():
        raise UserError(f"no painting encoder at {path}; train one with `artcore artnet train`")
    try:
        blob = torch.load(path, map_location="cpu", weights_only=True)
        meta = json.loads(blob["meta"])
        if meta.get("format") != FORMAT:
            raise ValueError("unknown format")
        model = _build(len(meta["painters"]), len(meta["movements"]), imagenet=False)
        model.load_state_dict({k: v.float() for k, v in blob["state"].items()})
    except (OSError, RuntimeError, ValueError, KeyError, EOFError, pickle.UnpicklingError) as exc:
        reason = "not a saved network" if isinstance(exc, pickle.UnpicklingError) else str(exc).splitlines()[0]
        raise UserError(f"{path} is not an artcore painting encoder ({reason})") from exc
    return model.eval(), meta


@registry.loader("artnet")
def _load_shipped():
    """The shipped painting encoder: (network, meta)."""
    return load(SHIPPED)


@functools.cache
def weights_digest() -> str:
    """A short hash of the shipped weights: embedding caches and the exported graph key on it, so new weights
    re-embed a library once."""
    return hashlib.sha256(SHIPPED.read_bytes()).hexdigest()[:12] if SHIPPED.is_file() else "missing"


@registry.loader("artnet-onnx")
def _load_onnx():
    """(onnxruntime session, meta) for the shipped encoder, exported once into the cache folder."""
    from artcore.config import cache_dir

    path = cache_dir() / f"artnet-{weights_digest()}.onnx"
    model, meta = registry.get("artnet")
    if not path.exists():
        export_onnx(model, path)
    return registry.onnx_session(path), meta


def export_onnx(model, path: Path) -> Path:
    import warnings

    import torch

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (torch.rand(2, 3, SIDE, SIDE),), str(tmp), input_names=["x"], output_names=["out"],
                          dynamic_axes={"x": {0: "n"}}, opset_version=17, dynamo=False)  # fmt: skip
    os.replace(tmp, path)
    return path


def run(batch: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(features, painter probabilities, movement probabilities) of the shipped encoder for N×224×224×3 inputs."""
    sess, meta = registry.get("artnet-onnx")
    out = sess.run(None, {"x": np.ascontiguousarray(batch.transpose(0, 3, 1, 2))})[0]
    n_p = len(meta["painters"])
    logits = out[:, HEAD : HEAD + n_p]
    z = np.exp(logits - logits.max(1, keepdims=True))
    return out[:, :HEAD], z / z.sum(1, keepdims=True), 1 / (1 + np.exp(-out[:, HEAD + n_p :]))


def painters(image, top: int = 5) -> dict:
    """The shipped encoder's own answer for one picture (path, bytes or PIL image): top painters with
    probabilities, the painter's movements and facts, and the movements the picture itself looks like."""
    img = image if isinstance(image, Image.Image) else open_image(image, max_side=1024)
    _, p, m = run(network_input(img)[None])
    meta = registry.get("artnet-onnx")[1]
    order = np.argsort(-p[0])[:top]
    best = meta["painters"][order[0]]
    return {
        "top": [{"label": meta["painters"][i], "prob": round(float(p[0, i]), 4)} for i in order],
        "movements": [{"label": meta["movements"][i], "prob": round(float(m[0, i]), 3)}
                      for i in np.argsort(-m[0])[:3] if m[0, i] >= 0.3],  # fmt: skip
        "facts": meta["facts"].get(best, {}),
    }


def nice_name(label: str, meta: dict | None = None) -> str:
    """A painter's display name: ``Vincent_van_Gogh`` → ``Vincent van Gogh`` (artists.csv spelling when known)."""
    facts = (meta or {}).get("facts", {}).get(label)
    return facts["name"] if facts and facts.get("name") else label.replace("_", " ")


# ------------------------------------------------------------------ training


def _views(paths: list[Path], k: int, seed: int, model, progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """The frozen part's feature maps of ``k`` views per painting: float16 (len(paths)·k)×C×28×28. View 0 is the
    whole picture; the rest are random crops. Decoding runs in threads while the network runs."""
    import torch

    def one(i: int) -> np.ndarray:
        rng = np.random.default_rng([seed, i])
        img = open_image(paths[i], max_side=512)
        return np.stack([augment(img, rng, whole=(v == 0)) for v in range(k)])

    def decode(c: range) -> np.ndarray:
        return np.concatenate([one(i) for i in c])

    out = None
    with ThreadPoolExecutor(1) as pool, torch.inference_mode():
        step = max(1, 64 // k)
        chunks = [range(a, min(a + step, len(paths))) for a in range(0, len(paths), step)]
        pending = pool.submit(decode, chunks[0])
        for ci, c in enumerate(chunks):
            # One chunk decodes while the network runs on the previous one (never more: memory stays flat).
            arr = pending.result()
            if ci + 1 < len(chunks):
                pending = pool.submit(decode, chunks[ci + 1])
            x = torch.from_numpy(arr.transpose(0, 3, 1, 2)).contiguous(memory_format=torch.channels_last)
            h = model.front(x).numpy().astype(np.float16)
            if out is None:
                out = np.zeros((len(paths) * k, *h.shape[1:]), np.float16)
            out[c.start * k : c.stop * k] = h
            if progress:
                progress(c.stop, len(paths))
    return out


def evaluate(model, paths: list[Path], labels: list[str], painters: list[str], batch: int = 64,
             mirror: bool = False) -> dict:  # fmt: skip
    """Top-1/top-3, per-painter top-1 and the confusion matrix of the painter head on whole pictures
    (``mirror``: probabilities averaged with the mirrored picture's)."""
    import torch

    y = np.array([painters.index(label) for label in labels])
    probs = []
    model.eval()
    with torch.inference_mode():
        for a in range(0, len(paths), batch):
            x = np.stack([network_input(open_image(p, max_side=512)) for p in paths[a : a + batch]])
            views = [x, x[:, :, ::-1]] if mirror else [x]
            p = 0
            for v in views:
                t = torch.from_numpy(np.ascontiguousarray(v.transpose(0, 3, 1, 2)))
                p = p + torch.softmax(model(t)[:, HEAD : HEAD + len(painters)], 1).numpy() / len(views)
            probs.append(p)
    P = np.concatenate(probs)
    order = np.argsort(-P, 1)
    hit1, hit3 = order[:, 0] == y, (order[:, :3] == y[:, None]).any(1)
    confusion = np.zeros((len(painters), len(painters)), int)
    np.add.at(confusion, (y, order[:, 0]), 1)
    return {"top1": round(float(hit1.mean()), 4), "top3": round(float(hit3.mean()), 4), "n": len(y),
            "per_painter": {p: round(float(hit1[y == i].mean()), 3) for i, p in enumerate(painters) if (y == i).any()},
            "confusion": confusion.tolist()}  # fmt: skip


def train(data: str | os.PathLike, out: str | os.PathLike, *, minutes: float, work: str | os.PathLike | None = None,
          views: int = 8, test_frac: float = 0.2, seed: int = 0, exclude: tuple[str, ...] = (), batch: int = 48,
          lr: float = 6e-4, should_stop: Callable[[], bool] | None = None, quiet: bool = False) -> dict:  # fmt: skip
    """Train (or resume) the painting encoder for ``minutes`` of wall time (view caching included); write the
    float16 network to ``out``. ``exclude`` painters are left out entirely (few-shot benchmark); ``test_frac`` of
    every other painter's works are held out and measured at the end. Returns the summary written to the meta."""
    import torch
    import torch.nn.functional as F
    from tqdm import tqdm

    from artcore.training import atomic_torch_save, hardware

    started = time.monotonic()
    out = Path(out)
    work = Path(work) if work else out.with_suffix(".run")
    work.mkdir(parents=True, exist_ok=True)
    paths, labels, facts = painting_folder(data)
    unknown = sorted(set(exclude) - set(labels))
    if unknown:
        raise UserError(f"cannot leave out {', '.join(unknown)}: no such painter folder in {data}")
    keep = [i for i, label in enumerate(labels) if label not in exclude]
    paths, labels = [paths[i] for i in keep], [labels[i] for i in keep]
    painters = sorted(set(labels))
    movements = sorted({m for p in painters for m in movements_of(facts.get(p, {}))}) or ["unknown"]
    tr, te = split(labels, test_frac, seed)
    y = torch.tensor([painters.index(labels[i]) for i in tr])
    mv = torch.zeros(len(painters), len(movements))
    for i, p in enumerate(painters):
        for m in movements_of(facts.get(p, {})):
            mv[i, movements.index(m)] = 1
    torch.manual_seed(seed)
    model = _build(len(painters), len(movements), imagenet=True).to(memory_format=torch.channels_last)
    params = model.trainable()
    for p in params:
        p.requires_grad_(True)
    heads = {id(p) for p in (*model.painter.parameters(), *model.movement.parameters())}
    opt = torch.optim.AdamW([{"params": [p for p in params if id(p) not in heads], "lr": lr},
                             {"params": [p for p in params if id(p) in heads], "lr": 5 * lr}], weight_decay=0.02)  # fmt: skip
    base_lrs = [g["lr"] for g in opt.param_groups]
    config = {"data": str(Path(data).resolve()), "views": views, "test_frac": test_frac, "seed": seed,
              "exclude": sorted(exclude), "batch": batch, "lr": lr, "cut": CUT}  # fmt: skip
    ckpt_path, cache_path = work / "checkpoint.pt", work / f"views-{views}-{seed}-{len(tr)}.npy"
    state = {"trained_seconds": 0.0, "seen": 0, "epoch_order": None}
    if ckpt_path.is_file():
        ckpt = torch.load(ckpt_path, map_location="cpu", weights_only=False)
        if ckpt["config"] != config:
            raise UserError(f"{work} holds a run with other settings; pick another --work folder or delete it")
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["opt"])
        state = ckpt["state"]
    if cache_path.is_file():
        maps = np.load(cache_path, mmap_mode="r")
    else:
        with tqdm(total=len(tr), desc="preparing views", unit="painting", disable=quiet) as bar:
            maps = _views([paths[i] for i in tr], views, seed, model, lambda d, _t: bar.update(d - bar.n))
        tmp = cache_path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(tmp, maps)
        os.replace(tmp, cache_path)
    budget = minutes * 60 - (time.monotonic() - started)
    # The schedule runs on training time: warm up over the first 3%, then a cosine down to zero at the deadline.
    total = state["trained_seconds"] + max(budget, 0.0)
    rng = np.random.default_rng([seed, state["seen"]])

    def save_checkpoint() -> None:
        atomic_torch_save({"config": config, "model": model.state_dict(), "opt": opt.state_dict(), "state": state},
                          ckpt_path)  # fmt: skip

    model.train()
    last_ckpt = time.monotonic()
    with tqdm(total=round(total), initial=round(state["trained_seconds"]), desc="training", unit="s",
              disable=quiet) as bar:  # fmt: skip
        t0, done0, seen0 = time.monotonic(), state["trained_seconds"], state["seen"]
        while True:
            now = time.monotonic()
            state["trained_seconds"] = done0 + now - t0
            # At least one step per run, even when caching the views used up the time box on a busy machine.
            if (state["trained_seconds"] >= total and state["seen"] > seen0) or (should_stop and should_stop()):
                break
            frac = state["trained_seconds"] / max(total, 1.0)
            scale = frac / 0.03 if frac < 0.03 else 0.5 * (1 + np.cos(np.pi * (frac - 0.03) / 0.97))
            for g, base in zip(opt.param_groups, base_lrs):
                g["lr"] = base * scale
            idx = rng.integers(0, len(maps), batch)
            h = torch.from_numpy(np.asarray(maps[np.sort(idx)], np.float32)).contiguous(memory_format=torch.channels_last)
            target = y[np.sort(idx) // views]
            f = F.dropout(model.top(h), 0.2, True)
            logits = model.painter(f)
            loss = F.cross_entropy(logits, target, label_smoothing=0.1)
            loss = loss + 0.3 * F.binary_cross_entropy_with_logits(model.movement(f), mv[target])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            state["seen"] += batch
            acc = float((logits.argmax(1) == target).float().mean())
            bar.set_postfix(loss=f"{loss.item():.3f}", acc=f"{acc:.2f}", views=state["seen"], refresh=False)
            bar.update(round(state["trained_seconds"]) - bar.n)
            if time.monotonic() - last_ckpt > 300:
                save_checkpoint()
                last_ckpt = time.monotonic()
    save_checkpoint()
    model.eval()
    summary = {**config, "painters": len(painters), "train_images": int(len(tr)), "test_images": int(len(te)),
               "trained_seconds": round(state["trained_seconds"], 1), "views_seen": int(state["seen"]),
               "wall_seconds": round(time.monotonic() - started, 1), "hardware": hardware()}  # fmt: skip
    if len(te):
        summary["test"] = evaluate(model, [paths[i] for i in te], [labels[i] for i in te], painters)
    meta = {"format": FORMAT, "painters": painters, "movements": movements,
            "facts": facts, "test_files": [f"{paths[i].parent.name}/{paths[i].name}" for i in te], "summary": summary,
            "trained": time.strftime("%Y-%m-%d %H:%M:%S")}  # fmt: skip
    state16 = {k: v.half() if v.is_floating_point() else v for k, v in model.state_dict().items()}
    atomic_torch_save({"meta": json.dumps(meta), "state": state16}, out)
    return {**summary, "out": str(out)}


def known_painter(label: str, meta: dict) -> str | None:
    """The encoder's painter folder for a library label (``VanGogh``, ``Vincent van Gogh``, ``Claude Monet`` and
    ``Monet`` all match), or None when the encoder never saw that painter."""
    want = label_names.key(label)
    for painter in meta["painters"]:
        if label_names.key(painter) == want or label_names.is_tail_of(label, painter):
            return painter
    return None
