"""Style and content distances on EfficientNet-Lite0 features: Gram matrices for style, activations for content.

Shared by Gatys (its losses), the tests (does an output move toward its style?) and the benchmark.
"""

from __future__ import annotations

import numpy as np

from artcore import lite0, registry

STYLE_BLOCKS = (0, 2, 4, 10)  # strides 2–16: textures and strokes
CONTENT_BLOCK = 4  # stride 8: layout and shapes, not texture
MEASURE_SIDE = 384  # pictures are compared at this longer side so distances are comparable across sizes


def gram(feat):
    """Channel co-activation matrix of N×C×H×W features, normalised by the number of positions."""
    n, c, h, w = feat.shape
    f = feat.reshape(n, c, h * w)
    return f @ f.transpose(1, 2) / (h * w)


def to_tensor(img, side: int | None = MEASURE_SIDE):
    """PIL image → 1×3×H×W float tensor in [0, 1], longer side ``side``."""
    import torch
    from PIL import Image

    if side and max(img.size) != side:
        scale = side / max(img.size)
        img = img.resize((max(1, round(img.width * scale)), max(1, round(img.height * scale))),
                         Image.Resampling.LANCZOS)
    return torch.from_numpy(np.asarray(img, np.float32) / 255.0).permute(2, 0, 1)[None]


def _feats(img, side: int):
    import torch

    net = registry.get("lite0")  # loaded outside inference mode, so Gatys can still backpropagate through it
    with torch.inference_mode():
        return lite0.block_outputs(net, to_tensor(img, side), sorted({*STYLE_BLOCKS, CONTENT_BLOCK}))


def style_grams(img, side: int = MEASURE_SIDE) -> list[np.ndarray]:
    """Gram matrices of a PIL image over the style blocks (C×C arrays), read at longer side ``side``."""
    blocks = sorted({*STYLE_BLOCKS, CONTENT_BLOCK})
    feats = _feats(img, side)
    return [gram(feats[blocks.index(i)])[0].numpy() for i in STYLE_BLOCKS]


def gram_distance(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    """Mean squared difference of two pictures' ``style_grams`` averaged over the blocks. Against the mean of many
    pictures' Gram matrices it is the mean distance to each of them, less their own spread (a constant)."""
    return float(np.mean([((x - y) ** 2).mean() for x, y in zip(a, b, strict=True)]))


def style_distance(a, b, side: int = MEASURE_SIDE) -> float:
    """Mean squared Gram-matrix difference over the style blocks (lower: more alike in texture and colour)."""
    return gram_distance(style_grams(a, side), style_grams(b, side))


def content_distance(a, b, side: int = MEASURE_SIDE) -> float:
    """Mean squared difference of content-block activations, both pictures at the same size (lower: same layout)."""
    blocks = sorted({*STYLE_BLOCKS, CONTENT_BLOCK})
    b = b.resize(a.size) if b.size != a.size else b
    fa, fb = _feats(a, side), _feats(b, side)
    i = blocks.index(CONTENT_BLOCK)
    return float(((fa[i] - fb[i]) ** 2).mean().item())
