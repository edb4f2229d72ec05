"""``artcore stylize-video IN --style SOURCE[@WEIGHT] ... --out OUT.mp4``: stylise a clip, sound and frame rate kept."""

from __future__ import annotations

import argparse
import json
import sys

from artcore.commands.style import add_style_arguments, style_options


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("stylize-video", parents=[common], help="render a video clip in a painting's style, steadily")
    p.add_argument("input", metavar="IN", help="video: mp4, mov, webm, mkv or animated GIF")
    add_style_arguments(p)
    p.add_argument("--out", required=True, metavar="OUT.mp4", help="output mp4 (H.264, the input's sound)")
    p.add_argument("--size", type=int, default=480, metavar="PX", help="longer side of the output (default 480)")
    p.add_argument("--smooth", type=float, default=0.7, metavar="0..1",
                   help="flow-guided smoothing against flicker; 0 renders frames independently (default 0.7)")
    p.add_argument("--gif", metavar="OUT.gif", help="also write a looping GIF (clips up to 20 s)")
    p.add_argument("--json", action="store_true", help="print a JSON summary instead of progress")
    p.set_defaults(func=cmd_stylize_video)


def cmd_stylize_video(args) -> int:
    from artcore import video

    sources, options = style_options(args)

    def progress(done: int, total: int, message: str) -> None:
        print(f"\r{done}/{total} frames, {message}   ", end="", file=sys.stderr, flush=True)

    result = video.stylize_video(args.input, sources, args.out, size=args.size, smooth=args.smooth, **options,
                                 progress=None if args.json else progress)  # fmt: skip
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
