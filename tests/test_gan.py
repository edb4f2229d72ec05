"""The conditional GAN: a tiny model trains on real paintings, checkpoints, resumes after a kill (also across two
processes), and every CLI command writes readable outputs; the shipped model paints its classes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from artcore.config import PROJECT_ROOT
from artcore.gan import generate as gan
from artcore.gan import train as T

TINY = ["--res", "32", "--channel-base", "256", "--batch", "8"]


def cli(*args, check: bool = True, **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "artcore", *map(str, args)], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, timeout=600, **kw)  # fmt: skip
    if check:
        assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


@pytest.fixture(scope="module")
def genre_subset(artdata, tmp_path_factory) -> Path:
    """12 paintings of each of genre4's four genres, linked into a folder-per-label tree."""
    root = tmp_path_factory.mktemp("genre_subset")
    for genre in sorted(p for p in (artdata / "genre4").iterdir() if p.is_dir()):
        (root / genre.name).mkdir()
        for f in sorted(genre.iterdir())[:12]:
            (root / genre.name / f.name).symlink_to(f)
    return root


@pytest.fixture(scope="module")
def tiny_run(genre_subset, tmp_path_factory) -> Path:
    """A tiny model trained for 96 images through the CLI."""
    run = tmp_path_factory.mktemp("gan") / "run"
    out = cli("gan", "train", "--data", genre_subset, *TINY, "--max-images", 96, "--minutes", 5, "--out", run, "--json")
    result = json.loads(out.stdout)
    assert result["images_seen"] == 96 and result["classes"] == ["Genre", "Landscape", "Naturmort", "Portrait"]
    return run


def test_training_writes_checkpoint_model_samples_and_finite_losses(tiny_run):
    for name in ("checkpoint.pt", "model.pt", "dataset.npz", "samples/latest.png", "log.jsonl"):
        assert (tiny_run / name).is_file(), name
    grid = Image.open(tiny_run / "samples" / "latest.png")
    assert grid.size == (8 * 34 - 2, 4 * 34 - 2)  # 8 seeds × 4 classes of 32 px with 2 px gaps
    state = torch.load(tiny_run / "checkpoint.pt", weights_only=False)
    assert state["images_seen"] == 96 and state["step"] == 12
    lines = [json.loads(line) for line in (tiny_run / "log.jsonl").read_text().splitlines()]
    assert lines, "no loss log"
    assert all(np.isfinite([r["loss_g"], r["loss_d"]]).all() for r in lines)


def test_resume_continues_from_checkpoint(tiny_run, genre_subset, tmp_path):
    run = tmp_path / "run"
    import shutil

    shutil.copytree(tiny_run, run)
    result = json.loads(cli("gan", "train", "--data", genre_subset, *TINY, "--max-images", 160, "--minutes", 5,
                            "--out", run, "--json").stdout)  # fmt: skip
    assert result["images_seen"] == 160 and result["step"] == 20  # 12 steps before, 8 now


def test_training_resumes_after_a_kill(genre_subset, tmp_path):
    run = tmp_path / "run"
    args = [sys.executable, "-m", "artcore", "gan", "train", "--data", str(genre_subset), *TINY, "--minutes", "5",
            "--checkpoint-minutes", "0.01", "--out", str(run)]  # fmt: skip
    proc = subprocess.Popen(args, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline:
            ckpt = run / "checkpoint.pt"
            if ckpt.exists() and torch.load(ckpt, weights_only=False)["images_seen"] >= 32:
                break
            time.sleep(0.5)
        else:
            pytest.fail("no checkpoint within 4 minutes")
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    before = torch.load(run / "checkpoint.pt", weights_only=False)["images_seen"]
    result = json.loads(cli("gan", "train", "--data", genre_subset, *TINY, "--max-images", before + 16,
                            "--minutes", 5, "--out", run, "--json").stdout)  # fmt: skip
    assert result["images_seen"] == before + 16


def test_two_processes_train_one_model(genre_subset, tmp_path):
    """torchrun with two CPU processes (Gloo): gradients are averaged, process 0 writes the model."""
    run = tmp_path / "ddp"
    proc = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
                           "-m", "artcore", "gan", "train", "--data", str(genre_subset), *TINY, "--max-images", "32",
                           "--minutes", "5", "--out", str(run), "--json"],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    state = torch.load(run / "checkpoint.pt", weights_only=False)
    assert state["images_seen"] == 32 and state["step"] == 2  # 2 processes × 8 images × 2 steps


def test_info_and_generate_cli(tiny_run, tmp_path):
    info = json.loads(cli("gan", "info", "--model", tiny_run, "--json").stdout)
    assert info["classes"] == ["Genre", "Landscape", "Naturmort", "Portrait"]
    assert info["resolution"] == 32 and info["trained_images"] == 96
    out = tmp_path / "grid.png"
    res = json.loads(cli("gan", "generate", "--model", tiny_run, "--seeds", "0-5", "--class", "Landscape@0.7",
                         "--class", "Portrait@0.3", "--columns", 3, "--out", out, "--json").stdout)  # fmt: skip
    img = Image.open(out)
    assert res["images"] == 6 and img.size == (3 * 128 + 2 * 4, 2 * 128 + 4)  # enlarged 4× to 128 px
    rows = tmp_path / "rows.png"
    cli("gan", "generate", "--model", tiny_run, "--seeds", "0-3", "--out", rows)
    assert Image.open(rows).size == (4 * 128 + 3 * 4, 4 * 128 + 3 * 4)  # one row per class


@pytest.mark.parametrize(("args", "message"), [
    (["--class", "Cubism"], "no class 'Cubism'"),
    (["--class", "Landscape@0"], "sum to zero"),
    (["--seeds", "a-b"], "seeds 'a-b'"),
])  # fmt: skip
def test_generate_bad_input_is_a_clear_error(tiny_run, tmp_path, args, message):
    proc = cli("gan", "generate", "--model", tiny_run, *args, "--out", tmp_path / "x.png", check=False)
    assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr


def test_generate_into_a_folder_writes_one_png_per_class_and_seed(tiny_run, tmp_path):
    out = tmp_path / "each"
    result = json.loads(cli("gan", "generate", "--model", tiny_run, "--seeds", "3-4", "--out", f"{out}/",
                            "--json").stdout)  # fmt: skip
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(f"{c}_{s}.png" for c in ("Genre", "Landscape", "Naturmort", "Portrait") for s in (3, 4))
    assert result["images"] == 8 and sorted(Path(f).name for f in result["files"]) == names
    model = gan.load_model(tiny_run)
    first = gan.generate(model, [3], model.class_vector({"Landscape": 1}))[0]
    with Image.open(out / "Landscape_3.png") as im:
        assert im.size == (32, 32)  # the model's own resolution, not the enlarged grid
        assert np.array_equal(np.asarray(im.convert("RGB")), first)
    cli("gan", "generate", "--model", tiny_run, "--seeds", "3", "--class", "Landscape@0.7", "--class",
        "Portrait@0.3", "--out", out)  # an existing folder; a class mix is named by its shares
    assert (out / "Landscape-70+Portrait-30_3.png").is_file()


def test_a_trial_projected_gan_file_is_a_clear_error(tmp_path):
    old = tmp_path / "trial.pt"
    torch.save({"format": "artcore-gan-1", "config": {"resolution": 32, "num_classes": 4, "arch": "projected"},
                "classes": list("abcd"), "G_ema": {}}, old)  # fmt: skip
    proc = cli("gan", "info", "--model", old, check=False)
    assert proc.returncode == 2 and "train a new model" in proc.stderr and "Traceback" not in proc.stderr


def test_missing_model_is_a_clear_error(tmp_path):
    proc = cli("gan", "info", "--model", tmp_path / "nothing.pt", check=False)
    assert proc.returncode == 2 and "no GAN model" in proc.stderr


def test_class_mix_moves_between_classes(tiny_run):
    model = gan.load_model(tiny_run)
    seeds = [0, 1, 2]
    a = gan.generate(model, seeds, model.class_vector({"Landscape": 1})).astype(float)
    b = gan.generate(model, seeds, model.class_vector({"Portrait": 1})).astype(float)
    mid = gan.generate(model, seeds, model.class_vector({"Landscape": 0.5, "Portrait": 0.5})).astype(float)
    assert np.abs(a - b).mean() > 0
    assert np.abs(mid - a).mean() < np.abs(b - a).mean() and np.abs(mid - b).mean() < np.abs(a - b).mean()


def _frames(path: Path) -> list[np.ndarray]:
    from artcore.video import read_frames

    return list(read_frames(path))


def test_walk_between_seeds_classes_and_an_image(tiny_run, artdata, tmp_path):
    out = tmp_path / "walk.mp4"
    res = json.loads(cli("gan", "walk", "--model", tiny_run, "--from", "seed:1", "--to", "seed:2", "--frames", 8,
                         "--out", out, "--json").stdout)  # fmt: skip
    frames = _frames(out)
    assert res["frames"] == 8 and len(frames) == 8 and frames[0].shape == (256, 256, 3)
    # A smooth walk: each step is small next to the distance between the two ends.
    steps = [np.abs(frames[i + 1].astype(float) - frames[i]).mean() for i in range(7)]
    assert max(steps) < np.abs(frames[-1].astype(float) - frames[0]).mean()
    gif = tmp_path / "walk.gif"
    cli("gan", "walk", "--model", tiny_run, "--from", "class:Landscape", "--to", "class:Portrait", "--frames", 6,
        "--loop", "--out", gif)  # fmt: skip
    assert Image.open(gif).n_frames == 10  # 6 there, 4 back
    photo = sorted((artdata / "photos").iterdir())[0]
    cli("gan", "walk", "--model", tiny_run, "--from", f"image:{photo}", "--to", "seed:3", "--frames", 4,
        "--project-steps", 5, "--out", tmp_path / "img.mp4")  # fmt: skip
    assert len(_frames(tmp_path / "img.mp4")) == 4


def test_projection_reduces_its_loss_and_saves(tiny_run, artdata, tmp_path):
    painting = sorted((artdata / "genre4" / "Landscape").iterdir())[0]
    out, png = tmp_path / "proj.npz", tmp_path / "proj.png"
    res = json.loads(cli("gan", "project", "--model", tiny_run, painting, "--steps", 30, "--out", out, "--png", png,
                         "--json").stdout)  # fmt: skip
    saved = np.load(out)
    assert saved["w"].shape == (1, 128) and saved["image"].shape == (32, 32, 3) and res["steps"] == 30
    assert Image.open(png).size == (3 * 256 + 2 * 8, 256)
    from artcore.gan.project import project

    proj = project(gan.load_model(tiny_run), painting, steps=30)
    assert proj.losses[-1] < proj.losses[0]
    assert np.isfinite(proj.psnr)


def test_style_walk_cli_glides_between_styles(artdata, tmp_path):
    photo = sorted((artdata / "photos").iterdir())[0]
    style = sorted((artdata / "styles").iterdir())[0]
    out = tmp_path / "style.mp4"
    res = json.loads(cli("style", "walk", photo, "--from", "builtin:3", "--to", style, "--frames", 5, "--size", 128,
                         "--out", out, "--json").stdout)  # fmt: skip
    frames = [f.astype(float) for f in _frames(out)]
    assert res["frames"] == 5 and len(frames) == 5 and max(frames[0].shape[:2]) == 128
    # Each frame is further from the first style than the one before it.
    dist = [np.abs(f - frames[0]).mean() for f in frames]
    assert all(b > a for a, b in zip(dist, dist[1:])), dist


def test_style_walk_bad_source_is_a_clear_error(artdata, tmp_path):
    photo = sorted((artdata / "photos").iterdir())[0]
    proc = cli("style", "walk", photo, "--from", "builtin:99", "--to", "builtin:1", "--out", tmp_path / "x.mp4",
               check=False)  # fmt: skip
    assert proc.returncode == 2 and "builtin:0 to builtin:25" in proc.stderr


# ---------------------------------------------------------------- the shipped model


@pytest.fixture(scope="module")
def shipped():
    if not gan.DEFAULT_MODEL.is_file():
        pytest.fail(f"the shipped model {gan.DEFAULT_MODEL} is missing")
    return gan.load_model(None)


def test_shipped_model_info_contract(shipped):
    info = json.loads(cli("gan", "info", "--json").stdout)
    assert info["classes"] == ["Genre", "Landscape", "Naturmort", "Portrait"]
    assert info["resolution"] == 32 and info["trained_images"] > 50_000
    assert {"class_fidelity", "fd", "fd_floor"} <= set(info["metrics"])


def test_shipped_model_paints_its_classes(shipped, artdata):
    """Class fidelity on 30 fresh samples per class, judged by a classifier trained on the real paintings."""
    from artcore.gan.metrics import features, real_classifier

    # Judged on Lite0 features: a network its (pixel-space) discriminator never looked through.
    images, labels, classes, _ = T.folder_dataset(artdata / "genre4", 32)
    clf = real_classifier(features(images, encoder="lite0"), labels)
    seeds = list(range(5000, 5030))
    fake = np.concatenate([gan.generate(shipped, seeds, shipped.class_vector({c: 1})) for c in classes])
    fidelity = (clf.predict(features(fake, encoder="lite0")) == np.repeat(np.arange(4), 30)).mean()
    assert fidelity >= 0.5, fidelity  # chance is 0.25
