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
    p.add_argument("--json", action="store_true", help="print {encoder, images, computed, seconds} as JSON")
    p.set_defaults(func=cmd_embed)


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
    start = time.perf_counter()
    with tqdm_progress(f"embedding ({args.encoder})") as progress:
        records, _, computed = embed.embed_library(lib, args.encoder, progress=progress)
    seconds = time.perf_counter() - start
    result = {"encoder": args.encoder, "images": len(records), "computed": computed, "seconds": round(seconds, 2)}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{len(records)} images, {computed} embedded now ({args.encoder}) in {seconds:.1f} s → {lib.root}")
    return 0
