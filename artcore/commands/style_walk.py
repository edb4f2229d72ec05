"""``artcore style walk CONTENT --from STYLE --to STYLE --out walk.mp4``: a walk through style space;
``artcore style builtins``: the 26 ready-made styles, by number, name and painter."""

from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("style", parents=[common],
                       help="style-space tools (walk between two styles, list the ready-made styles)")  # fmt: skip
    ssub = p.add_subparsers(dest="style_command", required=True, metavar="ACTION")
    wa = ssub.add_parser(
        "walk", parents=[common], help="render a picture in a style gliding from one source to another"
    )
    wa.add_argument("content", metavar="CONTENT", help="the picture to render")
    wa.add_argument("--from", dest="start", required=True, metavar="STYLE",
                    help="image path, builtin:N, builtin:NAME or artist:NAME")  # fmt: skip
    wa.add_argument("--to", dest="end", required=True, metavar="STYLE",
                    help="image path, builtin:N, builtin:NAME or artist:NAME")  # fmt: skip
    wa.add_argument("--frames", type=int, default=60)
    wa.add_argument("--fps", type=float, default=24.0)
    wa.add_argument("--size", type=int, default=512, metavar="PX", help="longer side of the frames (default 512)")
    wa.add_argument("--loop", action="store_true", help="walk back to the first style")
    wa.add_argument("--strength", type=float, default=1.0, metavar="0..1")
    wa.add_argument("--preserve-color", action="store_true")
    wa.add_argument("--style-scale", type=int, default=256, metavar="PX")
    wa.add_argument("--out", required=True, metavar="WALK.mp4|.gif")
    wa.add_argument("--json", action="store_true", help='print {"output", "frames", "size", "fps", "seconds"}')
    wa.set_defaults(func=cmd_walk)
    li = ssub.add_parser("builtins", parents=[common],
                         help="list the 26 ready-made styles: builtin:N, builtin:NAME, the painting and its painter")  # fmt: skip
    li.add_argument("--json", action="store_true",
                    help='print [{"index", "name", "title", "painter"}, ...] (painter null: not identified)')  # fmt: skip
    li.set_defaults(func=cmd_builtins)


def cmd_builtins(args) -> int:
    from artcore.style.builtins import BUILTIN_NAMES, builtin_slug

    rows = [{"index": i, "name": builtin_slug(i), "title": title, "painter": painter}
            for i, (title, painter) in enumerate(BUILTIN_NAMES)]  # fmt: skip
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    width = max(len(r["name"]) for r in rows) + len("builtin:")
    for r in rows:
        print(f"{r['index']:>2}  {'builtin:' + r['name']:<{width}}  {r['title']} — {r['painter'] or 'painting not identified'}")
    return 0


def cmd_walk(args) -> int:
    import sys
    import time

    from tqdm import tqdm

    from artcore import video
    from artcore.commands.style import style_options
    from artcore.style.walk import style_walk

    args.style = [args.start, args.end]
    (a, b), options = style_options(args)
    start = time.perf_counter()
    bar = tqdm(total=args.frames, unit="frame", desc="style walk", file=sys.stderr, disable=None)

    def progress(done: int, total: int) -> None:
        bar.n = done
        bar.refresh()

    try:
        frames = style_walk(args.content, a, b, frames=args.frames, size=args.size, loop=args.loop,
                            progress=progress, **options)  # fmt: skip
    finally:
        bar.close()
    result = {**video.save_frames(list(frames), args.out, args.fps), "seconds": round(time.perf_counter() - start, 2)}
    print(json.dumps(result) if args.json else f"wrote {args.out} ({result['frames']} frames)")
    return 0
