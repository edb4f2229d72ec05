"""Shared mode: one server for a class. What students may do, what needs the teacher, and the limits.

Off by default (a personal server: no passcode, no limits beyond the app's own). ``artcore app --shared`` turns it
on (``ARTCORE_SHARED=1``), with settings from the ``[server]`` table of a TOML file: ``$ARTCORE_SERVER_CONFIG``,
else ``server.toml`` in the library folder::

    [server]
    shared = true                       # the same as --shared
    import_roots = ["/srv/class/paintings"]  # folder imports only below these (none: no folder imports)
    max_upload_mb = 20
    max_megapixels = 40
    jobs_per_session = 2                # background jobs one browser session may have queued or running
    max_video_seconds = 60
    queue = true                        # restyling also goes through the server's job queue (false: each
                                        # visitor's own session renders, as on a personal server)
    workers = 2                         # jobs run at once (default: the number of cores)

The teacher's passcode comes from ``$ARTCORE_TEACHER_PASSCODE`` (or Streamlit secrets, ``teacher_passcode``), never
from the file, and is never shown or logged. Without one, teacher actions (collect, training, folder import,
deleting) are off in shared mode.
"""

from __future__ import annotations

import functools
import hmac
import os
import re
import threading
import time
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from artcore.config import library_dir
from artcore.errors import UserError

PASSCODE_ENV = "ARTCORE_TEACHER_PASSCODE"
TEACHER_ACTIONS = ("collect", "train", "import a folder", "delete")


@dataclass(frozen=True)
class Policy:
    """What a server allows. The defaults are a personal server's: nothing restricted."""

    shared: bool = False
    import_roots: tuple[Path, ...] = field(default_factory=tuple)
    max_upload_mb: float | None = None
    max_megapixels: float | None = None
    jobs_per_session: int | None = None
    max_video_seconds: float | None = None
    queue: bool = False  # restyling goes through the job queue, not the visitor's own session
    workers: int | None = None  # background jobs at once (None: $ARTCORE_JOB_WORKERS, else 1)

    def check_folder(self, text: str) -> Path:
        """The folder a user typed, resolved (symlinks and ``..`` followed); in shared mode it must lie inside one
        of ``import_roots``. A ``UserError`` says why not, without naming any other place on the server."""
        if "\x00" in text:
            raise UserError("that folder name is not valid")
        path = Path(text).expanduser()
        if not self.shared:
            return path
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            raise UserError("that folder does not exist among the folders this class server shares") from None
        for root in self.import_roots:
            try:
                real.relative_to(Path(root).resolve())
                return real
            except ValueError:
                continue
        raise UserError("on this class server, folders can only be imported from the folders the teacher shared")

    def check_upload(self, size_bytes: int, pixels: int | None = None) -> None:
        """Refuse an upload over the per-file size or pixel limits, in one sentence."""
        if self.max_upload_mb and size_bytes > self.max_upload_mb * 1e6:
            raise UserError(f"this file is {size_bytes / 1e6:.0f} MB; this class server takes files up to "
                            f"{self.max_upload_mb:g} MB")  # fmt: skip
        if self.max_megapixels and pixels and pixels > self.max_megapixels * 1e6:
            raise UserError(f"this picture has {pixels / 1e6:.0f} megapixels; this class server takes up to "
                            f"{self.max_megapixels:g}")  # fmt: skip


def config_path() -> Path:
    return Path(os.environ.get("ARTCORE_SERVER_CONFIG") or library_dir() / "server.toml")


def policy() -> Policy:
    """The server's policy: ``[server]`` of the config file, ``ARTCORE_SHARED=1`` forcing shared mode on. Read
    once per version of the file (pages ask on every run, the job panel every second)."""
    path = config_path()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = None
    return _read_policy(str(path), stamp, os.environ.get("ARTCORE_SHARED") == "1")


@functools.lru_cache(maxsize=8)
def _read_policy(path_text: str, stamp: int | None, forced: bool) -> Policy:
    table: dict = {}
    path = Path(path_text)
    if stamp is not None:
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8")).get("server", {})
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise UserError(f"the server settings {path.name} cannot be read: {exc}") from exc
    shared = bool(table.get("shared")) or forced
    if not shared:
        return Policy()
    num = lambda k, d: float(table[k]) if k in table else d  # noqa: E731
    return Policy(shared=True, import_roots=tuple(Path(p).expanduser() for p in table.get("import_roots", [])),
                  max_upload_mb=num("max_upload_mb", 20.0), max_megapixels=num("max_megapixels", 40.0),
                  jobs_per_session=int(num("jobs_per_session", 2)),
                  max_video_seconds=num("max_video_seconds", 60.0), queue=bool(table.get("queue", True)),
                  workers=int(num("workers", os.cpu_count() or 1)))  # fmt: skip


THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "ARTCORE_THREADS")  # torch's pools, onnxruntime's


def threads_per_job(workers: int, cores: int | None = None) -> int:
    """Threads each of ``workers`` concurrent jobs may use so that together they do not oversubscribe the cores
    (oversubscribed pools thrash: two GAN trainings with two threads each on two cores each ran well below half
    their speed alone, in training logs; not benchmarked)."""
    return max(1, (cores or os.cpu_count() or 1) // max(1, workers))


def release_memory() -> None:
    """Hand the C heap's free pages back to the OS (glibc ``malloc_trim``) on a class server, when its job queue
    empties (after each job, the trims stalled the other threads: 77 instead of 94 renders/min for 30 sessions).

    Renders allocate and free hundreds of MB in onnxruntime and numpy; glibc keeps freed pages in its arenas, so a
    server that painted for thirty students stays at its peak long after they leave. A no-op elsewhere.
    """
    if os.environ.get("ARTCORE_SHARED") != "1":
        return
    import contextlib
    import ctypes
    import ctypes.util

    from artcore import registry

    registry.release_arenas()  # what onnxruntime's arenas keep goes back to the C heap first, then to the OS
    with contextlib.suppress(OSError, AttributeError):  # not glibc (macOS, musl): nothing to trim
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)


_keeper_lock = threading.Lock()
_keeper: threading.Thread | None = None


LEFT_SESSION_GRACE = 60.0  # seconds a closed tab's session is kept for a reconnect before it is shut down


def close_left_sessions(first_seen: dict[str, float], grace: float = LEFT_SESSION_GRACE, runtime=None) -> int:
    """Shut down the sessions whose tab has been gone for ``grace`` seconds (``first_seen``: when each was first
    found disconnected, kept between calls); how many were closed.

    Streamlit keeps a disconnected session two minutes for a reconnect, and when that time is up it only forgets
    it: the session is never shut down, so its media files and download callables stay registered for good (50
    visits to a class server left it 254 MB larger; 111 MB with this). Closing the session first, through the
    runtime's own close for stored sessions (as after a logout), releases them. Needs Streamlit's session manager,
    a private part: without it this does nothing.
    """
    if runtime is None:
        from streamlit.runtime import Runtime

        if not Runtime.exists():
            return 0
        runtime = Runtime.instance()
    manager = getattr(runtime, "_session_mgr", None)
    try:
        active = {info.session.id for info in manager.list_active_sessions()}
        left = {info.session.id for info in manager.list_sessions()} - active
    except (AttributeError, RuntimeError):  # another Streamlit, or storage changed while read: next time
        return 0
    now = time.monotonic()
    for sid in set(first_seen) - left:  # reconnected, or already gone
        del first_seen[sid]
    closed = 0
    for sid in left:
        if now - first_seen.setdefault(sid, now) >= grace:
            runtime.clear_user_info_for_session(sid)  # closes a stored session on the server's event loop
            del first_seen[sid]
            closed += 1
    return closed


def keep_memory_low(every: float = 60.0, sweep: float = 15.0) -> None:
    """On a class server, once per process: every ``sweep`` seconds shut down the sessions of tabs closed a
    minute ago (``close_left_sessions``), and every ``every`` seconds collect Python's garbage and trim the heap.

    The class server skips Streamlit's full collection after each script run (it cost a third of the throughput),
    and closed sessions are released between jobs: without this, what they held would stay counted against the
    server until the next render.
    """
    global _keeper
    if os.environ.get("ARTCORE_SHARED") != "1":
        return
    with _keeper_lock:
        if _keeper is not None and _keeper.is_alive():
            return

        def loop() -> None:
            import gc

            first_seen: dict[str, float] = {}
            last = time.monotonic()
            while os.environ.get("ARTCORE_SHARED") == "1":
                time.sleep(min(every, sweep))
                close_left_sessions(first_seen)
                if time.monotonic() - last >= every:
                    last = time.monotonic()
                    gc.collect()
                    release_memory()

        _keeper = threading.Thread(target=loop, name="artcore-memory", daemon=True)
        _keeper.start()


def teacher_passcode(secrets: dict | None = None) -> str | None:
    """The configured passcode (environment first, then Streamlit secrets), or None."""
    code = os.environ.get(PASSCODE_ENV) or (secrets or {}).get("teacher_passcode")
    return str(code) if code else None


def passcode_ok(given: str, secrets: dict | None = None) -> bool:
    """Whether ``given`` is the teacher's passcode (compared in constant time); False when none is configured."""
    code = teacher_passcode(secrets)
    return bool(code) and hmac.compare_digest(given.encode(), code.encode())


def safe_name(name: str, limit: int = 80) -> str:
    """An uploaded file's name as something safe to show and to use in a file name: the last path part only, no
    control characters or path separators, at most ``limit`` characters (the extension kept)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C")
    base = base.strip(" .") or "upload"
    stem, dot, ext = base.rpartition(".")
    if dot and len(ext) <= 8:
        return stem[: max(1, limit - len(ext) - 1)] + "." + ext
    return base[:limit]
