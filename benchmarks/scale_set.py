"""A scale set for benchmarks: N distinct paintings made from the shared ones, outside the repository.

Each source painting (bestartworks' 42 painters and artist10's 10) gives variants: a random crop (55–100 % of
its area), a flip half the time, a longest side of 256–512 px, a colour shift (per-channel gain, brightness,
saturation) and a JPEG quality of 80–95, so decoding costs what real files cost. Variant ``k`` of source ``i``
depends only on ``(seed, i, k)``: the same command makes the same files, and a killed run continues where it
stopped (files already there are kept). One sub-folder per painter, so ``--label-from parent`` labels them.
With ``--import LIBRARY`` the set then goes into a library through its normal folder import, and the import's
images/s is printed and kept in benchmarks/results/scale_import.json.

    nice -n 19 python benchmarks/scale_set.py --n 10000 [--out /tmp/artcore-scale/10000] [--import LIBRARY]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from artcore.config import PROJECT_ROOT, SHARED_ARTDATA  # noqa: E402
from artcore.imageio import atomic_save_image, atomic_write_bytes, is_image_name, remove_stale_temps  # noqa: E402

# (collection, folder of painter sub-folders)
SOURCES = [("bestartworks", "bestartworks/images"), ("artist10", "artist10")]


def sources(artdata: Path) -> list[tuple[str, Path]]:
    """Every source painting as (painter folder name, path), painters taking turns, so a small set has them all."""
    painters = []
    for _, folder in SOURCES:
        for painter in sorted(p for p in (artdata / folder).iterdir() if p.is_dir()):
            painters.append([(painter.name, f) for f in sorted(painter.iterdir()) if is_image_name(f.name)])
    found = [works[i] for i in range(max(map(len, painters), default=0)) for works in painters if i < len(works)]
    if not found:
        raise SystemExit(f"no source paintings under {artdata}")
    return found


def variant(img: Image.Image, rng: np.random.Generator) -> tuple[Image.Image, int]:
    """One random crop, flip, scale and colour shift of ``img``, and the JPEG quality to save it at."""
    w, h = img.size
    area = rng.uniform(0.55, 1.0) * w * h
    ratio = np.exp(rng.uniform(np.log(3 / 4), np.log(4 / 3))) * w / h
    cw, ch = min(w, round(np.sqrt(area * ratio))), min(h, round(np.sqrt(area / ratio)))
    x, y = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
    out = img.crop((x, y, x + cw, y + ch))
    if rng.random() < 0.5:
        out = out.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    side = int(rng.integers(256, 513))
    scale = side / max(cw, ch)
    out = out.resize((max(1, round(cw * scale)), max(1, round(ch * scale))), Image.Resampling.BILINEAR)
    gains = rng.uniform(0.9, 1.1, 3)
    out = Image.merge("RGB", [band.point(lambda v, g=g: min(255, int(v * g))) for band, g in zip(out.split(), gains)])
    out = ImageEnhance.Brightness(out).enhance(rng.uniform(0.85, 1.15))
    out = ImageEnhance.Color(out).enhance(rng.uniform(0.8, 1.2))
    return out, int(rng.integers(80, 96))


def make_source(task: tuple[int, str, str, list[int], str, int]) -> int:
    """Write the missing variants of one source painting; returns how many files it accounts for."""
    index, painter, path, variants, out, seed = task
    dest = Path(out) / painter
    targets = [(k, dest / f"{Path(path).stem}-{k:03d}.jpg") for k in variants]
    missing = [(k, t) for k, t in targets if not t.exists()]
    if missing:
        img = Image.open(path).convert("RGB")
        for k, target in missing:
            picture, quality = variant(img, np.random.default_rng([seed, index, k]))
            atomic_save_image(picture, target, format="JPEG", quality=quality)
    return len(targets)


def tasks(found: list[tuple[str, Path]], n: int, out: Path, seed: int) -> list[tuple]:
    """Image ``j`` is variant ``j // len(found)`` of source ``j % len(found)``: one task per source."""
    per: dict[int, list[int]] = {}
    for j in range(n):
        per.setdefault(j % len(found), []).append(j // len(found))
    return [(i, found[i][0], str(found[i][1]), ks, str(out), seed) for i, ks in sorted(per.items())]


def make(n: int, out: Path, seed: int = 0, workers: int | None = None, artdata: Path = SHARED_ARTDATA) -> float:
    """Make (or complete) the set of ``n`` images under ``out``; returns the seconds it took."""
    from tqdm import tqdm

    out.mkdir(parents=True, exist_ok=True)
    remove_stale_temps(out)  # what a killed run was writing
    start = time.perf_counter()
    todo = tasks(sources(artdata), n, out, seed)
    with Pool(workers or os.cpu_count() or 2) as pool, tqdm(total=n, unit="img", desc="making", file=sys.stderr) as bar:
        for done in pool.imap_unordered(make_source, todo, chunksize=4):
            bar.update(done)
    return time.perf_counter() - start


def import_set(folder: Path, library: Path) -> dict:
    """Import ``folder`` into ``library`` as ``artcore library import DIR --label-from parent`` does."""
    from tqdm import tqdm

    from artcore.library import Library

    lib = Library(library)
    bar = tqdm(unit="img", desc="importing", file=sys.stderr)

    def progress(done: int, total: int, name: str) -> None:
        bar.total = total
        bar.update(done - bar.n)

    try:
        report = lib.import_path(folder, label_from="parent", label_field="artist", progress=progress)
    finally:
        bar.close()
    n = report.added + report.duplicates
    return {"library": str(lib.root), "images": lib.count(), "added": report.added, "already_there": report.duplicates,
            "skipped": len(report.skipped), "import_seconds": round(report.seconds, 1),
            "import_images_per_s": round(n / report.seconds, 1) if report.seconds else None}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="how many images (default 100,000)")
    ap.add_argument("--out", type=Path, help="where (default /tmp/artcore-scale/N); never inside the repository")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, help="processes (default: one per core)")
    ap.add_argument("--artdata", type=Path, default=SHARED_ARTDATA)
    ap.add_argument("--import", dest="library", type=Path, metavar="LIBRARY", help="then import the set into LIBRARY")
    args = ap.parse_args()
    out = (args.out or Path("/tmp/artcore-scale") / str(args.n)).resolve()
    if out.is_relative_to(PROJECT_ROOT):
        raise SystemExit(f"{out} is inside the repository: make the scale set elsewhere (data is never committed)")
    result = {"n": args.n, "folder": str(out), "cpu_cores": os.cpu_count(),
              "make_seconds": round(make(args.n, out, args.seed, args.workers, args.artdata), 1)}  # fmt: skip
    if args.library:
        result |= import_set(out, args.library)
        record(result)
    print(json.dumps(result, indent=1))


def record(result: dict) -> None:
    """Keep an import's figures in benchmarks/results/scale_import.json, one entry per set size."""
    path = Path(__file__).parent / "results" / "scale_import.json"
    kept = json.loads(path.read_text()) if path.is_file() else {}
    kept[str(result["n"])] = result
    atomic_write_bytes(path, (json.dumps(kept, indent=1) + "\n").encode())


if __name__ == "__main__":
    main()
