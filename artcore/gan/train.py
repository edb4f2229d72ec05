"""Time-boxed, resumable training of the conditional GAN on a folder-per-label tree or a labelled part of the library.

A run folder holds ``dataset.npz`` (the images at training resolution, decoded once), ``checkpoint.pt`` (everything
needed to resume), ``model.pt`` (the EMA generator alone: what ``generate`` loads), ``log.jsonl`` and
``samples/*.png`` (one row per class, the same seeds every time). DiffAugment on everything the discriminator sees;
the generator that is saved is an exponential moving average. The non-saturating logistic loss, with lazy R1 on
reals.

Several processes (``torchrun --nproc_per_node=N -m artcore gan train ...``) train one model together: each draws
its own batches and gradients are averaged across processes after every backward pass (torch.distributed, NCCL on
GPUs, Gloo on CPUs); process 0 alone writes files.
"""

from __future__ import annotations

import copy
import json
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from artcore.errors import UserError
from artcore.gan.common import CHECKPOINT, FORMAT, MODEL, config_of, read_checkpoint, square, to_uint8
from artcore.imageio import ImageError, open_image
from artcore.training import atomic_torch_save, hardware, tile

# ------------------------------------------------------------------ data


def load_images(paths: list, labels: list[str], res: int,
                progress: Callable[[int, int], None] | None = None) -> tuple[np.ndarray, np.ndarray, list[str], list]:  # fmt: skip
    """(images N×res×res×3 uint8, label indices, class names, skipped (path, reason)) for labelled image files."""
    classes = sorted(set(labels))
    skipped, images, index = [], [], []

    def one(path):
        try:
            return square(open_image(path, max_side=4 * res), res)
        except ImageError as exc:
            return str(exc)

    with ThreadPoolExecutor(max(1, min(4, os.cpu_count() or 1))) as pool:
        for i, (path, label, result) in enumerate(zip(paths, labels, pool.map(one, paths))):
            if isinstance(result, str):
                skipped.append((str(path), result))
            else:
                images.append(result)
                index.append(classes.index(label))
            if progress:
                progress(i + 1, len(paths))
    if not images:
        raise UserError("no readable image to train on")
    used = sorted(set(index))
    if len(used) < len(classes):  # a label whose every file was unreadable
        classes = [classes[i] for i in used]
        index = [used.index(i) for i in index]
    return np.stack(images), np.asarray(index, np.int64), classes, skipped


def folder_dataset(root, res: int, progress=None):
    """``load_images`` for a folder-per-label tree."""
    from artcore.embed import folder_images

    paths, labels = folder_images(root)
    if not paths:
        raise UserError(f"{root} has no images in label sub-folders (expected DIR/<label>/<image>)")
    return load_images(paths, labels, res, progress)


def library_dataset(lib, label_field: str, res: int, progress=None):
    """``load_images`` for the library's images that have ``label_field``."""
    records = lib.records(field=label_field)
    if not records:
        raise UserError(f"no image in the library at {lib.root} has a {label_field}; import labelled images first")
    return load_images([r["path"] for r in records], [r[label_field] for r in records], res, progress)


def dataset(out, res: int, data_dir=None, lib=None, field: str = "genre", progress=None):
    """The run's training images: decoded once into ``out/dataset.npz`` and reused when the run resumes."""
    out = Path(out)
    cached = out / "dataset.npz"
    if cached.exists():
        with np.load(cached) as f:
            if int(f["images"].shape[1]) == res:
                return f["images"], f["labels"], [str(c) for c in f["classes"]], [], str(f["source"])
    if data_dir is not None:
        images, labels, classes, skipped = folder_dataset(data_dir, res, progress)
        source = f"folder {data_dir}"
    else:
        images, labels, classes, skipped = library_dataset(lib, field, res, progress)
        source = f"library {lib.root}, field {field}"
    if len(classes) < 1:
        raise UserError("no labels to condition on")
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / f".dataset.{os.getpid()}.npz"
    np.savez(tmp, images=images, labels=labels, classes=np.array(classes), source=np.array(source))
    os.replace(tmp, cached)
    return images, labels, classes, skipped, source


def library_run_folder(lib, field: str, res: int) -> Path:
    """Where the app trains on a library's labels: a run folder beside the catalog, one per (field, resolution)."""
    return Path(lib.root) / "gan-runs" / f"{field}-{res}"


def train_run(out, res: int, minutes: float, *, data_dir=None, lib=None, field: str = "genre", batch: int | None = None,
              channel_base: int | None = None, max_images: int | None = None, checkpoint_minutes: float = 5.0,
              sample_minutes: float = 5.0, decoded=None, progress=None,
              should_stop=None) -> dict:  # fmt: skip
    """Train (or resume) run folder ``out`` on a folder tree (``data_dir``) or the library's ``field`` labels for
    ``minutes``: what both the CLI and the app call. ``decoded(done, total)`` reports decoding (first run only),
    ``progress(stats)`` every step, ``should_stop()`` true stops it early (keeping what it learnt); the GPU is used
    when there is one, with wider networks and bigger batches."""
    import torch

    gpu = torch.cuda.is_available()
    images, labels, classes, skipped, source = dataset(out, res, data_dir, lib, field, decoded)
    if len(classes) < 2:
        raise UserError(f"training needs at least two classes; the data has {len(classes)}")
    settings = TrainSettings(batch=batch or (64 if gpu else 32), checkpoint_minutes=checkpoint_minutes,
                             sample_minutes=sample_minutes,
                             data=f"{source}: {len(images)} images, classes {', '.join(classes)}")  # fmt: skip
    channels = default_channels(res, gpu)
    if channel_base:
        channels["channel_base"] = channel_base
    result = train(images, labels, classes, out, minutes=minutes, resolution=res, settings=settings,
                   max_images=max_images, progress=progress, should_stop=should_stop,
                   config_overrides=channels)  # fmt: skip
    return {**result, "skipped": skipped}


def default_channels(res: int, gpu: bool) -> dict:
    """Network width for a resolution: CPU-sized (about 1.5 M generator weights at 32 px) or GPU-sized."""
    if gpu:
        return {"channel_base": 16384, "channel_max": 512}
    return {"channel_base": min(16384, 32 * res), "channel_max": 256}


# ------------------------------------------------------------------ training


@dataclass
class TrainSettings:
    batch: int = 32
    lr: float = 0.002
    r1_gamma: float = 0.05
    r1_every: int = 16
    ema_images: float = 10_000  # half-life of the EMA generator, in images
    ema_rampup: float = 0.05  # ... but at most this share of the images seen so far (early on, follow faster)
    seed: int = 0
    checkpoint_minutes: float = 5.0
    sample_minutes: float = 5.0
    data: str = ""  # a description for the model card
    extra: dict = field(default_factory=dict)


class _Dist:
    """torch.distributed when launched by torchrun (WORLD_SIZE > 1), otherwise a single process."""

    def __init__(self):
        import torch

        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        local = int(os.environ.get("LOCAL_RANK", "0"))
        cuda = torch.cuda.is_available()
        self.device = torch.device(f"cuda:{local}" if cuda else "cpu")
        if cuda:
            torch.cuda.set_device(self.device)
        if self.world > 1:
            import torch.distributed as dist

            dist.init_process_group("nccl" if cuda else "gloo")
            self.dist = dist

    @property
    def main(self) -> bool:
        return self.rank == 0

    def broadcast_params(self, *modules) -> None:
        if self.world > 1:
            for m in modules:
                for t in [*m.parameters(), *m.buffers()]:
                    self.dist.broadcast(t.data, 0)

    def average_grads(self, module) -> None:
        if self.world == 1:
            return
        import torch

        params = [p for p in module.parameters() if p.grad is not None]
        flat = torch.cat([p.grad.flatten() for p in params])
        self.dist.all_reduce(flat)
        flat /= self.world
        start = 0
        for p in params:
            p.grad.copy_(flat[start : start + p.numel()].view_as(p.grad))
            start += p.numel()

    def any(self, flag: bool) -> bool:
        """True on every process when ``flag`` is true on any (so all stop at the same step)."""
        if self.world == 1:
            return flag
        import torch

        t = torch.tensor([float(flag)], device=self.device)
        self.dist.all_reduce(t)
        return bool(t.item() > 0)

    def close(self) -> None:
        if self.world > 1:
            # Leave together, so no process goes while process 0 still writes files. The group is not destroyed:
            # Gloo's destructor can abort the process (a joinable thread), so `gan train` ends by os._exit instead.
            self.dist.barrier()


def sample_grid(G, classes: list[str], seeds: int = 8, device="cpu") -> np.ndarray:
    """One row per class, the same ``seeds`` seeds in every row and every call: uint8 H×W×3."""
    import torch

    g = torch.Generator().manual_seed(1234)
    z = torch.randn(seeds, G.cfg.z_dim, generator=g).to(device)
    noise = G.seed_noise(range(seeds))
    rows = []
    with torch.no_grad():
        for ci in range(len(classes)):
            c = torch.zeros(seeds, len(classes), device=device)
            c[:, ci] = 1
            rows.append(to_uint8(G.synthesis(G.map(z, c), noise)))
    return tile(np.stack(rows))


def train(images: np.ndarray, labels: np.ndarray, classes: list[str], out, *, minutes: float,
          resolution: int = 64, settings: TrainSettings | None = None, max_images: int | None = None,
          progress: Callable[[dict], None] | None = None,
          should_stop: Callable[[], bool] | None = None, config_overrides: dict | None = None) -> dict:  # fmt: skip
    """Train (or resume training of) the model in run folder ``out`` for ``minutes`` of wall time.

    Stops at the time box, at ``max_images`` images seen in total, or when ``should_stop()`` says so, and always
    leaves a checkpoint and ``model.pt`` behind. Returns the final stats.
    """
    import torch
    import torch.nn.functional as F

    from artcore.gan.augment import diff_augment
    from artcore.gan.model import Discriminator, GanConfig, Generator

    s = settings or TrainSettings()
    out = Path(out)
    dist = _Dist()
    device = dist.device
    ckpt_path = out / CHECKPOINT
    state = read_checkpoint(ckpt_path) if ckpt_path.exists() else None
    if state is not None:
        cfg = config_of(state)
        if cfg.resolution != resolution or state["classes"] != classes:
            raise UserError(f"{out} holds a run at {cfg.resolution} px for classes {state['classes']}; "
                            "use a new --out folder for different data or resolution")  # fmt: skip
    else:
        cfg = GanConfig(resolution=resolution, num_classes=len(classes), **(config_overrides or {}))
    lr = s.lr
    torch.manual_seed(s.seed + dist.rank + (state["images_seen"] if state else 0))
    G, D = Generator(cfg).to(device), Discriminator(cfg).to(device)
    G_ema = copy.deepcopy(G).eval().requires_grad_(False)
    opt_G = torch.optim.Adam(G.parameters(), lr=lr, betas=(0.0, 0.99), eps=1e-8)
    opt_D = torch.optim.Adam(D.parameters(), lr=lr, betas=(0.0, 0.99), eps=1e-8)
    seen, step, trained_seconds = 0, 0, 0.0
    if state is not None:
        G.load_state_dict(state["G"])
        D.load_state_dict(state["D"])
        G_ema.load_state_dict(state["G_ema"])
        opt_G.load_state_dict(state["opt_G"])
        opt_D.load_state_dict(state["opt_D"])
        seen, step, trained_seconds = state["images_seen"], state["step"], state["train_seconds"]
    dist.broadcast_params(G, D, G_ema)

    data = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous().to(device)
    ys = torch.from_numpy(labels).to(device)
    eye = torch.eye(len(classes), device=device)
    rng = np.random.default_rng(s.seed + dist.rank + seen)

    def real_batch(n):
        idx = torch.from_numpy(rng.integers(0, len(data), n)).to(device)
        x = data[idx].float() / 127.5 - 1
        flip = torch.from_numpy(rng.random(n) < 0.5).to(device)
        x = torch.where(flip[:, None, None, None], x.flip(3), x)
        return x, eye[ys[idx]]

    def fake_labels(n):  # classes drawn as often as they occur in the data
        return eye[ys[torch.from_numpy(rng.integers(0, len(data), n)).to(device)]]

    def write() -> None:
        if not dist.main:
            return
        out.mkdir(parents=True, exist_ok=True)
        meta = {"format": FORMAT, "config": cfg.to_dict(), "classes": classes, "images_seen": seen, "step": step,
                "train_seconds": round(trained_seconds, 1), "hardware": hardware(), "data": s.data,
                "class_counts": np.bincount(labels, minlength=len(classes)).tolist(), "settings": {
                    **{k: v for k, v in vars(s).items() if k not in ("data", "extra")}, "lr": lr}}  # fmt: skip
        atomic_torch_save({**meta, "G": G.state_dict(), "D": D.state_dict(), "G_ema": G_ema.state_dict(),
                            "opt_G": opt_G.state_dict(), "opt_D": opt_D.state_dict()}, ckpt_path)  # fmt: skip
        atomic_torch_save({**meta, "G_ema": G_ema.state_dict()}, out / MODEL)

    def samples() -> None:
        if dist.main:
            from artcore.imageio import atomic_save_image

            grid = Image.fromarray(sample_grid(G_ema, classes, device=device))
            (out / "samples").mkdir(parents=True, exist_ok=True)
            atomic_save_image(grid, out / "samples" / f"{seen // 1000:06d}kimg.png")
            atomic_save_image(grid, out / "samples" / "latest.png")

    batch = s.batch
    start = last_ckpt = last_sample = time.monotonic()
    session_start_seen = seen
    stats: dict = {}
    log = (out / "log.jsonl") if dist.main else None
    if log:
        out.mkdir(parents=True, exist_ok=True)
    try:
        while True:
            elapsed = time.monotonic() - start
            done = elapsed >= minutes * 60 or (max_images is not None and seen >= max_images)
            if dist.any(done or bool(should_stop and should_stop())):
                break
            # --- discriminator: real vs generated, plus lazy R1 on reals every r1_every steps
            real, c_real = real_batch(batch)
            c_fake = fake_labels(batch)
            with torch.no_grad():
                fake = G(torch.randn(batch, cfg.z_dim, device=device), c_fake)
            d_real = D(diff_augment(real), c_real)
            d_fake = D(diff_augment(fake), c_fake)
            loss_d = F.softplus(d_fake).mean() + F.softplus(-d_real).mean()
            r1 = torch.zeros((), device=device)
            if step % s.r1_every == 0:
                real.requires_grad_(True)
                (grad,) = torch.autograd.grad(D(diff_augment(real), c_real).sum(), real, create_graph=True)
                r1 = grad.square().sum((1, 2, 3)).mean()
                loss_d = loss_d + r1 * (s.r1_gamma / 2) * s.r1_every
            opt_D.zero_grad(set_to_none=True)
            loss_d.backward()
            dist.average_grads(D)
            opt_D.step()
            # --- generator: through the (frozen) discriminator, non-saturating
            c_gen = fake_labels(batch)
            D.requires_grad_(False)
            d_gen = D(diff_augment(G(torch.randn(batch, cfg.z_dim, device=device), c_gen)), c_gen)
            loss_g = F.softplus(-d_gen).mean()
            opt_G.zero_grad(set_to_none=True)
            loss_g.backward()
            D.requires_grad_(True)
            dist.average_grads(G)
            opt_G.step()
            # --- EMA generator
            seen += batch * dist.world
            step += 1
            ema_nimg = min(s.ema_images, seen * s.ema_rampup)
            beta = 0.5 ** (batch * dist.world / max(ema_nimg, 1e-8))
            with torch.no_grad():
                for pe, p in zip(G_ema.parameters(), G.parameters()):
                    pe.lerp_(p, 1 - beta)
                for be, b in zip(G_ema.buffers(), G.buffers()):
                    be.copy_(b)
            now = time.monotonic()
            trained_seconds += now - (stats.get("_t") or start)
            stats = {"_t": now, "images_seen": seen, "step": step, "loss_g": loss_g.item(), "loss_d": loss_d.item(),
                     "r1": r1.item(), "d_real": d_real.mean().item(), "d_fake": d_fake.mean().item(),
                     "images_per_s": (seen - session_start_seen) / max(now - start, 1e-6)}  # fmt: skip
            if progress and dist.main:
                progress(stats)
            if log and (step % 20 == 0 or step == 1):
                with log.open("a") as f:
                    f.write(json.dumps({k: round(v, 4) if isinstance(v, float) else v
                                        for k, v in stats.items() if k != "_t"}) + "\n")  # fmt: skip
            if now - last_sample >= s.sample_minutes * 60:
                samples()
                last_sample = now
            if now - last_ckpt >= s.checkpoint_minutes * 60:
                write()
                last_ckpt = now
    finally:
        write()
        samples()
        dist.close()
    stats.pop("_t", None)
    return {**stats, "images_seen": seen, "step": step, "train_seconds": round(trained_seconds, 1),
            "out": str(out), "classes": classes, "resolution": cfg.resolution}  # fmt: skip
