"""``artcore similar IMAGE...``: the library works most like each picture, through the library's index."""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    from artcore.embed import DEFAULT_ENCODER, ENCODERS

    p = sub.add_parser("similar", parents=[common], help="the library works most like each picture",
                       description="The library works most like each picture, nearest first (cosine similarity of "
                                   "embeddings; a picture that is in the library finds itself first, score 1.0). "
                                   "Library images not embedded yet are embedded first, once (progress on stderr).")  # fmt: skip
    p.add_argument("images", nargs="+", metavar="IMAGE", help="pictures to look up")
    p.add_argument("--k", type=int, default=10, metavar="N", help="works to list per picture (default 10)")
    p.add_argument("--encoder", choices=tuple(ENCODERS), default=DEFAULT_ENCODER,
                   help=f"how pictures are compared (default: {DEFAULT_ENCODER})")  # fmt: skip
    p.add_argument("--json", action="store_true",
                   help='print [{"image", "similar": [{"path", "sha256", "score"}, ...]}, ...]; a picture that '
                        'cannot be read gets {"image", "error"}')  # fmt: skip
    p.set_defaults(func=cmd_similar)


def cmd_similar(args) -> int:
    from pathlib import Path

    import numpy as np

    from artcore import embed, knn
    from artcore.commands.embed import tqdm_progress
    from artcore.errors import UserError
    from artcore.library import Library

    if not 1 <= args.k <= 1000:
        raise UserError("--k must be between 1 and 1000")
    lib = Library(getattr(args, "library", None))
    records = lib.records()
    if not records:
        raise UserError(f"the library at {lib.root} is empty: import images first (artcore library import DIR)")
    # The pictures first: one that cannot be read is reported before the library is read, and the others answered.
    results, vectors = [], {}
    for n, image in enumerate(args.images):
        try:
            vectors[n] = embed.embed_one(image, args.encoder)
            results.append({"image": image, "similar": []})
        except (UserError, OSError) as exc:
            print(f"artcore: {exc}", file=sys.stderr)
            results.append({"image": image, "error": str(exc)})
    works = {r["sha256"]: r for r in records}
    if vectors:
        with tqdm_progress(f"reading the library ({args.encoder})") as progress:
            index = knn.library_index(lib, args.encoder, progress)
        for n, hits in zip(vectors, index.query(np.stack(list(vectors.values())), args.k), strict=True):
            # ``works`` leaves out any work imported since it was read
            results[n]["similar"] = [{"path": works[s]["path"], "sha256": s, "score": round(score, 4)}
                                     for s, score in hits if s in works]  # fmt: skip
    if args.json:
        print(json.dumps(results, indent=1))
    else:
        for r in (r for r in results if "similar" in r):
            print(f"{r['image']}:")
            for s in r["similar"]:
                w = works[s["sha256"]]
                label = w.get("artist") or w.get("genre") or w.get("style") or "no label"
                print(f"  {s['score']:.3f}  {label}  {Path(w['original'] or w['path']).name}  {s['sha256'][:12]}")
    return 2 if len(vectors) < len(results) else 0
