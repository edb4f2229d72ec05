"""Loopback fakes for the collectors: a Flickr REST API with image files, and a Pinterest-like board page.

Faults are scripted per photo: each request for a photo's image consumes the next fault in its list
("429", "500", "503", "slow", "truncated", "html", "cut", "404"; "always-X" never runs out) and then serves
the real JPEG. Used by the tests, the e2e test and ``benchmarks/collect_bench.py``.
"""

from __future__ import annotations

import functools
import io
import json
import logging
import re
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs

import numpy as np
from PIL import Image, ImageOps
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from artcore.config import SHARED_ARTDATA

REST_PATH = "/services/rest/"


@functools.cache
def _paintings() -> list[Path]:
    return sorted(p for d in ("genre4", "artist10") for p in (SHARED_ARTDATA / d).rglob("*.jpg"))


def jpeg(seed: int, size: tuple[int, int] = (96, 72)) -> bytes:
    """A JPEG whose content is unique to ``seed``: a real painting from the shared data when it is there."""
    paintings = _paintings()
    if paintings:
        img = ImageOps.fit(Image.open(paintings[seed % len(paintings)]).convert("RGB"), size)
        if seed >= len(paintings):  # beyond the collection: a mirrored copy is still new content
            img = ImageOps.mirror(img)
    else:
        rng = np.random.default_rng(seed)
        arr = rng.integers(0, 256, (size[1] // 8, size[0] // 8, 3), dtype=np.uint8)
        img = Image.fromarray(arr).resize(size, Image.Resampling.NEAREST)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def start_server() -> HTTPServer:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    return server


class FakeFlickr:
    """``flickr.photos.search`` (JSON, paged, licence filter) and the image files it points at."""

    def __init__(self, server: HTTPServer, n: int = 40, *, faults: dict[int, list[str]] | None = None,
                 licences: dict[int, int] | None = None, same_content: dict[int, int] | None = None,
                 latency: float = 0.0, api_faults: list[str] | None = None, image_size=(96, 72)):  # fmt: skip
        self.server = server
        self.n = n
        self.faults = {k: list(v) for k, v in (faults or {}).items()}
        self.licences = licences or {}
        self.same_content = same_content or {}  # photo id -> id whose bytes it serves
        self.latency = latency
        self.api_faults = list(api_faults or [])
        self.image_size = image_size
        self.lock = threading.Lock()
        self.image_hits: Counter[int] = Counter()
        self.api_calls: list[dict] = []
        self.auth_headers: list[str] = []
        self._cache: dict[int, bytes] = {}
        server.expect_request(REST_PATH).respond_with_handler(self.rest)
        server.expect_request(re.compile(r"^/img/\d+_[a-z]\.jpg$")).respond_with_handler(self.image)

    @property
    def api_url(self) -> str:
        return self.server.url_for(REST_PATH)

    def photo(self, i: int) -> dict:
        base = self.server.url_for("/img")
        return {
            "id": str(1000 + i), "owner": f"{i}@N0{i % 7}", "secret": "s", "server": "1", "farm": 1,
            "title": f"Dots {i}", "ownername": f"Artist {i}", "license": str(self.licences.get(i, 4)),
            "url_k": f"{base}/{i}_k.jpg", "width_k": "2048", "height_k": "1536",
            "url_z": f"{base}/{i}_z.jpg", "width_z": "640", "height_z": "480",
            # An original larger than --max-side: must never be chosen.
            "url_o": f"{base}/{i}_o.jpg", "width_o": "6000", "height_o": "4500",
        }  # fmt: skip

    def rest(self, req: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs(req.get_data(as_text=True)).items()}
        with self.lock:
            self.api_calls.append(form)
            self.auth_headers.append(req.headers.get("Authorization", ""))
            fault = self.api_faults.pop(0) if self.api_faults else None
        if fault == "invalid-key":
            return Response(json.dumps({"stat": "fail", "code": 100, "message": "Invalid API Key (Key has invalid format)"}))
        if fault:
            return Response("fail", status=int(fault))
        if form.get("method") != "flickr.photos.search":
            return Response(json.dumps({"stat": "fail", "code": 112, "message": "Method not found"}))
        allowed = {int(x) for x in form["license"].split(",")} if "license" in form else None
        ids = [i for i in range(1, self.n + 1) if allowed is None or self.licences.get(i, 4) in allowed]
        per_page, page = int(form.get("per_page", 100)), int(form.get("page", 1))
        chunk = ids[(page - 1) * per_page: page * per_page]
        pages = max(1, -(-len(ids) // per_page))
        body = {"photos": {"page": page, "pages": pages, "perpage": per_page, "total": len(ids),
                           "photo": [self.photo(i) for i in chunk]}, "stat": "ok"}  # fmt: skip
        return Response(json.dumps(body), content_type="application/json")

    def image(self, req: Request) -> Response:
        name = req.path.rsplit("/", 1)[-1]
        i = int(name.split("_")[0])
        with self.lock:
            self.image_hits[i] += 1
            queue = self.faults.get(i, [])
            fault = queue[0] if queue else None
            if fault and not fault.startswith("always-"):
                queue.pop(0)
            data = self._cache.get(i)
            if data is None:
                data = self._cache[i] = jpeg(self.same_content.get(i, i), self.image_size)
        if self.latency:
            time.sleep(self.latency)
        return fault_response(fault.removeprefix("always-") if fault else None, data)


def fault_response(fault: str | None, data: bytes) -> Response:
    """The reply for one scripted fault (None: the image itself)."""
    if fault in ("429", "500", "503", "404"):
        return Response("no", status=int(fault), headers={"Retry-After": "0"} if fault == "429" else {})
    if fault == "slow":
        time.sleep(3)
    if fault == "truncated":  # fewer bytes than Content-Length promises
        return Response(iter([data[: len(data) // 2]]), headers={"Content-Length": str(len(data))},
                        content_type="image/jpeg")  # fmt: skip
    if fault == "cut":  # a complete HTTP reply whose JPEG is cut short
        return Response(data[: len(data) // 2], content_type="image/jpeg")
    if fault == "html":
        return Response("<html><body>Sign in to see this photo</body></html>", content_type="text/html")
    return Response(data, content_type="image/jpeg")


BOARD_HTML = """<!doctype html>
<html><head><title>Fake board</title>
<style>
 body { margin: 0; font-family: sans-serif; }
 .grid { display: flex; flex-wrap: wrap; }
 .pin { width: 236px; height: 700px; margin: 4px; }  /* a screen holds one batch: more come by scrolling */
 .pin img { width: 236px; }
 #consent { position: fixed; inset: 0; background: rgba(0,0,0,.6); z-index: 10; }
</style></head>
<body style="overflow: hidden">
<div id="consent" role="dialog" aria-modal="true"><div><p>We use cookies</p>
  <button onclick="document.getElementById('consent').remove(); document.body.style.overflow='auto'; check()">Accept all</button>
</div></div>
<div class="grid" id="grid"></div><div id="end"></div>
<script>
const TOTAL = __TOTAL__, STEP = __STEP__;
let shown = 0;
function more() {
  const grid = document.getElementById('grid');
  for (let k = 0; k < STEP && shown < TOTAL; k++) {
    shown++;
    const a = document.createElement('a');
    a.href = '/pin/' + (5000 + shown) + '/?ref=board';
    a.className = 'pin';
    const img = document.createElement('img');
    img.alt = 'Rock ' + shown;
    img.src = '/236x/aa/' + shown + '.jpg';
    img.setAttribute('srcset', '/236x/aa/' + shown + '.jpg 1x, /474x/aa/' + shown + '.jpg 2x, /736x/aa/' + shown + '.jpg 3x');
    a.appendChild(img);
    grid.appendChild(a);
  }
}
let loading = false;
const sentinel = document.getElementById('end');
// Load the next page while the end of the grid is in (or near) view, like an XHR per page; nothing loads
// while the cookie wall is up, as on the real site.
function check() {
  if (loading || document.getElementById('consent') || shown >= TOTAL) return;
  if (sentinel.getBoundingClientRect().top > window.innerHeight + 200) return;
  loading = true;
  setTimeout(() => { more(); loading = false; check(); }, 150);
}
more();
window.addEventListener('scroll', check);
</script></body></html>
"""


class FakeBoard:
    """A board page that shows ``step`` pins and adds more on scroll (JavaScript), behind a consent dialog.

    Image paths follow Pinterest's CDN: ``/236x/...`` thumbnails, ``/originals/...`` uploads. ``faults`` apply
    to a pin's original (e.g. "404" makes the collector fall back to the largest srcset entry).
    """

    def __init__(self, server: HTTPServer, total: int = 60, step: int = 12,
                 faults: dict[int, list[str]] | None = None, latency: float = 0.0):  # fmt: skip
        self.server = server
        self.latency = latency  # per image the collector asks for
        self.total = total
        self.faults = {k: list(v) for k, v in (faults or {}).items()}
        self.lock = threading.Lock()
        self.hits: Counter[str] = Counter()
        html = BOARD_HTML.replace("__TOTAL__", str(total)).replace("__STEP__", str(step))
        server.expect_request("/board/").respond_with_data(html, content_type="text/html")
        server.expect_request(re.compile(r"^/(236x|474x|736x|originals)/aa/\d+\.jpg$")).respond_with_handler(self.image)

    @property
    def url(self) -> str:
        return self.server.url_for("/board/")

    def image(self, req: Request) -> Response:
        size, _, name = req.path.strip("/").split("/")
        i = int(name.split(".")[0])
        with self.lock:
            # Only the collector's requests count; the browser loads thumbnails to display the page.
            ours = req.headers.get("User-Agent", "").startswith("Artcore/")
            if ours:
                self.hits[size] += 1
            queue = self.faults.get(i, []) if size == "originals" else []
            fault = queue[0] if queue else None
            if fault and not fault.startswith("always-"):
                queue.pop(0)
        if ours and self.latency:
            time.sleep(self.latency)
        side = {"236x": 236, "474x": 474, "736x": 736, "originals": 900}[size]
        return fault_response(fault.removeprefix("always-") if fault else None, jpeg(i, (side, side * 3 // 4)))
