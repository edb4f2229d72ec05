"""Which ready-made style keeps a photograph legible? Each of the 26 built-in styles on the real photographs.

For every style, photograph and size (the Video page's default 480 px and the Live camera's 320 px) it measures:

* ``ssim``: structural similarity of the luminance of output and input (Gaussian window, sigma 1.5): do light
  and dark stay where they were;
* ``edges``: correlation of the gradient magnitudes of output and input luminance (both lightly blurred): do the
  picture's outlines survive, or are they replaced by the style's own strokes;
* ``change``: mean absolute difference of output and input, 0-255 over R, G, B: how much the style changes it.

``keep`` is the mean of ``ssim`` and ``edges``. The default for Video and Live camera is the style with the
highest ``keep`` among those that clearly change the picture (``change`` at least ``CHANGE_MIN``). The result
goes to ``benchmarks/results/builtins.json``, whose ``default`` ``artcore.style.builtins.VIDEO_DEFAULT`` must
equal (a test checks). ``--sheet PNG`` also draws every style on one photograph, to look at.

    python benchmarks/builtins_bench.py [--sizes 480 320] [--out benchmarks/results/builtins.json] [--sheet x.png]
"""

from __future__ import annotations

import argparse
import json
import os
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

CHANGE_MIN = 30.0  # mean |output - input| (0-255) below this, a style hardly changes the picture
LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def luma(arr: np.ndarray) -> np.ndarray:
    return arr.astype(np.float32) @ LUMA / 255.0


def ssim(a: np.ndarray, b: np.ndarray, sigma: float = 1.5) -> float:
    """Mean structural similarity of two luminance images in [0, 1] (Wang et al. 2004, Gaussian window)."""
    from scipy.ndimage import gaussian_filter

    c1, c2 = 0.01**2, 0.03**2
    mu_a, mu_b = gaussian_filter(a, sigma), gaussian_filter(b, sigma)
    var_a = gaussian_filter(a * a, sigma) - mu_a**2
    var_b = gaussian_filter(b * b, sigma) - mu_b**2
    cov = gaussian_filter(a * b, sigma) - mu_a * mu_b
    num = (2 * mu_a * mu_b + c1) * (2 * cov + c2)
    den = (mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2)
    return float((num / den).mean())


def edge_agreement(a: np.ndarray, b: np.ndarray, sigma: float = 1.0) -> float:
    """Pearson correlation of the gradient magnitudes of two luminance images, each blurred by ``sigma`` first."""
    from scipy.ndimage import gaussian_filter, sobel

    def grad(x):
        x = gaussian_filter(x, sigma)
        return np.hypot(sobel(x, 0), sobel(x, 1)).ravel()

    ga, gb = grad(a), grad(b)
    return float(np.corrcoef(ga, gb)[0, 1])


def photos(folder: Path) -> list[Path]:
    found = sorted(p for p in folder.glob("*.jpg"))
    if not found:
        raise SystemExit(f"no photographs in {folder}")
    return found


def measure(paths: list[Path], sizes: list[int]) -> list[dict]:
    from artcore.style import NUM_BUILTIN, StyleSource, builtin_label
    from artcore.style.render import stylize

    rows = []
    for i in range(NUM_BUILTIN):
        per = []
        t0 = time.perf_counter()
        for path in paths:
            img = Image.open(path).convert("RGB")
            for side in sizes:
                scale = side / max(img.size)
                small = img.resize((round(img.width * scale), round(img.height * scale)), Image.Resampling.LANCZOS)
                src = np.asarray(small)
                out = np.asarray(stylize(small, [StyleSource("builtin", i)]))
                a, b = luma(src), luma(out)
                per.append({"photo": path.name, "size": side, "ssim": ssim(a, b), "edges": edge_agreement(a, b),
                            "change": float(np.abs(out.astype(np.float32) - src).mean())})  # fmt: skip
        mean = {k: float(np.mean([p[k] for p in per])) for k in ("ssim", "edges", "change")}
        worst = min((p["ssim"] + p["edges"]) / 2 for p in per)
        rows.append({"index": i, "name": builtin_label(i), **{k: round(v, 4) for k, v in mean.items()},
                     "keep": round((mean["ssim"] + mean["edges"]) / 2, 4), "keep_worst_photo": round(worst, 4),
                     "seconds": round(time.perf_counter() - t0, 2), "per_photo": per})  # fmt: skip
        print(f"style {i:2d}: keep {rows[-1]['keep']:.3f} change {mean['change']:.1f}", file=sys.stderr)
    return rows


def choose(rows: list[dict], change_min: float = CHANGE_MIN) -> int:
    """The style keeping the picture best (highest ``keep``) among those changing it clearly."""
    eligible = [r for r in rows if r["change"] >= change_min]
    return max(eligible, key=lambda r: r["keep"])["index"]


def sheet(path: Path, out: Path) -> None:
    from artcore.imageio import FAST_PNG, atomic_save_image
    from artcore.style.render import contact_sheet

    atomic_save_image(contact_sheet(Image.open(path).convert("RGB"), tile=320, columns=6), out, **FAST_PNG)


def table(res: dict) -> str:
    lines = [f"{'#':>2}  {'style':<52} {'keep':>6} {'ssim':>6} {'edges':>6} {'change':>7}",
             "-" * 84]  # fmt: skip
    for r in sorted(res["styles"], key=lambda r: -r["keep"]):
        mark = " ← default" if r["index"] == res["default"] else ("" if r["change"] >= res["change_min"] else
                                                                    "  (hardly changes it)")  # fmt: skip
        lines.append(f"{r['index']:>2}  {r['name'][:52]:<52} {r['keep']:>6.3f} {r['ssim']:>6.3f} {r['edges']:>6.3f} "
                     f"{r['change']:>7.1f}{mark}")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=Path, default=SHARED_ARTDATA / "photos")
    ap.add_argument("--sizes", type=int, nargs="+", default=[480, 320], help="longer sides measured (px)")
    ap.add_argument("--change-min", type=float, default=CHANGE_MIN)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "builtins.json")
    ap.add_argument("--sheet", type=Path, help="also write every style on the first photograph to this PNG")
    args = ap.parse_args()
    paths = photos(args.photos)
    t0 = time.perf_counter()
    rows = measure(paths, args.sizes)
    best = choose(rows, args.change_min)
    res = {"default": best, "default_name": rows[best]["name"], "change_min": args.change_min,
           "rule": "highest keep = mean(ssim, edges) among styles with change >= change_min",
           "photos": [p.name for p in paths], "sizes": args.sizes, "seconds": round(time.perf_counter() - t0, 1),
           "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                       "load": os.getloadavg()[0] if hasattr(os, "getloadavg") else None},
           "styles": rows}  # fmt: skip
    atomic_write_bytes(args.out, json.dumps(res, indent=1).encode())
    if args.sheet:
        sheet(paths[0], args.sheet)
    print(json.dumps({k: v for k, v in res.items() if k != "styles"}
                     | {"styles": [{k: v for k, v in r.items() if k != "per_photo"} for r in rows]}))  # fmt: skip
    print(table(res))


if __name__ == "__main__":
    main()
