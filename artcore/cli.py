"""``artcore`` / ``python -m artcore``: every page's job from the command line.

Each module in ``COMMANDS`` defines ``register(subparsers, common)``; heavy imports stay inside handlers so
``artcore --help`` and short commands start fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from artcore.errors import UserError

COMMANDS = (
    "artcore.commands.style",
    "artcore.commands.gatys",
    "artcore.commands.library",
    "artcore.commands.app",
    "artcore.commands.collect",
    "artcore.commands.embed",
    "artcore.commands.classify",
    "artcore.commands.video",
)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--library",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="library folder (default: $ARTCORE_HOME, else data/library in the project)",
    )
    parser = argparse.ArgumentParser(prog="artcore", description=__doc__.splitlines()[0], parents=[common])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(name).register(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"artcore: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("artcore: cancelled", file=sys.stderr)
        return 130
