"""Flickr: ``python -m artcore.collect.flickr -t TAG -mc N`` (same as ``artcore collect flickr``).

Searches by tag through the REST API (``flickrapi``), pages lazily, stays under Flickr's 3,600 calls an hour,
picks the largest size up to ``--max-side`` and stores owner, title, licence, page and image URL with each image.
The key and secret come from ``FLICKR_API_KEY``/``FLICKR_API_SECRET``, else the library's settings (pasted on
the Collect page: ``config.json`` in the library folder, readable by its owner only), else ``api_key``/``api_secret``
in ``$ARTCORE_FLICKR_CONFIG`` or ``~/.config/artcore/flickr.toml``; they are never printed, logged or shown again.
"""

from __future__ import annotations

import collections
import functools
import os
import re
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from artcore.collect import download
from artcore.errors import UserError

REST_URL = "https://api.flickr.com/services/rest/"
API_URL_ENV = "ARTCORE_FLICKR_API_URL"  # a mirror or a test server; the CLI's --api-url wins
CONFIG_ENV = "ARTCORE_FLICKR_CONFIG"
DEFAULT_CONFIG = Path("~/.config/artcore/flickr.toml")
KEY_HELP = "https://www.flickr.com/services/apps/create/"
# flickr.photos.licenses.getInfo
LICENCES = {
    0: "All Rights Reserved", 1: "CC BY-NC-SA 2.0", 2: "CC BY-NC 2.0", 3: "CC BY-NC-ND 2.0", 4: "CC BY 2.0",
    5: "CC BY-SA 2.0", 6: "CC BY-ND 2.0", 7: "No known copyright restrictions", 8: "United States Government Work",
    9: "CC0 1.0", 10: "Public Domain Mark 1.0",
}  # fmt: skip
# Licences that allow reuse with changes, for any purpose (training, style studies, selling a print): CC BY,
# CC BY-SA, no known restrictions, US Government works, CC0 and public domain. NonCommercial (1, 2, 3) and
# NoDerivs (3, 6) licences, and All Rights Reserved (0), only when asked for (--license, --all-licences, or ticked).
REUSE_LICENCES = (4, 5, 7, 8, 9, 10)
# What each licence lets a painter do, in plain words (the Collect page's tick boxes).
LICENCE_PLAIN = {
    4: "CC BY: reuse and change; credit the author", 5: "CC BY-SA: reuse and change; credit, share alike",
    7: "No known copyright restrictions (museums, archives)", 8: "United States Government work",
    9: "CC0: no rights reserved", 10: "Public domain",
    1: "CC BY-NC-SA: not for commercial use; share alike", 2: "CC BY-NC: not for commercial use",
    3: "CC BY-NC-ND: not for commercial use, no changes", 6: "CC BY-ND: no changes allowed",
    0: "All rights reserved: ask the author first",
}  # fmt: skip
KEY_SETTINGS = ("flickr_api_key", "flickr_api_secret")  # in the library's settings (artcore.config)
# Size suffixes, largest first, with their nominal longest side; an original's size is unknown until reported.
NOMINAL_SIDE = {"o": float("inf"), "k": 2048, "h": 1600, "b": 1024, "c": 800, "z": 640, "m": 500}
SIZES = tuple(NOMINAL_SIDE)
EXTRAS = "license,owner_name,o_dims," + ",".join(f"url_{s}" for s in SIZES)
MAX_PER_PAGE = 500
IMAGE_DOMAINS = ("staticflickr.com", "flickr.com")  # where Flickr serves files: all a shared server may fetch
HOURLY_LIMIT = 3000  # Flickr allows 3,600 calls an hour per key; keep a margin for other tools on the same key


class RateLimiter:
    """At most ``calls`` in any sliding window of ``period`` seconds; thread-safe."""

    def __init__(self, calls: int = HOURLY_LIMIT, period: float = 3600.0, clock=time.monotonic):
        self.calls, self.period, self.clock = calls, period, clock
        self.stamps: collections.deque[float] = collections.deque()
        self.lock = threading.Lock()

    def acquire(self, cancel: threading.Event) -> None:
        while True:
            with self.lock:
                now = self.clock()
                while self.stamps and now - self.stamps[0] >= self.period:
                    self.stamps.popleft()
                if len(self.stamps) < self.calls:
                    self.stamps.append(now)
                    return
                delay = self.period - (now - self.stamps[0])
            if cancel.wait(delay):
                raise download.Cancelled


@functools.cache
def shared_limiter() -> RateLimiter:
    """One budget per process: every search in a server (all sessions) shares the key's hourly allowance."""
    return RateLimiter()


def api_url() -> str:
    return os.environ.get(API_URL_ENV) or REST_URL


def key_source(library=None) -> str | None:
    """Where the Flickr key comes from: "environment", "library" (pasted on the Collect page), "file" (the TOML
    config), or None when there is none. Never the key itself."""
    if os.environ.get("FLICKR_API_KEY") and os.environ.get("FLICKR_API_SECRET"):
        return "environment"
    from artcore import config

    if all(config.read_settings(library).get(k) for k in KEY_SETTINGS):
        return "library"
    try:
        return "file" if all(_config_file_key()) else None
    except UserError:
        return "file"  # there, but unreadable: credentials() says so


def save_key(key: str, secret: str, library=None) -> None:
    """Keep a key and secret in the library's settings (0600, written atomically); the environment still wins."""
    from artcore import config

    key, secret = key.strip(), secret.strip()
    if not (key and secret):
        raise UserError("Paste both the key and the secret.")
    if not re.fullmatch(r"[0-9A-Za-z]{8,64}", key) or not re.fullmatch(r"[0-9A-Za-z]{8,64}", secret):
        raise UserError("That does not look like a Flickr key and secret (letters and digits only); "
                        f"copy them again from {KEY_HELP}")  # fmt: skip
    config.write_settings(dict(zip(KEY_SETTINGS, (key, secret))), library)


def forget_key(library=None) -> None:
    """Remove the key saved in the library's settings (the environment and the TOML file are left alone)."""
    from artcore import config

    config.write_settings(dict.fromkeys(KEY_SETTINGS), library)


def _config_path() -> Path:
    return Path(os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG).expanduser()


def _config_file_key() -> tuple[str, str]:
    path = _config_path()
    if not path.is_file():
        return "", ""
    import tomllib

    try:
        conf = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        # The message names the file only: a parse error could quote the secret.
        raise UserError(f"cannot read the Flickr config file {path}") from exc
    return str(conf.get("api_key", "")), str(conf.get("api_secret", ""))


def credentials(library=None) -> tuple[str, str]:
    """(key, secret) from the environment, else the library's settings, else the config file; a missing key is a
    UserError."""
    from artcore import config

    key, secret = os.environ.get("FLICKR_API_KEY", ""), os.environ.get("FLICKR_API_SECRET", "")
    if not (key and secret):
        saved = config.read_settings(library)
        key, secret = key or str(saved.get(KEY_SETTINGS[0]) or ""), secret or str(saved.get(KEY_SETTINGS[1]) or "")
    if not (key and secret):
        file_key, file_secret = _config_file_key()
        key, secret = key or file_key, secret or file_secret
    if not (key and secret):
        raise UserError(f"No Flickr API key: paste one on the app's Collect page, or set FLICKR_API_KEY and "
                        f"FLICKR_API_SECRET (or api_key and api_secret in {_config_path()}); get a free key at "
                        f"{KEY_HELP}.")  # fmt: skip
    return key, secret


def pick_urls(photo: dict, max_side: int) -> list[str]:
    """Image URLs for a search result, best first: the largest whose longer side fits ``max_side``, then smaller.

    A size whose dimensions Flickr did not report counts at its nominal side; when nothing fits, the smallest.
    """
    sized = []
    for s in SIZES:
        url = photo.get(f"url_{s}")
        if url:
            side = max(_int(photo.get(f"width_{s}")), _int(photo.get(f"height_{s}")))
            sized.append((side or NOMINAL_SIDE[s], url))
    fitting = [u for side, u in sized if side <= max_side]
    return fitting or [u for _, u in sized[-1:]]


def _int(v) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return 0


def candidate(photo: dict, max_side: int) -> download.Candidate | None:
    urls = pick_urls(photo, max_side)
    if not urls or not photo.get("id") or not photo.get("owner"):
        return None
    owner = photo["owner"]
    page = f"https://www.flickr.com/photos/{owner}/{photo['id']}/"
    lic = _int(photo.get("license"))
    licence = LICENCES.get(lic, f"Flickr licence {lic}")
    title = (photo.get("title") or "").strip() or "Untitled"
    name = (photo.get("ownername") or "").strip() or owner
    # Title, author, source, licence: what a CC credit line needs, plus the exact file that was fetched.
    attribution = f'"{title}" by {name} (https://www.flickr.com/people/{owner}/), {page}, {licence}; image {urls[0]}'
    return download.Candidate(original=page, urls=urls, licence=licence, attribution=attribution)


class Search:
    """Lazy ``flickr.photos.search`` pages as candidates; API calls go through the rate limiter and retries."""

    def __init__(self, tag: str, *, licences: list[int] | None, per_page: int, max_side: int,
                 api_url: str = REST_URL, settings: download.Settings | None = None,
                 cancel: threading.Event | None = None, limiter: RateLimiter | None = None, library=None):  # fmt: skip
        import logging

        import flickrapi

        key, secret = credentials(library)
        # flickrapi logs every non-200 reply at ERROR; we retry and report those ourselves.
        logging.getLogger("flickrapi").addHandler(logging.NullHandler())
        logging.getLogger("flickrapi").propagate = False
        # The OAuth signing libraries log the key (and the signed request) at DEBUG: keep it out of every log.
        for name in ("oauthlib", "requests_oauthlib"):
            logging.getLogger(name).setLevel(logging.WARNING)
        self.settings = settings or download.Settings()
        self.api = flickrapi.FlickrAPI(key, secret, format="parsed-json", store_token=False,
                                       timeout=self.settings.timeout)  # fmt: skip
        # Per instance, so tests (and a mirror) can point at another endpoint without touching the class.
        self.api.REST_URL = api_url
        self.tag, self.licences, self.max_side = tag, licences, max_side
        self.per_page = max(1, min(MAX_PER_PAGE, per_page))
        self.cancel = cancel or threading.Event()
        self.limiter = limiter or shared_limiter()
        self.calls = 0

    def __iter__(self) -> Iterator[download.Candidate]:
        page, pages = 1, 1
        while page <= pages and not self.cancel.is_set():
            result = self._call(page)
            photos = result.get("photos") or {}
            pages = _int(photos.get("pages"))
            items = photos.get("photo") or []
            for p in items:
                c = candidate(p, self.max_side)
                if c:
                    yield c
            if not items:
                return
            page += 1

    def _call(self, page: int) -> dict:
        from flickrapi.exceptions import FlickrError
        from requests import RequestException

        params = {"tags": self.tag, "extras": EXTRAS, "per_page": self.per_page, "page": page, "media": "photos",
                  "sort": "relevance"}  # fmt: skip
        if self.licences is not None:
            params["license"] = ",".join(str(i) for i in self.licences)
        st = self.settings
        for attempt in range(st.retries + 1):
            self.limiter.acquire(self.cancel)
            self.calls += 1
            try:
                return self.api.photos.search(**params)
            except FlickrError as exc:
                status = re.search(r"Status code (\d+)", str(exc))
                if not status:
                    # An API-level refusal (bad key, bad parameter): retrying will not help.
                    raise UserError(f"Flickr refused the search: {exc}") from exc
                retryable = int(status.group(1)) in download.RETRY_STATUSES
                reason = f"HTTP {status.group(1)}"
            except (RequestException, ValueError) as exc:  # timeouts, refused connections, a garbled reply
                retryable, reason = True, type(exc).__name__
            if not retryable or attempt == st.retries:
                raise UserError(f"the Flickr API failed ({reason}) after {attempt + 1} attempt(s)")
            if self.cancel.wait(st.backoff * 2**attempt):
                raise download.Cancelled
        raise AssertionError("unreachable")


def parse_licences(text: str | None, everything: bool) -> list[int] | None:
    """``--license 4,5`` → [4, 5]; default the reuse set; ``--all-licences`` → None (no filter)."""
    if everything:
        return None
    if not text:
        return list(REUSE_LICENCES)
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise UserError(f"--license takes Flickr licence ids such as 4,5,9 (see {REST_URL}), not {text!r}") from None


def add_parser(sub, common) -> None:
    p = sub.add_parser("flickr", parents=[common], help="search Flickr by tag",
                       description="Search Flickr by tag and fetch the images, with attribution, into the library.")  # fmt: skip
    p.add_argument("-t", "--tag", required=True, help="Flickr tag to search for")
    download.add_arguments(p)
    p.add_argument("--license", metavar="IDS", help="comma-separated Flickr licence ids (default: "
                   + ",".join(map(str, REUSE_LICENCES)) + ": those allowing reuse with changes, commercial use included)")  # fmt: skip
    p.add_argument("--all-licences", action="store_true", help="any licence, All Rights Reserved included")
    p.add_argument("--max-side", type=int, default=2048, metavar="PX",
                   help="take the largest size whose longer side is at most this (default: 2048)")  # fmt: skip
    p.add_argument("--per-page", type=int, default=MAX_PER_PAGE, metavar="N", help="results per API call (max 500)")
    p.add_argument("--api-url", metavar="URL", help=f"the REST endpoint (default: ${API_URL_ENV}, else Flickr's)")
    p.set_defaults(func=cmd_flickr)


def cmd_flickr(args) -> int:
    licences = parse_licences(args.license, args.all_licences)
    label = args.label or args.tag

    library = getattr(args, "library", None)

    def candidates(settings, cancel):
        return Search(args.tag, licences=licences, per_page=args.per_page, max_side=args.max_side,
                      api_url=args.api_url or api_url(), settings=settings, cancel=cancel, library=library)  # fmt: skip

    credentials(library)  # fail with the one-sentence message before a progress bar appears
    return download.run_cli(args, "flickr", label, candidates)


def main(argv: list[str] | None = None) -> int:
    from artcore.cli import main as cli_main

    return cli_main(["collect", "flickr", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
