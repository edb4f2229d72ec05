"""Map speed: seconds to build the UMAP map (per-block scaling + PCA + UMAP) of 1,000 and 10,000 embeddings.

Real embeddings of the shared paintings (default encoder, from the benchmark cache that classify_bench.py fills)
are resampled with small Gaussian jitter up to 10,000, since the sample library has fewer images. A 300-point
warm-up runs first so numba's one-off compilation is reported on its own.
Prints JSON and a table; writes benchmarks/results/umap.json.

    python benchmarks/umap_bench.py [--artdata ../shared/artdata]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from artcore import embed, maps  # noqa: E402
from artcore.config import PROJECT_ROOT, SHARED_ARTDATA, cache_dir  # noqa: E402


def synthesise(X: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(X), n)
    return (X[idx] + rng.normal(0, 0.1, (n, X.shape[1])) * X.std(0)).astype(np.float32)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--artdata", type=Path, default=SHARED_ARTDATA)
    args = ap.parse_args()
    store = embed.EmbeddingStore.for_file(cache_dir() / "bench-embeddings.sqlite")
    paths = [p for task in ("artist10", "genre4") for p in embed.folder_images(args.artdata / task)[0]]
    X, _ = embed.cached(store, [(embed.file_sha256(p), p) for p in paths], embed.DEFAULT_ENCODER)
    result = {"encoder": embed.DEFAULT_ENCODER, "real_embeddings": len(X), "cpu_count": os.cpu_count(),
              "load_avg_1m": round(os.getloadavg()[0], 2)}  # fmt: skip
    start = time.perf_counter()
    maps.build(synthesise(X, 300, 1), [{}] * 300, embed.DEFAULT_ENCODER)
    result["warmup_300_s"] = round(time.perf_counter() - start, 2)
    for n in (1000, 10000):
        data = synthesise(X, n)
        start = time.perf_counter()
        m = maps.build(data, [{}] * n, embed.DEFAULT_ENCODER)
        result[f"umap_{n}_s"] = round(time.perf_counter() - start, 2)
        assert m.xy.shape == (n, 2) and np.isfinite(m.xy).all()
    result["load_avg_1m_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result, indent=1))
    print(f"\nmap of 1,000: {result['umap_1000_s']} s; 10,000: {result['umap_10000_s']} s "
          f"(numba warm-up {result['warmup_300_s']} s, once per process)")  # fmt: skip
    out = PROJECT_ROOT / "benchmarks" / "results" / "umap.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
