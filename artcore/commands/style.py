"""``artcore stylize CONTENT --style SOURCE[@WEIGHT] ... --out OUT.png``: fast arbitrary style transfer."""

from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("stylize", parents=[common], help="render a picture in any painting's style, fast")
    p.add_argument("content", metavar="CONTENT", help="content image")
    add_style_arguments(p)
    p.add_argument("--out", required=True, metavar="OUT.png", help="output PNG")
    p.add_argument("--size", type=int, metavar="PX", help="longer side of the output, up to 16384 (default: the content's, at most 4096)")
    p.add_argument("--json", action="store_true", help='print {"output", "size", "seconds"} as JSON')
    p.set_defaults(func=cmd_stylize)


def add_style_arguments(p: argparse.ArgumentParser) -> None:
    """--style (repeatable), --strength, --preserve-color, --style-scale: shared by stylize and stylize-video."""
    p.add_argument("--style", action="append", required=True, metavar="SOURCE[@WEIGHT]",
                   help="an image path, a ready-made style builtin:N (0-25) or builtin:NAME (e.g. "
                        "builtin:the-starry-night; `artcore style builtins` lists them) or artist:NAME from the "
                        "library; repeat to blend, e.g. --style artist:VanGogh@0.7 --style artist:Monet@0.3")  # fmt: skip
    p.add_argument("--strength", type=float, default=1.0, metavar="0..1", help="how much style (default 1)")
    p.add_argument("--preserve-color", action="store_true", help="keep the content's colours")
    p.add_argument("--style-scale", type=int, default=256, metavar="PX",
                   help="size the style is read at: larger gives finer strokes (default 256)")  # fmt: skip


def style_options(args) -> tuple[list, dict]:
    """The parsed ``--style`` sources and the stylisation keyword arguments (with the library when one is named)."""
    from artcore.style import parse_source

    sources = [parse_source(s) for s in args.style]
    library = None
    if any(s.kind not in ("image", "builtin") for s in sources):
        from artcore.library import Library

        library = Library(getattr(args, "library", None))
    return sources, {"strength": args.strength, "preserve_color": args.preserve_color,
                     "style_scale": args.style_scale, "library": library}  # fmt: skip


def print_image_result(args, result: dict) -> None:
    """The JSON contract with --json, else one line saying what was written."""
    if args.json:
        print(json.dumps(result))
    else:
        w, h = result["size"]
        print(f"wrote {result['output']} ({w}×{h}, {result['seconds']} s)")


def cmd_stylize(args) -> int:
    from pathlib import Path

    from artcore.style.render import stylize_to_file

    sources, options = style_options(args)
    print_image_result(args, stylize_to_file(args.content, sources, Path(args.out), size=args.size, **options))
    return 0

