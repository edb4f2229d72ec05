"""The map at scale: seconds and peak memory to map 10,000 and 100,000 works, figure bytes, sampled map quality.

Data: the artnet embeddings of the shared paintings (bestartworks, 4,655 works, read once through
``embed.embed_files`` and its cache), grown to N by jittered copies (each column plus Gaussian noise of 0.1 its
standard deviation). At 100,000 that is about 21 copies of each painting, more than UMAP's 15 neighbours, so an
exact map's neighbour graph there is mostly clumps of copies.

Each case runs in its own process. Its peak resident memory is reset once the embeddings are in memory and numba
has compiled UMAP (a 5,000-point warm-up, timed on its own): the peak is the process with its embeddings
(``embeddings_mb``) plus what the map and its figure add.

Cases: "sampled" (``maps.build`` fitted on a sample of N/5 works, capped at ``maps.SAMPLE_ABOVE``, the rest
transformed), "exact" (UMAP on every work; only up to ``--exact-max``), over ``maps.SAMPLE_ABOVE`` "reduce-full"
(the PCA fitted on every row, the step alone, to show whether sampling the PCA fit matters); with ``--spectral``,
"sampled-spectral" (the sample laid out from UMAP's spectral start instead of PCA's). Quality: trustworthiness
(k=10) of the map on a seeded 2,000-work subsample, against the standardised embeddings themselves.
Prints JSON and a table; writes benchmarks/results/map_scale.json.

    python benchmarks/map_bench.py [--sizes 10000 100000] [--exact-max 10000] [--spectral]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from artcore import embed, maps  # noqa: E402
from artcore.config import PROJECT_ROOT, SHARED_ARTDATA  # noqa: E402

ENCODER = "artnet"
JITTER = 0.1
TRUST_ROWS, TRUST_K = 2000, 10


def memory() -> dict:
    """Resident memory now and its peak (MB), from /proc."""
    with open("/proc/self/status") as f:
        kb = {k: int(v.split()[0]) for k, v in (line.split(":", 1) for line in f) if k in ("VmRSS", "VmHWM")}
    return {"rss_mb": round(kb["VmRSS"] / 1024), "peak_mb": round(kb["VmHWM"] / 1024)}


def reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # the kernel's "reset peak RSS" (VmHWM) for this process


def grow(X: np.ndarray, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(n jittered copies of rows of X, the row each copies), built in chunks so the noise never takes N×D float64."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(X), n)
    std = X.std(0).astype(np.float32)
    out = np.empty((n, X.shape[1]), np.float32)
    for a in range(0, n, 10_000):
        part = idx[a : a + 10_000]
        out[a : a + len(part)] = X[part] + JITTER * std * rng.standard_normal((len(part), X.shape[1]), np.float32)
    return out, idx


def trust(X: np.ndarray, xy: np.ndarray) -> float:
    from sklearn.manifold import trustworthiness

    from artcore.classify import scaling

    rows = maps.sample_rows(len(X), min(TRUST_ROWS, len(X)), seed=7)
    mean, scale = scaling(X[rows], ENCODER)
    Z = (X[rows] - mean) * scale
    return round(float(trustworthiness(Z, xy[rows], n_neighbors=TRUST_K, metric="cosine")), 4)


def case(data: Path, n: int, mode: str) -> dict:
    """One measurement, in this (fresh) process."""
    import plotly.io as pio

    with np.load(data) as z:
        base, painters, paths = z["X"], z["painters"], z["paths"]
    X, idx = grow(base, n)
    records = [{"artist": str(painters[i]), "path": str(paths[i])} for i in idx]
    out = {"n": n, "mode": mode}
    if mode == "reduce-full":  # the PCA step alone, fitted on every row as below the threshold
        out["embeddings_mb"] = memory()["rss_mb"]
        reset_peak()
        start = time.perf_counter()
        maps.reduce(X, ENCODER, sample_above=n)
        return out | {"reduce_s": round(time.perf_counter() - start, 2), **memory()}
    # numba compiles UMAP once per process: over 4,096 rows (NN-descent) and a transform through its search index.
    start = time.perf_counter()
    warm, _ = grow(base, 5000, seed=1)
    maps.build(warm, [{}] * 5000, ENCODER, sample_above=4500)
    out["warmup_s"] = round(time.perf_counter() - start, 2)
    sample_above = n if mode == "exact" else min(maps.SAMPLE_ABOVE, n // 5)  # "sampled", "sampled-spectral"
    out["fit_rows"] = sample_above
    out["embeddings_mb"] = memory()["rss_mb"]
    reset_peak()
    steps = []
    start = time.perf_counter()
    reduced, *_ = maps.reduce(X, ENCODER, sample_above=sample_above)
    out["reduce_s"] = round(time.perf_counter() - start, 2)
    init = "spectral" if mode == "sampled-spectral" else None
    xy = maps.umap_xy(reduced, sample_above=sample_above, progress=lambda *_: steps.append(time.perf_counter()),
                      init=init)  # fmt: skip
    out["map_s"] = round(time.perf_counter() - start, 2)
    out["umap_s"] = round(out["map_s"] - out["reduce_s"], 2)
    if steps:  # the first report comes when the sample is laid out; the others as the rest is placed
        out["sample_fit_s"] = round(steps[0] - start - out["reduce_s"], 2)
        out["transform_s"] = round(steps[-1] - steps[0], 2)
    out["progress_steps"] = len(steps)
    assert xy.shape == (n, 2) and np.isfinite(xy).all()
    m = maps.Map(records, xy, reduced, *([None] * 3), {})
    start = time.perf_counter()
    spec = pio.to_json(maps.figure(m, "artist"), validate=False)
    out["figure_s"] = round(time.perf_counter() - start, 2)
    out["figure_bytes"] = len(spec.encode())
    out |= memory()
    if n > maps.HOVER_NAMES_MAX:  # what per-point file names would have cost
        maps.HOVER_NAMES_MAX = n
        out["figure_bytes_with_names"] = len(pio.to_json(maps.figure(m, "artist"), validate=False).encode())
    out["trustworthiness"] = trust(X, xy)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--artdata", type=Path, default=SHARED_ARTDATA)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--exact-max", type=int, default=10_000, help="largest N also mapped exactly, for comparison")
    ap.add_argument("--spectral", action="store_true", help="also the sampled map from UMAP's spectral start")
    ap.add_argument("--out", type=Path, default=PROJECT_ROOT / "benchmarks" / "results" / "map_scale.json")
    ap.add_argument("--case", nargs=3, metavar=("DATA", "N", "MODE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.case:
        print(json.dumps(case(Path(args.case[0]), int(args.case[1]), args.case[2])))
        return 0

    paths, painters = embed.folder_images(args.artdata / "bestartworks" / "images")
    X = embed.embed_files(paths, ENCODER)
    result = {
        "encoder": ENCODER, "real_embeddings": len(X), "dim": X.shape[1],
        "method": f"real artnet embeddings of bestartworks grown to N by copies plus Gaussian jitter "
                  f"({JITTER} x each column's std); each case in a fresh process; peak = VmHWM after the "
                  "embeddings are loaded and UMAP is compiled",
        "sample_above": maps.SAMPLE_ABOVE, "place_chunk": maps.PLACE_CHUNK,
        "trustworthiness": f"sklearn trustworthiness, k={TRUST_K}, on a seeded {TRUST_ROWS}-work subsample, "
                           "against the standardised embeddings (cosine)",
        "command": " ".join(["python benchmarks/map_bench.py", *sys.argv[1:]]),
        "cpu_count": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2), "cases": [],
    }  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "base.npz"
        np.savez(data, X=X, painters=np.array(painters), paths=np.array([str(p) for p in paths]))
        for n in args.sizes:
            modes = (["exact"] if n <= args.exact_max else []) + ["sampled"]
            modes += ["reduce-full"] if n > maps.SAMPLE_ABOVE else []
            modes += ["sampled-spectral"] if args.spectral else []
            for mode in modes:
                cmd = [sys.executable, __file__, "--case", str(data), str(n), mode]
                done = subprocess.run(cmd, capture_output=True, text=True)
                if done.returncode:
                    sys.stderr.write(done.stderr)
                    return done.returncode
                row = json.loads(done.stdout.strip().splitlines()[-1])
                print(json.dumps(row), file=sys.stderr, flush=True)
                result["cases"].append(row)
    result["load_avg_1m_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result, indent=1))
    print("\n| N | mode | fit rows | reduce s | UMAP s | map s | peak MB (embeddings MB) | figure bytes | trust. |")
    print("|---|---|---|---|---|---|---|---|---|")
    for c in result["cases"]:
        print(f"| {c['n']:,} | {c['mode']} | {c.get('fit_rows', c['n']):,} | {c['reduce_s']} | {c.get('umap_s', '')} | "
              f"{c.get('map_s', '')} | {c['peak_mb']:,} ({c.get('embeddings_mb', '')}) | "
              f"{c.get('figure_bytes', 0):,} | {c.get('trustworthiness', '')} |")  # fmt: skip
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
