"""A projected GAN (``arch="projected"``): a FastGAN-style generator and a discriminator on frozen Lite0 features.

After Sauer et al., "Projected GANs Converge Faster" (NeurIPS 2021), and Liu et al., "Towards Faster and Stabilized
GAN Training for High-fidelity Few-shot Image Synthesis" (FastGAN, ICLR 2021).

- ``FastGenerator``: the same outside as ``model.Generator`` (``map`` (z, class weights) → w, ``synthesis(w,
  noise)``, seeded per-layer noise), so truncation, class mixing, walks and projection work unchanged. Inside, w
  becomes a 4×4 map and each block doubles the resolution (nearest upsample, 3×3 convolutions, batch norm, GLU,
  per-pixel noise); skip-layer excitation gates a high-resolution block's channels by a summary of a low-resolution
  one (4 → 32 and 64 px, 8 → 128, 16 → 256), a cheap long skip.
- ``ProjectedDiscriminator``: Lite0's feature maps at strides 4, 8, 16 and 32 go through fixed random 1×1
  convolutions (cross-channel mixing) and a fixed top-down path (cross-scale mixing); one small trainable head per
  scale scores them, with a class projection term. Lite0 and the mixing layers never learn, but the generator's
  gradients pass through them. It is trained with the hinge loss and needs no R1 penalty.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from artcore import lite0
from artcore.gan.model import GanConfig, LayerNoise, inject_noise, mapping_input

LITE0_BLOCKS = lite0.STAGE_ENDS[1:]  # strides 4, 8, 16, 32
MIX_CHANNELS = (32, 64, 128, 256)  # channels per scale after cross-channel mixing (Sauer et al. use twice these)
HEAD_MAX = 256  # widest layer of a discriminator head


# ------------------------------------------------------------------ generator


class UpBlock(nn.Module):
    """Nearest 2× upsample, then two (3×3 conv, batch norm, GLU); per-pixel noise after the first convolution."""

    def __init__(self, cin: int, cout: int, res: int):
        super().__init__()
        # GLU halves the channels: each convolution makes 2·cout, half of them gates for the other half.
        self.conv0 = nn.Conv2d(cin, 2 * cout, 3, padding=1, bias=False)
        self.norm0 = nn.BatchNorm2d(2 * cout)
        self.conv1 = nn.Conv2d(cout, 2 * cout, 3, padding=1, bias=False)
        self.norm1 = nn.BatchNorm2d(2 * cout)
        self.noise_strength = nn.Parameter(torch.zeros([]))
        self.register_buffer("noise_const", torch.randn(1, 1, res, res))
        self.res = res

    def forward(self, x: torch.Tensor, noise: torch.Tensor | str = "random") -> torch.Tensor:
        x = self.conv0(F.interpolate(x, scale_factor=2, mode="nearest"))
        x = F.glu(self.norm0(inject_noise(x, noise, self.noise_strength, self.noise_const)), 1)
        return F.glu(self.norm1(self.conv1(x)), 1)


class Excite(nn.Module):
    """Skip-layer excitation: per-channel gates in (0, 1) for a high-resolution map, from a low-resolution one."""

    def __init__(self, c_small: int, c_big: int):
        super().__init__()
        self.gate = nn.Sequential(nn.AdaptiveAvgPool2d(4), nn.Conv2d(c_small, c_big, 4), nn.SiLU(),
                                  nn.Conv2d(c_big, c_big, 1), nn.Sigmoid())  # fmt: skip

    def forward(self, small: torch.Tensor, big: torch.Tensor) -> torch.Tensor:
        return big * self.gate(small)


class FastGenerator(LayerNoise, nn.Module):
    """z (N×z_dim) and class weights (N×classes: one-hot, or a mix that sums to 1) → images in [-1, 1]."""

    def __init__(self, cfg: GanConfig):
        super().__init__()
        if cfg.resolution < 8:
            raise ValueError("the projected generator needs a resolution of 8 px or more")
        self.cfg = cfg
        self.embed = nn.Linear(cfg.num_classes, cfg.z_dim, bias=False)
        dims = [2 * cfg.z_dim] + [cfg.w_dim] * cfg.mapping_layers
        self.mapping = nn.Sequential(*[m for a, b in zip(dims, dims[1:]) for m in (nn.Linear(a, b), nn.LeakyReLU(0.2))])
        for m in self.mapping:
            if isinstance(m, nn.Linear):
                # Variance-preserving, so w has about unit scale: projection's step sizes assume that.
                nn.init.kaiming_normal_(m.weight, a=0.2)
                nn.init.zeros_(m.bias)
        c4 = cfg.channels(4)
        self.init = nn.Linear(cfg.w_dim, 2 * c4 * 16, bias=False)  # w → a 4×4 map (a 4×4 transposed conv of 1×1)
        self.init_norm = nn.BatchNorm2d(2 * c4)
        self.layers = nn.ModuleList(UpBlock(cfg.channels(r // 2), cfg.channels(r), r) for r in cfg.resolutions[1:])
        # Excitation source for each gated resolution: 1/16 of it (FastGAN), at least the 4×4 input.
        self.sources = {r: max(4, r // 16) for r in cfg.resolutions if r >= 32}
        self.excite = nn.ModuleDict({str(r): Excite(cfg.channels(s), cfg.channels(r)) for r, s in self.sources.items()})
        self.to_rgb = nn.Conv2d(cfg.channels(cfg.resolution), 3, 3, padding=1)

    def map(self, z: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        """The mapping network: w for each (z, class weights) pair."""
        return self.mapping(mapping_input(z, self.embed(c)))

    def synthesis(self, w: torch.Tensor, noise: str | list[torch.Tensor] = "random") -> torch.Tensor:
        """Images from w (N×w_dim). ``noise``: "random", "const" (repeatable), "none", or one tensor per layer."""
        x = F.glu(self.init_norm(self.init(w).view(len(w), -1, 4, 4)), 1)
        maps = {4: x}
        for i, block in enumerate(self.layers):
            x = block(x, noise[i] if isinstance(noise, list) else noise)
            if block.res in self.sources:
                x = self.excite[str(block.res)](maps[self.sources[block.res]], x)
            maps[block.res] = x
        return torch.tanh(self.to_rgb(x))

    def forward(self, z: torch.Tensor, c: torch.Tensor, noise: str = "random") -> torch.Tensor:
        return self.synthesis(self.map(z, c), noise)


# ------------------------------------------------------------------ discriminator


class ScaleHead(nn.Module):
    """A discriminator for one feature scale: strided 4×4 convolutions down to 8 px or less, a map of logits
    (one per 4×4 window), and a projection term: the class embedding · the pooled features."""

    def __init__(self, cin: int, size: int, num_classes: int):
        super().__init__()
        sn = nn.utils.parametrizations.spectral_norm
        layers, c = [], cin
        while size > 8:
            cout = min(HEAD_MAX, 2 * c)
            layers += [sn(nn.Conv2d(c, cout, 4, stride=2, padding=1)), nn.LeakyReLU(0.2)]
            c, size = cout, size // 2
        self.body = nn.Sequential(*layers)
        self.logits = sn(nn.Conv2d(c, 1, 4))
        self.embed = sn(nn.Linear(num_classes, c, bias=False))
        self.width = c

    def forward(self, x: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        h = self.body(x)
        proj = (self.embed(c) * h.mean((2, 3))).sum(1, keepdim=True) / math.sqrt(self.width)
        return self.logits(h).flatten(1) + proj


class ProjectedDiscriminator(nn.Module):
    """Images in [-1, 1] and class weights → logits N×P (every window of every scale); only ``heads`` learn."""

    def __init__(self, cfg: GanConfig):
        super().__init__()
        if cfg.lite0_side < 128:
            raise ValueError("lite0_side must be 128 or more (Lite0's stride-32 map must be at least 4×4)")
        self.side = max(cfg.lite0_side, cfg.resolution)
        # A private copy, not the shared registry model: it moves with this module between devices and is saved
        # in its state dict.
        self.lite0 = lite0.load()
        with torch.no_grad():
            probe = lite0.block_outputs(self.lite0, torch.zeros(1, 3, self.side, self.side), LITE0_BLOCKS)
        cins, sizes = [f.shape[1] for f in probe], [f.shape[-1] for f in probe]
        self.ccm = nn.ModuleList(nn.Conv2d(a, b, 1, bias=False) for a, b in zip(cins, MIX_CHANNELS))
        # Top-down: each scale adds the deeper scale's mixed map (channels matched, then upsampled), then a 3×3 conv.
        self.csm_match = nn.ModuleList(nn.Conv2d(b, a, 1, bias=False) for a, b in zip(MIX_CHANNELS, MIX_CHANNELS[1:]))
        self.csm = nn.ModuleList(nn.Conv2d(c, c, 3, padding=1, bias=False) for c in MIX_CHANNELS[:-1])
        for conv in [*self.ccm, *self.csm_match, *self.csm]:
            nn.init.normal_(conv.weight, std=1 / math.sqrt(conv.weight[0].numel()))  # keeps the features' scale
        self.heads = nn.ModuleList(ScaleHead(c, s, cfg.num_classes) for c, s in zip(MIX_CHANNELS, sizes))
        super().requires_grad_(False)
        self.heads.requires_grad_(True)
        self.train()

    def requires_grad_(self, requires_grad: bool = True) -> ProjectedDiscriminator:
        # The trainer freezes D for the generator's step and unfreezes it after: only ever the heads.
        self.heads.requires_grad_(requires_grad)
        return self

    def train(self, mode: bool = True) -> ProjectedDiscriminator:
        super().train(mode)
        self.lite0.eval()  # always: no drop-connect, the fixed feature extractor it was trained as
        return self

    def mix(self, feats: list[torch.Tensor]) -> list[torch.Tensor]:
        """Cross-channel, then cross-scale mixing (both fixed) of Lite0's maps, shallow to deep."""
        mixed = [conv(f) for conv, f in zip(self.ccm, feats)]
        out = [mixed[-1]]
        for i in range(len(mixed) - 2, -1, -1):
            deeper = F.interpolate(self.csm_match[i](out[0]), size=mixed[i].shape[-2:], mode="bilinear",
                                   align_corners=False)  # fmt: skip
            out.insert(0, self.csm[i](mixed[i] + deeper))
        return out

    def forward(self, img: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        x = (img + 1) / 2  # Lite0 takes [0, 1]
        if x.shape[-1] != self.side:  # small images are enlarged so Lite0 sees objects at a scale it knows
            x = F.interpolate(x, size=(self.side, self.side), mode="bilinear", align_corners=False)
        feats = self.mix(lite0.block_outputs(self.lite0, x, LITE0_BLOCKS))
        return torch.cat([head(f, c) for head, f in zip(self.heads, feats)], 1)
