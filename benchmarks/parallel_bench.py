"""Embeddings and restyling on three engines: this process, local worker processes, and a local Ray cluster.

On ``--n`` real paintings of ``../shared/artdata/bestartworks`` (a stable spread over the painters), on this machine's
CPUs, each engine in the same run:
- ``artcore embed``'s work (the painting encoder, into a fresh catalog file): images/s with 1 worker (this process,
  onnxruntime on every core), 2 worker processes (a core each) and a local Ray cluster with 2 actors
  (Ray Data ``map_batches``) — its overhead against the 2-worker pool, with and without the cluster's start;
  whether the vectors are identical;
- ``artcore stylize-batch`` (a built-in style at ``--size`` px) on ``--n-style`` paintings: images/s the same ways;
- the driver's share: storing vectors in the catalog (vectors/s), reading image files (MB/s);
- on paper, 100,000 paintings on a 10-machine cluster like this one, and where it stops scaling.
Writes benchmarks/results/parallel.json; prints a table (``--json``: the JSON).

    python benchmarks/parallel_bench.py [--n 400] [--n-style 60] [--size 512] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from artcore import embed  # noqa: E402
from artcore.config import SHARED_ARTDATA  # noqa: E402
from artcore.parallel import Engine, connect  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "parallel.json"


def paintings(n: int) -> list[Path]:
    """``n`` paintings spread over every painter: ordered by a hash of their names, so the pick is stable."""
    files = sorted((SHARED_ARTDATA / "bestartworks" / "images").rglob("*.jpg"))
    return sorted(files, key=lambda p: hashlib.sha256(p.name.encode()).hexdigest())[:n]


def embed_run(paths: list[Path], engine: Engine | None, folder: Path, name: str) -> tuple[dict, np.ndarray]:
    store = embed.EmbeddingStore.for_file(folder / f"{name}.sqlite")
    items = [(hashlib.sha256(str(p).encode()).hexdigest(), p) for p in paths]
    marks: list[tuple[float, int]] = []
    t = time.perf_counter()
    X, n = embed.cached(store, items, "artnet", engine=engine,
                        progress=lambda d, _t, _m: marks.append((time.perf_counter() - t, d)))  # fmt: skip
    total = time.perf_counter() - t
    assert n == len(paths)
    r = rates(len(paths), total, marks, 128)
    print(f"embed {name}: {r}", file=sys.stderr)
    return r, X


def rates(n: int, total: float, marks: list[tuple[float, int]], first_n: int) -> dict:
    """Seconds in all, to the first stored batch, and the steady rate after it (start-up excluded): the first batch
    each worker returns carries its start (process, imports, model load)."""
    first = next(m for m in marks if m[1] >= min(n, first_n))
    steady = (n - first[1]) / max(total - first[0], 1e-6) if first[1] < n else None
    return {"seconds": round(total, 2), "images_per_s": round(n / total, 2), "first_batch_s": round(first[0], 2),
            "steady_images_per_s": round(steady, 2) if steady else None}  # fmt: skip


def style_run(spec: str, engine: Engine | None, out: Path, size: int) -> dict:
    from artcore.style import parse_source
    from artcore.style.batch import stylize_collection

    marks: list[tuple[float, int]] = []
    t = time.perf_counter()
    r = stylize_collection(spec, [parse_source("builtin:the-starry-night")], out, size=size, engine=engine,
                           progress=lambda d, _t: marks.append((time.perf_counter() - t, d)))  # fmt: skip
    assert r["skipped"] == 0
    res = rates(r["rendered"], time.perf_counter() - t, [m for m in marks if m[1]], 8)
    print(f"stylize {engine.describe() if engine else 'this process'}: {res}", file=sys.stderr)
    return res


def driver_costs(paths: list[Path], dim: int, folder: Path) -> dict:
    """What the driver alone does per image: store a vector in the catalog, and read the file's bytes."""
    store = embed.EmbeddingStore.for_file(folder / "driver.sqlite")
    vecs = np.random.default_rng(0).standard_normal((5000, dim)).astype(np.float32)
    shas = [f"{i:064x}" for i in range(5000)]
    t = time.perf_counter()
    for i in range(0, 5000, 32):  # the batch size the engines return
        store.put(shas[i : i + 32], "bench", vecs[i : i + 32])
    put = 5000 / (time.perf_counter() - t)
    t, size = time.perf_counter(), 0
    for p in paths:
        size += len(p.read_bytes())
    return {"catalog_vectors_per_s": round(put), "read_mb_per_s": round(size / 1e6 / (time.perf_counter() - t), 1),
            "mean_file_kb": round(size / 1e3 / len(paths), 1)}  # fmt: skip


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=400, help="paintings to embed per engine (default 400)")
    ap.add_argument("--n-style", type=int, default=60, help="paintings to restyle per engine (default 60)")
    ap.add_argument("--size", type=int, default=512, help="restyled size, px (default 512)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    cpus = os.cpu_count() or 1
    paths = paintings(args.n)
    res: dict = {"machine": {"cpus": cpus, "python": platform.python_version(), "platform": platform.platform()},
                 "images": len(paths), "encoder": "artnet", "embed": {}, "stylize": {}}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        vectors = {}
        for name, eng in {"1 worker (this process)": None, "2 workers": Engine(workers=2)}.items():
            res["embed"][name], vectors[name] = embed_run(paths, eng, folder, name[:9].replace(" ", "-"))
        t = time.perf_counter()
        connect("local", cpus)
        start = time.perf_counter() - t
        res["embed"]["ray (2 actors)"], vectors["ray"] = embed_run(paths, Engine(ray="local"), folder, "ray")
        res["embed"]["ray (2 actors)"]["cluster_start_s"] = round(start, 2)
        ray_r, pool = res["embed"]["ray (2 actors)"], res["embed"]["2 workers"]
        # At 100k the start-up is paid once: the overhead that matters is the steady rate's, plus start-ups spread.
        res["embed"]["ray_overhead_steady"] = round(pool["steady_images_per_s"] / ray_r["steady_images_per_s"] - 1, 3)
        res["embed"]["ray_overhead_this_run"] = round(ray_r["seconds"] / pool["seconds"] - 1, 3)
        t100k = {k: r["first_batch_s"] + 100_000 / r["steady_images_per_s"] for k, r in (("ray", ray_r), ("pool", pool))}
        res["embed"]["ray_overhead_at_100k"] = round((t100k["ray"] + start) / t100k["pool"] - 1, 3)
        res["embed"]["identical"] = {k: bool(np.array_equal(v, vectors["1 worker (this process)"])) for k, v in vectors.items()}
        res["embed"]["max_abs_diff"] = {k: float(np.abs(v - vectors["1 worker (this process)"]).max()) for k, v in vectors.items()}

        style_dir = folder / "style-in"
        style_dir.mkdir()
        for p in paths[: args.n_style]:
            os.symlink(p, style_dir / f"{hashlib.sha256(str(p).encode()).hexdigest()[:12]}{p.suffix}")
        for name, eng in {"this process": None, "2 workers": Engine(workers=2), "ray (2 actors)": Engine(ray="local")}.items():
            res["stylize"][name] = style_run(str(style_dir), eng, folder / f"style-{name[:4]}", args.size)
        ray_s, pool_s = res["stylize"]["ray (2 actors)"], res["stylize"]["2 workers"]
        res["stylize"]["ray_overhead_steady"] = round(pool_s["steady_images_per_s"] / ray_s["steady_images_per_s"] - 1, 3)
        res["stylize"]["ray_overhead_this_run"] = round(ray_s["seconds"] / pool_s["seconds"] - 1, 3)
        res["stylize"].update({"images": args.n_style, "size": args.size, "style": "builtin:the-starry-night"})
        res["driver"] = driver_costs(paths, embed.ENCODERS["artnet"].dim, folder)
    res["estimate_100k_10_machines"] = estimate(res)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(res, indent=1) + "\n")
    print(json.dumps(res, indent=1) if args.json else table(res))
    return res


def estimate(res: dict) -> dict:
    """100,000 paintings on 10 machines like this one: per-machine rate from the Ray run, the driver's limits."""
    per_machine = res["embed"]["ray (2 actors)"]["steady_images_per_s"]
    workers_rate = 10 * per_machine
    driver = res["driver"]["catalog_vectors_per_s"]
    read = res["driver"]["read_mb_per_s"] * 1e3 / res["driver"]["mean_file_kb"]  # files/s one disk serves
    rate = min(workers_rate, driver)
    return {"per_machine_images_per_s": per_machine, "cluster_images_per_s": round(rate, 1),
            "minutes": round(100_000 / rate / 60, 1),
            "one_machine_minutes": round(100_000 / res["embed"]["1 worker (this process)"]["images_per_s"] / 60, 1),
            "driver_catalog_limit_images_per_s": driver, "one_disk_read_limit_images_per_s": round(read),
            "machines_until_driver_bound": int(driver // per_machine),
            "machines_until_one_disk_bound": int(read // per_machine)}  # fmt: skip


def table(res: dict) -> str:
    e, s, est = res["embed"], res["stylize"], res["estimate_100k_10_machines"]
    lines = [f"Embeddings ({res['encoder']}, {res['images']} paintings, {res['machine']['cpus']} CPUs)", "",
             "| engine | images/s | once running | first batch stored, s | seconds |", "|---|---:|---:|---:|---:|"]  # fmt: skip
    for k in ("1 worker (this process)", "2 workers", "ray (2 actors)"):
        lines.append(f"| {k} | {e[k]['images_per_s']} | {e[k]['steady_images_per_s']} | {e[k]['first_batch_s']} | "
                     f"{e[k]['seconds']} |")
    lines += ["", f"Ray's overhead against the 2-worker pool: {e['ray_overhead_steady']:+.1%} once running, "
              f"{e['ray_overhead_this_run']:+.1%} over this run with its start-up, {e['ray_overhead_at_100k']:+.1%} "
              f"projected for 100k (cluster start {e['ray (2 actors)']['cluster_start_s']} s); identical vectors: "
              f"{e['identical']}", "",
              f"stylize-batch ({s['images']} paintings at {s['size']} px)", "",
             "| engine | images/s | once running | first batch, s | seconds |", "|---|---:|---:|---:|---:|"]  # fmt: skip
    for k in ("this process", "2 workers", "ray (2 actors)"):
        lines.append(f"| {k} | {s[k]['images_per_s']} | {s[k]['steady_images_per_s']} | {s[k]['first_batch_s']} | "
                     f"{s[k]['seconds']} |")
    lines += ["", f"Ray's overhead: {s['ray_overhead_steady']:+.1%} once running, {s['ray_overhead_this_run']:+.1%} "
              "over this run", "",
              f"100,000 paintings on 10 such machines: {est['minutes']} min ({est['cluster_images_per_s']} img/s) "
              f"against {est['one_machine_minutes']} min on one; the driver's catalog takes "
              f"{est['driver_catalog_limit_images_per_s']} vectors/s ({est['machines_until_driver_bound']} machines), "
              f"one disk serves {est['one_disk_read_limit_images_per_s']} files/s "
              f"({est['machines_until_one_disk_bound']} machines)"]  # fmt: skip
    return "\n".join(lines)


if __name__ == "__main__":
    main()
