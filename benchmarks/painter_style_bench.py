"""Which paintings should a painter's style come from? Each choice in ``artcore.style.painters`` on real photographs.

For 10 painters of the shared Best Artworks set and the 6 shared photographs, every photograph is restyled (384 px)
with the painter's style (Magenta style vectors) taken

* ``mean@256``: as before this benchmark, the mean style vector of all their paintings, each read at 256 px;
* ``mean@384``: the same mean, the paintings read at 384 px (finer strokes);
* ``trimmed@384``: the mean of their most typical 80% (typical: smallest mean distance to their other paintings);
* ``typical-5@384``: the mean of their 5 most typical paintings;
* ``medoid@384``: their single most typical painting;
* ``random@S``: one painting of theirs picked at random (a different one per photograph; seeded), at 256 and 384.

and judged by the style benchmark's Gram distance (``artcore.style.metrics``: EfficientNet-Lite0 Gram matrices, not
the Magenta vectors the choices are made in) from the output to *all* of that painter's paintings, two ways:
``all`` is the mean distance to every painting (computed as the distance to the mean of their Gram matrices, which
differs from it by a constant), ``nearest5`` the mean distance to the 5 closest paintings (does it look like some
of their actual works, rather than like an average of them). Lower is closer to the painter. ``ratio`` is a
method's distance over ``mean@256``'s for the same photograph and painter, averaged; ``wins`` counts the
photograph × painter pairs where it is lower.

``blend`` restyles the photographs as 70% Van Gogh, 30% Monet and reports where the blend sits between the pure
Monet (0) and pure Van Gogh (1) renderings, by its Gram distances to the two painters: both remain when it stays
well inside (0, 1). ``--sheet`` saves one photograph by each painter and method, and the blends, to look at.

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
SCALES = (256, 384)


def _open(path: Path, side: int) -> Image.Image:
    from artcore.imageio import open_image

    img = open_image(path, max_side=side * 2)
    scale = side / max(img.size)
    return img.resize((max(32, round(img.width * scale)), max(32, round(img.height * scale))), Image.Resampling.LANCZOS)


def painter_facts(folder: Path) -> dict:
    """Style vectors (read at each of ``SCALES``) and Gram matrices of every painting in ``folder``."""
    from artcore.style import style_vector
    from artcore.style.metrics import style_grams

    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    vectors, grams = {s: [] for s in SCALES}, []
    for path in files:
        img = _open(path, SIDE)
        for s in SCALES:
            vectors[s].append(style_vector(img, s))
        grams.append(style_grams(img))
    mean_gram = [np.mean([g[b] for g in grams], axis=0) for b in range(len(grams[0]))]
    return {"files": files, "vectors": {s: np.stack(v) for s, v in vectors.items()}, "grams": grams,
            "gram": mean_gram}  # fmt: skip


def judge(out: Image.Image, facts: dict) -> tuple[float, float]:
    """(distance to all the painter's paintings, mean distance to the 5 nearest of them)."""
    from artcore.style.metrics import gram_distance, style_grams

    g = style_grams(out)
    near = sorted(gram_distance(g, x) for x in facts["grams"])[:5]
    return gram_distance(g, facts["gram"]), float(np.mean(near))


METHODS = {  # name: (painters method, scale)
    "mean@256": ("mean", 256), "mean@384": ("mean", 384), "trimmed@384": ("trimmed", 384),
    "typical-5@384": ("typical", 384), "medoid@384": ("medoid", 384),
}  # fmt: skip
RANDOM = {"random@256": 256, "random@384": 384}


def main() -> None:
    from artcore.style import StyleSource
    from artcore.style.painters import DEFAULT, SCALE, painter_vector
    from artcore.style.render import stylize

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
    names = [*METHODS, *RANDOM]
    scores = {m: {"all": [], "nearest5": []} for m in names}
    facts, sheet_rows, chosen = {}, [], {}
    for painter in PAINTERS:
        f = facts[painter] = painter_facts(args.data / "bestartworks" / "images" / painter)
        vecs = {}
        for m, (method, scale) in METHODS.items():
            vecs[m], idx = painter_vector(f["vectors"][scale], method)
            chosen[f"{painter}/{m}"] = len(idx)
        row = []
        for pi, photo in enumerate(photo_imgs):
            for m, scale in RANDOM.items():
                vecs[m] = f["vectors"][scale][rng.integers(len(f["files"]))]
            for m in names:
                out = stylize(photo, [StyleSource("vector", vecs[m])])
                for key, value in zip(("all", "nearest5"), judge(out, f), strict=True):
                    scores[m][key].append(value)
                if pi == 0:
                    row.append(out)
        sheet_rows.append(row)
        print(f"{painter}: " + ", ".join(f"{m} {np.mean(scores[m]['all'][-len(photos):]):.4g}" for m in names),
              flush=True)  # fmt: skip

    table = {}
    for m in names:
        table[m] = {}
        for key in ("all", "nearest5"):
            d, base = np.array(scores[m][key]), np.array(scores["mean@256"][key])
            table[m][key] = {"distance": float(d.mean()), "ratio_to_mean256": float(np.mean(d / base)),
                             "wins_over_mean256": int((d < base).sum()), "pairs": len(d)}  # fmt: skip
    default = next(m for m, (method, scale) in METHODS.items() if method == DEFAULT and scale == SCALE)

    # 70% Van Gogh, 30% Monet: where the blend sits between the two pure renderings, by method.
    vg, mo = facts["Vincent_van_Gogh"], facts["Claude_Monet"]
    blend, blend_row = {}, []
    for m in dict.fromkeys(("mean@256", "trimmed@384", "typical-5@384", default)):
        method, scale = METHODS[m]
        a, b = painter_vector(vg["vectors"][scale], method)[0], painter_vector(mo["vectors"][scale], method)[0]
        where = []
        for pi, photo in enumerate(photo_imgs):
            outs = [stylize(photo, [StyleSource("vector", a, w), StyleSource("vector", b, 1 - w)]) for w in (1, .7, 0)]
            d = [judge(o, vg)[0] - judge(o, mo)[0] for o in outs]
            where.append((d[2] - d[1]) / (d[2] - d[0]))  # 0: the blend is the pure Monet rendering; 1: pure Van Gogh
            if pi == 0 and m == default:
                blend_row += outs
        blend[m] = {"toward_van_gogh": float(np.mean(where)), "per_photo": [round(float(w), 3) for w in where]}

    result = {
        "benchmark": "painter_style", "painters": list(PAINTERS), "photos": [p.name for p in photos], "side": SIDE,
        "paintings": {p: len(f["files"]) for p, f in facts.items()}, "default": default, "methods": table,
        "works_used": chosen, "blend_70_30": blend, "seconds": round(time.time() - t0, 1),
        "machine": platform.machine(), "python": platform.python_version(),
    }  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(args.out, (json.dumps(result, indent=2) + "\n").encode())
    print(json.dumps({k: result[k] for k in ("default", "methods", "blend_70_30", "seconds")}, indent=2))
    print(f"\n{'method':<15} {'all paintings':>14} {'÷ mean@256':>11} {'wins':>6} {'nearest 5':>10} {'÷ mean@256':>11} "
          f"{'wins':>6}")
    for m, r in table.items():
        a, n = r["all"], r["nearest5"]
        print(f"{m:<15} {a['distance']:>14.4g} {a['ratio_to_mean256']:>11.3f} {a['wins_over_mean256']:>3}/{a['pairs']}"
              f" {n['distance']:>10.4g} {n['ratio_to_mean256']:>11.3f} {n['wins_over_mean256']:>3}/{n['pairs']}")
    for m, b in blend.items():
        print(f"70% Van Gogh, 30% Monet by {m}: {b['toward_van_gogh']:.2f} of the way to pure Van Gogh")
    if args.sheet:
        from artcore.training import tile

        rows = [*sheet_rows, blend_row + [blend_row[0]] * (len(names) - len(blend_row))]
        cells = np.stack([[np.asarray(im.resize((192, 192))) for im in row] for row in rows])
        args.sheet.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(tile(cells)).save(args.sheet)


if __name__ == "__main__":
    main()
