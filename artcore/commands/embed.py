"""``artcore embed``: fill the library's embedding cache (only images not embedded yet are computed)."""

from __future__ import annotations

import argparse
import json
import sys
from contextlib import contextmanager


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    from artcore.embed import DEFAULT_ENCODER, ENCODERS

    p = sub.add_parser("embed", parents=[common], help="compute image embeddings for the library (cached)")
    p.add_argument("--encoder", choices=tuple(ENCODERS), default=DEFAULT_ENCODER,
                   help=f"which embedding (default: {DEFAULT_ENCODER})")  # fmt: skip
    add_engine_args(p)
    p.add_argument("--json", action="store_true", help="print {encoder, images, computed, seconds, engine} as JSON")
    p.set_defaults(func=cmd_embed)


def add_engine_args(p: argparse.ArgumentParser) -> None:
    """``--workers N`` and ``--ray [ADDRESS]``: where a batch command runs (``artcore.parallel.Engine``)."""
    p.add_argument("--workers", type=int, default=1, metavar="N",
                   help="local worker processes, each with an equal share of the cores (default: 1, this process)")  # fmt: skip
    p.add_argument("--ray", nargs="?", const="local", metavar="ADDRESS",
                   help="run on a Ray cluster: no ADDRESS starts one on this machine; else e.g. auto or "
                        "ray://head:10001 (the library must be on storage every node mounts at the same path)")  # fmt: skip


def engine_from(args):
    from artcore.errors import UserError
    from artcore.parallel import Engine

    if args.workers < 1:
        raise UserError("--workers must be at least 1")
    return Engine(workers=args.workers, ray=args.ray)


@contextmanager
def tqdm_progress(desc: str):
    """An artcore progress callback drawing a tqdm bar on stderr."""
    from tqdm import tqdm

    bar = tqdm(unit="img", desc=desc, file=sys.stderr, disable=None)

    def progress(done: int, total: int, _msg: str = "") -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        yield progress
    finally:
        bar.close()


def cmd_embed(args) -> int:
    import time

    from artcore import embed
    from artcore.library import Library

    lib = Library(getattr(args, "library", None))
    engine = engine_from(args)
    start = time.perf_counter()
    with tqdm_progress(f"embedding ({args.encoder}, {engine.describe()})") as progress:
        records, _, computed = embed.embed_library(lib, args.encoder, progress=progress, engine=engine)
    seconds = time.perf_counter() - start
    result = {"encoder": args.encoder, "images": len(records), "computed": computed, "seconds": round(seconds, 2),
              "engine": engine.describe()}  # fmt: skip
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{len(records)} images, {computed} embedded now ({args.encoder}, {engine.describe()}) in "
              f"{seconds:.1f} s → {lib.root}")  # fmt: skip
    return 0
