"""The map: UMAP coordinates, placing a new image among its neighbours, and the per-version cache."""

from __future__ import annotations

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
