"""The translation benchmark (``benchmarks/translate_bench.py``) end to end on two tiny translators trained for two
steps, with ``--limit 2``: every method and metric is filled in and both pictures are written (no timings judged)."""

from __future__ import annotations

import json

import benchmod
import pytest


@pytest.mark.timeout(180)
def test_translate_bench_runs_on_tiny_models(artdata, tmp_path):
    from artcore.translate import sketch, unpaired

    photo_run, sketch_run = tmp_path / "photo-run", tmp_path / "sketch-run"
    unpaired.train(photo_run, str(artdata / "monet2photo" / "photo"), str(artdata / "monet2photo" / "monet"), 1,
                   res=64, max_steps=2, ngf=4, n_blocks=1, ndf=8, batch=1)  # fmt: skip
    classes = ["Paul_Gauguin", "Rembrandt"]
    sketch.train(sketch_run, str(artdata / "bestartworks" / "images"), 1, classes=classes, res=64, max_steps=2,
                 ngf=8, depth=3, ndf=8, batch=1)  # fmt: skip
    bench = benchmod.load("translate_bench")
    out, docs = tmp_path / "translate_bench.json", tmp_path / "docs"
    res = bench.main(["--photo-model", str(photo_run), "--sketch-model", str(sketch_run), "--limit", "2",
                      "--sizes", "64", "--repeats", "1", "--skip-4096", "--quality-size", "64", "--out", str(out),
                      "--docs", str(docs)])  # fmt: skip

    assert json.loads(out.read_text())["benchmark"] == "translate_bench"
    q = res["photo"]["quality"]
    assert q["n_eval"] == 4 and q["n_held_out_photos"] == 2  # two held-out monet2photo photos, two shared ones
    assert set(q["methods"]) == {"photo", "ours", "style_vector", "style_image", "peer"}
    assert q["methods"]["photo"]["content_distance"] == 0 and q["methods"]["photo"]["edge_f1"] == 1
    for r in q["methods"].values():
        assert 0 <= r["monet_ness"] <= 1 and 0 <= r["edge_f1"] <= 1 and r["fd_to_monets"] >= 0
    assert 0 <= q["judge"]["cv_accuracy"] <= 1 and q["fd_floor"] >= 0
    assert set(res["photo"]["speed"]["64"]) >= {"ours_ms", "style_vector_ms", "peer_ms", "ours_vs_peer"}
    assert any("style vector is computed directly" in n for n in res["notes"])

    s = res["sketch"]
    assert s["classes"] == classes and s["chance"] == 0.5
    assert s["n_drawings"] + s["blank_drawings_skipped"] == 4
    assert 0 <= s["fidelity_own"] <= 1 and 0 <= s["fidelity_swapped"] <= 1
    assert set(s["per_class"]) == set(classes)
    for name in ("translate-photo.jpg", "translate-sketch.jpg"):
        assert 0 < (docs / name).stat().st_size < 600_000
