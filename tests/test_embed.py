"""Embeddings: encoders agree with the torch network, bad files fail clearly, and nothing is computed twice."""

from __future__ import annotations

import json

import numpy as np
import pytest

from artcore import embed
from artcore.cli import main
from artcore.errors import UserError
from artcore.imageio import ImageError, file_sha256


@pytest.fixture
def three_paintings(artdata):
    return [next((artdata / "artist10" / a).glob("*.jpg")) for a in ("Monet", "VanGogh", "Degas")]


def test_encoders_describe_their_blocks():
    for enc in embed.ENCODERS.values():
        spans = enc.blocks()
        assert spans[0][1] == 0 and spans[-1][2] == enc.dim
        assert all(a[2] == b[1] for a, b in zip(spans, spans[1:]))
    with pytest.raises(UserError, match="unknown encoder"):
        embed.get_encoder("resnet")


def test_onnx_features_match_the_torch_network(three_paintings):
    import torch

    from artcore import lite0, registry

    X = embed.compute(three_paintings, "lite0-texture")
    assert X.shape == (3, embed.ENCODERS["lite0-texture"].dim) and np.isfinite(X).all()
    img = embed._load(three_paintings[0], embed._decode_side(embed.ENCODERS["lite0"]))  # as compute() decodes
    x = torch.from_numpy(embed._prepare(embed.ENCODERS["lite0"], img)).permute(0, 3, 1, 2)
    net = registry.get("lite0")
    with torch.no_grad():
        last = lite0.block_outputs(net, x, (15,))[-1]
        head = net._swish(net._bn1(net._conv_head(last))).mean((2, 3))[0].numpy()
    np.testing.assert_allclose(embed.compute(three_paintings[:1], "lite0")[0], head, rtol=1e-3, atol=1e-3)


def test_crops_average_a_grid_of_crops(three_paintings):
    """lite0-crops: the mean of the texture features of a 3×3 grid of 224-px crops of the picture at 768 px."""
    from PIL import Image

    enc = embed.ENCODERS["lite0-crops"]
    img = embed._load(three_paintings[1], embed._decode_side(enc))
    assert max(img.size) == 768
    crops = embed._prepare(enc, img)
    assert crops.shape == (9, 224, 224, 3)
    np.testing.assert_array_equal(crops[0], np.asarray(img.crop((0, 0, 224, 224)), np.float32) / 255)
    x = embed.compute([Image.fromarray((crops[4] * 255).astype(np.uint8))], "lite0-crops")  # a small picture
    assert x.shape == (1, enc.dim) and np.isfinite(x).all()
    np.testing.assert_allclose(
        embed.compute([img], "lite0-crops")[0], embed._run(enc, crops).mean(0), rtol=1e-4, atol=1e-4
    )


def test_second_run_computes_nothing(tmp_path, three_paintings):
    store = embed.EmbeddingStore.for_file(tmp_path / "cache.sqlite")
    items = [(file_sha256(p), p) for p in three_paintings]
    first, n1 = embed.cached(store, items, "combined")
    again, n2 = embed.cached(store, items, "combined")
    part, n3 = embed.cached(store, items, "magenta")  # a composite's parts are cached on their own
    assert (n1, n2, n3) == (3, 0, 0)
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(first[:, -100:], part)


def test_cli_embed_fills_the_library_once(tmp_path, three_paintings, capsys):
    from artcore.library import Library

    lib = Library(tmp_path / "lib")
    for p in three_paintings:
        lib.add_bytes(p.read_bytes(), source="folder", original=str(p), artist=p.parent.name)
    runs = []
    for _ in range(2):
        assert main(["embed", "--library", str(lib.root), "--encoder", "lite0", "--json"]) == 0
        runs.append(json.loads(capsys.readouterr().out))
    assert [r["computed"] for r in runs] == [3, 0] and runs[1]["images"] == 3


def test_bad_input_is_a_clear_error(tmp_path):
    bad = tmp_path / "notes.jpg"
    bad.write_text("not a picture")
    with pytest.raises(ImageError, match="notes.jpg: not an image"):
        embed.compute([bad], "lite0")
    (tmp_path / "empty" / "Monet").mkdir(parents=True)
    with pytest.raises(UserError, match="no images in sub-folders"):
        embed.folder_images(tmp_path / "empty")
