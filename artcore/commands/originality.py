"""``artcore originality IMAGE...``: is each picture a copy of, close to, or original against known works?"""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("originality", parents=[common],
                       help="is a picture a copy of, close to, or original against the library or a model's works")  # fmt: skip
    p.add_argument("images", nargs="+", metavar="IMAGE", help="pictures to check")
    p.add_argument("--against", choices=("library", "model"), default="library",
                   help="compare with the library's works (default) or the works a generator was trained on")  # fmt: skip
    p.add_argument("--model", metavar="PATH", help="with --against model: the generator (default: the shipped one)")
    p.add_argument("--k", type=int, default=5, metavar="N", help="nearest works to list (default 5)")
    p.add_argument("--json", action="store_true",
                   help='print [{"image", "verdict", "nearest": [{"path", "label", "similarity"}, ...]}, ...]')  # fmt: skip
    p.set_defaults(func=cmd_originality)


def cmd_originality(args) -> int:
    from pathlib import Path

    from tqdm import tqdm

    from artcore import originality
    from artcore.errors import UserError
    from artcore.library import Library

    for image in args.images:
        if not Path(image).is_file():
            raise UserError(f"{image} does not exist or is not a file")
    if not 1 <= args.k <= 100:
        raise UserError("--k must be between 1 and 100")
    bar = tqdm(file=sys.stderr, disable=None, leave=False, desc="reading the works once")

    def progress(done: int, total: int, _msg: str = "") -> None:
        bar.total, bar.n = total, done
        bar.refresh()

    try:
        if args.against == "model":
            ref = originality.model_reference(Path(args.model) if args.model else None, progress)
        else:
            ref = originality.library_reference(Library(getattr(args, "library", None)), progress)
    finally:
        bar.close()
    results = originality.check(args.images, ref, k=args.k)
    if args.json:
        print(json.dumps([{k: r[k] for k in ("image", "verdict", "similarity", "nearest")} for r in results], indent=1))
        return 0
    print(f"compared with {ref.what}")
    for r in results:
        near = r["nearest"][0]
        print(f"{r['image']}: {r['verdict']} (nearest {Path(near['path']).name}, {near['label'] or 'no label'}, "
              f"similarity {near['similarity']:.3f})")  # fmt: skip
    return 0
