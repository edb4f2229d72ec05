"""Nearest works at scale: hnswlib against faiss-cpu (HNSW flat, IVF flat) and exact numpy search, at 10k and 100k.

Vectors: real embeddings (``--encoder``, default the painting encoder) of ``--sample`` shared paintings, cached as
everywhere (``cache_dir()/embeddings.sqlite``), made into 10,000 and 100,000 synthetic ones, each a random convex mix
of 3 real vectors (Dirichlet weights) plus Gaussian noise of norm about 0.05, unit-normalised (the shared data holds
fewer paintings). Queries are 200 fresh mixes, not in the index. Similarity is the inner product of unit vectors
(cosine). Per size: build seconds (2 threads), index MB (serialised), single-query milliseconds (1 thread; median and
95th percentile) and recall@10 against exact search, per search setting. Also the exact search's time over
1k-10k vectors (where an index stops paying) and the map's "place my upload" scan (100k unit rows of 50 PCA dims).
Writes benchmarks/results/knn.json; prints a table (``--json``: the JSON).

    pip install faiss-cpu==1.15.1   # compared here only; the app uses hnswlib
    nice -n 19 python benchmarks/knn_bench.py [--sizes 10000 100000] [--encoder artnet] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from artcore import embed  # noqa: E402
from artcore.config import SHARED_ARTDATA  # noqa: E402
from artcore.imageio import atomic_write_bytes, is_image_name  # noqa: E402

K = 10
M, EF_CONSTRUCTION = 16, 100  # the same graph for both HNSW libraries
EFS = (10, 16, 24, 32, 48, 64, 128)
NPROBES = (1, 4, 8, 16, 32)
MIX, NOISE = 3, 0.05


def unit(X: np.ndarray) -> np.ndarray:
    return (X / np.linalg.norm(X, axis=1, keepdims=True).clip(1e-12)).astype(np.float32)


def synthesise(real: np.ndarray, n: int, seed: int) -> np.ndarray:
    """``n`` unit vectors, each a Dirichlet-weighted mix of ``MIX`` real ones plus noise of norm about ``NOISE``."""
    rng = np.random.default_rng(seed)
    out = np.empty((n, real.shape[1]), np.float32)
    for a in range(0, n, 10000):
        b = min(n, a + 10000)
        idx = rng.integers(0, len(real), (b - a, MIX))
        w = rng.dirichlet(np.ones(MIX), b - a).astype(np.float32)
        noise = rng.normal(0, NOISE / np.sqrt(real.shape[1]), (b - a, real.shape[1])).astype(np.float32)
        out[a:b] = unit((real[idx] * w[:, :, None]).sum(1) + noise)
    return out


def timed_queries(search, Q: np.ndarray, truth: np.ndarray) -> dict:
    """Single queries one after another on one BLAS thread: recall@K against ``truth`` and milliseconds (median,
    p95). A second BLAS thread measured slower, not faster, for one query on this shared 2-core machine."""
    from threadpoolctl import threadpool_limits

    ms, hits = [], 0
    with threadpool_limits(1, user_api="blas"):
        for q, t in zip(Q, truth, strict=True):
            start = time.perf_counter()
            ids = search(q)
            ms.append((time.perf_counter() - start) * 1000)
            hits += len(set(np.asarray(ids).ravel().tolist()) & set(t.tolist()))
    return {"recall": round(hits / truth.size, 4) if truth.size else None, "median_ms": round(float(np.median(ms)), 3),
            "p95_ms": round(float(np.percentile(ms, 95)), 3)}  # fmt: skip


def exact_top(X: np.ndarray, q: np.ndarray) -> np.ndarray:
    s = X @ q
    top = np.argpartition(-s, K)[:K]
    return top[np.argsort(-s[top])]


def file_mb(write) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "index")
        write(path)
        return round(os.path.getsize(path) / 2**20, 1)


def bench_hnswlib(X: np.ndarray, Q: np.ndarray, truth: np.ndarray) -> dict:
    import hnswlib

    start = time.perf_counter()
    index = hnswlib.Index("ip", X.shape[1])
    index.init_index(len(X), M=M, ef_construction=EF_CONSTRUCTION, random_seed=0)
    index.set_num_threads(2)
    index.add_items(X, np.arange(len(X)))
    out = {"build_s": round(time.perf_counter() - start, 1), "index_mb": file_mb(index.save_index)}
    index.set_num_threads(1)
    out["search"] = []
    for ef in EFS:
        index.set_ef(ef)
        out["search"].append({"ef": ef, **timed_queries(lambda q: index.knn_query(q, K)[0], Q, truth)})
    return out


def bench_faiss_hnsw(X: np.ndarray, Q: np.ndarray, truth: np.ndarray) -> dict:
    import faiss

    faiss.omp_set_num_threads(2)
    start = time.perf_counter()
    index = faiss.IndexHNSWFlat(X.shape[1], M, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = EF_CONSTRUCTION
    index.add(X)
    out = {"build_s": round(time.perf_counter() - start, 1),
           "index_mb": file_mb(lambda p: faiss.write_index(index, p))}  # fmt: skip
    faiss.omp_set_num_threads(1)
    out["search"] = []
    for ef in EFS:
        index.hnsw.efSearch = ef
        out["search"].append({"ef": ef, **timed_queries(lambda q: index.search(q[None], K)[1], Q, truth)})
    return out


def bench_faiss_ivf(X: np.ndarray, Q: np.ndarray, truth: np.ndarray) -> dict:
    import faiss

    faiss.omp_set_num_threads(2)
    nlist = round(np.sqrt(len(X)))
    start = time.perf_counter()
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(X.shape[1]), X.shape[1], nlist, faiss.METRIC_INNER_PRODUCT)
    rng = np.random.default_rng(0)
    index.train(X[rng.choice(len(X), min(len(X), 40 * nlist), replace=False)])
    index.add(X)
    out = {"nlist": nlist, "build_s": round(time.perf_counter() - start, 1),
           "index_mb": file_mb(lambda p: faiss.write_index(index, p))}  # fmt: skip
    faiss.omp_set_num_threads(1)
    out["search"] = []
    for nprobe in NPROBES:
        index.nprobe = nprobe
        out["search"].append({"nprobe": nprobe, **timed_queries(lambda q: index.search(q[None], K)[1], Q, truth)})
    return out


def real_vectors(artdata: Path, encoder: str, sample: int) -> tuple[np.ndarray, int]:
    """(unit embeddings of ``sample`` shared paintings, how many had to be computed now)."""
    paths = sorted(p for p in artdata.rglob("*") if p.is_file() and is_image_name(p))
    paths = random.Random(0).sample(paths, min(sample, len(paths)))
    before = time.perf_counter()
    X = embed.embed_files(paths, encoder)
    return unit(X), round(time.perf_counter() - before, 1)


def best(rows: list[dict]) -> dict | None:
    """The fastest (median) search setting reaching recall@10 >= 0.95."""
    ok = [r for r in rows if r["recall"] >= 0.95]
    return min(ok, key=lambda r: r["median_ms"]) if ok else None


def table(res: dict) -> str:
    lines = [f"{res['data']}\n", "| vectors | method | setting | build s | index MB | recall@10 | median ms | p95 ms |",
             "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for n, per in res["sizes"].items():
        e = per["exact"]
        lines.append(f"| {int(n):,} | numpy exact | — | 0 | {e['matrix_mb']} | 1.0 | {e['median_ms']} | "
                     f"{e['p95_ms']} |")  # fmt: skip
        for name, key in (("hnswlib", "ef"), ("faiss-hnsw", "ef"), ("faiss-ivf", "nprobe")):
            if name not in per:
                continue
            for r in per[name]["search"]:
                lines.append(f"| {int(n):,} | {name} | {key} {r[key]} | {per[name]['build_s']} | "
                             f"{per[name]['index_mb']} | {r['recall']} | {r['median_ms']} | {r['p95_ms']} |")  # fmt: skip
    lines.append("\nexact search, single query: " + ", ".join(f"{r['n']:,}: {r['median_ms']} ms"
                                                           for r in res["exact_scaling"]))  # fmt: skip
    place = res["map_place"]
    lines.append(f"map's 'place my upload' scan of 100,000 × {place['dims']}: full sort "
                 f"{place['argsort']['median_ms']} ms, partial sort {place['argpartition']['median_ms']} ms (median)")  # fmt: skip
    for n, picks in res["fastest_at_0.95"].items():
        lines.append(f"fastest at recall >= 0.95, {int(n):,}: "
                     + ", ".join(f"{k} {v}" for k, v in picks.items()))  # fmt: skip
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--artdata", type=Path, default=SHARED_ARTDATA)
    ap.add_argument("--encoder", default=embed.DEFAULT_ENCODER, choices=tuple(embed.ENCODERS))
    ap.add_argument("--sample", type=int, default=2000, help="real paintings embedded (default 2000)")
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000])
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--skip", nargs="*", default=[], choices=("hnswlib", "faiss-hnsw", "faiss-ivf"))
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "knn.json")
    ap.add_argument("--json", action="store_true", help="print the JSON result instead of the table")
    args = ap.parse_args()
    import importlib.util

    if importlib.util.find_spec("faiss") is None:  # not one of the app's requirements: only compared here
        print("faiss-cpu is not installed (pip install faiss-cpu==1.15.1): measuring hnswlib and numpy only",
              file=sys.stderr)  # fmt: skip
        args.skip += ["faiss-hnsw", "faiss-ivf"]

    real, embed_s = real_vectors(args.artdata, args.encoder, args.sample)
    res = {
        "data": f"{max(args.sizes):,} synthetic unit vectors from {len(real):,} real {args.encoder} embeddings "
                f"({real.shape[1]}-d) of shared paintings: each a convex mix of {MIX} real ones (Dirichlet weights) "
                f"plus noise of norm ~{NOISE}, unit-normalised; {args.queries} fresh mixes as queries",
        "encoder": args.encoder, "dim": int(real.shape[1]), "real_vectors": len(real), "embed_s": embed_s,
        "k": K, "M": M, "ef_construction": EF_CONSTRUCTION, "build_threads": 2, "query_threads": 1,
        "cpu_count": os.cpu_count(), "python": platform.python_version(),
        "load_avg_1m": round(os.getloadavg()[0], 2), "sizes": {}, "fastest_at_0.95": {},
    }  # fmt: skip
    Q = synthesise(real, args.queries, seed=1)
    for n in sorted(args.sizes):
        X = synthesise(real, n, seed=2)
        truth = np.argsort(-(Q @ X.T), 1)[:, :K]
        per = {"exact": {"matrix_mb": round(X.nbytes / 2**20, 1),
                         **timed_queries(lambda q, X=X: exact_top(X, q), Q, truth)}}  # fmt: skip
        for name, fn in (("hnswlib", bench_hnswlib), ("faiss-hnsw", bench_faiss_hnsw), ("faiss-ivf", bench_faiss_ivf)):
            if name not in args.skip:
                per[name] = fn(X, Q, truth)
                print(f"{n:,} {name}: built in {per[name]['build_s']} s", file=sys.stderr)
        res["sizes"][str(n)] = per
        res["fastest_at_0.95"][str(n)] = {name: best(per[name]["search"]) for name in per if name != "exact"}
        if n == max(args.sizes):
            res["exact_scaling"] = []
            for m in (1000, 2000, 5000, 10000):
                found = timed_queries(lambda q, sub=X[:m]: exact_top(sub, q), Q, truth[:, :0])
                res["exact_scaling"].append({"n": m, **found})
    # The map places an upload by scanning its own 50-d PCA rows (artcore.maps.Map.place): a full sort of the
    # similarities against a partial one.
    Z = unit(np.random.default_rng(3).normal(size=(100000, 50)).astype(np.float32))
    Q50, none = unit(Q[:, :50]), np.zeros((len(Q), 0), int)
    res["map_place"] = {"dims": 50, "argsort": timed_queries(lambda q: np.argsort(-(Z @ q))[:8], Q50, none),
                        "argpartition": timed_queries(lambda q: exact_top(Z, q), Q50, none)}  # fmt: skip
    res["load_avg_1m_end"] = round(os.getloadavg()[0], 2)
    atomic_write_bytes(args.out, (json.dumps(res, indent=1) + "\n").encode())
    print(json.dumps(res, indent=1) if args.json else table(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
