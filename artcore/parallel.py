"""One batch function on three engines: this process, local worker processes, or a Ray cluster.

A batch function is a module-level ``fn(items: list, **kwargs)`` returning one result per item (an N×D array or a
list), named by its dotted path ("artcore.embed:compute") so that workers and Ray actors import it instead of
unpickling a closure. Each worker sets onnxruntime's and torch's threads to its share of the CPUs, so workers
never oversubscribe the cores. Results come back batch by batch as they finish, with their items' indices: the
caller stores each batch at once, so a killed run keeps everything stored and a rerun computes only the rest.

On Ray the items become a Ray Data dataset and the function runs through ``map_batches`` on a fixed pool of
actors (one model per actor, loaded once); the driver iterates the results and writes them itself. Workers read
images by path, so on a multi-machine cluster the library must be on storage every node mounts at the same path.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from artcore.errors import UserError


def resolve(name: str) -> Callable:
    """The function ``module:function`` names."""
    module, _, attr = name.partition(":")
    return getattr(importlib.import_module(module), attr)


def use_threads(n: int) -> None:
    """Make this process's onnxruntime sessions and torch use ``n`` threads (call before models load)."""
    os.environ["ARTCORE_THREADS"] = str(n)
    os.environ["OMP_NUM_THREADS"] = str(n)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(n)


def _call(fn: str, items: list, kwargs: dict):
    return resolve(fn)(items, **kwargs)


class _RayBatch:
    """A Ray Data actor: imports the batch function once, with threads set to the actor's CPUs."""

    def __init__(self, fn: str, kwargs: dict, threads: int):
        use_threads(threads)
        self.fn, self.kwargs = resolve(fn), kwargs

    def __call__(self, batch: dict) -> dict:
        out = self.fn([str(x) for x in batch["item"]], **self.kwargs)
        if not isinstance(out, np.ndarray):
            out = np.array(out, dtype=object)
        return {"idx": batch["idx"], "out": out}


@dataclass(frozen=True)
class Engine:
    """Where batches run: ``workers`` local processes (1: this process), or a Ray cluster when ``ray`` is set
    ("local" starts one on this machine; else a cluster address such as ``ray://head:10001`` or ``auto``)."""

    workers: int = 1
    ray: str | None = None
    cpus: int | None = None  # CPUs to use in all (default: this machine's, or the Ray cluster's)

    def describe(self) -> str:
        if self.ray:
            return f"Ray ({'a local cluster' if self.ray == 'local' else self.ray})"
        return "this process" if self.workers <= 1 else f"{self.workers} local worker processes"

    def map(self, fn: str, items: Sequence, kwargs: dict | None = None, batch: int = 64) -> Iterator[tuple[list[int], Sequence]]:  # fmt: skip
        """(item indices, results) for every ``batch`` items, in the order they finish."""
        kwargs = kwargs or {}
        if not items:
            return
        if self.ray:
            yield from self._ray(fn, items, kwargs, batch)
            return
        chunks = [list(range(i, min(i + batch, len(items)))) for i in range(0, len(items), batch)]
        if self.workers <= 1:
            run = resolve(fn)
            for idx in chunks:
                yield idx, run([items[i] for i in idx], **kwargs)
            return
        yield from self._processes(fn, items, kwargs, chunks)

    def _processes(self, fn, items, kwargs, chunks) -> Iterator[tuple[list[int], Sequence]]:
        import multiprocessing as mp
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

        threads = max(1, (self.cpus or os.cpu_count() or 1) // self.workers)
        # spawn, not fork: a forked copy of a process that already runs onnxruntime or torch threads can hang.
        with ProcessPoolExecutor(self.workers, mp.get_context("spawn"), initializer=use_threads,
                                 initargs=(threads,)) as pool:  # fmt: skip
            todo, running = iter(chunks), {}

            def submit() -> None:
                for idx in todo:
                    running[pool.submit(_call, fn, [items[i] for i in idx], kwargs)] = idx
                    if len(running) >= 2 * self.workers:  # a second batch queued per worker keeps it busy
                        return

            submit()
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for f in done:
                    yield running.pop(f), f.result()
                submit()

    def _ray(self, fn, items, kwargs, batch) -> Iterator[tuple[list[int], Sequence]]:
        ray = connect(self.ray, self.cpus)
        from ray import data as ray_data

        cpus = int(ray.cluster_resources().get("CPU", 1))
        actors = self.workers if self.workers > 1 else cpus
        threads = max(1, cpus // actors)
        ctx = ray_data.DataContext.get_current()
        ctx.enable_progress_bars = False  # the caller draws its own
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        ds = ray_data.from_items([{"idx": i, "item": str(x)} for i, x in enumerate(items)],
                                 override_num_blocks=max(1, -(-len(items) // batch)))  # fmt: skip
        out = ds.map_batches(_RayBatch, fn_constructor_kwargs={"fn": fn, "kwargs": kwargs, "threads": threads},
                             batch_size=batch, compute=ray_data.ActorPoolStrategy(size=actors), num_cpus=threads,
                             batch_format="numpy")  # fmt: skip
        for res in out.iter_batches(batch_size=None, batch_format="numpy"):
            yield [int(i) for i in res["idx"]], res["out"]


def connect(address: str, cpus: int | None = None):
    """The ``ray`` module, connected: to the cluster at ``address``, or ("local") to a local one it starts with
    ``cpus`` CPUs (default: all), unless this process is connected already (the tests share one)."""
    try:
        import ray
    except ImportError:
        raise UserError("Ray is not installed; run `make deps` (it is in requirements.txt)") from None
    if ray.is_initialized():
        return ray
    root = str(Path(__file__).resolve().parent.parent)
    env = {"env_vars": {"PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}}
    try:
        if address == "local":
            ray.init(num_cpus=cpus or os.cpu_count(), include_dashboard=False, log_to_driver=False,
                     logging_level=logging.WARNING, runtime_env=env)  # fmt: skip
        else:
            ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise UserError(f"could not reach a Ray cluster at {address}: {str(exc).splitlines()[0][:160]}") from exc
    return ray
