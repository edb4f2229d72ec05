"""The projected GAN (``--arch projected``): it trains on real paintings with Lite0 frozen while gradients reach the
generator through it, resumes where it stopped, and its model generates, mixes classes, walks and projects like the
StyleGAN one; model files from before ``arch`` existed still load."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from artcore.config import PROJECT_ROOT
from artcore.errors import UserError
from artcore.gan import generate as gan
from artcore.gan import train as T
from artcore.gan.model import GanConfig, Generator
from artcore.gan.projected import FastGenerator, ProjectedDiscriminator

PAINTERS = ("Caravaggio", "Claude_Monet")
TINY = {"res": 32, "batch": 4, "channel_base": 256}


@pytest.fixture(scope="module")
def painters(artdata, tmp_path_factory) -> Path:
    """8 paintings by each of two painters (bestartworks), linked into a folder-per-label tree."""
    root = tmp_path_factory.mktemp("painters")
    for name in PAINTERS:
        (root / name).mkdir()
        for f in sorted((artdata / "bestartworks" / "images" / name).iterdir())[:8]:
            (root / name / f.name).symlink_to(f)
    return root


@pytest.fixture(scope="module")
def projected_run(painters, tmp_path_factory) -> Path:
    """A tiny projected GAN trained for 8 images (2 steps) through the CLI."""
    run = tmp_path_factory.mktemp("projected") / "run"
    proc = subprocess.run([sys.executable, "-m", "artcore", "gan", "train", "--data", str(painters),
                           "--arch", "projected", "--res", "32", "--channel-base", "256", "--batch", "4", "--max-images", "8",
                           "--minutes", "5", "--out", str(run), "--json"],
                          capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=600)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    assert result["arch"] == "projected" and result["images_seen"] == 8 and result["classes"] == list(PAINTERS)
    return run


def test_generator_gets_gradients_through_frozen_lite0():
    from artcore.gan.augment import diff_augment

    cfg = GanConfig(resolution=32, num_classes=2, channel_base=256, arch="projected")
    G, D = FastGenerator(cfg), ProjectedDiscriminator(cfg)
    D.requires_grad_(False)  # as the trainer does around the generator's step ...
    D.requires_grad_(True)  # ... which must not unfreeze Lite0 or the mixing layers
    D.train()
    assert not D.lite0.training
    frozen = [*D.lite0.parameters(), *D.ccm.parameters(), *D.csm_match.parameters(), *D.csm.parameters()]
    assert not any(p.requires_grad for p in frozen)
    c = torch.eye(2)[[0, 1, 0, 1]]
    logits = D(diff_augment(G(torch.randn(4, cfg.z_dim), c)), c)
    assert logits.shape == (4, 4 * 16)  # four scales, a 4×4 map of logits each
    (-logits.mean()).backward()
    assert all(p.grad is None for p in frozen)
    assert all(p.grad is not None for p in D.heads.parameters())
    # The generator's first layers get a gradient: it crossed the heads, the mixing layers and Lite0.
    assert G.init.weight.grad.abs().sum() > 0 and G.mapping[0].weight.grad.abs().sum() > 0


def test_training_keeps_lite0_frozen_and_resumes(projected_run, painters, tmp_path):
    from artcore import lite0

    run = tmp_path / "run"
    shutil.copytree(projected_run, run)
    before = torch.load(run / T.CHECKPOINT, weights_only=False)
    assert before["config"]["arch"] == "projected" and before["images_seen"] == 8 and before["step"] == 2
    result = T.train_run(run, TINY["res"], 5, data_dir=painters, batch=TINY["batch"],
                         channel_base=TINY["channel_base"], max_images=16)  # fmt: skip
    assert result["arch"] == "projected"  # the run's own, without asking
    assert result["images_seen"] == 16 and result["step"] == 4  # 2 steps before, 2 now: it went on, not from 0
    after = torch.load(run / T.CHECKPOINT, weights_only=False)

    fresh = lite0.load().state_dict()
    for state in (before, after):
        assert all(torch.equal(state["D"][f"lite0.{k}"], v) for k, v in fresh.items()), "Lite0 weights moved"
    fixed = [k for k in after["D"] if k.startswith(("ccm.", "csm"))]
    assert fixed and all(torch.equal(before["D"][k], after["D"][k]) for k in fixed), "mixing layers moved"
    heads = [k for k in after["D"] if k.startswith("heads.")]
    assert any(not torch.equal(before["D"][k], after["D"][k]) for k in heads), "the heads did not learn"
    assert any(not torch.equal(before["G"][k], after["G"][k]) for k in after["G"]), "the generator did not learn"

    model = gan.load_model(run)
    assert isinstance(model.G, FastGenerator)
    saved = model.G.state_dict()
    assert all(torch.equal(saved[k], v.to(saved[k].dtype)) for k, v in after["G_ema"].items())
    with pytest.raises(UserError, match="holds a projected run"):
        T.train_run(run, TINY["res"], 5, data_dir=painters, arch="stylegan", max_images=20)


def test_projected_model_mixes_walks_and_projects(projected_run, painters, tmp_path):
    from artcore.gan.project import project

    model = gan.load_model(projected_run)
    mix = model.class_vector({"Caravaggio": 0.7, "Claude_Monet": 0.3})
    images = gan.generate(model, [0, 1, 2], mix)
    assert images.shape == (3, 32, 32, 3) and images.dtype == np.uint8
    assert gan.class_rows(model, [0, 1]).shape == (2, 2, 32, 32, 3)

    start, end = gan.endpoint(model, "seed:1"), gan.endpoint(model, "class:Claude_Monet", seed=2)
    frames = gan.walk(model, start, end, frames=4)
    assert frames.shape == (4, 32, 32, 3)
    first = gan.generate(model, [1], model.class_vector({model.classes[0]: 1}))[0]
    assert np.abs(frames[0].astype(int) - first).max() <= 1  # the walk starts on its seed's picture

    painting = sorted((painters / "Claude_Monet").iterdir())[0]
    proj = project(model, painting, steps=3)
    assert proj.image.shape == (32, 32, 3) and len(proj.losses) == 3 and np.isfinite(proj.psnr)
    assert len(proj.noise) == model.G.num_layers
    saved = gan.endpoint(model, f"image:{proj.save(tmp_path / 'proj.npz')}")
    assert gan.walk(model, saved, start, frames=3).shape == (3, 32, 32, 3)


def test_model_file_without_arch_loads_as_stylegan():
    state = torch.load(gan.DEFAULT_MODEL, map_location="cpu", weights_only=False)
    assert "arch" not in state["config"]  # written before the field existed
    model = gan.load_model(None)
    assert isinstance(model.G, Generator) and model.G.cfg.arch == "stylegan"
    images = gan.generate(model, [0, 1], model.class_vector({model.classes[0]: 1}))
    assert images.shape == (2, 32, 32, 3)


def test_unknown_arch_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="unknown GAN architecture"):
        GanConfig(arch="biggan")
    images, labels = np.zeros((2, 32, 32, 3), np.uint8), np.array([0, 1])
    with pytest.raises(UserError, match="unknown GAN architecture"):
        T.train(images, labels, ["a", "b"], tmp_path, minutes=1, resolution=32, arch="biggan")
