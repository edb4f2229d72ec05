"""``artcore stylize-batch DIR|FIELD:VALUE --style ... --out DIR``: a whole collection restyled, here, on local
worker processes or on a Ray cluster."""

from __future__ import annotations

import argparse
import json

from artcore.commands.embed import add_engine_args
from artcore.commands.style import add_style_arguments, style_options


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    b = sub.add_parser("stylize-batch", parents=[common], help="restyle a whole folder or library label")
    b.add_argument("images", metavar="DIR|FIELD:VALUE", help="a folder of pictures or library works (artist:Claude_Monet)")
    add_style_arguments(b)
    b.add_argument("--out", required=True, metavar="DIR", help="writes DIR/<stem>.png; pictures already there are skipped")
    b.add_argument("--size", type=int, default=512, metavar="PX", help="longer side of each output (default 512)")
    add_engine_args(b)
    b.add_argument("--json", action="store_true", help='print {"images", "rendered", "skipped", "seconds", ...}')
    b.set_defaults(func=cmd_stylize_batch)


def cmd_stylize_batch(args) -> int:
    from pathlib import Path

    from artcore.commands.embed import engine_from, tqdm_progress
    from artcore.config import LABEL_FIELDS
    from artcore.library import Library
    from artcore.style.batch import stylize_collection

    sources, options = style_options(args)
    if options["library"] is None and args.images.partition(":")[0] in LABEL_FIELDS and not Path(args.images).exists():
        options["library"] = Library(getattr(args, "library", None))
    engine = engine_from(args)
    with tqdm_progress(f"restyling ({engine.describe()})") as bar:
        result = stylize_collection(args.images, sources, Path(args.out), size=args.size, engine=engine,
                                    progress=lambda d, t: bar(d, t), **options)  # fmt: skip
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['rendered']} restyled, {result['skipped']} already there, in {result['seconds']} s → {args.out}")
    return 0
