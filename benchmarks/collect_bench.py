"""Collector throughput: images per second against a loopback fake Flickr with added latency, pools 1, 4, 8.

``python benchmarks/collect_bench.py [--n 120] [--latency 0.1]`` prints JSON and a table and writes
``benchmarks/results/collect.json``. Two figures per pool size: ``fetch`` (HTTP only, ``Fetcher.get``) and
``collect`` (the real path: search API, download, validation, hashing, thumbnail, catalog insert). The pause
between batches is 0 here: it is politeness, not work. The fake server runs in its own process; this process's
RSS is sampled every 20 ms during each run and read after each quarter of the images.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # the fake Flickr lives with the tests

from collect_fakes import FakeFlickr, jpeg, start_server  # noqa: E402

from artcore.collect import download, flickr  # noqa: E402
from artcore.library import Library  # noqa: E402


def rss_mib() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class RssSampler:
    def __init__(self):
        self.stop = threading.Event()
        self.peak = self.start = rss_mib()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.wait(0.02):
            self.peak = max(self.peak, rss_mib())

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        self.end = rss_mib()


def serve(n: int, latency: float, image_size: tuple[int, int], urls: mp.Queue, stop) -> None:
    """The fake Flickr, in its own process so that its image cache is not counted in the collector's RSS."""
    server = start_server()
    fake = FakeFlickr(server, n=n, latency=latency, image_size=image_size)
    urls.put((fake.api_url, [fake.photo(i)["url_k"] for i in range(1, n + 1)]))
    stop.wait()
    server.stop()


def bench(n: int, latency: float, pools: list[int], image_size: tuple[int, int]) -> dict:
    os.environ.setdefault("FLICKR_API_KEY", "bench")
    os.environ.setdefault("FLICKR_API_SECRET", "bench")
    ctx = mp.get_context("spawn")  # a fresh interpreter: nothing of ours is shared or counted twice
    queue, stop = ctx.Queue(), ctx.Event()
    server = ctx.Process(target=serve, args=(n, latency, image_size, queue, stop), daemon=True)
    server.start()
    api_url, urls = queue.get(timeout=60)
    image_bytes = len(jpeg(1, image_size))
    rows = []
    try:
        for workers in pools:
            settings = download.Settings(workers=workers, batch_size=4 * workers, pause=(0.0, 0.0), timeout=30)
            fetcher = download.Fetcher(settings, threading.Event())
            with RssSampler() as fetch_mem, ThreadPoolExecutor(workers) as pool:
                t = time.perf_counter()
                got, step = 0, 4 * workers  # bounded like the collector, so RSS measures the same thing
                for i in range(0, n, step):
                    got += sum(len(b) > 0 for b in pool.map(fetcher.get, urls[i : i + step]))
                fetch_s = time.perf_counter() - t
            fetcher.close()
            assert got == n
            with tempfile.TemporaryDirectory() as tmp, RssSampler() as mem:
                lib = Library(Path(tmp) / "lib")
                search = flickr.Search("bench", licences=None, per_page=500, max_side=2048, api_url=api_url,
                                       settings=settings)  # fmt: skip
                quarters = {n * q // 4: q for q in (1, 2, 3, 4)}
                rss_at = {}  # RSS after each quarter of the images: flat if nothing accumulates per image

                def progress(have, total, thumb, quarters=quarters, rss_at=rss_at):
                    if have in quarters:
                        rss_at[f"{quarters[have] * 25}%"] = round(rss_mib(), 1)

                t = time.perf_counter()
                report = download.collect(lib, search, target=n, source="flickr", label_field="style",
                                          label="bench", settings=settings, progress=progress)  # fmt: skip
                collect_s = time.perf_counter() - t
            assert len(report.kept) == n, report.summary()
            rows.append({"workers": workers, "images": n,
                         "fetch_per_s": round(n / fetch_s, 2), "collect_per_s": round(n / collect_s, 2),
                         "collect_s": round(collect_s, 2), "fetch_s": round(fetch_s, 2),
                         "rss_mib": {"fetch_before": round(fetch_mem.start, 1), "fetch_peak": round(fetch_mem.peak, 1),
                                     "before": round(mem.start, 1), "peak": round(mem.peak, 1),
                                     "after": round(mem.end, 1), "during": rss_at}})  # fmt: skip
    finally:
        stop.set()
        server.join(10)
    return {
        "benchmark": "collect", "latency_s": latency, "image_bytes": image_bytes,
        "image_size": list(image_size), "cpu_count": os.cpu_count(),
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "results": rows,
    }  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=120, help="images per run")
    ap.add_argument("--latency", type=float, default=0.1, help="seconds the server waits before each image")
    ap.add_argument("--pools", default="1,4,8")
    ap.add_argument("--size", default="1024x768", help="image size served")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "collect.json"))
    args = ap.parse_args()
    w, h = (int(x) for x in args.size.split("x"))
    result = bench(args.n, args.latency, [int(p) for p in args.pools.split(",")], (w, h))
    print(json.dumps(result, indent=1))
    print(f"\n{'workers':>7} {'fetch/s':>8} {'collect/s':>9}  RSS MiB: fetch before→peak, collect before→peak, "
          "collect at 25/50/75/100%")  # fmt: skip
    for r in result["results"]:
        m = r["rss_mib"]
        during = "/".join(str(v) for v in m["during"].values())
        print(f"{r['workers']:>7} {r['fetch_per_s']:>8} {r['collect_per_s']:>9}  {m['fetch_before']}→{m['fetch_peak']}, "
              f"{m['before']}→{m['peak']}, {during}")  # fmt: skip
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
