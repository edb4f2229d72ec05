"""Gatys optimisation: a few steps lower the style distance, previews arrive, cancel stops early, bad input is clear."""

from __future__ import annotations

import pytest
from PIL import Image

from artcore.errors import UserError
from artcore.style.gatys import GatysSettings, gatys
from artcore.style.metrics import style_distance


@pytest.fixture(scope="module")
def pair(artdata):
    return (Image.open(artdata / "photos" / "sailboat.jpg").convert("RGB"),
            Image.open(artdata / "styles" / "vangogh_starry_night.jpg").convert("RGB"))


def test_steps_reduce_style_loss_with_previews(pair):
    content, style = pair
    seen = []

    def cb(step, total, loss, preview):
        seen.append((step, loss, preview))

    out = gatys(content, style, GatysSettings(steps=12, size=160, lr=0.05), callback=cb, preview_every=5)
    assert max(out.size) == 160
    assert seen[-1][1] < 0.5 * seen[0][1]  # total loss falls
    assert [s for s, _, p in seen if p is not None] == [5, 10, 12]
    start = content.resize(out.size)
    assert style_distance(out, style, side=160) < style_distance(start, style, side=160)  # at Gatys's own scale


def test_cancel_and_noise_init(pair):
    content, style = pair
    steps = []
    out = gatys(content, style, GatysSettings(steps=50, size=96, init="noise"),
                callback=lambda s, t, loss, p: steps.append(s) or s < 3)
    assert steps == [1, 2, 3] and max(out.size) == 96


@pytest.mark.parametrize("settings,words", [
    (GatysSettings(steps=0), "steps"), (GatysSettings(size=8), "size"), (GatysSettings(lr=0), "learning rate"),
    (GatysSettings(init="x"), "init"), (GatysSettings(network="vgg19"), "VGG19|torchvision")])
def test_bad_settings(pair, settings, words):
    with pytest.raises(UserError, match=words):
        gatys(*pair, settings)


def test_lite0_loaded_in_inference_mode_still_trains():
    """The metrics may load the network first, inside inference mode; Gatys must still backpropagate through it."""
    import torch

    from artcore import lite0

    with torch.inference_mode():
        net = lite0.load()
    assert not any(p.is_inference() for p in net.parameters())
    x = torch.rand(1, 3, 64, 64, requires_grad=True)
    sum(f.mean() for f in lite0.block_outputs(net, x, (0, 2))).backward()
    assert x.grad is not None
