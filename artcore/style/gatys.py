"""Classic optimisation-based style transfer (Gatys et al.): slow, but every knob is the user's.

The loss network is EfficientNet-Lite0 (weights bundled by a pip package). VGG19, the original choice, is used
only where torchvision and its ImageNet weights are already installed locally; nothing is ever downloaded.
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from artcore.errors import UserError
from artcore.style.metrics import gram, to_tensor

VGG19_FILE = "vgg19-dcbb9e9d.pth"
VGG19_LAYERS = (1, 6, 11, 20, 29)  # relu1_1 … relu5_1
VGG19_CONTENT = 22  # relu4_2
LITE0_STYLE = (0, 2, 4)  # stopping at stride 8 keeps a step under ~0.5 s at 512 px on 2 cores
LITE0_CONTENT = 4


@dataclass
class GatysSettings:
    steps: int = 60
    size: int = 512
    style_weight: float = 1e4
    content_weight: float = 1.0
    lr: float = 0.03
    init: str = "content"  # or "noise"
    network: str = "auto"  # auto | lite0 | vgg19
    seed: int = 0

    def check(self) -> None:
        if not 1 <= self.steps <= 5000:
            raise UserError(f"steps must be between 1 and 5000, got {self.steps}")
        if not 32 <= self.size <= 2048:
            raise UserError(f"size must be between 32 and 2048 px for Gatys, got {self.size}")
        if self.style_weight < 0 or self.content_weight < 0 or self.style_weight + self.content_weight <= 0:
            raise UserError("style and content weights must be non-negative and not both zero")
        if not 0 < self.lr <= 1:
            raise UserError(f"learning rate must be in (0, 1], got {self.lr}")
        if self.init not in ("content", "noise"):
            raise UserError(f"init must be content or noise, got {self.init!r}")


def _vgg19_weights() -> Path | None:
    """Local torchvision VGG19 weights, if both torchvision and the file are already present."""
    if importlib.util.find_spec("torchvision") is None:
        return None
    import torch

    path = Path(torch.hub.get_dir()) / "checkpoints" / VGG19_FILE
    return path if path.is_file() else None


def _network(name: str):
    """(features function, style layers, content layer) for the chosen loss network."""
    from artcore import lite0, registry

    vgg = _vgg19_weights() if name in ("auto", "vgg19") else None
    if name == "vgg19" and vgg is None:
        raise UserError(f"VGG19 needs torchvision and {VGG19_FILE} in the torch hub cache; use --network lite0")
    if vgg is None:
        net = registry.get("lite0")
        blocks = sorted({*LITE0_STYLE, LITE0_CONTENT})
        import torch

        def feats(x):  # channels-last runs the depthwise convolutions about twice as fast on CPU
            return lite0.block_outputs(net, x.contiguous(memory_format=torch.channels_last), blocks)

        return feats, [blocks.index(b) for b in LITE0_STYLE], blocks.index(LITE0_CONTENT)
    import torch
    import torchvision

    model = torchvision.models.vgg19()
    model.load_state_dict(torch.load(vgg, map_location="cpu", weights_only=True))
    layers = model.features[: max(VGG19_LAYERS + (VGG19_CONTENT,)) + 1].eval().requires_grad_(False)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    wanted = sorted({*VGG19_LAYERS, VGG19_CONTENT})

    def feats(x):
        out, h = [], (x - mean) / std
        for i, layer in enumerate(layers):
            h = layer(h)
            if i in wanted:
                out.append(h)
        return out

    return feats, [wanted.index(i) for i in VGG19_LAYERS], wanted.index(VGG19_CONTENT)


def _to_pil(x):
    from PIL import Image

    arr = (x.detach()[0].permute(1, 2, 0).clamp(0, 1).numpy() * 255 + 0.5).astype(np.uint8)
    return Image.fromarray(arr)


def gatys(content, style, settings: GatysSettings | None = None,
          callback: Callable[[int, int, float, object], bool | None] | None = None, preview_every: int = 10):
    """Optimise an image so its features match ``content`` and its Gram matrices match ``style``.

    ``callback(step, total, loss, preview)`` runs after every step; ``preview`` is a PIL image every
    ``preview_every`` steps (else None). Returning False cancels: the image so far is returned.
    """
    import torch

    from artcore.imageio import open_image
    from artcore.style import MIN_SIDE

    settings = settings or GatysSettings()
    settings.check()
    c_img = content if hasattr(content, "size") and hasattr(content, "mode") else open_image(content)
    s_img = style if hasattr(style, "size") and hasattr(style, "mode") else open_image(style)
    for img, what in ((c_img, "content image"), (s_img, "style image")):
        if min(img.size) < MIN_SIDE:
            raise UserError(f"{what} is too small ({img.size[0]}×{img.size[1]} px); both sides need {MIN_SIDE} px")
    feats, style_idx, content_idx = _network(settings.network)
    # A panorama is worked on wider rather than thinner than MIN_SIDE px (up to 2048 px long).
    c = to_tensor(c_img, max(settings.size, min(2048, round(MIN_SIDE * max(c_img.size) / min(c_img.size)))))
    s = to_tensor(s_img, max(settings.size, min(2048, round(MIN_SIDE * max(s_img.size) / min(s_img.size)))))
    with torch.no_grad():
        target_content = feats(c)[content_idx]
        sf = feats(s)
        target_grams = [gram(sf[i]) for i in style_idx]
    gen = torch.Generator().manual_seed(settings.seed)
    start = c.clone() if settings.init == "content" else torch.rand(c.shape, generator=gen) * 0.2 + 0.4
    x = start.requires_grad_(True)
    opt = torch.optim.Adam([x], lr=settings.lr)
    for step in range(1, settings.steps + 1):
        opt.zero_grad()
        f = feats(x)
        style_loss = sum(((gram(f[i]) - g) ** 2).mean() for i, g in zip(style_idx, target_grams, strict=True)) / len(style_idx)
        content_loss = ((f[content_idx] - target_content) ** 2).mean()
        loss = settings.style_weight * style_loss + settings.content_weight * content_loss
        loss.backward()
        opt.step()
        with torch.no_grad():
            x.clamp_(0, 1)
        if callback:
            preview = _to_pil(x) if step % preview_every == 0 or step == settings.steps else None
            if callback(step, settings.steps, loss.item(), preview) is False:
                break
    return _to_pil(x)


def gatys_to_file(content, style, out: Path, settings: GatysSettings | None = None, callback=None) -> dict:
    """``gatys`` then write a PNG atomically; returns ``{"output", "size", "seconds"}``."""
    from artcore.imageio import FAST_PNG, atomic_save_image

    t0 = time.perf_counter()
    result = gatys(content, style, settings, callback)
    atomic_save_image(result, Path(out), **FAST_PNG)
    return {"output": str(out), "size": list(result.size), "seconds": round(time.perf_counter() - t0, 3)}
