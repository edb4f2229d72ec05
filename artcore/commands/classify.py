"""``artcore classify train|predict|eval``: which artist (genre, style) a painting resembles."""

from __future__ import annotations

import argparse
import json

from artcore.commands import add_training_source


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    from artcore.embed import DEFAULT_ENCODER, ENCODERS

    p = sub.add_parser("classify", parents=[common], help="train, apply and evaluate an artist/genre classifier")
    csub = p.add_subparsers(dest="classify_command", required=True, metavar="ACTION")

    tr = csub.add_parser("train", help="train on a folder-per-label tree (--data) or on the library's labels")
    add_training_source(tr, "artist", "learn")
    tr.add_argument("--encoder", choices=tuple(ENCODERS),
                    help=f"embedding (default: {DEFAULT_ENCODER} for artists, lite0-crops for genres and styles)")
    tr.add_argument("--folds", type=int, default=5, help="cross-validation folds (default: 5)")
    tr.add_argument("--out", metavar="MODEL", required=True, help="model file to write (.npz)")
    tr.add_argument("--json", action="store_true", help="print the model's description as JSON")
    tr.set_defaults(func=cmd_train)

    pr = csub.add_parser("predict", parents=[common], help="top labels and most similar training works")
    pr.add_argument("--model", metavar="MODEL", required=True)
    pr.add_argument("images", nargs="+", metavar="IMAGE")
    pr.add_argument("--top", type=int, default=5)
    pr.add_argument("--similar", type=int, default=6)
    pr.add_argument("--json", action="store_true")
    pr.set_defaults(func=cmd_predict)

    ev = csub.add_parser("eval", parents=[common], help="accuracy on a labelled folder tree")
    ev.add_argument("--model", metavar="MODEL", required=True)
    ev.add_argument("--data", metavar="DIR", required=True)
    ev.add_argument("--json", action="store_true")
    ev.set_defaults(func=cmd_eval)


def describe(meta: dict) -> str:
    cv = meta["cv"]
    counts = ", ".join(f"{k} {v}" for k, v in meta["counts"].items())
    return (f"{len(meta['labels'])} labels ({counts}); {cv['folds']}-fold CV on {cv['n']} images: "
            f"top-1 {cv['top1']:.1%}, top-3 {cv['top3']:.1%}; encoder {meta['encoder']}")  # fmt: skip


def cmd_train(args) -> int:
    from artcore import classify
    from artcore.commands.embed import tqdm_progress
    from artcore.embed import encoder_for

    args.encoder = args.encoder or encoder_for(args.field)
    with tqdm_progress(f"embedding ({args.encoder})") as progress:
        if args.data:
            X, labels, paths = classify.folder_data(args.data, args.encoder, progress)
            source = f"folder {args.data}"
        else:
            from artcore.library import Library

            lib = Library(getattr(args, "library", None) or None)
            X, labels, paths = classify.library_data(lib, args.field, args.encoder, progress)
            source = f"library {lib.root} ({args.field})"
    model = classify.train(X, labels, paths, args.encoder, source, folds=args.folds)
    path = classify.save(model, args.out)
    if args.json:
        print(json.dumps({**model.meta, "model": str(path)}))
    else:
        print(f"{describe(model.meta)} → {path}")
    return 0


def cmd_predict(args) -> int:
    from artcore import classify

    model = classify.load(args.model)
    results = classify.predict(model, args.images, top=args.top, similar=args.similar)
    if args.json:
        print(json.dumps(results, indent=1))
        return 0
    for r in results:
        print(r["image"])
        if not r["known"]:
            print(f"  not close to any label this model knows; nearest: {r['nearest']}")
        for t in r["top"]:
            print(f"  {t['prob']:6.1%}  {t['label']}")
        print("  similar: " + ", ".join(f"{s['label']} ({s['score']:.2f})" for s in r["similar"]))
    return 0


def cmd_eval(args) -> int:
    from artcore import classify
    from artcore.commands.embed import tqdm_progress

    model = classify.load(args.model)
    with tqdm_progress("embedding") as progress:
        X, labels, _ = classify.folder_data(args.data, model.encoder, progress)
    result = classify.evaluate(model, X, labels)
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        print(f"top-1 {result['top1']:.1%}, top-3 {result['top3']:.1%} on {result['n']} images")
        for label, r in result["per_class"].items():
            print(f"  {label}: top-1 {r['top1']:.0%} of {r['n']}")
    return 0
