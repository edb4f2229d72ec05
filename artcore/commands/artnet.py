"""``artcore artnet train|info``: the painting encoder trained here (the default embedding)."""

from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("artnet", parents=[common], help="train or describe the painting encoder")
    asub = p.add_subparsers(dest="artnet_command", required=True, metavar="ACTION")

    tr = asub.add_parser("train", help="fine-tune EfficientNet-Lite0 on a Kaggle-layout painter tree (time-boxed)")
    tr.add_argument("--data", metavar="DIR", required=True, help="painter folders (Kaggle layout, artists.csv beside)")
    tr.add_argument("--minutes", type=float, default=60.0, help="wall-time budget, preparation included")
    tr.add_argument("--out", metavar="FILE", required=True, help="the float16 network to write (.pt)")
    tr.add_argument("--work", metavar="DIR", help="checkpoint and view cache (default: OUT with .run); resumes")
    tr.add_argument("--views", type=int, default=8, help="augmented views per painting (default: 8)")
    tr.add_argument("--test-frac", type=float, default=0.2, help="share of each painter held out and measured")
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--exclude", default="", metavar="A,B", help="painter folders to leave out entirely")
    tr.add_argument("--json", action="store_true", help="print the summary as JSON")
    tr.set_defaults(func=cmd_train)

    info = asub.add_parser("info", help="what the encoder knows (painters, movements, held-out figures)")
    info.add_argument("--model", metavar="FILE", help="default: the shipped weights")
    info.add_argument("--json", action="store_true")
    info.set_defaults(func=cmd_info)


def cmd_train(args) -> int:
    from artcore import artnet

    exclude = tuple(x.strip() for x in args.exclude.split(",") if x.strip())
    summary = artnet.train(args.data, args.out, minutes=args.minutes, work=args.work, views=args.views,
                           test_frac=args.test_frac, seed=args.seed, exclude=exclude)  # fmt: skip
    if args.json:
        print(json.dumps({k: v for k, v in summary.items() if k != "test"} | {
            "test": {k: v for k, v in summary.get("test", {}).items() if k != "confusion"}}))  # fmt: skip
    else:
        test = summary.get("test")
        figures = f"held-out top-1 {test['top1']:.1%}, top-3 {test['top3']:.1%} on {test['n']}" if test else "no test"
        print(f"{summary['painters']} painters, {summary['train_images']} paintings, "
              f"{summary['trained_seconds'] / 60:.0f} min: {figures} → {summary['out']}")  # fmt: skip
    return 0


def cmd_info(args) -> int:
    from artcore import artnet

    _, meta = artnet.load(args.model)
    about = {k: meta[k] for k in ("painters", "movements", "trained")}
    about["test"] = {k: v for k, v in meta["summary"].get("test", {}).items() if k != "confusion"}
    if args.json:
        print(json.dumps(about))
    else:
        print(f"{len(meta['painters'])} painters, {len(meta['movements'])} movements; trained {meta['trained']}")
        if about["test"]:
            print(f"held-out top-1 {about['test']['top1']:.1%}, top-3 {about['test']['top3']:.1%}")
    return 0
