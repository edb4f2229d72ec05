"""Which paintings should a painter's style come from? Each choice in ``artcore.style.painters`` on real photographs.

For 10 painters of the shared Best Artworks set and the 6 shared photographs, every photograph is restyled (384 px)
with the painter's style taken

* ``mean``: as before, from the mean style vector of all their paintings;
* ``medoid``: from their single most typical painting;
* ``typical-K``: from the mean of their K most typical paintings;
* ``random``: from one painting of theirs picked at random (a different one per photograph; seeded).

and judged by the style benchmark's Gram distance (``artcore.style.metrics``, EfficientNet-Lite0 features, not the
Magenta style vectors the choices are made in) from the output to *all* of that painter's paintings: the distance
to the mean of their Gram matrices, which equals the mean distance to each less a constant. Lower is closer to the
painter. ``ratio`` is a method's distance over ``mean``'s for the same photograph and painter, then averaged;
``wins`` counts the photograph × painter pairs where it beats ``mean``.

``blend`` restyles the photographs as 70% Van Gogh, 30% Monet (by each method) and reports how much of the way from
the pure Monet rendering to the pure Van Gogh rendering the blend is, in Gram distance to each painter: both
painters should remain, so it should stay well inside (0, 1).

    python benchmarks/painter_style_bench.py [--out benchmarks/results/painter_style.json] [--sheet out/x.png]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from artcore.config import SHARED_ARTDATA  # noqa: E402
from artcore.imageio import atomic_write_bytes  # noqa: E402

PAINTERS = ("Vincent_van_Gogh", "Claude_Monet", "Rembrandt", "Gustav_Klimt", "Edvard_Munch", "Paul_Cezanne",
            "Henri_Matisse", "Georges_Seurat", "William_Turner", "Vasiliy_Kandinskiy")  # fmt: skip
SIDE = 384
KS = (3, 5, 10)


def _open(path: Path, side: int) -> Image.Image:
    from artcore.imageio import open_image

    img = open_image(path, max_side=side * 2)
    scale = side / max(img.size)
    return img.resize((max(32, round(img.width * scale)), max(32, round(img.height * scale))), Image.Resampling.LANCZOS)


def painter_facts(folder: Path) -> dict:
    """Style vectors and the mean Gram matrices of every painting in ``folder``."""
    from artcore.style import style_vector
    from artcore.style.metrics import style_grams

    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    vectors, grams = [], None
    for path in files:
        img = _open(path, SIDE)
        vectors.append(style_vector(img))
        g = style_grams(img)
        grams = g if grams is None else [a + b for a, b in zip(grams, g, strict=True)]
    return {"files": files, "vectors": np.stack(vectors), "gram": [g / len(files) for g in grams]}


def main() -> None:
    from artcore.style import StyleSource, stylize
    from artcore.style.metrics import gram_distance, style_grams
    from artcore.style.painters import painter_vector

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=SHARED_ARTDATA)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "painter_style.json")
    ap.add_argument("--sheet", type=Path, help="also save one photograph in every painter's style, by method")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    t0 = time.time()
    photos = sorted((args.data / "photos").glob("*.jpg"))
    if not photos:
        sys.exit(f"no photographs in {args.data / 'photos'}")
    photo_imgs = [_open(p, SIDE) for p in photos]
    rng = np.random.default_rng(args.seed)
    methods = ["mean", "medoid", *[f"typical-{k}" for k in KS], "random"]
    facts, dist, choices, sheet_rows = {}, {m: [] for m in methods}, {}, []
    for painter in PAINTERS:
        f = facts[painter] = painter_facts(args.data / "bestartworks" / "images" / painter)
        vecs = {"mean": painter_vector(f["vectors"], "mean")[0], "medoid": painter_vector(f["vectors"], "medoid")[0]}
        for k in KS:
            vecs[f"typical-{k}"], idx = painter_vector(f["vectors"], "typical", k)
            choices[f"{painter}/typical-{k}"] = [f["files"][i].name for i in idx]
        row = []
        for pi, photo in enumerate(photo_imgs):
            vecs["random"] = f["vectors"][rng.integers(len(f["vectors"]))]
            for m in methods:
                out = stylize(photo, [StyleSource("vector", vecs[m])])
                dist[m].append(gram_distance(style_grams(out), f["gram"]))
                if pi == 0:
                    row.append(out)
        sheet_rows.append(row)
        print(f"{painter}: " + ", ".join(f"{m} {np.mean(dist[m][-len(photos):]):.4g}" for m in methods), flush=True)

    base = np.array(dist["mean"])
    table = {m: {"distance": float(np.mean(d)), "ratio_to_mean": float(np.mean(np.array(d) / base)),
                 "wins_over_mean": int((np.array(d) < base).sum()), "pairs": len(d)} for m, d in dist.items()}  # fmt: skip

    # 70% Van Gogh, 30% Monet: where the blend sits between the two pure renderings, per method.
    vg, mo = facts["Vincent_van_Gogh"], facts["Claude_Monet"]
    blend = {}
    for m in ("mean", "typical-5"):
        method, k = ("typical", 5) if m == "typical-5" else (m, 0)
        a, b = painter_vector(vg["vectors"], method, k)[0], painter_vector(mo["vectors"], method, k)[0]
        where = []
        for photo in photo_imgs:
            outs = [stylize(photo, [StyleSource("vector", a, w), StyleSource("vector", b, 1 - w)]) for w in (1, .7, 0)]
            d = [gram_distance(style_grams(o), vg["gram"]) - gram_distance(style_grams(o), mo["gram"]) for o in outs]
            where.append((d[2] - d[1]) / (d[2] - d[0]))  # 0: the blend is the pure Monet rendering; 1: pure Van Gogh
        blend[m] = {"toward_van_gogh": float(np.mean(where)), "per_photo": [round(float(w), 3) for w in where]}

    result = {
        "benchmark": "painter_style", "painters": list(PAINTERS), "photos": [p.name for p in photos], "side": SIDE,
        "paintings": {p: len(f["files"]) for p, f in facts.items()}, "methods": table, "blend_70_30": blend,
        "typical_choices": choices, "seconds": round(time.time() - t0, 1), "machine": platform.machine(),
        "python": platform.python_version(),
    }  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(args.out, (json.dumps(result, indent=2) + "\n").encode())
    print(json.dumps({k: result[k] for k in ("methods", "blend_70_30", "seconds")}, indent=2))
    print(f"\n{'method':<12} {'Gram distance':>14} {'÷ mean':>8} {'beats mean':>11}")
    for m, r in table.items():
        print(f"{m:<12} {r['distance']:>14.4g} {r['ratio_to_mean']:>8.3f} {r['wins_over_mean']:>5}/{r['pairs']}")
    if args.sheet:
        from artcore.training import tile

        cells = np.stack([[np.asarray(im.resize((192, 192))) for im in row] for row in sheet_rows])
        args.sheet.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(tile(cells)).save(args.sheet)


if __name__ == "__main__":
    main()
