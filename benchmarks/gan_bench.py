"""Generation figures for the shipped model: training images/s, and the speed of generating, projecting and walking.
(Quality, judged by networks the discriminator never saw, is ``benchmarks/gan_compare.py``.)

- Training: ``artcore.gan.train`` for ``--train-seconds`` at the model's resolution and network width on its own
  training works (up to 40 per class), one CPU thread and all threads.
- Speed: ms per generated image (batch of 16 and one at a time), projection seconds and PSNR (200 steps, one
  training work of each of up to five classes, and a photo), latent walk of 60 frames to MP4, style walk of 24
  frames at 384 px.
Prints JSON and a table; writes benchmarks/results/gan.json.

    python benchmarks/gan_bench.py [--artdata ../shared/artdata] [--model weights/gan-genre4-32.pt]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from artcore.config import PROJECT_ROOT, SHARED_ARTDATA  # noqa: E402
from artcore.gan import generate as gan  # noqa: E402
from artcore.gan import train as T  # noqa: E402


def timed(fn, repeat: int = 1) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def training_speed(images, labels, classes, res: int, channel_base: int, threads: int, seconds: float) -> dict:
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            s = T.TrainSettings(checkpoint_minutes=1e9, sample_minutes=1e9)
            sizes = {**T.default_channels(res, False), "channel_base": channel_base}
            r = T.train(images, labels, classes, tmp, minutes=seconds / 60, resolution=res, settings=s,
                        config_overrides=sizes)  # fmt: skip
    finally:
        torch.set_num_threads(before)
    return {"resolution": res, "threads": threads, "images": r["images_seen"],
            "images_per_s": round(r["images_per_s"], 1)}  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--artdata", type=Path, default=SHARED_ARTDATA)
    ap.add_argument("--model", type=Path, default=gan.DEFAULT_MODEL)
    ap.add_argument("--train-seconds", type=float, default=60)
    args = ap.parse_args()
    result: dict = {"model": str(args.model), "cpu_count": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2)}
    model = gan.load_model(args.model)
    classes, res = model.classes, model.resolution
    works = {c: [p for p in gan.training_files(model) if p.parent.name == c] for c in classes}
    if not all(works.values()):
        raise SystemExit(f"{args.model} does not list its training works for every class, or they are not here")

    # --- generation, projection, walks
    c = model.class_vector({classes[1]: 1.0})
    gan.generate(model, [0], c)  # warm-up (class mean w)
    result["generate_ms_per_image_batch16"] = round(1000 * timed(lambda: gan.generate(model, range(16), c), 5) / 16, 2)
    result["generate_ms_single"] = round(1000 * timed(lambda: gan.generate(model, [7], c), 10), 2)
    from artcore.gan.project import project

    paintings = [sorted(works[c])[3 % len(works[c])] for c in classes[:5]] + [sorted((args.artdata / "photos").iterdir())[0]]
    projections = []
    for p in paintings:
        start = time.perf_counter()
        proj = project(model, p, steps=200)
        projections.append({"image": p.name, "seconds": round(time.perf_counter() - start, 2), "psnr": proj.psnr,
                            "loss_first": round(proj.losses[0], 4), "loss_last": round(proj.losses[-1], 4)})  # fmt: skip
    result["projection_200_steps"] = projections
    with tempfile.TemporaryDirectory() as tmp:
        a = gan.endpoint(model, "seed:1", c=c)
        b = gan.endpoint(model, "class:" + classes[-1], seed=2)
        start = time.perf_counter()
        gan.save_walk(gan.walk(model, a, b, frames=60), Path(tmp) / "walk.mp4")
        result["latent_walk_60_frames_s"] = round(time.perf_counter() - start, 2)
        from artcore.style import parse_source
        from artcore.style.walk import style_walk
        from artcore.video import save_frames

        photo = sorted((args.artdata / "photos").iterdir())[0]
        style = sorted((args.artdata / "styles").iterdir())[0]
        start = time.perf_counter()
        frames = style_walk(photo, parse_source("builtin:3"), parse_source(str(style)), frames=24, size=384)
        save_frames(list(frames), Path(tmp) / "style.mp4", 12.0)
        result["style_walk_24_frames_384px_s"] = round(time.perf_counter() - start, 2)

    # --- training speed, on the model's own works at its resolution and width
    import torch

    paths = [p for c in classes for p in sorted(works[c])[:40]]
    images, labels, _, _ = T.load_images(paths, [p.parent.name for p in paths], res)
    width = model.G.cfg.channel_base
    result["training"] = [training_speed(images, labels, classes, res, width, 1, args.train_seconds),
                          training_speed(images, labels, classes, res, width, torch.get_num_threads(),
                                         args.train_seconds)]  # fmt: skip
    result["load_avg_1m_end"] = round(os.getloadavg()[0], 2)

    print(json.dumps(result, indent=1))
    print(f"\n| measure | {args.model.name} |\n|---|---|\n"
          f"| generate, ms per image (batch 16 / single) | {result['generate_ms_per_image_batch16']} / "
          f"{result['generate_ms_single']} |\n"
          f"| projection, 200 steps: s, PSNR | {np.median([p['seconds'] for p in projections]):.1f} s, "
          f"{np.median([p['psnr'] for p in projections]):.1f} dB (median of {len(projections)}) |\n"
          f"| latent walk, 60 frames to MP4 | {result['latent_walk_60_frames_s']} s |\n"
          f"| style walk, 24 frames at 384 px | {result['style_walk_24_frames_384px_s']} s |")  # fmt: skip
    for t in result["training"]:
        print(f"| training {t['resolution']} px, {t['threads']} thread(s) | {t['images_per_s']} images/s |")
    out = PROJECT_ROOT / "benchmarks" / "results" / "gan.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
