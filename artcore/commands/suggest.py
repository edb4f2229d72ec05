"""``artcore suggest-styles IMAGE``: the library painters closest to a picture, each previewed on it in their style."""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("suggest-styles", parents=[common],
                       help="the library painters whose works are closest to a picture, previewed on it")  # fmt: skip
    p.add_argument("image", metavar="IMAGE", help="the picture")
    p.add_argument("--k", type=int, default=3, metavar="N", help="how many painters (default 3)")
    p.add_argument("--out", default="suggested", metavar="DIR",
                   help="folder for the previews, IMAGE-N-PAINTER.png (default: ./suggested)")  # fmt: skip
    p.add_argument("--size", type=int, default=384, metavar="PX", help="longer side of the previews (default 384)")
    p.add_argument("--json", action="store_true", help='print [{"label", "score", "preview"}] as JSON')
    p.set_defaults(func=cmd_suggest)


def cmd_suggest(args) -> int:
    from pathlib import Path

    from tqdm import tqdm

    from artcore import suggest
    from artcore.errors import UserError
    from artcore.imageio import FAST_PNG, atomic_save_image
    from artcore.library import Library
    from artcore.style.builtins import slug

    image = Path(args.image)
    if not image.is_file():
        raise UserError(f"{image} does not exist or is not a file")
    lib = Library(getattr(args, "library", None))
    out = Path(args.out)
    bar = tqdm(file=sys.stderr, disable=None, leave=False)

    def progress(done: int, total: int, message: str) -> None:
        bar.total, bar.n = total, done
        bar.set_description(message, refresh=False)
        bar.refresh()

    try:
        results = suggest.suggest_styles(image, lib, k=args.k, size=args.size, progress=progress)
    finally:
        bar.close()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the output folder {out}: {exc.strerror or exc}") from exc
    rows = []
    for n, r in enumerate(results, 1):
        path = out / f"{image.stem}-{n}-{slug(r['label'])}.png"
        atomic_save_image(r["preview"], path, **FAST_PNG)
        rows.append({"label": r["label"], "score": round(r["score"], 4), "preview": str(path)})
    if args.json:
        print(json.dumps(rows))
    else:
        for n, r in enumerate(rows, 1):
            print(f"{n}. {r['label']} (closeness {r['score']:.3f}) → {r['preview']}")
    return 0
