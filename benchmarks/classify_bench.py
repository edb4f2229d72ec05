"""Artist and genre accuracy (5-fold stratified CV) and embedding speed, ours beside the frozen-Lite0 baseline.

Baseline (same run, same folds): EfficientNet-Lite0 pooled features at 224 px + logistic regression (C=1).
Ours: the default ``lite0-texture`` encoder (Lite0 at 384 px: pooled head + per-stage channel mean/std) + the
classifier ``artcore.classify`` trains (per-block scaling, C=10); ``combined`` (+ Magenta style vector) beside it.
Prints JSON and a table; writes benchmarks/results/classify.json.

    python benchmarks/classify_bench.py [--artdata ../shared/artdata] [--speed-images 64]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from artcore import classify, embed  # noqa: E402
from artcore.config import PROJECT_ROOT, SHARED_ARTDATA  # noqa: E402

# (row name, encoder, C)
CONTENDERS = [("baseline: frozen Lite0 + LR", "lite0", 1.0), ("ours: lite0-texture", "lite0-texture", classify.C_OURS),
              ("combined (+ magenta)", "combined", classify.C_OURS)]  # fmt: skip


def accuracy(root: Path, store: embed.EmbeddingStore) -> dict:
    paths, labels = embed.folder_images(root)
    items = [(embed.file_sha256(p), p) for p in paths]
    out = {}
    for name, encoder, C in CONTENDERS:
        X, _ = embed.cached(store, items, encoder)
        cv = classify.cross_validate(X, labels, encoder, folds=5, C=C)
        out[name] = {"encoder": encoder, "C": C, "top1": round(cv["top1"], 4), "top3": round(cv["top3"], 4),
                     "n": cv["n"]}  # fmt: skip
    return out


def speed(files: list[Path]) -> dict:
    """Embeddings per second from image files (decode included), no cache; one warm-up batch first."""
    out = {}
    for encoder in embed.ENCODERS:
        embed.compute(files[:8], encoder)
        start = time.perf_counter()
        embed.compute(files, encoder)
        out[encoder] = round(len(files) / (time.perf_counter() - start), 1)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--artdata", type=Path, default=SHARED_ARTDATA)
    ap.add_argument("--speed-images", type=int, default=64)
    args = ap.parse_args()
    # Embeddings persist between runs in the user cache; speed is measured separately with no cache.
    store = embed.EmbeddingStore.for_file(embed.cache_dir() / "bench-embeddings.sqlite")
    result = {"cpu_count": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2)}
    for task in ("artist10", "genre4"):
        start = time.perf_counter()
        result[task] = accuracy(args.artdata / task, store)
        print(f"{task} done in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    files, _ = embed.folder_images(args.artdata / "genre4")
    result["embeddings_per_s"] = speed(files[:: max(1, len(files) // args.speed_images)][: args.speed_images])
    result["load_avg_1m_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result, indent=1))
    print(f"\n{'':30s} {'artist10 top1/top3':>20s} {'genre4 top1/top3':>20s}")
    for name, _e, _c in CONTENDERS:
        a, g = result["artist10"][name], result["genre4"][name]
        print(f"{name:30s} {a['top1']:>9.1%} /{a['top3']:>7.1%} {g['top1']:>10.1%} /{g['top3']:>7.1%}")
    print("embeddings/s: " + ", ".join(f"{k} {v}" for k, v in result["embeddings_per_s"].items()))
    out = PROJECT_ROOT / "benchmarks" / "results" / "classify.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=out.parent, delete=False, suffix=".tmp") as fh:
        json.dump(result, fh, indent=1)
    os.replace(fh.name, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
