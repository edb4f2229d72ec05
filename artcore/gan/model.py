"""The GAN: a compact StyleGAN2-style conditional generator and a projection discriminator.

Generator: a mapping network turns (z, label embedding) into w; a synthesis network starts from a learned 4×4
constant and doubles the resolution per stage with modulated, demodulated 3×3 convolutions, per-pixel noise and
skip-connected RGB outputs. Discriminator: residual blocks, minibatch standard deviation, and a projection head that
scores the image against the label's embedding.

Modulation is done on the activations (scale the input channels by the style, convolve with the shared weight,
scale the output by the demodulation factor): the same maths as per-sample weights, but an ordinary convolution,
which is several times faster on CPU than a grouped one.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class GanConfig:
    """Architecture settings; saved with every checkpoint so a model file rebuilds its own network."""

    resolution: int = 64
    num_classes: int = 4
    z_dim: int = 128
    w_dim: int = 128
    mapping_layers: int = 4
    channel_base: int = 2048  # channels at resolution r: min(channel_max, channel_base // r)
    channel_max: int = 256

    @classmethod
    def from_dict(cls, d: dict) -> GanConfig:
        """From a saved config, ignoring fields this version no longer has (a trial run's ``arch``)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})

    def channels(self, res: int) -> int:
        return min(self.channel_max, self.channel_base // res)

    @property
    def resolutions(self) -> list[int]:
        return [2**i for i in range(2, int(math.log2(self.resolution)) + 1)]

    def to_dict(self) -> dict:
        return asdict(self)


def _lrelu(x: torch.Tensor) -> torch.Tensor:
    # The sqrt(2) gain keeps activations at unit variance (StyleGAN's convention).
    return F.leaky_relu(x, 0.2) * math.sqrt(2)


def mapping_input(z: torch.Tensor, e: torch.Tensor) -> torch.Tensor:
    """z and the class embedding, each scaled to unit mean square and concatenated: neither drowns the other."""
    norm = lambda t: t * torch.rsqrt(t.square().mean(1, keepdim=True) + 1e-8)  # noqa: E731
    return torch.cat([norm(z), norm(e)], 1)


class EqualLinear(nn.Module):
    """A linear layer with equalised learning rate (weights scaled at run time, optional lower learning rate)."""

    def __init__(self, cin: int, cout: int, bias_init: float = 0.0, lr_mul: float = 1.0, act: bool = False,
                 bias: bool = True):  # fmt: skip
        super().__init__()
        self.weight = nn.Parameter(torch.randn(cout, cin) / lr_mul)
        self.bias = nn.Parameter(torch.full((cout,), float(bias_init) / lr_mul)) if bias else None
        self.scale, self.lr_mul, self.act = lr_mul / math.sqrt(cin), lr_mul, act

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.linear(x, self.weight * self.scale, None if self.bias is None else self.bias * self.lr_mul)
        return _lrelu(x) if self.act else x


class EqualConv(nn.Module):
    """A convolution with equalised learning rate: Adam's steps are the same relative size in every layer."""

    def __init__(self, cin: int, cout: int, kernel: int, bias: bool = True):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(cout, cin, kernel, kernel))
        self.bias = nn.Parameter(torch.zeros(cout)) if bias else None
        self.scale, self.pad = 1 / math.sqrt(cin * kernel * kernel), kernel // 2

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight * self.scale, self.bias, padding=self.pad)


class ModConv(nn.Module):
    """A style-modulated convolution, optionally demodulated and preceded by a 2× bilinear upsample."""

    def __init__(self, cin: int, cout: int, w_dim: int, kernel: int = 3, demod: bool = True, up: bool = False):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(cout, cin, kernel, kernel))
        self.affine = EqualLinear(w_dim, cin, bias_init=1.0)
        self.scale = 1 / math.sqrt(cin * kernel * kernel)
        self.demod, self.up, self.pad = demod, up, kernel // 2

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        style = self.affine(w)
        weight = self.weight * self.scale
        x = x * style[:, :, None, None]
        if self.up:
            x = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
        x = F.conv2d(x, weight, padding=self.pad)
        if self.demod:
            # Per sample and output channel: 1 / ||weight * style||, as if the weights had been modulated.
            demod = torch.rsqrt(style.square() @ weight.square().sum((2, 3)).t() + 1e-8)
            x = x * demod[:, :, None, None]
        return x


def inject_noise(x: torch.Tensor, noise: torch.Tensor | str, strength: torch.Tensor,
                 const: torch.Tensor) -> torch.Tensor:  # fmt: skip
    """``x`` plus per-pixel noise scaled by ``strength``: a given map, "random", "const" (repeatable) or "none"."""
    if isinstance(noise, torch.Tensor):
        return x + noise * strength
    if noise == "random":
        return x + torch.randn(x.shape[0], 1, *x.shape[2:], device=x.device) * strength
    if noise == "const":
        return x + const * strength
    return x


class LayerNoise:
    """Seeded per-layer noise for a generator whose ``layers`` each have ``res`` and a ``noise_const`` buffer."""

    layers: nn.ModuleList

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    def seed_noise(self, seeds) -> list[torch.Tensor]:
        """Per-layer noise (N×1×r×r each) drawn from each seed: every picture its own texture, always the same."""
        maps = []
        for seed in seeds:
            g = torch.Generator().manual_seed(int(seed) + 0x5EED)
            maps.append([torch.randn(1, 1, layer.res, layer.res, generator=g) for layer in self.layers])
        return [torch.cat(per_layer).to(self.layers[0].noise_const.device) for per_layer in zip(*maps)]


class SynthesisLayer(nn.Module):
    def __init__(self, cin: int, cout: int, w_dim: int, res: int, up: bool = False):
        super().__init__()
        self.conv = ModConv(cin, cout, w_dim, up=up)
        self.noise_strength = nn.Parameter(torch.zeros([]))
        self.bias = nn.Parameter(torch.zeros(cout))
        self.register_buffer("noise_const", torch.randn(1, 1, res, res))
        self.res = res

    def forward(self, x: torch.Tensor, w: torch.Tensor, noise: torch.Tensor | str = "random") -> torch.Tensor:
        x = inject_noise(self.conv(x, w), noise, self.noise_strength, self.noise_const)
        return _lrelu(x + self.bias[None, :, None, None])


class ToRGB(nn.Module):
    def __init__(self, cin: int, w_dim: int):
        super().__init__()
        self.conv = ModConv(cin, 3, w_dim, kernel=1, demod=False)
        self.bias = nn.Parameter(torch.zeros(3))

    def forward(self, x: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        return self.conv(x, w) + self.bias[None, :, None, None]


class Generator(LayerNoise, nn.Module):
    """z (N×z_dim) and class weights (N×classes: one-hot, or a mix that sums to 1) → images in [-1, 1]."""

    def __init__(self, cfg: GanConfig):
        super().__init__()
        self.cfg = cfg
        self.embed = EqualLinear(cfg.num_classes, cfg.z_dim)
        lr = 0.01  # the mapping network learns 100× slower, as in StyleGAN
        dims = [2 * cfg.z_dim] + [cfg.w_dim] * cfg.mapping_layers
        self.mapping = nn.Sequential(*[EqualLinear(a, b, lr_mul=lr, act=True) for a, b in zip(dims, dims[1:])])
        res = cfg.resolutions
        self.const = nn.Parameter(torch.randn(1, cfg.channels(4), 4, 4))
        self.layers = nn.ModuleList()
        self.to_rgb = nn.ModuleList()
        for r in res:
            cin, cout = cfg.channels(max(4, r // 2)), cfg.channels(r)
            first = (
                SynthesisLayer(cfg.channels(4), cout, cfg.w_dim, 4)
                if r == 4
                else SynthesisLayer(cin, cout, cfg.w_dim, r, up=True)
            )
            self.layers.append(first)
            if r > 4:
                self.layers.append(SynthesisLayer(cout, cout, cfg.w_dim, r))
            self.to_rgb.append(ToRGB(cout, cfg.w_dim))

    def map(self, z: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        """The mapping network: w for each (z, class weights) pair."""
        return self.mapping(mapping_input(z, self.embed(c)))

    def synthesis(self, w: torch.Tensor, noise: str | list[torch.Tensor] = "random") -> torch.Tensor:
        """Images from w (N×w_dim). ``noise``: "random", "const" (repeatable), "none", or one tensor per layer."""
        x = self.const.expand(w.shape[0], -1, -1, -1)
        rgb = None
        li = 0
        for r, to_rgb in zip(self.cfg.resolutions, self.to_rgb):
            for _ in range(1 if r == 4 else 2):
                x = self.layers[li](x, w, noise[li] if isinstance(noise, list) else noise)
                li += 1
            y = to_rgb(x, w)
            rgb = y if rgb is None else F.interpolate(rgb, scale_factor=2, mode="bilinear", align_corners=False) + y
        return rgb

    def forward(self, z: torch.Tensor, c: torch.Tensor, noise: str = "random") -> torch.Tensor:
        return self.synthesis(self.map(z, c), noise)


class DiscBlock(nn.Module):
    def __init__(self, cin: int, cout: int):
        super().__init__()
        self.conv0 = EqualConv(cin, cin, 3)
        self.conv1 = EqualConv(cin, cout, 3)
        self.skip = EqualConv(cin, cout, 1, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = _lrelu(self.conv0(x))
        y = F.avg_pool2d(_lrelu(self.conv1(y)), 2)
        # Residual sum scaled by 1/sqrt(2) to keep the variance.
        return (y + self.skip(F.avg_pool2d(x, 2))) * math.sqrt(0.5)


class Discriminator(nn.Module):
    """Images in [-1, 1] and one-hot labels → realness scores (N,), conditioned by projection on a label embedding."""

    def __init__(self, cfg: GanConfig, cmap_dim: int = 128):
        super().__init__()
        res = cfg.resolutions[::-1]
        self.from_rgb = EqualConv(3, cfg.channels(res[0]), 1)
        self.blocks = nn.Sequential(*[DiscBlock(cfg.channels(r), cfg.channels(r // 2)) for r in res[:-1]])
        c4 = cfg.channels(4)
        self.conv = EqualConv(c4 + 1, c4, 3)
        self.fc = EqualLinear(c4 * 16, c4, act=True)
        self.out = EqualLinear(c4, cmap_dim)
        self.cmap = EqualLinear(cfg.num_classes, cmap_dim, bias=False)
        self.cmap_dim = cmap_dim

    def forward(self, img: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
        x = self.blocks(_lrelu(self.from_rgb(img)))
        # Minibatch standard deviation (groups of up to 4) lets D see a lack of variety.
        n = x.shape[0]
        g = math.gcd(4, n)
        std = x.reshape(g, -1, *x.shape[1:]).std(0, unbiased=False).mean((1, 2, 3))
        std = std.reshape(-1, 1, 1, 1).repeat(g, 1, *x.shape[2:])
        x = _lrelu(self.conv(torch.cat([x, std], 1)))
        x = self.fc(x.flatten(1))
        return (self.out(x) * self.cmap(c)).sum(1) / math.sqrt(self.cmap_dim)
