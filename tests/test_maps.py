"""The map: UMAP coordinates, placing a new image among its neighbours, and the per-version cache."""

from __future__ import annotations

import json

import numpy as np
import pytest

from artcore import embed, maps
from artcore.errors import UserError


def clusters(n_per=30, dim=embed.ENCODERS["lite0"].dim, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 1, (3, dim))
    X = np.vstack([c + rng.normal(0, 0.2, (n_per, dim)) for c in centres]).astype(np.float32)
    return X, np.repeat(np.arange(3), n_per)


def test_map_keeps_clusters_and_places_new_points_among_them():
    X, y = clusters()
    m = maps.build(X, [{"artist": str(c)} for c in y], "lite0", n_neighbors=10)
    assert m.xy.shape == (90, 2) and np.isfinite(m.xy).all()
    new = X[y == 2].mean(0)
    xy, near = m.place(new)
    assert set(y[near]) == {2}
    centre = m.xy[y == 2].mean(0)
    others = [np.linalg.norm(xy - m.xy[y == c].mean(0)) for c in (0, 1)]
    assert np.linalg.norm(xy - centre) < min(others)
    fig = maps.figure(m, "artist", xy)
    assert len(fig.data) == 4  # three labels and the placed image


def test_too_few_images_is_a_clear_error():
    with pytest.raises(UserError, match="at least 5 images"):
        maps.build(np.zeros((3, 100), np.float32), [{}] * 3, "magenta")


def test_library_map_is_cached_per_version(tmp_path, artdata, monkeypatch):
    from artcore.library import Library

    monkeypatch.setenv("ARTCORE_CACHE", str(tmp_path / "cache"))
    lib = Library(tmp_path / "lib")
    for p in sorted((artdata / "artist10" / "Monet").glob("*.jpg"))[:6]:
        lib.add_bytes(p.read_bytes(), source="folder", original=str(p), artist="Monet")
    first = maps.library_map(lib, "lite0", n_neighbors=4)

    def no_rebuild(*a, **k):
        raise AssertionError("rebuilt a cached map")

    monkeypatch.setattr(maps, "build", no_rebuild)
    again = maps.library_map(lib, "lite0", n_neighbors=4)
    np.testing.assert_array_equal(first.xy, again.xy)
    assert len(again.records) == 6
    p = sorted((artdata / "artist10" / "Degas").glob("*.jpg"))[0]
    lib.add_bytes(p.read_bytes(), source="folder", original=str(p), artist="Degas")
    with pytest.raises(AssertionError, match="rebuilt"):  # a new library version maps afresh
        maps.library_map(lib, "lite0", n_neighbors=4)


def test_a_large_map_is_fitted_on_a_sample_and_places_the_rest_among_their_own():
    X, y = clusters()  # 90 rows; a threshold of 40 takes the path a library of over 20,000 takes
    steps = []
    m = maps.build(X, [{"artist": str(c)} for c in y], "lite0", n_neighbors=10, sample_above=40,
                   progress=lambda done, total, _msg: steps.append((done, total)))  # fmt: skip
    assert m.xy.shape == (90, 2) and np.isfinite(m.xy).all()
    assert m.reduced.shape == (90, min(maps.PCA_DIMS, 39)) and np.allclose(np.linalg.norm(m.reduced, axis=1), 1)
    assert steps[0] == (40, 90) and steps[-1] == (90, 90)  # the bar moves as the rest is placed
    sample = maps.sample_rows(90, 40)
    np.testing.assert_array_equal(sample, maps.sample_rows(90, 40))  # the same sample each time
    rest = np.setdiff1d(np.arange(90), sample)
    centres = np.stack([m.xy[sample][y[sample] == c].mean(0) for c in range(3)])
    nearest = np.linalg.norm(m.xy[rest][:, None] - centres[None], axis=2).argmin(1)
    assert (nearest == y[rest]).all()  # each transformed work lands with its own cluster's sampled works
    xy, near = m.place(X[y == 1].mean(0))  # the projection fitted on the sample still places new images
    assert set(y[near]) == {1}


def test_the_figure_is_webgl_and_each_point_knows_its_record(monkeypatch):
    import plotly.io as pio

    rng = np.random.default_rng(0)
    painters = rng.choice(["Monet", "Degas", "Cassatt"], 60)
    records = [{"artist": a, "path": f"/lib/{a}/{a}_{i}.jpg"} for i, a in enumerate(painters)]
    m = maps.Map(records, rng.normal(size=(60, 2)).astype(np.float32), *([None] * 4), {})
    fig = maps.figure(m, "artist")
    assert {t.type for t in fig.data} == {"scattergl"}
    rows = np.concatenate([t.customdata for t in fig.data])
    assert sorted(rows.tolist()) == list(range(60))
    for t in fig.data:  # a trace's points are its label's records, at their own coordinates
        assert {records[i]["artist"] for i in t.customdata} == {t.name}
        np.testing.assert_array_equal(t.x, m.xy[t.customdata, 0])
    assert fig.data[0].hovertext[0].startswith("Cassatt · Cassatt_")
    monkeypatch.setattr(maps, "HOVER_NAMES_MAX", 10)  # a large map: hover by label, no per-point strings
    light = maps.figure(m, "artist")
    assert all(t.hovertext is None and "fullData.name" in t.hovertemplate for t in light.data)

    def data_bytes(f) -> int:  # the points alone, without the theme
        return len(json.dumps(json.loads(pio.to_json(f, validate=False))["data"]))

    assert data_bytes(fig) - data_bytes(light) > sum(len(h) for t in fig.data for h in t.hovertext)
