"""The originality check (artcore.originality): altered copies of known works are copies, unseen paintings are not."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from artcore import originality

sys.path.insert(0, str(originality.PROJECT_ROOT / "benchmarks"))
from originality_bench import ALTERATIONS, alter  # noqa: E402


@pytest.fixture(scope="module")
def reference(artist10_library):
    return originality.library_reference(artist10_library)


def test_altered_copies_are_copies_and_unseen_paintings_are_not(reference, artist10_library, artdata):
    rng = np.random.default_rng(0)
    records = artist10_library.records()
    copies = []
    for r in [records[i] for i in rng.choice(len(records), 10, replace=False)]:
        img = Image.open(r["path"]).convert("RGB")
        copies += [alter(img, kind, rng) for kind in ALTERATIONS]
    verdicts = [r["verdict"] for r in originality.check(copies, reference)]
    assert verdicts.count("copy") >= 0.9 * len(copies), verdicts
    # Paintings by the same ten painters' contemporaries, and by some of them, that the library does not hold.
    others = sorted((artdata / "bestartworks" / "images" / "Rembrandt").glob("*.jpg"))[:10]
    others += sorted((artdata / "bestartworks" / "images" / "Claude_Monet").glob("*.jpg"))[:10]
    unseen = originality.check(others, reference)
    assert sum(r["verdict"] == "copy" for r in unseen) <= 1, [(r["image"], r["similarity"]) for r in unseen]
    assert all(len(r["nearest"]) == originality.NEAREST and r["nearest"][0]["label"] for r in unseen)


def test_the_exact_file_is_a_copy_by_its_hash(reference, artist10_library):
    record = artist10_library.records()[3]
    [result] = originality.check([record["path"]], reference)
    assert result["verdict"] == "copy" and result["hash_bits"] <= originality.PHASH_COPY_BITS
    assert result["nearest"][0]["sha256"] == record["sha256"] and result["nearest"][0]["similarity"] > 0.99


def test_verdict_lines():
    shipped = originality.thresholds()
    assert 0 < shipped["close"] <= shipped["copy"] < 1 and shipped["encoder"] == originality.ENCODER
    cal = {"copy": 0.95, "close": 0.9}
    assert originality.verdict(0.95, 64, cal) == "copy" and originality.verdict(0.92, 64, cal) == "close"
    assert originality.verdict(0.89, 64, cal) == "original"
    assert originality.verdict(0.0, originality.PHASH_COPY_BITS, cal) == "copy"  # the same picture, re-saved


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "artcore", *map(str, args)], capture_output=True, text=True,
                          timeout=600)  # fmt: skip


def test_cli_against_the_library_and_the_shipped_models_works(artist10_library, artdata, tmp_path):
    work = artist10_library.records()[0]["path"]
    photo = artdata / "photos" / "sailboat.jpg"
    run = _cli("--library", artist10_library.root, "originality", work, photo, "--json", "--k", "3")
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert [o["verdict"] for o in out][0] == "copy" and out[1]["verdict"] != "copy"
    assert set(out[0]) == {"image", "verdict", "similarity", "nearest"} and len(out[0]["nearest"]) == 3
    assert set(out[0]["nearest"][0]) >= {"path", "label", "similarity"}
    # The shipped generator was trained on genre4: one of its paintings is a copy of a work it knows.
    painting = sorted((artdata / "genre4" / "Landscape").glob("*"))[0]
    run = _cli("originality", painting, "--against", "model", "--json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)[0]["verdict"] == "copy"
    missing = _cli("originality", tmp_path / "nope.jpg")
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1
