"""``artcore gatys CONTENT STYLE --out OUT.png``: classic optimisation-based style transfer (slow, fine control)."""

from __future__ import annotations

import argparse

from artcore.commands.style import print_image_result


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("gatys", parents=[common], help="classic Gatys style transfer by optimisation")
    p.add_argument("content", metavar="CONTENT", help="content image")
    p.add_argument("style", metavar="STYLE", help="style image")
    p.add_argument("--out", required=True, metavar="OUT.png", help="output PNG")
    p.add_argument("--steps", type=int, default=60, metavar="N", help="optimisation steps (default 60)")
    p.add_argument("--size", type=int, default=512, metavar="PX", help="longer side of the output (default 512)")
    p.add_argument("--style-weight", type=float, default=1e4, help="style loss weight (default 1e4)")
    p.add_argument("--content-weight", type=float, default=1.0, help="content loss weight (default 1)")
    p.add_argument("--lr", type=float, default=0.03, help="Adam learning rate (default 0.03)")
    p.add_argument("--init", choices=("content", "noise"), default="content", help="starting image")
    p.add_argument("--network", choices=("auto", "lite0", "vgg19"), default="auto",
                   help="loss network: lite0 (bundled) or vgg19 (needs torchvision and its weights locally)")
    p.add_argument("--json", action="store_true", help='print {"output", "size", "seconds"} as JSON')
    p.set_defaults(func=cmd_gatys)


def cmd_gatys(args) -> int:
    import sys
    from pathlib import Path

    from artcore.style.gatys import GatysSettings, gatys_to_file

    settings = GatysSettings(steps=args.steps, size=args.size, style_weight=args.style_weight,
                             content_weight=args.content_weight, lr=args.lr, init=args.init, network=args.network)

    def progress(step: int, total: int, loss: float, preview) -> bool:
        if not args.json:
            print(f"\rstep {step}/{total}  loss {loss:.4g}", end="", file=sys.stderr, flush=True)
        return True

    result = gatys_to_file(args.content, args.style, Path(args.out), settings, callback=progress)
    if not args.json:
        print(file=sys.stderr)
    print_image_result(args, result)
    return 0
