"""``artcore stylize-video IN --style SOURCE[@WEIGHT] ... --out OUT.mp4``: stylise a clip, sound and frame rate kept."""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("stylize-video", parents=[common], help="render a video clip in a painting's style, steadily")
    p.add_argument("input", metavar="IN", help="video: mp4, mov, webm, mkv or animated GIF")
    p.add_argument("--style", action="append", required=True, metavar="SOURCE[@WEIGHT]",
                   help="an image path, builtin:N (0-25) or artist:NAME from the library; repeat to blend")
    p.add_argument("--out", required=True, metavar="OUT.mp4", help="output mp4 (H.264, the input's sound)")
    p.add_argument("--size", type=int, default=480, metavar="PX", help="longer side of the output (default 480)")
    p.add_argument("--smooth", type=float, default=0.7, metavar="0..1",
                   help="flow-guided smoothing against flicker; 0 renders frames independently (default 0.7)")
    p.add_argument("--strength", type=float, default=1.0, metavar="0..1", help="how much style (default 1)")
    p.add_argument("--preserve-color", action="store_true", help="keep the clip's colours")
    p.add_argument("--style-scale", type=int, default=256, metavar="PX",
                   help="size the style is read at: larger gives finer strokes (default 256)")
    p.add_argument("--gif", metavar="OUT.gif", help="also write a looping GIF (clips up to 20 s)")
    p.add_argument("--json", action="store_true", help="print a JSON summary instead of progress")
    p.set_defaults(func=cmd_stylize_video)


def cmd_stylize_video(args) -> int:
    from artcore import video
    from artcore.style import parse_source

    sources = [parse_source(s) for s in args.style]
    library = None
    if any(s.kind not in ("image", "builtin") for s in sources):
        from artcore.library import Library

        library = Library(getattr(args, "library", None))

    def progress(done: int, total: int, message: str) -> None:
        print(f"\r{done}/{total} frames, {message}   ", end="", file=sys.stderr, flush=True)

    result = video.stylize_video(args.input, sources, args.out, size=args.size, smooth=args.smooth,
                                 strength=args.strength, preserve_color=args.preserve_color,
                                 style_scale=args.style_scale, library=library,
                                 progress=None if args.json else progress)
    if args.gif:
        result["gif"] = video.write_gif(args.out, args.gif)["output"]
    if args.json:
        print(json.dumps(result))
    else:
        w, h = result["size"]
        sound = "with sound" if result["audio"] else "no sound"
        print(f"\nwrote {result['output']} ({result['frames']} frames, {w}×{h}, {result['fps']:g} fps, {sound}, "
              f"{result['seconds']} s){' and ' + result['gif'] if args.gif else ''}")
    return 0
