"""Projection: find the w (and per-layer noise) for which the generator reproduces a given picture.

The loss is a perceptual distance (EfficientNet-Lite0 feature maps of both images, enlarged to 128 px, compared
after channel normalisation) plus a pixel loss. The search starts from the mean w of the class whose mean
reproduces the picture best, so a landscape starts as a landscape.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from artcore.errors import UserError

FEATURE_BLOCKS = (0, 2, 4)  # strides 2, 4, 8 of Lite0: colour, texture and shape at the generator's scale
PIXEL_WEIGHT = 1.0


@dataclass
class Projection:
    w: object  # 1×w_dim tensor
    noise: list
    target: np.ndarray  # H×W×3 uint8, what the generator aimed at (the picture's central square)
    image: np.ndarray  # H×W×3 uint8, the reconstruction
    psnr: float
    perceptual: float
    steps: int
    losses: list[float]

    @property
    def error(self) -> np.ndarray:
        """Absolute difference per pixel (H×W×3 uint8), for showing where the reconstruction misses."""
        return np.abs(self.target.astype(np.int16) - self.image.astype(np.int16)).astype(np.uint8)

    def save(self, out) -> Path:
        """Write the projection as ``.npz`` (w, noise, target, reconstruction, PSNR) atomically."""
        import io

        from artcore.imageio import atomic_write_bytes

        buf = io.BytesIO()
        np.savez_compressed(buf, w=self.w.numpy(), target=self.target, image=self.image, psnr=self.psnr,
                            perceptual=self.perceptual, steps=self.steps,
                            **{f"noise{i}": n.numpy() for i, n in enumerate(self.noise)})  # fmt: skip
        out = Path(out)
        atomic_write_bytes(out, buf.getvalue())
        return out


def load_projection(path) -> dict:
    try:
        with np.load(path) as f:
            return {k: f[k] for k in f.files}
    except (OSError, ValueError) as exc:
        raise UserError(f"{path} is not a saved projection ({exc})") from exc


def _features(net, x):
    """Lite0 feature maps of images in [-1, 1], enlarged to 128 px, each normalised per position over channels."""
    import torch.nn.functional as F

    from artcore import lite0

    x = F.interpolate((x + 1) / 2, size=(128, 128), mode="bilinear", align_corners=False)
    return [f / (f.square().mean(1, keepdim=True).sqrt() + 1e-6) for f in lite0.block_outputs(net, x, FEATURE_BLOCKS)]


def project(model, image, steps: int = 200, lr: float = 0.05, progress: Callable[[int, int, float], None] | None = None,
            should_stop: Callable[[], bool] | None = None, seed: int = 0) -> Projection:  # fmt: skip
    """Project ``image`` (path, bytes or PIL) into ``model``'s W space in ``steps`` Adam steps."""
    import torch
    import torch.nn.functional as F

    from artcore import registry
    from artcore.gan.common import square, to_uint8
    from artcore.imageio import open_image

    if not 1 <= steps <= 5000:
        raise UserError("projection steps must be between 1 and 5000")
    img = image if hasattr(image, "crop") else open_image(image, max_side=4 * model.resolution)
    target_u8 = square(img, model.resolution)
    target = torch.tensor(target_u8).permute(2, 0, 1)[None].float() / 127.5 - 1
    net = registry.get("lite0")
    G = model.G
    torch.manual_seed(seed)
    with torch.no_grad():
        t_feats = _features(net, target)
        starts = [model.w_mean(model.class_vector({c: 1.0})) for c in model.classes]
        first = [F.mse_loss(G.synthesis(w, noise="const"), target).item() for w in starts]
    w = starts[int(np.argmin(first))].clone().requires_grad_(True)
    noise = [layer.noise_const.clone().requires_grad_(True) for layer in G.layers]
    opt = torch.optim.Adam([{"params": [w], "lr": lr}, {"params": noise, "lr": lr * 0.2}], betas=(0.9, 0.999))
    losses: list[float] = []
    done = 0
    for step in range(steps):
        if should_stop and should_stop():
            break
        # Cosine ramp-down of the learning rate over the last three quarters, as in StyleGAN's projector.
        ramp = min(1.0, (1 - step / steps) / 0.75)
        for group, base in zip(opt.param_groups, (lr, lr * 0.2)):
            group["lr"] = base * (0.5 - 0.5 * math.cos(ramp * math.pi))
        out = G.synthesis(w, noise=noise)
        perceptual = sum((a - b).square().mean() for a, b in zip(_features(net, out), t_feats))
        loss = perceptual + PIXEL_WEIGHT * F.mse_loss(out, target)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        done = step + 1
        if progress:
            progress(done, steps, losses[-1])
    with torch.no_grad():
        out = G.synthesis(w, noise=noise)
        perceptual = float(sum((a - b).square().mean() for a, b in zip(_features(net, out), t_feats)))
    recon = to_uint8(out)[0]
    mse = float(np.mean((recon.astype(np.float32) - target_u8.astype(np.float32)) ** 2))
    psnr = 10 * math.log10(255**2 / max(mse, 1e-10))
    return Projection(w.detach(), [n.detach() for n in noise], target_u8, recon, round(psnr, 2),
                      round(perceptual, 4), done, losses)  # fmt: skip
