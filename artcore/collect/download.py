"""Fetch candidate images into the library: bounded pool, batches with a random pause, retries, size cap.

Resumable by construction: the target is "this many images with this source and label in the library", so a
re-run after a kill tops up and a re-run after success adds nothing. Candidates already fetched are skipped by
their ``original`` (photo page / pin URL) before any download, and identical content by its hash in
``Library.add_bytes``, which also validates (full decode) and writes by temp file + rename.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from artcore.config import LABEL_FIELDS
from artcore.errors import UserError

RETRY_STATUSES = {408, 425, 429, 500, 502, 503, 504}
MAX_REDIRECTS = 5
MAX_RETRY_AFTER = 60.0
CHUNK = 64 * 1024
USER_AGENT = "Artcore/0.1 (image collection for artists)"
# Hosts a shared server may fetch from without further configuration (see ``host_allowed``).
ALLOWED_HOSTS_ENV = "ARTCORE_ALLOWED_HOSTS"
SERVER_CONFIG = "collect.toml"

Progress = Callable[[int, int, "Path | None"], None]


@dataclass
class Candidate:
    """One image to fetch. ``original`` identifies it in the library (photo page or pin URL)."""

    original: str
    urls: list[str]  # best first; the next one is tried when one is refused or is not an image
    licence: str | None = None
    attribution: str | None = None


@dataclass
class Settings:
    workers: int = 4
    batch_size: int = 16
    pause: tuple[float, float] = (0.5, 2.0)  # seconds between batches, drawn uniformly: polite and less bot-like
    retries: int = 4
    backoff: float = 0.5  # first retry delay; doubles each time, with jitter
    max_bytes: int = 40 * 2**20
    timeout: float = 20.0
    url_allowed: Callable[[str], bool] | None = None  # None: any http(s) URL (a local CLI run)


@dataclass
class Report:
    target: int
    had: int
    kept: list[dict] = field(default_factory=list)  # sha256, original, thumbnail
    skipped: list[dict] = field(default_factory=list)  # original, reason
    cancelled: bool = False
    exhausted: bool = False  # the source ran out of candidates before the target was reached
    error: str | None = None  # why the source stopped answering (e.g. the API failed after its retries)
    seconds: float = 0.0

    @property
    def have(self) -> int:
        return self.had + len(self.kept)

    def reasons(self) -> dict[str, int]:
        return dict(Counter(s["reason"] for s in self.skipped).most_common())

    def as_json(self) -> dict:
        return {"target": self.target, "had": self.had, "kept": len(self.kept), "have": self.have,
                "skipped": self.reasons(), "cancelled": self.cancelled, "exhausted": self.exhausted, "error": self.error,
                "seconds": round(self.seconds, 3)}  # fmt: skip

    def summary(self) -> str:
        lines = [f"kept {len(self.kept)} new image(s); the library now has {self.have} of {self.target}"]
        lines += [f"skipped {n}: {reason}" for reason, n in self.reasons().items()]
        if self.error:
            lines.append(f"stopped: {self.error}")
        if self.cancelled:
            lines.append("cancelled: run the same command again to continue")
        elif self.exhausted and self.have < self.target:
            lines.append("the source has no more matching images")
        return "\n".join(lines)


class FetchError(Exception):
    """A URL that gave no image; ``retryable`` for 429/5xx/timeouts, which are worth another try."""

    def __init__(self, reason: str, retryable: bool = False, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.retry_after = retry_after


class Cancelled(Exception):
    pass


# ---------------------------------------------------------------- host policy


def allowed_hosts() -> list[str]:
    """Extra hosts a shared server may fetch from (``*``: any).

    ``$ARTCORE_ALLOWED_HOSTS`` (comma-separated) plus ``allowed_hosts = [...]`` in ``collect.toml`` in the library
    folder, so a server's operator can widen the policy without restarting it.
    """
    import tomllib

    from artcore import config

    hosts = os.environ.get(ALLOWED_HOSTS_ENV, "").split(",")
    path = config.library_dir() / SERVER_CONFIG
    if path.is_file():
        try:
            listed = tomllib.loads(path.read_text(encoding="utf-8")).get("allowed_hosts", [])
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise UserError(f"cannot read {path}: {exc}") from exc
        hosts += [str(h) for h in listed] if isinstance(listed, list) else []
    return [h.strip().lower() for h in hosts if h.strip()]


def host_allowed(url: str, domains: Iterable[str]) -> bool:
    """An http(s) URL whose host is one of ``domains`` (or a subdomain), or is allowed by the configuration."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return False
    extra = allowed_hosts()
    if "*" in extra or host in extra:
        return True
    return any(host == d or host.endswith("." + d) for d in domains)


# ---------------------------------------------------------------- fetching


class Fetcher:
    """HTTP GET with retries, redirects checked against the host policy and a size cap; one session per thread."""

    def __init__(self, settings: Settings, cancel: threading.Event):
        import requests

        self.requests = requests
        self.settings = settings
        self.cancel = cancel
        self._local = threading.local()
        self._sessions: list = []
        self._lock = threading.Lock()

    def _session(self):
        s = getattr(self._local, "session", None)
        if s is None:
            s = self._local.session = self.requests.Session()
            s.headers["User-Agent"] = USER_AGENT
            with self._lock:
                self._sessions.append(s)
        return s

    def close(self) -> None:
        with self._lock:
            for s in self._sessions:
                s.close()
            self._sessions.clear()

    def get(self, url: str) -> bytes:
        """The body of ``url``, retrying transient failures with exponential backoff and jitter."""
        st = self.settings
        for attempt in range(st.retries + 1):
            if self.cancel.is_set():
                raise Cancelled
            try:
                return self._get_once(url)
            except FetchError as exc:
                if not exc.retryable or attempt == st.retries:
                    raise
                delay = exc.retry_after if exc.retry_after is not None else st.backoff * 2**attempt
                if self.cancel.wait(min(delay, MAX_RETRY_AFTER) * random.uniform(0.8, 1.2)):
                    raise Cancelled from None
        raise AssertionError("unreachable")

    def _get_once(self, url: str) -> bytes:
        rq = self.requests
        st = self.settings
        for _ in range(MAX_REDIRECTS + 1):
            if st.url_allowed is not None and not st.url_allowed(url):
                raise FetchError(f"host not allowed: {urlsplit(url).hostname}")
            try:
                # Redirects are followed by hand so that every hop passes the host policy.
                with self._session().get(url, stream=True, timeout=st.timeout, allow_redirects=False) as r:
                    if r.is_redirect and r.headers.get("Location"):
                        url = urljoin(url, r.headers["Location"])
                        continue
                    if r.status_code in RETRY_STATUSES:
                        raise FetchError(f"HTTP {r.status_code}", True, _retry_after(r.headers.get("Retry-After")))
                    if r.status_code != 200:
                        raise FetchError(f"HTTP {r.status_code}")
                    length = r.headers.get("Content-Length", "")
                    if length.isdigit() and int(length) > st.max_bytes:
                        raise FetchError(f"larger than the {st.max_bytes // 2**20} MiB cap")
                    return self._read_capped(r)
            except rq.Timeout as exc:
                raise FetchError("timed out", True) from exc
            except (rq.ConnectionError, rq.exceptions.ChunkedEncodingError) as exc:
                # A body cut short (fewer bytes than Content-Length) lands here too.
                raise FetchError("connection failed or body truncated", True) from exc
        raise FetchError("too many redirects")

    def _read_capped(self, r) -> bytes:
        buf = bytearray()
        for chunk in r.iter_content(CHUNK):
            buf += chunk
            if len(buf) > self.settings.max_bytes:
                raise FetchError(f"larger than the {self.settings.max_bytes // 2**20} MiB cap")
            if self.cancel.is_set():
                raise Cancelled
        return bytes(buf)


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


# ---------------------------------------------------------------- the run


def count_labelled(lib, source: str, label_field: str, label: str) -> int:
    """How many images from ``source`` carry ``label`` in ``label_field``: what a target counts."""
    if label_field not in LABEL_FIELDS:
        raise UserError(f"unknown label field {label_field!r}: use one of {', '.join(LABEL_FIELDS)}")
    with lib.connect() as db:
        sql = f"SELECT COUNT(*) FROM images WHERE source = ? AND {label_field} = ?"
        return db.execute(sql, (source, label)).fetchone()[0]


# One run at a time per (library, source, label), in this process and across processes. Streamlit starts a new page
# run before an interrupted one (Stop) has finished, two users may fetch the same label, and the CLI may collect
# into the library the app serves: without this, the second run would count the library while the first one's
# in-flight downloads still land, and overshoot the target.
_RUNS: dict[tuple, threading.Lock] = {}
_RUNS_GUARD = threading.Lock()


@contextlib.contextmanager
def _process_lock(lib, key: tuple):
    """An exclusive lock on ``<library>/locks/collect-<digest>.lock`` (flock: released by the kernel when its
    holder dies, so a killed run never leaves it held)."""
    import fcntl
    import hashlib

    folder = Path(lib.root) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    name = hashlib.sha256("\0".join(map(str, key)).encode()).hexdigest()[:16]
    with open(folder / f"collect-{name}.lock", "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def collect(lib, candidates: Iterable[Candidate], *, target: int, source: str, label_field: str, label: str,
            settings: Settings | None = None, progress: Progress | None = None,
            cancel: threading.Event | None = None) -> Report:  # fmt: skip
    """Fetch candidates into ``lib`` until ``target`` images with this source and label are there.

    Waits for another run of the same library, source and label, in this process or another, to finish first.
    """
    key = (str(Path(lib.root).resolve()), source, label_field, label)
    with _RUNS_GUARD:
        lock = _RUNS.setdefault(key, threading.Lock())
    with lock, _process_lock(lib, key):
        return _collect(lib, candidates, target=target, source=source, label_field=label_field, label=label,
                        settings=settings, progress=progress, cancel=cancel)  # fmt: skip


def _collect(lib, candidates: Iterable[Candidate], *, target: int, source: str, label_field: str, label: str,
             settings: Settings | None, progress: Progress | None, cancel: threading.Event | None) -> Report:
    """``collect`` itself, run under its lock.

    ``candidates`` is consumed lazily (in this thread), so a paging API or a scrolling browser only fetches as
    many results as are needed. ``progress(have, target, thumbnail)`` is called in this thread at the start and
    after every candidate (thumbnail None unless one was kept); setting ``cancel`` stops within about one chunk.
    """
    from artcore.imageio import ImageError

    settings = settings or Settings()
    cancel = cancel or threading.Event()
    # Workers watch ``halt``, not the caller's event, so finishing a run never flips the caller's flag.
    halt = threading.Event()
    start = time.perf_counter()
    report = Report(target=target, had=count_labelled(lib, source, label_field, label))
    if progress:
        progress(report.have, target, None)
    labels = {label_field: label}
    fetcher = Fetcher(settings, halt)
    seen: set[str] = set()
    it = iter(candidates)

    def work(c: Candidate) -> dict:
        reason = "no image URL"
        for url in c.urls:
            try:
                data = fetcher.get(url)
                added = lib.add_bytes(data, source=source, original=c.original, licence=c.licence,
                                      attribution=c.attribution, **labels)  # fmt: skip
            except FetchError as exc:
                reason = exc.reason
            except ImageError as exc:
                reason = f"not a usable image ({exc})"
            else:
                if added.status == "duplicate":
                    return {"reason": "same content already in the library"}
                return {"sha256": added.sha256}
        return {"reason": reason}

    pool = ThreadPoolExecutor(max_workers=max(1, settings.workers), thread_name_prefix="collect")
    try:
        first = True
        while report.have < target and not cancel.is_set():
            # A batch never holds more than the images still missing, so a run cannot overshoot the target.
            try:
                batch = _next_batch(it, min(settings.batch_size, target - report.have), seen, lib, report)
            except Cancelled:
                break
            except UserError as exc:
                report.error = str(exc)
                break
            if batch is None:
                report.exhausted = True
                break
            if not first and cancel.wait(random.uniform(*settings.pause)):
                break
            first = False
            pending = {pool.submit(work, c): c for c in batch}
            while pending:
                done, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                if cancel.is_set():
                    halt.set()
                for fut in done:
                    c = pending.pop(fut)
                    try:
                        res = fut.result()
                    except Cancelled:
                        continue
                    if "sha256" in res:
                        thumb = lib.thumbnail(res["sha256"])
                        report.kept.append({"sha256": res["sha256"], "original": c.original, "thumbnail": str(thumb)})
                        if progress:
                            progress(report.have, target, thumb)
                    else:
                        report.skipped.append({"original": c.original, "reason": res["reason"]})
                        if progress:
                            progress(report.have, target, None)
    finally:
        # Reached on success, cancel, error or Ctrl-C alike: stop the workers before the sessions close.
        report.cancelled = cancel.is_set() and report.have < target
        halt.set()
        pool.shutdown(wait=True, cancel_futures=True)
        fetcher.close()
        if hasattr(it, "close"):
            it.close()  # a generator source (the browser) cleans up now, not whenever it is collected
        report.seconds = time.perf_counter() - start
    return report


def _next_batch(it, size: int, seen: set[str], lib, report: Report) -> list[Candidate] | None:
    """Up to ``size`` new candidates; None once the source is exhausted and nothing was found."""
    batch: list[Candidate] = []
    while len(batch) < size:
        c = next(it, None)
        if c is None:
            return batch or None
        if c.original in seen:
            continue
        seen.add(c.original)
        if lib.has_original(c.original):
            report.skipped.append({"original": c.original, "reason": "already in the library"})
            continue
        batch.append(c)
    return batch


# ---------------------------------------------------------------- shared CLI options


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options every collector takes."""
    parser.add_argument("-mc", "--max-count", type=int, required=True, metavar="N",
                        help="how many images this label should have in the library (a re-run tops up to N)")  # fmt: skip
    parser.add_argument("--label", metavar="X", help="library label for what is fetched (default: the tag/name)")
    parser.add_argument("--label-field", choices=LABEL_FIELDS, default="style",
                        help="which label --label sets (default: style)")  # fmt: skip
    parser.add_argument("--workers", type=int, default=4, metavar="N", help="parallel downloads (default: 4)")
    parser.add_argument("--batch-size", type=int, default=16, metavar="N", help="downloads per batch (default: 16)")
    parser.add_argument("--pause", type=float, nargs=2, default=(0.5, 2.0), metavar=("MIN", "MAX"),
                        help="random pause between batches, in seconds (default: 0.5 2)")  # fmt: skip
    parser.add_argument("--retries", type=int, default=4, metavar="N", help="retries on 429/5xx/timeouts")
    parser.add_argument("--max-mb", type=float, default=40.0, metavar="MB", help="skip images larger than this")
    parser.add_argument("--timeout", type=float, default=20.0, metavar="S", help="seconds per request")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def settings_from_args(args) -> Settings:
    if args.max_count < 0 or args.workers < 1 or args.batch_size < 1 or args.retries < 0:
        raise UserError("--max-count, --retries must be 0 or more and --workers, --batch-size 1 or more")
    lo, hi = args.pause
    if not 0 <= lo <= hi:
        raise UserError("--pause needs 0 <= MIN <= MAX")
    return Settings(workers=args.workers, batch_size=args.batch_size, pause=(lo, hi), retries=args.retries,
                    max_bytes=int(args.max_mb * 2**20), timeout=args.timeout)  # fmt: skip


def run_cli(args, source: str, label: str, candidates: Callable[[Settings, threading.Event], Iterable[Candidate]],
            settings: Settings | None = None) -> int:  # fmt: skip
    """Run a collector from parsed CLI args with a tqdm bar; prints the report."""
    import json
    import sys

    from tqdm import tqdm

    from artcore.library import Library

    settings = settings or settings_from_args(args)
    lib = Library(getattr(args, "library", None))
    cancel = threading.Event()
    bar = tqdm(total=args.max_count, unit="img", desc=f"{source}:{label}", file=sys.stderr, disable=None)

    def progress(have: int, total: int, thumb) -> None:
        bar.n = have
        bar.refresh()

    try:
        report = collect(lib, candidates(settings, cancel), target=args.max_count, source=source,
                         label_field=args.label_field, label=label, settings=settings, progress=progress,
                         cancel=cancel)  # fmt: skip
    finally:
        cancel.set()
        bar.close()
    if report.error and not report.kept:
        raise UserError(report.error)
    print(json.dumps(report.as_json(), indent=1) if args.json else report.summary())
    return 0 if report.have >= report.target else 1
