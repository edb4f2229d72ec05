"""Work that outlives the browser tab: imports, embedding, training and long renders run on the server.

A ``Board`` belongs to one library. Each job is a named task (``TASKS``) with JSON parameters, run by the board's
worker threads in the server process, so closing the tab does not stop it. Its state is a JSON record in
``<library>/jobs/`` written atomically as it goes; a job that was running when the server stopped is found
"interrupted" on the next start and can be resumed (tasks are written so a re-run skips what is done).

Which queued job runs next is ``Board.policy``: by default the oldest job of the owner with the fewest running, so
one person's ten jobs do not hold up another's one (the class server, issue 16, gives each session an owner).
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from artcore import registry
from artcore.errors import UserError, sentence
from artcore.imageio import atomic_write_bytes
from artcore.shared import release_memory

ACTIVE = ("queued", "running")
ENDED = ("done", "failed", "stopped", "interrupted")
KEEP_ENDED = 20  # ended records kept on disk per board beyond the last hour's; older ones are pruned
# Ended records younger than this are never pruned: the page that started a job shows its result from the record,
# and at 50 busy sessions some pages came back for theirs after 20 newer jobs had ended (they saw nothing).
KEEP_ENDED_SECONDS = 3600
SCRATCH_HOURS = 6.0  # a session's scratch files (its uploads and results) are removed after this long
SAVE_EVERY = 0.5  # seconds between progress writes of one job
# The heap is trimmed when the queue empties, at most this often: a trim stalls every thread's allocations, and
# with 30 sessions painting the queue empties many times a minute (measured: 7% fewer renders than with no trim).
TRIM_GAP = 30.0
TIMED = 20  # a kind's typical run time is the median of its last this many


class Stopped(Exception):
    """Raised inside a task when its job was asked to stop."""


@dataclass
class Job:
    """One piece of background work and how far it got."""

    id: str
    kind: str
    title: str
    params: dict
    owner: str = ""
    status: str = "queued"  # queued | running | done | failed | stopped | interrupted
    done: int = 0
    total: int = 0
    message: str = ""
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    rate_from: list | None = None  # [time, done] at the first progress report: the rate counts from there
    result: dict | None = None
    error: str | None = None
    pid: int | None = None
    # CPU seconds of the worker thread: all of a job's work where its libraries run on that thread (a class server,
    # one thread per job), only part of it where they have pools of their own.
    cpu_seconds: float | None = None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def fraction(self) -> float:
        return min(self.done / self.total, 1.0) if self.total else (1.0 if self.status == "done" else 0.0)

    def seconds_left(self, now: float | None = None) -> float | None:
        """Seconds left at the rate since the first progress report, or None while it is not known."""
        if self.status != "running" or not self.rate_from or not self.total:
            return None
        (t0, d0), now = self.rate_from, now or time.time()
        if now - t0 < 2.0 or self.done <= d0 or self.done >= self.total:
            return None
        return (self.total - self.done) * (now - t0) / (self.done - d0)


@dataclass
class Context:
    """What a running task gets: the library folder, its job (read only) and ``progress``, which raises
    ``Stopped`` once the job is asked to stop; ``cancel`` is set then too, for code that polls an event."""

    library: Path
    job: Job
    cancel: threading.Event
    report: Callable[[int, int, str], None]
    flag: Path | None = None  # a stop asked from another process (``artcore jobs stop``) is this file
    _checked: float = 0.0

    def progress(self, done: int, total: int, message: str = "") -> None:
        if self.stopped():
            raise Stopped
        self.report(done, total, message)

    def stopped(self) -> bool:
        if not self.cancel.is_set() and self.flag is not None and time.monotonic() - self._checked > SAVE_EVERY:
            self._checked = time.monotonic()
            if self.flag.exists():
                self.cancel.set()
        return self.cancel.is_set()


Task = Callable[[dict, Context], dict | None]
TASKS: dict[str, Task] = {}


def task(kind: str) -> Callable[[Task], Task]:
    """Register ``fn(params, ctx) -> result dict`` as the task run for jobs of ``kind``."""

    def deco(fn: Task) -> Task:
        TASKS[kind] = fn
        return fn

    return deco


def fair_next(queued: list[Job], running: list[Job]) -> Job:
    """The oldest queued job among the owners with the fewest jobs running."""
    busy: dict[str, int] = {}
    for j in running:
        busy[j.owner] = busy.get(j.owner, 0) + 1
    return min(queued, key=lambda j: (busy.get(j.owner, 0), j.created))


class Board:
    """The jobs of one library: submit, list, stop, resume and dismiss; ``workers`` threads run them."""

    def __init__(self, library: str | os.PathLike, workers: int = 1,
                 policy: Callable[[list[Job], list[Job]], Job] = fair_next):  # fmt: skip
        import artcore.tasks  # noqa: F401  (registers the tasks; imported here, as it imports this module)

        self.library = Path(library)
        self.folder = self.library / "jobs"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.workers, self.policy = max(1, workers), policy
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._jobs: dict[str, Job] = {}
        self._cancel: dict[str, threading.Event] = {}
        self._saved: dict[str, float] = {}
        self._threads: list[threading.Thread] = []
        self._trimmed = -TRIM_GAP
        self._took: dict[str, deque[float]] = {}
        self._load()

    # ------------------------------------------------------------ records

    def _path(self, job_id: str) -> Path:
        return self.folder / f"{job_id}.json"

    def _flag(self, job_id: str) -> Path:
        return self.folder / f"{job_id}.stop"

    def _load(self) -> None:
        """Read the records left on disk; what was queued or running then is "interrupted" now."""
        for path in sorted(self.folder.glob("*.json")):
            try:
                job = Job(**json.loads(path.read_text()))
            except (OSError, ValueError, TypeError):
                continue  # a damaged record is not worth refusing to start over
            if job.active and not _alive(job.pid):
                job.status, job.message = "interrupted", "The server stopped before this finished."
                job.finished = time.time()
                self._write(job)
            self._jobs[job.id] = job
            self._timed(job)

    def _write(self, job: Job) -> None:
        atomic_write_bytes(self._path(job.id), json.dumps(asdict(job), indent=1).encode())
        self._saved[job.id] = time.monotonic()

    def _prune(self) -> None:
        ended = sorted((j for j in self._jobs.values() if not j.active), key=lambda j: j.finished or j.created)
        cutoff = time.time() - KEEP_ENDED_SECONDS
        for job in ended[:-KEEP_ENDED] if len(ended) > KEEP_ENDED else []:
            if (job.finished or job.created) > cutoff:
                break  # sorted: the rest are younger still
            self._jobs.pop(job.id, None)
            self._path(job.id).unlink(missing_ok=True)

    def scratch(self, owner: str) -> Path:
        """A folder for one owner's working files (a picture to restyle, its result); files older than
        ``SCRATCH_HOURS`` in any owner's folder are removed first, so a closed session leaves nothing for long."""
        import re
        import shutil

        root = self.folder / "scratch"
        cutoff = time.time() - SCRATCH_HOURS * 3600
        mine = root / (re.sub(r"[^A-Za-z0-9_-]", "", owner)[:64] or "personal")
        for folder in root.glob("*") if root.is_dir() else []:
            try:  # other sessions sweep at the same time: anything may vanish under us
                for f in folder.iterdir():
                    if f.stat().st_mtime < cutoff:
                        f.unlink(missing_ok=True)
                # Only folders idle as long: a session's new, still empty folder is left to it.
                if folder != mine and folder.stat().st_mtime < cutoff and not any(folder.iterdir()):
                    shutil.rmtree(folder, ignore_errors=True)
            except FileNotFoundError:
                continue
        mine.mkdir(parents=True, exist_ok=True)
        return mine

    # ------------------------------------------------------------ what callers use

    def submit(self, kind: str, params: dict, *, title: str, owner: str = "") -> Job:
        """Queue a job of a registered ``kind``; ``params`` must be JSON (they are stored to resume it)."""
        if kind not in TASKS:
            raise UserError(f"unknown kind of job {kind!r}")
        json.dumps(params)  # fail now, not in the worker, on parameters that cannot be stored
        job = Job(id=f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}", kind=kind, title=title,
                  params=params, owner=owner)  # fmt: skip
        with self._wake:
            self._jobs[job.id] = job
            self._cancel[job.id] = threading.Event()
            self._write(job)
            self._prune()
            self._start_workers()
            self._wake.notify()
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            job = self._jobs.get(job_id)
            return None if job is None else Job(**asdict(job))

    def jobs(self, owner: str | None = None) -> list[Job]:
        """Copies of the jobs, newest first; only ``owner``'s when given."""
        with self._lock:
            jobs = [Job(**asdict(j)) for j in self._jobs.values() if owner is None or j.owner == owner]
        return sorted(jobs, key=lambda j: j.created, reverse=True)

    def find(self, kind: str, *, active: bool = True, **params) -> Job | None:
        """The newest job of ``kind`` whose parameters include ``params`` (an active one, unless ``active`` False)."""
        with self._lock:  # only the match is copied: a busy class server keeps thousands of records an hour
            hits = [j for j in self._jobs.values() if j.kind == kind and (j.active or not active)
                    and all(j.params.get(k) == v for k, v in params.items())]  # fmt: skip
            newest = max(hits, key=lambda j: j.created, default=None)
            return None if newest is None else Job(**asdict(newest))

    def place(self, job_id: str) -> int | None:
        """How many jobs will start before a queued one (the queue's own order), or None when it is not queued."""
        with self._lock:
            queued = [j for j in self._jobs.values() if j.status == "queued"]
            running = [j for j in self._jobs.values() if j.status == "running"]
            if job_id not in {j.id for j in queued}:
                return None
            ahead = 0
            while queued:
                nxt = self.policy(queued, running)
                if nxt.id == job_id:
                    return ahead
                queued.remove(nxt)
                running.append(nxt)
                ahead += 1
        return None

    def _typical(self) -> Callable[[str], float | None]:
        """The median seconds the last finished jobs of a kind ran, by kind (None: none has finished)."""
        with self._lock:
            took = {kind: sorted(d) for kind, d in self._took.items()}
        return lambda kind: took[kind][len(took[kind]) // 2] if took.get(kind) else None

    def _timed(self, job: Job) -> None:
        """Count a finished job's run time towards its kind's typical (the last ``TIMED`` of each kind)."""
        if job.status == "done" and job.started and job.finished:
            self._took.setdefault(job.kind, deque(maxlen=TIMED)).append(job.finished - job.started)

    def wait_estimate(self, job_id: str, typical: Callable[[str], float | None] | None = None) -> float | None:
        """Seconds until a queued job starts, from how long finished jobs of each kind took (None: unknown)."""
        ahead = self.place(job_id)
        if ahead is None:
            return None
        typical = typical or self._typical()
        with self._lock:
            queued = sorted((j for j in self._jobs.values() if j.status == "queued"), key=lambda j: j.created)
            running = [j for j in self._jobs.values() if j.status == "running"]
        parts = [j.seconds_left() if j.seconds_left() is not None else typical(j.kind) for j in running]
        parts += [typical(j.kind) for j in queued[:ahead]]
        if any(p is None for p in parts):
            return None
        return sum(parts) / self.workers

    def end_estimate(self, job_id: str) -> float | None:
        """Seconds until a job ends: its wait (if queued) and its run, from its rate or how long its kind takes
        (None: unknown; 0 once ended)."""
        job = self.get(job_id)
        if job is None or not job.active:
            return 0.0
        typical = self._typical()
        run = typical(job.kind)
        if job.status == "running":
            if (left := job.seconds_left()) is not None:
                return left
            return None if run is None else max(0.0, run - (time.time() - job.started))
        wait = self.wait_estimate(job_id, typical)
        return None if wait is None or run is None else wait + run

    def stop(self, job_id: str) -> None:
        """Ask a job to stop: a queued one ends at once, a running one at its next progress report."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or not job.active:
                return
            self._cancel.setdefault(job_id, threading.Event()).set()
            if job.status == "running" and job.pid != os.getpid():  # another process runs it: leave it a note
                atomic_write_bytes(self._flag(job_id), b"stop")
            if job.status == "queued":
                job.status, job.finished, job.message = "stopped", time.time(), "Stopped before it started."
                self._write(job)

    def resume(self, job_id: str) -> Job:
        """Queue an ended job again with the same parameters (its record is replaced by the new job's)."""
        with self._lock:
            old = self._jobs.get(job_id)
        if old is None or old.active:
            raise UserError("that job is not waiting to be resumed")
        job = self.submit(old.kind, old.params, title=old.title, owner=old.owner)
        self.dismiss(job_id)
        return job

    def dismiss(self, job_id: str) -> None:
        """Forget an ended job."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None and not job.active:
                del self._jobs[job_id]
                self._path(job_id).unlink(missing_ok=True)

    def wait(self, job_id: str, timeout: float | None = None) -> Job | None:
        """Block until the job ends (or ``timeout`` passes); its final state. For the CLI and tests."""
        end = None if timeout is None else time.monotonic() + timeout
        with self._wake:
            while (job := self._jobs.get(job_id)) is not None and job.active:
                left = None if end is None else end - time.monotonic()
                if left is not None and left <= 0:
                    break
                self._wake.wait(0.2 if left is None else min(left, 0.2))
        return self.get(job_id)

    # ------------------------------------------------------------ workers

    def _start_workers(self) -> None:
        self._threads = [t for t in self._threads if t.is_alive()]
        while len(self._threads) < self.workers:
            t = threading.Thread(target=self._work, name=f"{registry.JOB_WORKER}-{len(self._threads)}", daemon=True)
            self._threads.append(t)
            t.start()

    def _next(self) -> Job | None:
        queued = [j for j in self._jobs.values() if j.status == "queued"]
        if not queued:
            return None
        return self.policy(queued, [j for j in self._jobs.values() if j.status == "running"])

    def _work(self) -> None:
        while True:
            with self._wake:
                job = self._next()
                if job is None:
                    self._wake.wait(30)
                    job = self._next()
                    if job is None:
                        return  # idle: the thread ends; the next submit starts another
                job.status, job.started, job.pid, job.message = "running", time.time(), os.getpid(), "Starting…"
                cancel = self._cancel.setdefault(job.id, threading.Event())
                self._write(job)
            self._run(job, cancel)

    def _run(self, job: Job, cancel: threading.Event) -> None:
        import logging

        def report(done: int, total: int, message: str = "") -> None:
            with self._lock:
                job.done, job.total, job.message = int(done), int(total), str(message)
                if job.rate_from is None:
                    job.rate_from = [time.time(), job.done]
                if time.monotonic() - self._saved.get(job.id, 0.0) >= SAVE_EVERY:
                    self._write(job)

        ctx = Context(self.library, Job(**asdict(job)), cancel, report, self._flag(job.id))
        status, result, error = "done", None, None
        cpu0 = time.thread_time()
        try:
            result = TASKS[job.kind](job.params, ctx)
            if cancel.is_set():
                status = "stopped"
        except Stopped:
            status = "stopped"
        except UserError as exc:
            status, error = "failed", sentence(exc)
        except Exception:  # noqa: BLE001  (a worker must survive any task; the log has the traceback)
            ref = uuid.uuid4().hex[:6]
            logging.getLogger("artcore.jobs").exception("error %s in job %s (%s)", ref, job.id, job.kind)
            status, error = "failed", f"Sorry — something went wrong on our side (error {ref}). It has been logged."
        with self._wake:
            job.status, job.result, job.error, job.finished = status, result, error, time.time()
            job.cpu_seconds = round(time.thread_time() - cpu0, 3)
            self._timed(job)
            if status == "stopped":
                job.message = "Stopped; what was done is kept."
            elif status == "done":
                job.message = ""
            self._write(job)
            self._cancel.pop(job.id, None)
            self._flag(job.id).unlink(missing_ok=True)
            self._wake.notify_all()
            trim = not any(j.active for j in self._jobs.values()) and time.monotonic() - self._trimmed >= TRIM_GAP
            if trim:
                self._trimmed = time.monotonic()
        if trim:
            release_memory()


def _alive(pid: int | None) -> bool:
    """Whether another live process (e.g. a second server on the same library) owns a job record."""
    if not pid or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_boards: dict[str, Board] = {}
_boards_lock = threading.Lock()


def board(library: str | os.PathLike, workers: int | None = None) -> Board:
    """The one board of a library folder in this process (``ARTCORE_JOB_WORKERS`` threads, default 1)."""
    key = str(Path(library).resolve())
    with _boards_lock:
        if key not in _boards:
            n = workers or int(os.environ.get("ARTCORE_JOB_WORKERS", "1") or 1)
            _boards[key] = Board(library, workers=n)
        return _boards[key]


def describe(job: Job) -> str:
    """One plain line on a job's state, for the app and the CLI."""
    if job.status == "running":
        left = job.seconds_left()
        parts = [f"{job.done:,} of {job.total:,}"] if job.total else []
        if left is not None:
            parts.append(time_left(left))
        return (job.message or "Working") + (f" ({'; '.join(parts)})" if parts else "")
    summary = (job.result or {}).get("summary")
    return {"queued": "Waiting for its turn.", "done": summary or "Finished.", "failed": job.error or "It failed.",
            "stopped": job.message or "Stopped.", "interrupted": job.message or "Interrupted."}[job.status]  # fmt: skip


def time_left(seconds: float) -> str:
    """Plain words for a remaining time: "about 40 s left", "about 3 min left", "about 1 h 20 min left"."""
    if seconds < 10:
        return "a few seconds left"
    if seconds < 60:
        return f"about {int(round(seconds / 5) * 5)} s left"
    if seconds < 3600:
        return f"about {round(seconds / 60)} min left"
    return f"about {int(seconds // 3600)} h {round(seconds % 3600 / 60)} min left"
