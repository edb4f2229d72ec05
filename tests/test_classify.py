"""Which artist: accuracy floors on the shared paintings, the CLI contract, and clear errors."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from artcore import classify, embed
from artcore.cli import main
from artcore.errors import UserError


@pytest.fixture(scope="session")
def embed_cache(tmp_path_factory):
    """One embedding cache for the session, so each painting is embedded once across these tests."""
    mp = pytest.MonkeyPatch()
    mp.setenv("ARTCORE_CACHE", str(tmp_path_factory.mktemp("embed-cache")))
    yield
    mp.undo()


@pytest.fixture(scope="session")
def artist10(artdata, embed_cache):
    """(embeddings, labels, paths) of artist10 with the default encoder."""
    return classify.folder_data(artdata / "artist10")


@pytest.fixture(scope="session")
def artist10_model(artist10, tmp_path_factory):
    X, labels, paths = artist10
    path = tmp_path_factory.mktemp("model") / "artist10.npz"
    return classify.save(classify.train(X, labels, paths, embed.DEFAULT_ENCODER, "test"), path)


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_artist10_accuracy_floor(artist10_model):
    """Measured 59% top-1 / 87% top-3 (5-fold, seed 0; 60% / 86% over three fold seeds) with the painting encoder
    (lite0-crops: 67% / 82%); far from the 80% goal."""
    cv = classify.load(artist10_model).meta["cv"]  # training measures it; no need to run the folds twice
    assert cv["n"] == 100 and cv["folds"] == 5
    assert cv["top1"] >= 0.52 and cv["top3"] >= 0.8, cv


def test_genre4_accuracy_floor(artdata, embed_cache):
    """A 40-per-genre subset of the Louvre set keeps the test fast; the benchmark runs all 1,146."""
    paths, labels = embed.folder_images(artdata / "genre4")
    keep = [i for g in sorted(set(labels)) for i in [j for j, lab in enumerate(labels) if lab == g][::7][:40]]
    encoder = embed.encoder_for("genre")
    X = embed.embed_files([paths[i] for i in keep], encoder)
    cv = classify.cross_validate(X, [labels[i] for i in keep], encoder)
    print(f"genre4 subset: top-1 {cv['top1']:.3f}, top-3 {cv['top3']:.3f}")
    assert cv["top1"] >= 0.85, cv


def test_model_file_describes_itself(artist10_model):
    model = classify.load(artist10_model)
    assert model.labels == sorted(model.meta["counts"]) and sum(model.meta["counts"].values()) == 100
    assert 0 < model.meta["cv"]["top1"] <= 1 and model.meta["temperature"] > 0
    assert model.meta["encoder_key"] == embed.get_encoder(embed.DEFAULT_ENCODER).key


def test_cli_train_predict_eval_contract(artdata, artist10, tmp_path, capsys):
    out = tmp_path / "m.npz"
    code, _, err = run(capsys, "classify", "train", "--data", artdata / "artist10", "--out", out, "--folds", "2")
    assert code == 0 and out.is_file(), err
    images = [artdata / "artist10" / "Monet" / sorted((artdata / "artist10" / "Monet").iterdir())[0].name,
              artdata / "photos" / "cornell.jpg"]  # fmt: skip
    code, stdout, err = run(capsys, "classify", "predict", "--model", out, *images, "--json")
    assert code == 0, err
    results = json.loads(stdout)
    assert [r["image"] for r in results] == [str(p) for p in images]
    for r in results:
        assert set(r) == {"image", "known", "closeness", "nearest", "top", "similar"}
        assert len(r["top"]) == 5 and len(r["similar"]) == 6
        probs = [t["prob"] for t in r["top"]]
        assert probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1.0001
        assert all(set(s) == {"path", "label", "score"} for s in r["similar"])
    assert str(images[0]) not in {x["path"] for x in results[0]["similar"]}  # a training image is not its own match
    code, stdout, err = run(capsys, "classify", "eval", "--model", out, "--data", artdata / "artist10", "--json")
    assert code == 0, err
    ev = json.loads(stdout)
    assert set(ev) == {"top1", "top3", "n", "per_class"} and ev["n"] == 100 and ev["top1"] >= 0.9
    assert set(ev["per_class"]) == {p.name for p in (artdata / "artist10").iterdir()}


def test_cli_train_on_library_labels(artdata, tmp_path, embed_cache, capsys):
    from artcore.library import Library

    lib = Library(tmp_path / "lib")
    for artist in ("Monet", "VanGogh"):
        for p in sorted((artdata / "artist10" / artist).glob("*.jpg"))[:3]:
            lib.add_bytes(p.read_bytes(), source="folder", original=str(p), artist=artist)
    code, stdout, err = run(capsys, "classify", "train", "--library", lib.root, "--field", "artist", "--folds", "3",
                            "--out", tmp_path / "lib.npz", "--json")  # fmt: skip
    assert code == 0, err
    assert json.loads(stdout)["counts"] == {"Monet": 3, "VanGogh": 3}


def test_bad_input_is_one_clear_sentence(artdata, artist10_model, tmp_path, capsys):
    code, _, err = run(
        capsys, "classify", "predict", "--model", tmp_path / "none.npz", artdata / "photos" / "cornell.jpg"
    )
    assert code == 2 and "no model file" in err
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"nope")
    code, _, err = run(capsys, "classify", "predict", "--model", artist10_model, bad)
    assert code == 2 and "bad.png: not an image" in err
    (tmp_path / "empty").mkdir()
    code, _, err = run(capsys, "classify", "train", "--data", tmp_path / "empty", "--out", tmp_path / "x.npz")
    assert code == 2 and "no images in sub-folders" in err
    strange = tmp_path / "strange" / "Rembrandt"
    strange.mkdir(parents=True)
    shutil.copy(artdata / "photos" / "cornell.jpg", strange)
    code, _, err = run(capsys, "classify", "eval", "--model", artist10_model, "--data", strange.parent)
    assert code == 2 and "does not know the label(s) Rembrandt" in err


def test_explain_ranks_the_predicted_artist(artist10, artist10_model):
    X, labels, paths = artist10
    model = classify.load(artist10_model)
    i = labels.index("VanGogh")
    lines = classify.explain(model, X[i], "VanGogh")
    assert len(lines) == len(embed.get_encoder(model.encoder).blocks())
    assert any("the 1st closest" in line for line in lines)
    assert np.isclose(model.proba(X[:3]).sum(1), 1).all()


def test_rare_labels_are_left_out_and_named(artist10):
    """A label with fewer images than CV folds is left out (and said), instead of shrinking every fold."""
    X, labels, paths = artist10
    X = np.concatenate([X, X[:2]])
    labels = list(labels) + ["Claude Monet"] * 2
    paths = list(paths) + ["a.jpg", "b.jpg"]
    model = classify.train(X, labels, paths, embed.DEFAULT_ENCODER, "test")
    assert model.meta["left_out"] == {"Claude Monet": 2}
    assert "Claude Monet" not in model.labels and model.meta["cv"]["folds"] == 5
    with pytest.raises(UserError, match="at least 2 labels"):
        classify.train(X[:7], ["A"] * 5 + ["B"] * 2, paths[:7], embed.DEFAULT_ENCODER, "test")


def test_similar_works_exclude_the_painting_itself(artist10, artist10_model):
    X, labels, paths = artist10
    model = classify.load(artist10_model)
    result = classify.predict_embeddings(model, X[:3], paths[:3])
    for r, path in zip(result, paths[:3]):
        assert len(r["similar"]) == 6 and str(path) not in {s["path"] for s in r["similar"]}
        assert all(s["score"] < classify.SAME_PICTURE for s in r["similar"])
