"""One place that loads models, once per process; nothing loads at import time.

Capability modules register a loader with ``@loader("name")``; callers use ``get("name")``.
The app wraps ``get`` in ``st.cache_resource`` (see ``artcore.ui``) so every session shares one copy.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import os
import threading
from collections.abc import Callable
from typing import Any

_LOADERS: dict[str, Callable[[], Any]] = {}
# Modules whose import registers loaders; imported on first ``get`` so start-up stays light.
_PROVIDERS: tuple[str, ...] = ("artcore.lite0", "artcore.style", "artcore.embed", "artcore.gan.generate",
                                  "artcore.artnet", "artcore.translate")


def loader(name: str) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
    """Register a zero-argument function that builds the model called ``name``."""

    def wrap(fn: Callable[[], Any]) -> Callable[[], Any]:
        _LOADERS[name] = fn
        return fn

    return wrap


_MODELS: dict[str, Any] = {}
_LOCKS: dict[str, threading.Lock] = {}
_GUARD = threading.Lock()


def get(name: str) -> Any:
    """The loaded model ``name``, built on first use and shared afterwards (once, whichever thread asks first)."""
    if name in _MODELS:
        return _MODELS[name]
    with _GUARD:
        if name not in _LOADERS:
            for module in _PROVIDERS:
                importlib.import_module(module)
        if name not in _LOADERS:
            raise KeyError(f"no model called {name!r}; known: {sorted(_LOADERS)}")
        lock = _LOCKS.setdefault(name, threading.Lock())
    with lock:
        if name not in _MODELS:
            _MODELS[name] = _LOADERS[name]()
    return _MODELS[name]


def loaded(name: str) -> bool:
    """Whether the model ``name`` has been built in this process (nothing is built to answer)."""
    return name in _MODELS


def prefetch(*names: str) -> None:
    """Start building models in a background thread, so loading overlaps the caller's own start-up work.

    onnxruntime builds sessions outside Python's lock; a later ``get`` waits for the build instead of repeating it,
    and an error is raised again by that ``get``.
    """

    def build() -> None:
        for name in names:
            with contextlib.suppress(Exception):  # the caller's own get() reports it
                get(name)

    thread = threading.Thread(target=build, name="artcore-prefetch", daemon=True)
    thread.start()
    # A process that exits early (a CLI refusing bad input) must wait for the build: onnxruntime aborts the process
    # ("terminate called without an active exception") if its threads are torn down mid-build.
    atexit.register(thread.join)


def session_options(spin: bool = True, arena: bool = False):
    """onnxruntime session options with quiet logging and ``$ARTCORE_THREADS`` threads if set; ``spin=False`` lets
    idle worker threads sleep instead of busy-waiting between operators (less CPU stolen from other work on a
    shared, busy machine); ``arena``: keep onnxruntime's memory arena on a class server too, for sessions whose
    runs pass ``arena_run_options``."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    if os.environ.get("ARTCORE_THREADS"):  # a class server's share of the cores per job (``shared``)
        opts.intra_op_num_threads = int(os.environ["ARTCORE_THREADS"])
    if not spin:
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    if os.environ.get("ARTCORE_SHARED") == "1" and not arena:
        # A class server renders for many sessions at once; onnxruntime's arena keeps the peak of every run for good,
        # so its memory is allocated per run and handed back instead.
        opts.enable_cpu_mem_arena = False
    return opts


JOB_WORKER = "artcore-jobs"  # the name of the job queue's worker threads (``artcore.jobs``), numbered after it
ARENA_KEEP_PIXELS = 800 * 800  # the largest pass whose memory a class server's job worker keeps for the next
_RELEASERS: list[Callable[[], None]] = []


def arena_run_options(pixels: int | None = None):
    """Run options for a session made with ``arena=True``. On a class server the arena hands its memory back when
    the run ends, unless a job worker ran a pass of at most ``ARENA_KEEP_PIXELS`` (``pixels``; None: hand back).

    Kept, the memory is reused by the next pass; handed back, each pass faults in fresh pages (30 sessions: 6.8
    million page faults in 40 s, a third of the CPU time in the kernel). The queue runs one job per core, so what
    its workers keep is bounded, and ``release_arenas`` hands it back when the queue empties; pages run at any
    concurrency, so theirs is never kept. None elsewhere (onnxruntime's default: the arena keeps its peak)."""
    if os.environ.get("ARTCORE_SHARED") != "1":
        return None
    import onnxruntime as ort

    opts = ort.RunOptions()
    worker = threading.current_thread().name.startswith(JOB_WORKER)
    if pixels is None or not worker or pixels > ARENA_KEEP_PIXELS:
        opts.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
    return opts


def releaser(fn: Callable[[], None]) -> Callable[[], None]:
    """Register a function that hands back what loaded models keep between runs (``release_arenas`` calls it)."""
    _RELEASERS.append(fn)
    return fn


def release_arenas() -> None:
    """Hand back the memory that loaded models' arenas keep between runs (a class server, when its queue empties)."""
    for fn in _RELEASERS:
        fn()


def onnx_session(model):
    """A CPU onnxruntime session for an ONNX file path or serialised model bytes, with quiet logging."""
    import onnxruntime as ort

    return ort.InferenceSession(model if isinstance(model, bytes) else str(model), session_options(),
                                providers=["CPUExecutionProvider"])  # fmt: skip
