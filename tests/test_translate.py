"""Trained translation: tiny models trained for a few steps on real pictures, checkpoints and resume, ONNX export,
tiled rendering without seams, the CLI, and one clear sentence for each kind of bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image
from tinytranslate import TINY

from artcore import translate
from artcore.cli import main
from artcore.errors import UserError
from artcore.tiles import seam_score
from artcore.translate import sketch, unpaired
from artcore.translate.common import crop_each

TINY_UNPAIRED = {**TINY["unpaired"], "batch": 2}
TINY_SKETCH = {**TINY["sketch"], "batch": 2, "lr": 5e-3}  # a fast rate, so the classes part within 3 steps
PAINTERS = ["Rembrandt", "Vincent_van_Gogh"]


@pytest.fixture(scope="module")
def photo_run(artdata, tmp_path_factory):
    out = tmp_path_factory.mktemp("translate") / "photo"
    first = unpaired.train(out, str(artdata / "monet2photo" / "photo"), str(artdata / "monet2photo" / "monet"), 5,
                           max_steps=3, **TINY_UNPAIRED)  # fmt: skip
    return out, first


@pytest.fixture(scope="module")
def sketch_run(artdata, tmp_path_factory):
    out = tmp_path_factory.mktemp("translate") / "sketch"
    first = sketch.train(out, str(artdata / "bestartworks" / "images"), 5, classes=PAINTERS, max_steps=3,
                         **TINY_SKETCH)  # fmt: skip
    return out, first


def test_unpaired_trains_checkpoints_and_resumes(photo_run, artdata):
    out, first = photo_run
    assert first["step"] == 3 and first["images_seen"] == 6
    assert all(np.isfinite(first[k]) for k in ("loss_d", "loss_gan", "loss_nce"))
    assert first["loss_nce"] > 0
    for name in ("checkpoint.pt", "model.pt", "dataset.npz", "log.jsonl", "samples/latest.png"):
        assert (out / name).is_file(), name
    assert Image.open(out / "samples" / "latest.png").size[0] > 64
    state = translate.common.read_state(out / "model.pt")
    held = state["held_out"]
    assert held and all("monet2photo/photo" in p for p in held)  # a share of the photos is kept for grading
    again = unpaired.train(out, str(artdata / "monet2photo" / "photo"), str(artdata / "monet2photo" / "monet"), 5,
                           max_steps=2, **TINY_UNPAIRED)  # fmt: skip
    assert again["step"] == 5 and again["images_seen"] == 10  # resumed, not restarted


def test_unpaired_refuses_a_different_run_in_the_same_folder(photo_run, artdata):
    out, _ = photo_run
    with pytest.raises(UserError, match="different run"):
        unpaired.train(out, str(artdata / "monet2photo" / "photo"), str(artdata / "monet2photo" / "monet"), 5,
                       max_steps=1, **{**TINY_UNPAIRED, "ngf": 8})  # fmt: skip


def test_resuming_with_other_pictures_is_refused(photo_run, artdata):
    with pytest.raises(UserError, match="was trained on .*monet2photo/photo"):
        unpaired.train(photo_run[0], str(artdata / "photos"), str(artdata / "monet2photo" / "monet"), 5, max_steps=1,
                       **TINY_UNPAIRED)  # fmt: skip


def test_sketch_trains_with_classes(sketch_run):
    out, first = sketch_run
    assert first["classes"] == PAINTERS and first["step"] == 3
    assert np.isfinite(first["loss_l1"]) and 0 < first["loss_l1"] < 2
    assert (out / "model.pt").is_file()
    grid = Image.open(out / "samples" / "latest.png")
    assert grid.size[1] > grid.size[0] // 2  # rows: drawings, paintings, one per class


def test_sketch_training_keeps_each_crop_with_its_class(sketch_run):
    # Crops once came from a reshuffled batch, so paintings and their painters' labels parted ways.
    images = np.stack([np.full((80, 80, 3), v, np.uint8) for v in (10, 20, 30, 40)])
    crops = crop_each(images, 64, np.random.default_rng(0))
    assert crops.shape == (4, 64, 64, 3) and [int(c[0, 0, 0]) for c in crops] == [10, 20, 30, 40]
    _, first = sketch_run
    assert 0 < first["loss_c"] < 5 and 0 < first["loss_cls"] < 5  # the painting-only classifier took part


def test_discriminator_augmentation_shifts_and_cuts_but_keeps_colours():
    import torch

    from artcore.translate.common import diff_augment

    x = torch.full((3, 3, 64, 64), 0.5, requires_grad=True)
    y = diff_augment(x, torch.Generator().manual_seed(0))
    assert y.shape == x.shape and set(torch.unique(y).tolist()) == {0.0, 0.5}  # moved and holed, never recoloured
    assert all((y[i] == 0).float().mean() >= 1 / 16 for i in range(3))  # each has its hole
    y.sum().backward()
    assert x.grad.abs().sum() > 0  # differentiable: the generator learns through it


def test_photo_model_exports_and_renders_any_size_without_seams(photo_run, artdata):
    model = translate.load(photo_run[0])
    assert model.kind == "unpaired" and model.classes == []
    photo = Image.open(artdata / "photos" / "tubingen.jpg")
    small = translate.translate_photo(model, photo, 256)
    assert small.shape == (192, 256, 3) and small.dtype == np.uint8 and small.std() > 1
    big = translate.translate_photo(model, photo, 2400)  # three tiles across: the cross-fades must hide the seams
    assert big.shape[1] == 2400
    assert seam_score(big, translate.TILE, translate.OVERLAP) < 1.3


def test_sketch_model_paints_each_class_differently(sketch_run, artdata):
    model = translate.load(sketch_run[0], "sketch")
    painting = np.asarray(Image.open(next((artdata / "bestartworks/images/Rembrandt").iterdir())).convert("RGB"))
    drawing = Image.fromarray(sketch.xdog(painting))
    a = translate.render_sketch(model, drawing, "Rembrandt", 256)
    b = translate.render_sketch(model, drawing, "vincent van gogh", 256)  # as people write it
    assert max(a.shape) == 256 and a.shape == b.shape
    assert np.abs(a.astype(int) - b.astype(int)).mean() > 0.5  # the class changes the picture


def test_xdog_draws_lines_on_white_paper(artdata):
    painting = np.asarray(Image.open(next((artdata / "bestartworks/images/Vincent_van_Gogh").iterdir())).convert("RGB"))
    lines = sketch.xdog(painting)
    assert lines.shape == painting.shape[:2]
    assert 0.5 < (lines > 200).mean() < 0.99  # mostly paper, but some ink
    sketch.prepare_drawing(Image.fromarray(lines))  # a drawing the model accepts


@pytest.mark.parametrize(
    ("drawing", "message"),
    [
        (Image.new("RGB", (400, 300), "white"), "blank"),
        (Image.new("RGBA", (400, 300), (0, 0, 0, 0)), "blank"),  # an untouched transparent canvas
        (Image.new("L", (20, 12), 0), "only 20×12 pixels"),
    ],
)
def test_bad_drawings_get_one_sentence(drawing, message):
    with pytest.raises(UserError, match=message):
        sketch.prepare_drawing(drawing)


def test_a_few_pixels_of_ink_is_blank():
    arr = np.full((300, 300), 255, np.uint8)
    arr[150, 150:155] = 0
    with pytest.raises(UserError, match="blank"):
        sketch.prepare_drawing(Image.fromarray(arr))


def test_unknown_class_wrong_kind_and_sizes_are_refused(photo_run, sketch_run, artdata):
    photo_model, sketch_model = translate.load(photo_run[0]), translate.load(sketch_run[0])
    drawing = Image.fromarray(sketch.xdog(np.asarray(Image.open(artdata / "photos" / "tubingen.jpg").convert("RGB"))))
    with pytest.raises(UserError, match="does not know the class 'Picasso'; it knows Rembrandt, Vincent_van_Gogh"):
        translate.render_sketch(sketch_model, drawing, "Picasso")
    with pytest.raises(UserError, match="turns photos into paintings"):
        translate.render_sketch(photo_model, drawing, "Rembrandt")
    with pytest.raises(UserError, match="turns drawings into paintings"):
        translate.translate_photo(sketch_model, drawing)
    with pytest.raises(UserError, match="out of range"):
        translate.translate_photo(photo_model, drawing, 5000)


@pytest.mark.parametrize("content", [b"", b"not a model at all", b"PK\x03\x04broken zip"])
def test_corrupt_model_file_is_one_sentence(tmp_path, content):
    bad = tmp_path / "model.pt"
    bad.write_bytes(content)
    with pytest.raises(UserError, match="is not a usable artcore translator"):
        translate.load(bad)


def test_missing_model_says_how_to_get_one(tmp_path):
    with pytest.raises(UserError, match="artcore translate train"):
        translate.load(tmp_path / "nothing.pt")


def test_cli_apply_sketch_and_info(photo_run, sketch_run, artdata, tmp_path, capsys, monkeypatch):
    photos = [str(artdata / "photos" / "tubingen.jpg"), str(artdata / "photos" / "golden_gate.jpg")]
    assert main(["translate", "apply", "--model", str(photo_run[0]), *photos, "--out", str(tmp_path / "out"),
                 "--size", "128", "--json"]) == 0  # fmt: skip
    result = json.loads(capsys.readouterr().out)
    assert [r["output"] for r in result["results"]] == [str(tmp_path / "out" / f"{n}.png") for n in ("tubingen", "golden_gate")]
    assert Image.open(tmp_path / "out" / "tubingen.png").size == (128, 96)

    drawing = tmp_path / "drawing.png"
    Image.fromarray(sketch.xdog(np.asarray(Image.open(photos[0]).convert("RGB")))).save(drawing)
    assert main(["translate", "sketch", "--model", str(sketch_run[0]), str(drawing), "--class", "Rembrandt",
                 "--out", str(tmp_path / "painted.png"), "--size", "160", "--json"]) == 0  # fmt: skip
    assert json.loads(capsys.readouterr().out)["size"] == [160, 120]
    assert Image.open(tmp_path / "painted.png").mode == "RGB"

    assert main(["translate", "sketch", "--model", str(sketch_run[0]), str(drawing), "--class", "Monet",
                 "--out", str(tmp_path / "x.png")]) == 2  # fmt: skip
    assert "does not know the class 'Monet'" in capsys.readouterr().err

    monkeypatch.setattr(translate, "DEFAULT_PHOTO", photo_run[0] / "model.pt")
    monkeypatch.setattr(translate, "DEFAULT_SKETCH", sketch_run[0] / "model.pt")
    assert main(["translate", "info", "--json"]) == 0
    models = json.loads(capsys.readouterr().out)["models"]
    kinds = {m["path"]: (m["kind"], m["classes"]) for m in models}
    assert kinds[str(photo_run[0] / "model.pt")] == ("unpaired", [])
    assert kinds[str(sketch_run[0] / "model.pt")] == ("sketch", PAINTERS)
    assert all(set(m) == {"name", "kind", "path", "classes"} for m in models)


def test_cli_train_writes_a_model(artdata, tmp_path, capsys):
    out = tmp_path / "run"
    args = ["translate", "train", "--kind", "sketch", "--to", str(artdata / "bestartworks" / "images"), "--classes",
            ",".join(PAINTERS), "--minutes", "2", "--res", "64", "--max-steps", "1", "--out", str(out), "--json"]  # fmt: skip
    assert main(args) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["step"] == 1 and (out / "model.pt").is_file()
    assert main(["translate", "train", "--kind", "unpaired", "--to", str(tmp_path), "--out", str(tmp_path / "r")]) == 2
    assert "needs --from" in capsys.readouterr().err
