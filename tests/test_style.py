"""Fast style transfer: outputs move toward the style and keep the content, sizes are exact, tiles leave no seams,
bad input fails with one clear sentence, and the CLI keeps its contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from artcore.errors import UserError
from artcore.style import StyleSource, parse_source
from artcore.style.metrics import content_distance, style_distance
from artcore.style.render import stylize
from artcore.tiles import ramps, render_tiled, seam_score, spans


@pytest.fixture(scope="module")
def content(artdata):
    return Image.open(artdata / "photos" / "tubingen.jpg").convert("RGB")


@pytest.fixture(scope="module")
def style_path(artdata):
    return artdata / "styles" / "vangogh_starry_night.jpg"


@pytest.fixture(scope="module")
def styled(content, style_path):
    return stylize(content, [StyleSource("image", style_path)], size=512)


def test_output_moves_toward_style_and_keeps_content(content, style_path, styled):
    style = Image.open(style_path).convert("RGB")
    small = content.resize(styled.size)
    assert style_distance(styled, style) < 0.5 * style_distance(small, style)
    other = Image.open(style_path.parent.parent / "photos" / "golden_gate.jpg").convert("RGB")
    # still the same scene: much closer to its own content than to another photo
    assert content_distance(styled, small) < 0.7 * content_distance(other, small)


def test_strength_zero_stays_closer_to_content(content, style_path, styled):
    weak = stylize(content, [StyleSource("image", style_path)], size=512, strength=0.2)
    small = content.resize(styled.size)
    assert content_distance(weak, small) < content_distance(styled, small)


def test_builtin_blend_and_preserve_color(content):
    out = stylize(content, [StyleSource("builtin", 3, 0.7), StyleSource("builtin", 12, 0.3)], size=300,
                  preserve_color=True)
    assert out.size == (300, 225)
    src = np.asarray(content.resize(out.size).convert("YCbCr"), np.float32)[..., 1:]
    got = np.asarray(out.convert("YCbCr"), np.float32)[..., 1:]
    assert np.abs(src - got).mean() < 6  # chroma kept up to clipping
    plain = stylize(content, [StyleSource("builtin", 3)], size=300)
    assert np.abs(np.asarray(plain.convert("YCbCr"), np.float32)[..., 1:] - src).mean() > np.abs(src - got).mean()


@pytest.mark.parametrize("size,expected", [(333, (333, 250)), (97, (97, 73))])
def test_sizes_are_exact_not_upscaled(content, style_path, size, expected):
    assert stylize(content, [StyleSource("image", style_path)], size=size).size == expected


def test_huge_content_is_scaled_to_the_default_cap():
    from artcore.style.render import DEFAULT_MAX

    wide = Image.new("RGB", (DEFAULT_MAX * 2, 96), (120, 160, 200))
    assert stylize(wide, [StyleSource("builtin", 0)]).size == (DEFAULT_MAX, 48)


def test_style_scale_changes_the_result(content, style_path):
    a = np.asarray(stylize(content, [StyleSource("image", style_path)], size=256, style_scale=128), np.float32)
    b = np.asarray(stylize(content, [StyleSource("image", style_path)], size=256, style_scale=512), np.float32)
    assert np.abs(a - b).mean() > 3


def test_tiles_partition_of_unity_and_identity():
    for length, tile, overlap in [(4096, 1152, 128), (4096, 1024, 128), (1500, 1024, 128), (3001, 700, 64), (1600, 512, 96)]:
        w = np.zeros(length, np.float32)
        for (s, e), r in zip(spans(length, tile, overlap), ramps(spans(length, tile, overlap)), strict=True):
            assert e - s <= tile and e <= length
            w[s:e] += r
        np.testing.assert_allclose(w, 1.0, atol=1e-5)
    img = np.random.default_rng(0).integers(0, 256, (300, 410, 3), dtype=np.uint8)
    out = render_tiled(img, lambda t: t.astype(np.float32) / 255.0, tile=128, overlap=32)
    assert np.abs(out.astype(int) - img).max() <= 1


def test_tiled_rendering_has_no_seams(content, style_path):
    # 1600 px is tiled (> WHOLE_MAX) with small tiles so that many borders are measured
    out = stylize(content, [StyleSource("image", style_path)], size=1600, tile=512, overlap=96)
    assert out.size == (1600, 1200)
    assert seam_score(np.asarray(out), 512, 96) < 1.15


def test_prepared_transformer_matches_the_shipped_graph(content, style_path):
    """The rewritten graph (fused ops, float activations) renders what the shipped 8-bit graph renders at 384 px,
    up to the 8-bit rounding it drops, and keeps no activation Quantize→Dequantize pair."""
    import onnx
    import onnxruntime as ort

    from artcore import registry
    from artcore.style import _model_file, graphs, style_vector

    source = _model_file("arbitrary_transform")
    ops = [n.op_type for n in onnx.load_from_string(graphs.build(source)).graph.node]
    shipped_ops = [n.op_type for n in onnx.load(str(source)).graph.node]
    assert ops.count("QuantizeLinear") < shipped_ops.count("QuantizeLinear") / 3
    assert "Resize" not in ops and "InstanceNormalization" not in shipped_ops
    x = (np.asarray(content.resize((384, 384)), np.float32) / 255.0)[None]
    vec = style_vector(style_path).reshape(1, 1, 1, 100).astype(np.float32)
    shipped = ort.InferenceSession(str(source), providers=["CPUExecutionProvider"])
    prepared = registry.get("magenta-transform")
    a, b = (np.clip(s.run(None, dict(zip([i.name for i in s.get_inputs()], (x, vec), strict=True)))[0], 0, 1)
            for s in (shipped, prepared))  # fmt: skip
    psnr = 10 * np.log10(1.0 / np.mean((a - b) ** 2))
    assert psnr > 22, psnr


def test_registry_prefetch_builds_once():
    from artcore import registry

    calls = []

    @registry.loader("test-slow-model")
    def slow():
        import time

        time.sleep(0.3)
        calls.append(1)
        return object()

    registry.prefetch("test-slow-model")
    model = registry.get("test-slow-model")  # waits for the background build instead of starting another
    assert registry.get("test-slow-model") is model and calls == [1]


@pytest.mark.parametrize("spec,kind,value,weight", [
    ("builtin:7@0.5", "builtin", 7, 0.5), ("artist:Van Gogh@2", "artist", "Van Gogh", 2.0),
    ("a@b/x.jpg", "image", "a@b/x.jpg", 1.0), ("p.png@.25", "image", "p.png", 0.25)])
def test_parse_source(spec, kind, value, weight):
    s = parse_source(spec)
    assert (s.kind, s.value, s.weight) == (kind, value, weight)


@pytest.mark.parametrize("spec", ["builtin:26", "builtin:x", "p.png@-1"])
def test_parse_source_rejects(spec):
    with pytest.raises(UserError):
        parse_source(spec)


def test_bad_inputs_give_clear_errors(tmp_path, content, style_path):
    tiny = tmp_path / "tiny.png"
    Image.new("RGB", (20, 40)).save(tiny)
    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"not an image at all")
    src = [StyleSource("image", style_path)]
    cases = [
        (lambda: stylize(tiny, src), "too small"),
        (lambda: stylize(junk, src), "not an image"),
        (lambda: stylize(content, [StyleSource("image", junk)]), "not an image"),
        (lambda: stylize(content, [StyleSource("image", tmp_path / "missing.jpg")]), "cannot read"),
        (lambda: stylize(content, [StyleSource("builtin", 1, 0.0)]), "sum to zero"),
        (lambda: stylize(content, src, strength=1.5), "strength"),
        (lambda: stylize(content, src, size=10), "size"),
        (lambda: stylize(content, []), "at least one style"),
    ]
    for call, words in cases:
        with pytest.raises(UserError, match=words):
            call()


def test_unknown_artist(tmp_path, content):
    from artcore.library import Library

    with pytest.raises(UserError, match="no works with artist 'Nobody'"):
        stylize(content, [StyleSource("artist", "Nobody")], size=64, library=Library(tmp_path / "lib"))


def test_artist_style_is_its_most_typical_works_cached_and_some_can_be_left_out(tmp_path, artdata, content):
    from artcore.library import Library
    from artcore.style import label_style, label_vector, painters, style_vector

    lib = Library(tmp_path / "lib")
    files = sorted((artdata / "artist10" / "Monet").glob("*.jpg"))[:7]
    for f in files:
        lib.add_bytes(f.read_bytes(), source="test", original=str(f), artist="Monet")
    vec, used = label_style(lib, "artist", "Monet")
    by_file = {Path(r["original"]).name: r for r in lib.records()}
    own = {name: style_vector(artdata / "artist10" / "Monet" / name, painters.SCALE) for name in by_file}
    names = [Path(r["original"]).name for r in used]
    np.testing.assert_allclose(vec, np.mean([own[n] for n in names], axis=0), atol=1e-4)
    # The most typical (smallest mean distance to the others) first, as many as the default choice takes.
    all_names = sorted(own)
    typ = painters.typicality(np.stack([own[n] for n in all_names]))
    chosen = painters.choose(np.stack([own[n] for n in all_names]))
    assert 1 < len(used) < 7 and names == [all_names[i] for i in np.argsort(typ)[: len(chosen)]]
    with lib.connect() as db:
        assert db.execute("SELECT COUNT(*) FROM style_vectors").fetchone()[0] == 7
    # A work left out is not used; the style is chosen again from the rest.
    vec2, again = label_style(lib, "artist", "Monet", exclude=[used[0]["sha256"]])
    assert used[0]["sha256"] not in {r["sha256"] for r in again} and again and not np.allclose(vec, vec2)
    with pytest.raises(UserError, match="keep at least one"):
        label_vector(lib, "artist", "Monet", exclude=[r["sha256"] for r in lib.records()])
    out = stylize(content, [StyleSource("artist", "Monet", 0.7), StyleSource("builtin", 2, 0.3)], size=128,
                  library=lib)
    assert out.size == (128, 96)


def test_painter_choices():
    from artcore.style import painters

    v = np.array([[0.0, 0], [1, 0], [-1, 0], [0, 1], [10, 10]])  # the centre, three near it, an outlier
    assert list(painters.choose(v, "medoid")) == [0]
    assert list(painters.choose(v, "typical", 2)) == [0, 3]  # (0, 1) is nearer the outlier than (1, 0) and (-1, 0)
    assert sorted(painters.choose(v, "mean")) == [0, 1, 2, 3, 4]
    np.testing.assert_allclose(painters.painter_vector(v, "typical", 4)[0], [0, 0.25])
    with pytest.raises(ValueError):
        painters.choose(v, "median")


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "artcore", *map(str, args)], capture_output=True, text=True,
                          timeout=120)


def test_cli_contract(tmp_path, artdata, style_path):
    out = tmp_path / "out.png"
    r = _cli("stylize", artdata / "photos" / "sailboat.jpg", "--style", f"{style_path}@0.6", "--style", "builtin:4@0.4",
             "--out", out, "--size", "200", "--strength", "0.8", "--preserve-color", "--style-scale", "300", "--json")
    assert r.returncode == 0, r.stderr
    payload = json.loads(r.stdout)
    assert set(payload) == {"output", "size", "seconds"}
    assert payload["output"] == str(out) and Image.open(out).size == tuple(payload["size"])
    assert max(payload["size"]) == 200 and payload["seconds"] > 0


def test_cli_bad_input_exit_2(tmp_path, artdata):
    r = _cli("stylize", tmp_path / "nope.jpg", "--style", "builtin:1", "--out", tmp_path / "o.png")
    assert r.returncode == 2 and "cannot read" in r.stderr and "Traceback" not in r.stderr
    r = _cli("stylize", artdata / "photos" / "sailboat.jpg", "--style", "builtin:1@0", "--out", tmp_path / "o.png")
    assert r.returncode == 2 and "sum to zero" in r.stderr


def test_panoramas_keep_the_networks_minimum_height(content):
    """A 4000×300 panorama asked at 256 px (256×19) renders 32 px high instead of failing; the contact sheet's
    cells of a panorama stay 32 px high too (wider, not thinner)."""
    from artcore.style import MIN_SIDE
    from artcore.style.render import contact_sheet

    strip = content.crop((0, 300, content.width, 400)).resize((4000, 300))
    out = stylize(strip, [StyleSource("builtin", 3)], size=256)
    assert out.size == (427, MIN_SIDE)
    sheet = contact_sheet(strip)  # cells 427×32 rather than 256×19
    assert sheet.width == 7 * (427 + 6) + 6 and sheet.height == 4 * (MIN_SIDE + 34 + 6) + 6  # cells, names, gaps
    with pytest.raises(UserError, match="too long and thin"):
        stylize(Image.new("RGB", (16400, 32)), [StyleSource("builtin", 3)], size=64)


def test_a_panoramas_previews_show_its_middle():
    from artcore.imageio import central_crop

    pano = Image.new("RGB", (4000, 300))
    assert central_crop(pano).size == (600, 300) and central_crop(pano.transpose(Image.Transpose.ROTATE_90)).size == (300, 600)
    assert central_crop(Image.new("RGB", (400, 300))).size == (400, 300)
