"""Import speed and Explore (EDA) page time on the shared art data (1,795 images).

Peer, in the same run: the naive import a script would do — one thread, read, sha256, full decode, copy.
Prints JSON and a table; writes benchmarks/results/library.json.

    python benchmarks/library_bench.py [--artdata ../shared/artdata] [--skip-browser]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from artcore import eda  # noqa: E402
from artcore.config import PROJECT_ROOT, SHARED_ARTDATA  # noqa: E402
from artcore.imageio import is_image_name, open_image  # noqa: E402
from artcore.library import Library  # noqa: E402

# (folder, label field from sub-folder names or None)
COLLECTIONS = [("artist10", "artist"), ("genre4", "genre"), ("monet2photo", "style"), ("styles", None), ("photos", None)]


def naive_import(files: list[Path], dest: Path) -> float:
    start = time.perf_counter()
    for f in files:
        data = f.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        open_image(data)
        shutil.copyfile(f, dest / f"{sha}{f.suffix}")
    return time.perf_counter() - start


def import_all(lib: Library, artdata: Path) -> tuple[float, int]:
    start = time.perf_counter()
    n = 0
    for name, field in COLLECTIONS:
        report = lib.import_path(artdata / name, label_from="parent" if field else "none", label_field=field or "artist")
        n += report.added + report.duplicates
    return time.perf_counter() - start, n


def aggregate(records: list[dict]) -> float:
    """What the Explore page computes (``eda.summary``) for the 'artist' grouping, figures serialised."""
    start = time.perf_counter()
    summary = eda.summary(eda.frame(records), None, "artist", None)
    for fig in [summary["counts"], *summary["figures"]]:
        fig.to_json()
    return time.perf_counter() - start


def synthesise(records: list[dict], n: int) -> list[dict]:
    """``n`` rows shaped like the real ones (fresh hashes and phashes), for the 10,000-image case."""
    rng = np.random.default_rng(0)
    out = []
    for i in range(n):
        r = dict(records[i % len(records)])
        r["sha256"] = hashlib.sha256(str(i).encode()).hexdigest()
        r["phash"] = f"{int(rng.integers(0, 2**63)):016x}"
        out.append(r)
    return out


EXPLORE_DRAWN = """() => {
    const main = document.querySelector("[data-testid=stMain]");
    const charts = [...main.querySelectorAll("[data-testid=stPlotlyChart]")];  // drawn in the browser
    const svgs = main.querySelectorAll("[data-testid=stMarkdown] svg").length;  // drawn on the server
    const images = [...main.querySelectorAll("img")];
    const drawn = main.querySelector("[data-testid=stExpander]") && (charts.length || svgs)
        && charts.every(c => c.querySelector(".main-svg")) && images.every(i => i.complete && i.naturalWidth);
    return drawn ? `${charts.length + svgs} charts, ${images.length} pictures` : null;
}"""


def explore_drawn(page) -> float:
    """Seconds from navigation until Explore was drawn: its last element ("Advanced") on the page, every chart drawn,
    every thumbnail loaded, and still so a second later (the browser adds thumbnails as it goes). Figures before
    issue 17's Explore batching waited only for the 7th plotly ``.main-svg``."""
    while True:
        first = page.wait_for_function(f"""() => {{
            const state = ({EXPLORE_DRAWN})();
            if (state && (!window.__drawn || window.__drawn[0] !== state)) window.__drawn = [state, performance.now()];
            return state && window.__drawn;
        }}""", timeout=300_000).json_value()  # fmt: skip
        page.wait_for_timeout(1000)
        if page.evaluate(EXPLORE_DRAWN) == first[0]:
            return first[1] / 1000


def browser_page_time(lib_root: Path, path: str = "/explore", drawn=explore_drawn) -> dict:
    """Seconds until ``path`` has finished running and ``drawn(page)`` returns (or, when it returns a number, the
    seconds from navigation it says) in headless Chromium: cold, then warm."""
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "ARTCORE_HOME": str(lib_root)}
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "streamlit_app.py"),
                             "--server.port", str(port), "--server.headless", "true"], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        times = {}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])  # fmt: skip
            for run in ("cold", "warm"):
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                start = time.perf_counter()
                page.goto(url + path)
                page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=300_000)
                took = drawn(page)
                times[run] = round(took if took is not None else time.perf_counter() - start, 2)
                page.close()
            browser.close()
        return times
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--artdata", type=Path, default=SHARED_ARTDATA)
    ap.add_argument("--skip-browser", action="store_true")
    args = ap.parse_args()
    files = [p for name, _ in COLLECTIONS for p in sorted((args.artdata / name).rglob("*")) if is_image_name(p)]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "naive").mkdir()
        naive_s = naive_import(files, tmp / "naive")
        lib = Library(tmp / "lib")
        ours_s, n = import_all(lib, args.artdata)
        again_s, _ = import_all(lib, args.artdata)
        records = lib.records(with_stats=True)
        agg_s = aggregate(records)
        agg10k_s = aggregate(synthesise(records, 10_000))
        page = {} if args.skip_browser else browser_page_time(lib.root)
    result = {
        "images": n,
        "cpu_cores": os.cpu_count(),
        "import_images_per_s": round(n / ours_s, 1),
        "import_seconds": round(ours_s, 1),
        "peer_naive_images_per_s": round(len(files) / naive_s, 1),
        "speedup_vs_peer": round(naive_s / ours_s, 2),
        "note": "ours also writes a thumbnail and computes colour stats, palette and perceptual hash per image",
        "reimport_seconds": round(again_s, 2),
        "eda_aggregate_seconds_1795": round(agg_s, 2),
        "eda_aggregate_seconds_10000": round(agg10k_s, 2),
        "explore_page_seconds_browser": page,
    }
    out = Path(__file__).parent / "results" / "library.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))
    print("\n| measure | value |\n|---|---|")
    for k, v in result.items():
        print(f"| {k} | {v} |")


if __name__ == "__main__":
    main()
