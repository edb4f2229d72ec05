"""The nearest-neighbour index (artcore.knn): recall against brute force, changes, saving, damage, and the CLI."""

from __future__ import annotations

import hashlib
import json

import benchmod
import numpy as np
import pytest

from artcore import cli, embed, knn, originality
from artcore.library import Library


def _shas(n: int, start: int = 0) -> list[str]:
    return [hashlib.sha256(f"work {i}".encode()).hexdigest() for i in range(start, start + n)]


@pytest.fixture(scope="module")
def vectors(artdata) -> np.ndarray:
    """4,000 unit vectors mixed from the painting encoder's embeddings of artist10, as the benchmark makes them."""
    real = knn.unit(embed.embed_files(embed.folder_images(artdata / "artist10")[0]))
    return benchmod.load("knn_bench").synthesise(real, 4000, seed=0)


def _recall(index: knn.Index, X: np.ndarray, shas: list[str], Q: np.ndarray, k: int = 10) -> float:
    truth = np.argsort(-(Q @ X.T), 1)[:, :k]
    found = index.query(Q, k)
    return float(np.mean([len({s for s, _ in f} & {shas[j] for j in t}) / k for f, t in zip(found, truth)]))


def test_graph_finds_what_brute_force_finds(vectors):
    shas = _shas(len(vectors))
    index = knn.Index(vectors.shape[1])
    index.add(shas, vectors)
    assert not index.exact  # 4,000 × 1280 is past exact search
    Q = benchmod.load("knn_bench").synthesise(knn.unit(vectors[:50]), 100, seed=1)
    assert _recall(index, vectors, shas, Q) >= 0.95
    [[(top, score)]] = index.query(vectors[7], 1)
    assert top == shas[7] and score == pytest.approx(1.0, abs=1e-5)


def test_small_index_is_exact_and_equals_brute_force(vectors):
    X, shas = vectors[:500], _shas(500)
    index = knn.Index(X.shape[1])
    index.add(shas, X)
    assert index.exact
    Q = 3 * vectors[600:610]  # any length: the index makes rows and queries unit, as brute force below
    S = knn.unit(Q) @ knn.unit(X).T
    for i, found in enumerate(index.query(Q, 5)):
        assert found == [(shas[j], float(S[i, j])) for j in np.argsort(-S[i])[:5]]


def test_works_added_and_removed(vectors):
    shas = _shas(len(vectors))
    index = knn.Index(vectors.shape[1])
    index.add(shas[:1000], vectors[:1000])  # exact, then past it: the rows move into a graph
    index.add(shas[1000:], vectors[1000:])
    assert len(index) == 4000 and not index.exact
    gone = shas[:300]
    index.remove(gone)
    assert len(index) == 3700 and not any(s in index for s in gone)
    assert not {s for hits in index.query(vectors[:300], 10) for s, _ in hits} & set(gone)
    index.add(gone[:5], vectors[:5])  # imported again
    assert [hits[0][0] for hits in index.query(vectors[:5], 1)] == gone[:5]
    index.remove(shas[300:3000])  # most of it: rebuilt, small enough for exact search again
    assert index.exact and len(index) == 1005
    assert [hits[0][0] for hits in index.query(vectors[3000:3005], 1)] == shas[3000:3005]


def test_saved_graph_reloads_and_drops_what_the_catalog_lost(vectors, tmp_path):
    shas = _shas(len(vectors))
    index = knn.Index(vectors.shape[1])
    index.add(shas, vectors)
    index.remove(shas[:10])
    index.save(tmp_path, "artnet@test")
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".hnsw", ".json"]
    again = knn.load(tmp_path, "artnet@test", vectors.shape[1], shas[:3990])  # the catalog lost 10 works more
    assert len(again) == 3980 and again.changed and not again.exact
    Q = vectors[20:40]
    assert again.query(Q, 10) == index.query(Q, 10)
    assert knn.load(tmp_path, "artnet@other", vectors.shape[1], shas) is None


def test_damaged_index_is_rebuilt_without_error(artdata, tmp_path, monkeypatch):
    lib = Library(tmp_path / "library")
    lib.import_path(artdata / "artist10" / "Monet", label_from="parent", label_field="artist")
    monkeypatch.setattr(knn, "EXACT_FLOATS", 0)  # a graph even for these 10 works, so it is saved
    monkeypatch.setattr(knn, "_HELD", {})
    first = knn.library_index(lib)
    [saved] = (lib.root / "index").glob("*.hnsw")
    record = lib.records()[0]
    x = embed.embed_one(record["path"])
    assert first.query(x, 1)[0][0][0] == record["sha256"]
    for damage in (b"\x00" * 64 + saved.read_bytes()[64:], b"not an index"):
        [saved] = (lib.root / "index").glob("*.hnsw")
        saved.write_bytes(damage)
        monkeypatch.setattr(knn, "_HELD", {})  # as in a new process
        index = knn.library_index(lib)
        assert index is not first and len(index) == 10
        assert index.query(x, 1)[0][0][0] == record["sha256"]
        [rebuilt] = (lib.root / "index").glob("*.hnsw")
        assert rebuilt.read_bytes() != damage
    lib.remove_images([record["sha256"]])
    assert record["sha256"] not in knn.library_index(lib) and len(knn.library_index(lib)) == 9


def test_originality_through_the_index_equals_brute_force(artist10_library):
    ref = originality.library_reference(artist10_library)
    records, X, _ = embed.embed_library(artist10_library, originality.ENCODER)
    brute = originality.Reference(knn.unit(X), ref.hashes, ref.works, ref.what)
    queries = X[::9] + np.random.default_rng(0).normal(0, 0.1, X[::9].shape).astype(np.float32)
    hashes = [0] * len(queries)
    assert originality.check_features(queries, hashes, ref) == originality.check_features(queries, hashes, brute)


def test_similar_cli(artist10_library, tmp_path, capsys):
    record = artist10_library.records()[5]
    bad = tmp_path / "notes.jpg"
    bad.write_text("not a picture")
    code = cli.main(["--library", str(artist10_library.root), "similar", record["path"], str(bad), "--k", "3",
                     "--json"])  # fmt: skip
    out = capsys.readouterr()
    assert code == 2 and "notes.jpg" in out.err
    good, failed = json.loads(out.out)
    assert good["image"] == record["path"] and len(good["similar"]) == 3
    assert good["similar"][0]["sha256"] == record["sha256"] and good["similar"][0]["score"] > 0.999
    assert set(good["similar"][0]) == {"path", "sha256", "score"}
    assert failed["image"] == str(bad) and "notes.jpg" in failed["error"] and "similar" not in failed
