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
    "artcore.commands.gan",
    "artcore.commands.style_walk",
    "artcore.commands.artnet",
    "artcore.commands.suggest",
    "artcore.commands.jobs",
    "artcore.commands.originality",
    "artcore.commands.similar",
    "artcore.commands.translate",
    "artcore.commands.stylize_batch",
)
# The module that registers each command: a run of one command imports only its module (the others pull in numpy,
# the embedding code, HTTP clients, ... which slows every start). Commands missing here still work, just slower.
COMMAND_MODULES = {"stylize": "artcore.commands.style", "stylize-batch": "artcore.commands.stylize_batch",
                   "gatys": "artcore.commands.gatys",
                   "library": "artcore.commands.library", "app": "artcore.commands.app",
                   "collect": "artcore.commands.collect", "embed": "artcore.commands.embed",
                   "classify": "artcore.commands.classify", "stylize-video": "artcore.commands.video",
                   "gan": "artcore.commands.gan", "style": "artcore.commands.style_walk",
                   "artnet": "artcore.commands.artnet", "suggest-styles": "artcore.commands.suggest",
                   "jobs": "artcore.commands.jobs", "originality": "artcore.commands.originality",
                   "similar": "artcore.commands.similar", "translate": "artcore.commands.translate"}  # fmt: skip


def _command_name(argv: list[str]) -> str | None:
    """The command word in ``argv`` (skipping ``--library DIR`` before it), or None."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--library":
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The full parser; with ``argv`` naming a known command, one with only that command (fast start)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--library",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="library folder (default: $ARTCORE_HOME, else data/library in the project)",
    )
    parser = argparse.ArgumentParser(prog="artcore", description=__doc__.splitlines()[0], parents=[common])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    only = COMMAND_MODULES.get(_command_name(argv)) if argv is not None else None
    for name in (only,) if only else COMMANDS:
        importlib.import_module(name).register(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"artcore: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("artcore: cancelled", file=sys.stderr)
        return 130
