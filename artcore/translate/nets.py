"""The translators' networks: a ResNet generator (unpaired, CUT), a class-conditional U-Net (sketch → painting,
pix2pix) and the PatchGAN discriminator both train against.

All are fully convolutional, so a model trained on small crops renders pictures of any size (tile by tile above a
few megapixels: ``artcore.tiles``). Upsampling is nearest-neighbour then a convolution: transposed convolutions
leave a checkerboard that tiles make worse.
"""

from __future__ import annotations

import torch
from torch import nn


def _norm(c: int) -> nn.Module:
    return nn.InstanceNorm2d(c, affine=True)


class _Res(nn.Module):
    def __init__(self, c: int):
        super().__init__()
        self.body = nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(c, c, 3), _norm(c), nn.ReLU(True),
                                  nn.ReflectionPad2d(1), nn.Conv2d(c, c, 3), _norm(c))  # fmt: skip

    def forward(self, x):
        return x + self.body(x)


class ResnetGenerator(nn.Module):
    """Photo → painting: a 7×7 stem, ``n_down`` stride-2 convolutions, ``n_blocks`` residual blocks, and back up.

    ``encode`` returns the features PatchNCE compares (the input, each scale on the way down, the middle block).
    """

    def __init__(self, ngf: int = 16, n_down: int = 3, n_blocks: int = 6):
        super().__init__()
        layers: list[nn.Module] = [nn.Sequential(nn.ReflectionPad2d(3), nn.Conv2d(3, ngf, 7), _norm(ngf), nn.ReLU(True))]
        c = ngf
        for _ in range(n_down):
            layers.append(nn.Sequential(nn.Conv2d(c, 2 * c, 3, 2, 1), _norm(2 * c), nn.ReLU(True)))
            c *= 2
        layers += [_Res(c) for _ in range(n_blocks)]
        for _ in range(n_down):
            layers.append(nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(c, c // 2, 3, 1, 1),
                                        _norm(c // 2), nn.ReLU(True)))  # fmt: skip
            c //= 2
        layers.append(nn.Sequential(nn.ReflectionPad2d(3), nn.Conv2d(c, 3, 7), nn.Tanh()))
        self.layers = nn.ModuleList(layers)
        mid = 1 + n_down + n_blocks // 2
        # PatchNCE compares the input, the stem, each downsampling and the middle block (layer numbers from 1)
        self.nce_layers = [*range(1, 2 + n_down), mid]
        self.nce_channels = [3, *[ngf * 2**i for i in range(n_down + 1)], ngf * 2**n_down]
        self.multiple = 2**n_down

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def encode(self, x) -> list[torch.Tensor]:
        feats = [x]
        for i, layer in enumerate(self.layers[: max(self.nce_layers)], start=1):
            x = layer(x)
            if i in self.nce_layers:
                feats.append(x)
        return feats


class _CondNorm(nn.Module):
    """Instance norm whose scale and shift come from the class weights (a one-hot, or a mix of classes)."""

    def __init__(self, c: int, n_classes: int):
        super().__init__()
        self.norm = nn.InstanceNorm2d(c, affine=False)
        self.gamma = nn.Linear(n_classes, c, bias=False)
        self.beta = nn.Linear(n_classes, c, bias=False)
        nn.init.ones_(self.gamma.weight)
        nn.init.zeros_(self.beta.weight)

    def forward(self, x, cls):
        return self.norm(x) * self.gamma(cls)[:, :, None, None] + self.beta(cls)[:, :, None, None]


class SketchUNet(nn.Module):
    """Line drawing (1 channel, white paper, dark lines) + class weights → painting, with skip connections.

    The class enters twice: as constant input planes beside the drawing (a direct path from the first layer) and in
    every normalisation's scale and shift, so one drawing renders in each painter's palette and touch.
    """

    def __init__(self, n_classes: int, ngf: int = 32, depth: int = 5):
        super().__init__()
        chans = [min(ngf * 2**i, 8 * ngf) for i in range(depth)]
        self.down, self.down_norm = nn.ModuleList(), nn.ModuleList()
        c_in = 1 + n_classes
        for i, c in enumerate(chans):
            self.down.append(nn.Conv2d(c_in, c, 4, 2, 1))
            self.down_norm.append(_CondNorm(c, n_classes) if i else nn.Identity())
            c_in = c
        self.up, self.up_norm = nn.ModuleList(), nn.ModuleList()
        for i in reversed(range(depth)):
            c_out = chans[i - 1] if i else ngf
            c_skip = chans[i] if i < depth - 1 else 0
            self.up.append(nn.Sequential(nn.Upsample(scale_factor=2, mode="nearest"),
                                         nn.Conv2d(chans[i] + c_skip, c_out, 3, 1, 1)))  # fmt: skip
            self.up_norm.append(_CondNorm(c_out, n_classes))
        self.out = nn.Conv2d(ngf + 1, 3, 3, 1, 1)
        self.multiple = 2**depth

    def forward(self, sketch, cls):
        x, skips = torch.cat([sketch, cls[:, :, None, None].expand(-1, -1, *sketch.shape[2:])], 1), []
        for conv, norm in zip(self.down, self.down_norm):
            x = conv(x)
            x = nn.functional.leaky_relu(norm(x, cls) if isinstance(norm, _CondNorm) else x, 0.2)
            skips.append(x)
        skips.pop()  # the bottleneck itself
        for i, (up, norm) in enumerate(zip(self.up, self.up_norm)):
            if i:
                x = torch.cat([x, skips.pop()], 1)
            x = torch.relu(norm(up(x), cls))
        return torch.tanh(self.out(torch.cat([x, sketch], 1)))


class PainterClassifier(nn.Module):
    """Painting alone → class logits: the sketch trainer's judge of whose hand a render shows (never the drawing,
    so it cannot name the painter from the subject the lines carry)."""

    def __init__(self, n_classes: int, ndf: int = 32):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, ndf, 4, 2, 1), nn.LeakyReLU(0.2, True),
            nn.Conv2d(ndf, 2 * ndf, 4, 2, 1), _norm(2 * ndf), nn.LeakyReLU(0.2, True),
            nn.Conv2d(2 * ndf, 4 * ndf, 4, 2, 1), _norm(4 * ndf), nn.LeakyReLU(0.2, True),
            # No normalisation before the pooling: an instance norm there makes every picture's channel means equal.
            nn.Conv2d(4 * ndf, 4 * ndf, 4, 2, 1), nn.LeakyReLU(0.2, True),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4 * ndf, n_classes),
        )  # fmt: skip

    def forward(self, x):
        return self.net(x)


class PatchDiscriminator(nn.Module):
    """70×70 PatchGAN: a grid of real/fake scores, one per overlapping patch."""

    def __init__(self, in_ch: int = 3, ndf: int = 32):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(in_ch, ndf, 4, 2, 1), nn.LeakyReLU(0.2, True),
            nn.Conv2d(ndf, 2 * ndf, 4, 2, 1), _norm(2 * ndf), nn.LeakyReLU(0.2, True),
            nn.Conv2d(2 * ndf, 4 * ndf, 4, 2, 1), _norm(4 * ndf), nn.LeakyReLU(0.2, True),
            nn.Conv2d(4 * ndf, 8 * ndf, 4, 1, 1), _norm(8 * ndf), nn.LeakyReLU(0.2, True),
            nn.Conv2d(8 * ndf, 1, 4, 1, 1),
        )  # fmt: skip

    def forward(self, x):
        return self.net(x)
