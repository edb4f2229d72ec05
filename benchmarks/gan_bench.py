"""Generation figures: training images/s, the shipped model's quality against its floor, and the speed of
generating, projecting and walking.

- Training: ``artcore.gan.train`` for ``--train-seconds`` on genre4 at 32 px (the shipped model's network) and at
  64 px, one CPU thread and all threads (the shipped model was trained with one thread beside other work).
- Quality: Fréchet distance on EfficientNet-Lite0 features (generated vs real half A) beside the floor (real half
  B vs real half A), class fidelity beside the judge's own cross-validated accuracy on real images.
- Speed: ms per generated image (batch of 16 and one at a time), projection seconds and PSNR (200 steps, five
  paintings), latent walk of 60 frames to MP4, style walk of 24 frames at 384 px.
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


def training_speed(images, labels, classes, res: int, threads: int, seconds: float) -> dict:
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            s = T.TrainSettings(checkpoint_minutes=1e9, sample_minutes=1e9)
            r = T.train(images, labels, classes, tmp, minutes=seconds / 60, resolution=res, settings=s,
                        config_overrides=T.default_channels(res, False))  # fmt: skip
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
    images, labels, classes, _ = T.folder_dataset(args.artdata / "genre4", model.resolution)

    # --- quality
    from artcore.gan.metrics import evaluate

    start = time.perf_counter()
    result["quality"] = evaluate(model, images, labels, classes, trunc=1.0)
    result["quality_trunc07"] = evaluate(model, images, labels, classes, trunc=0.7)
    result["quality_seconds"] = round(time.perf_counter() - start, 1)

    # --- generation, projection, walks
    c = model.class_vector({classes[1]: 1.0})
    gan.generate(model, [0], c)  # warm-up (class mean w)
    result["generate_ms_per_image_batch16"] = round(1000 * timed(lambda: gan.generate(model, range(16), c), 5) / 16, 2)
    result["generate_ms_single"] = round(1000 * timed(lambda: gan.generate(model, [7], c), 10), 2)
    from artcore.gan.project import project

    paintings = [sorted((args.artdata / "genre4" / cls).iterdir())[3] for cls in classes] + [
        sorted((args.artdata / "photos").iterdir())[0]]  # fmt: skip
    projections = []
    for p in paintings:
        start = time.perf_counter()
        proj = project(model, p, steps=200)
        projections.append({"image": p.name, "seconds": round(time.perf_counter() - start, 2), "psnr": proj.psnr,
                            "loss_first": round(proj.losses[0], 4), "loss_last": round(proj.losses[-1], 4)})  # fmt: skip
    result["projection_200_steps"] = projections
    with tempfile.TemporaryDirectory() as tmp:
        a = gan.endpoint(model, "seed:1", c=c)
        b = gan.endpoint(model, "class:" + classes[3], seed=2)
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

    # --- training speed
    import torch

    result["training"] = [training_speed(images, labels, classes, 32, 1, args.train_seconds),
                          training_speed(images, labels, classes, 32, torch.get_num_threads(), args.train_seconds)]  # fmt: skip
    big, big_labels, _, _ = T.folder_dataset(args.artdata / "genre4", 64)
    result["training"].append(training_speed(big, big_labels, classes, 64, 1, args.train_seconds))
    result["load_avg_1m_end"] = round(os.getloadavg()[0], 2)

    print(json.dumps(result, indent=1))
    q, q7 = result["quality"], result["quality_trunc07"]
    print(f"\n| metric | shipped model | reference |\n|---|---|---|\n"
          f"| Fréchet distance (Lite0), no truncation | {q['fd']} | floor {q['fd_floor']} (real half vs half) |\n"
          f"| Fréchet distance, truncation 0.7 | {q7['fd']} | floor {q7['fd_floor']} |\n"
          f"| class fidelity, no truncation | {q['class_fidelity']:.1%} | chance {q['chance']:.0%}; judge on real "
          f"images {q['real_classifier_accuracy']:.1%} |\n"
          f"| class fidelity, truncation 0.7 | {q7['class_fidelity']:.1%} | |\n"
          f"| generate, ms per image (batch 16 / single) | {result['generate_ms_per_image_batch16']} / "
          f"{result['generate_ms_single']} | |\n"
          f"| projection, 200 steps: s, PSNR | {np.median([p['seconds'] for p in projections]):.1f} s, "
          f"{np.median([p['psnr'] for p in projections]):.1f} dB (median of 5) | |\n"
          f"| latent walk, 60 frames to MP4 | {result['latent_walk_60_frames_s']} s | |\n"
          f"| style walk, 24 frames at 384 px | {result['style_walk_24_frames_384px_s']} s | |")  # fmt: skip
    for t in result["training"]:
        print(f"| training {t['resolution']} px, {t['threads']} thread(s) | {t['images_per_s']} images/s | |")
    out = PROJECT_ROOT / "benchmarks" / "results" / "gan.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
