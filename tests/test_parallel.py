"""One batch function on three engines (``artcore.parallel``): embeddings and restyled collections are the same
from this process, local worker processes and a local Ray cluster, and a killed embedding run resumes."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

from artcore import embed
from artcore.config import PROJECT_ROOT
from artcore.errors import UserError
from artcore.parallel import Engine
from artcore.style import parse_source
from artcore.style.batch import output_names, stylize_collection


@pytest.fixture(scope="module")
def paintings(artdata):
    return sorted((artdata / "artist10").rglob("*.jpg"))[:24]


def _embed(paths, engine, tmp_path, name):
    store = embed.EmbeddingStore.for_file(tmp_path / f"{name}.sqlite")
    items = [(f"sha-{i}", p) for i, p in enumerate(paths)]
    return embed.cached(store, items, "artnet", engine=engine)


def test_embeddings_equal_on_every_engine(paintings, tmp_path, local_ray):
    here, n = _embed(paintings, None, tmp_path, "here")
    assert n == len(paintings) and here.shape == (len(paintings), embed.ENCODERS["artnet"].dim)
    workers, _ = _embed(paintings, Engine(workers=2), tmp_path, "workers")
    on_ray, n_ray = _embed(paintings, Engine(ray="local"), tmp_path, "ray")
    assert n_ray == len(paintings)
    # Same function, same inputs, one thread per worker: the vectors are identical, not merely close.
    assert np.array_equal(workers, here)
    assert np.array_equal(on_ray, here)


def test_engine_keeps_item_order_in_results(local_ray):
    items = [str(i) for i in range(10)]
    for engine in (Engine(), Engine(workers=2), Engine(ray="local")):
        got = {}
        for idx, out in engine.map("tests.test_parallel:_double", items, {"k": 3}, batch=3):
            got.update(zip(idx, out))
        assert [got[i] for i in range(10)] == [3 * i for i in range(10)], engine.describe()


def _double(items, k):
    return np.array([k * int(x) for x in items])


def test_killed_embed_run_resumes_without_recomputing(artist10_library):
    lib = artist10_library
    key = embed.ENCODERS["artnet"].key
    store = embed.EmbeddingStore.for_library(lib)
    with lib.connect() as db:
        db.execute("DELETE FROM embeddings WHERE encoder = ?", (key,))
    total = len(lib.records())
    cmd = [sys.executable, "-m", "artcore", "--library", str(lib.root), "embed", "--workers", "2", "--json"]
    proc = subprocess.Popen(cmd, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while store.count(key) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    stored = store.count(key)
    assert 0 < stored < total, "the kill should land after the first stored batch and before the end"
    out = subprocess.run(cmd, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600, check=True)
    result = json.loads(out.stdout)
    assert result["computed"] == total - stored
    assert store.count(key) == total


def test_stylize_batch_same_on_ray_and_resumes(paintings, tmp_path, local_ray):
    style = [parse_source("builtin:the-starry-night")]
    spec = str(paintings[0].parent)
    here = stylize_collection(spec, style, tmp_path / "here", size=128)
    assert here["rendered"] == here["images"] == 10
    on_ray = stylize_collection(spec, style, tmp_path / "ray", size=128, engine=Engine(ray="local"))
    assert on_ray["rendered"] == 10
    for a in sorted((tmp_path / "here").glob("*.png")):
        b = tmp_path / "ray" / a.name
        pa, pb = np.asarray(Image.open(a)), np.asarray(Image.open(b))
        assert max(pa.shape[:2]) == 128 and np.array_equal(pa, pb)
    # The style really moved the pixels.
    out = np.asarray(Image.open(tmp_path / "here" / f"{paintings[0].stem}.png"), np.float32)
    src = np.asarray(Image.open(paintings[0]).convert("RGB").resize(out.shape[1::-1]), np.float32)
    assert np.abs(out - src).mean() > 20
    # A second run finds everything there and renders nothing.
    again = stylize_collection(spec, style, tmp_path / "here", size=128, engine=Engine(workers=2))
    assert again["rendered"] == 0 and again["skipped"] == 10


def test_stylize_batch_bad_input(tmp_path):
    style = [parse_source("builtin:0")]
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match="no images"):
        stylize_collection(str(tmp_path / "empty"), style, tmp_path / "out")
    with pytest.raises(UserError, match="size"):
        stylize_collection(str(tmp_path / "empty"), style, tmp_path / "out", size=10_000)
    assert output_names(["a/x.jpg", "b/x.png", "c/y.jpg"])[2] == "y.png"
    assert len(set(output_names(["a/x.jpg", "b/x.png"]))) == 2


def test_stylize_batch_cli_on_workers(paintings, tmp_path):
    folder = paintings[0].parent
    cmd = [sys.executable, "-m", "artcore", "stylize-batch", str(folder), "--style", "builtin:the-starry-night",
           "--out", str(tmp_path / "out"), "--size", "96", "--workers", "2", "--json"]  # fmt: skip
    result = json.loads(subprocess.run(cmd, cwd=PROJECT_ROOT, capture_output=True, text=True,
                                                      timeout=300, check=True).stdout)  # fmt: skip
    assert result["rendered"] == 10 and result["engine"] == "2 local worker processes"
    assert all(max(Image.open(p).size) == 96 for p in (tmp_path / "out").glob("*.png"))
    bad = subprocess.run([*cmd[:4], str(tmp_path / "missing"), *cmd[5:]], cwd=PROJECT_ROOT, capture_output=True,
                         text=True, timeout=120)  # fmt: skip
    assert bad.returncode == 2 and "neither a folder nor a library label" in bad.stderr
