"""CLI sub-commands, one module per capability (see artcore.cli.COMMANDS)."""

from __future__ import annotations

import argparse


def add_training_source(p: argparse.ArgumentParser, field_default: str, field_help: str) -> None:
    """``--library [DIR]``, ``--data DIR`` and ``--field``: what a ``train`` action learns from.

    ``--library`` may come bare here ("train on the library"), so the parser defines its own optional-value flag
    instead of inheriting ``common``'s (argparse's conflict resolution would mutate the shared action).
    """
    from artcore.config import LABEL_FIELDS

    p.add_argument("--library", nargs="?", const="", default=argparse.SUPPRESS, metavar="DIR",
                   help="train on the library (DIR, else the default one); used unless --data is given")  # fmt: skip
    p.add_argument("--data", metavar="DIR", help="a folder with one sub-folder of images per label")
    p.add_argument("--field", choices=LABEL_FIELDS, default=field_default,
                   help=f"library label to {field_help} (default: {field_default})")  # fmt: skip
