"""``artcore collect flickr|pinterest``: fetch images with attribution into the library."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    from artcore.collect import flickr, pinterest

    p = sub.add_parser("collect", parents=[common], help="fetch images from Flickr or Pinterest into the library")
    csub = p.add_subparsers(dest="collect_command", required=True, metavar="SOURCE")
    flickr.add_parser(csub, common)
    pinterest.add_parser(csub, common)
