"""Artist and genre accuracy (5-fold stratified CV, three fold seeds) and embedding speed, ours beside baselines.

Baseline (same run, same folds): EfficientNet-Lite0 pooled features at 224 px + logistic regression (C=1).
Ours: the default ``artnet`` encoder (Lite0 fine-tuned here on 42 painters, ``artcore.artnet``) + the classifier
``artcore.classify`` trains; the previous default ``lite0-crops`` (Lite0 pooled head + per-stage channel mean/std,
averaged over a 3×3 grid of 224-px crops of the picture at 768 px) beside it. With 100 paintings one fold split
moves top-1 by several points, so both tasks report the mean top-1/top-3 over three fold seeds (``top1_seeds``).
Prints JSON and a table; writes benchmarks/results/classify.json.

    python benchmarks/classify_bench.py [--artdata ../shared/artdata] [--speed-images 64]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from artcore import classify, embed  # noqa: E402
from artcore.config import PROJECT_ROOT, SHARED_ARTDATA, cache_dir  # noqa: E402
from artcore.imageio import atomic_write_bytes  # noqa: E402

# (row name, encoder, C)
CONTENDERS = [("baseline: frozen Lite0 + LR", "lite0", 1.0), ("ours: artnet", "artnet", classify.C_OURS),
              ("lite0-crops (previous default)", "lite0-crops", classify.C_OURS)]  # fmt: skip
SEEDS = (0, 1, 2)


def accuracy(root: Path, store: embed.EmbeddingStore, seeds: tuple[int, ...] = (0,)) -> dict:
    paths, labels = embed.folder_images(root)
    items = [(embed.file_sha256(p), p) for p in paths]
    out = {}
    for name, encoder, C in CONTENDERS:
        X, _ = embed.cached(store, items, encoder)
        cvs = [classify.cross_validate(X, labels, encoder, folds=5, C=C, seed=s) for s in seeds]
        cv = cvs[0]
        out[name] = {"encoder": encoder, "C": C, "top1": round(cv["top1"], 4), "top3": round(cv["top3"], 4),
                     "n": cv["n"]}  # fmt: skip
        if len(seeds) > 1:
            out[name]["top1_seeds"] = round(float(sum(c["top1"] for c in cvs) / len(cvs)), 4)
            out[name]["top3_seeds"] = round(float(sum(c["top3"] for c in cvs) / len(cvs)), 4)
    return out


def speed(files: list[Path]) -> tuple[dict, dict]:
    """Embeddings per second from image files (decode included), no cache; one warm-up batch first.

    Also the rate the process's own CPU time implies for all cores (``cpu_count / CPU-seconds per image``): on a
    machine other jobs share, wall-clock rates say more about the load than about the code.
    """
    out, cpu_rate = {}, {}
    for encoder in ("artnet", "lite0", "lite0-crops", "magenta"):
        embed.compute(files[:8], encoder)
        start, cpu = time.perf_counter(), time.process_time()
        embed.compute(files, encoder)
        out[encoder] = round(len(files) / (time.perf_counter() - start), 1)
        cpu_rate[encoder] = round(len(files) * (os.cpu_count() or 1) / (time.process_time() - cpu), 1)
    return out, cpu_rate


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--artdata", type=Path, default=SHARED_ARTDATA)
    ap.add_argument("--speed-images", type=int, default=64)
    args = ap.parse_args()
    # Embeddings persist between runs in the user cache; speed is measured separately with no cache.
    store = embed.EmbeddingStore.for_file(cache_dir() / "bench-embeddings.sqlite")
    result = {"cpu_count": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2)}
    for task in ("artist10", "genre4"):
        start = time.perf_counter()
        result[task] = accuracy(args.artdata / task, store, SEEDS)
        print(f"{task} done in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    files, _ = embed.folder_images(args.artdata / "genre4")
    result["load_avg_1m_before_speed"] = round(os.getloadavg()[0], 2)
    sample = files[:: max(1, len(files) // args.speed_images)][: args.speed_images]
    result["embeddings_per_s"], result["embeddings_per_s_from_cpu_time"] = speed(sample)
    result["load_avg_1m_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result, indent=1))
    print(f"\n{'':30s} {'artist10 top1/top3':>20s} {'(3 seeds)':>17s} {'genre4 top1/top3':>20s} {'(3 seeds)':>17s}")
    for name, _e, _c in CONTENDERS:
        a, g = result["artist10"][name], result["genre4"][name]
        print(f"{name:30s} {a['top1']:>9.1%} /{a['top3']:>7.1%} {a['top1_seeds']:>8.1%} /{a['top3_seeds']:>7.1%}"
              f" {g['top1']:>10.1%} /{g['top3']:>7.1%} {g['top1_seeds']:>8.1%} /{g['top3_seeds']:>7.1%}")  # fmt: skip
    print("embeddings/s: " + ", ".join(f"{k} {v}" for k, v in result["embeddings_per_s"].items()))
    print("embeddings/s implied by CPU time on all cores: "
          + ", ".join(f"{k} {v}" for k, v in result["embeddings_per_s_from_cpu_time"].items()))  # fmt: skip
    atomic_write_bytes(PROJECT_ROOT / "benchmarks" / "results" / "classify.json", json.dumps(result, indent=1).encode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
