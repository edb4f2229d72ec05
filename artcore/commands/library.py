"""``artcore library import|stats|list``."""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    lib = sub.add_parser("library", parents=[common], help="import images and read the catalog")
    lsub = lib.add_subparsers(dest="library_command", required=True, metavar="ACTION")

    imp = lsub.add_parser("import", parents=[common], help="import a folder tree, a Kaggle layout or one file")
    imp.add_argument("path", metavar="PATH")
    imp.add_argument("--layout", choices=("auto", "folder", "kaggle", "wikiart"), default="auto",
                     help="auto detects Kaggle 'Best Artworks' (artists.csv) and WikiArt genre folders")  # fmt: skip
    imp.add_argument("--label-from", choices=("none", "parent"), default="none",
                     help="'parent': each image's folder name is its label")  # fmt: skip
    imp.add_argument("--label-field", choices=("artist", "genre", "style"), default="artist",
                     help="which label the folder name sets (default: artist)")  # fmt: skip
    imp.add_argument("--json", action="store_true", help="print the import report as JSON")
    imp.set_defaults(func=cmd_import)

    st = lsub.add_parser("stats", parents=[common], help="counts per label")
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=cmd_stats)

    ls = lsub.add_parser("list", parents=[common], help="list images")
    ls.add_argument("--label", metavar="X", help="only images with X as artist, genre or style")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_list)


def _library(args):
    from artcore.library import Library

    return Library(getattr(args, "library", None))


def cmd_import(args) -> int:
    from tqdm import tqdm

    lib = _library(args)
    bar = tqdm(unit="img", desc="importing", file=sys.stderr, disable=None)

    def progress(done: int, total: int, name: str) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        report = lib.import_path(args.path, layout=args.layout, label_from=args.label_from,
                                 label_field=args.label_field, progress=progress)  # fmt: skip
    finally:
        bar.close()
    rate = (report.added + report.duplicates) / report.seconds if report.seconds else 0.0
    if args.json:
        print(json.dumps(report.as_json(), indent=1))
    else:
        print(f"added {report.added}, already there {report.duplicates}, skipped {len(report.skipped)} "
              f"in {report.seconds:.1f} s ({rate:.1f} images/s) → {lib.root}")  # fmt: skip
        for s in report.skipped:
            print(f"  skipped {s['file']}: {s['reason']}")
    return 0


def cmd_stats(args) -> int:
    stats = _library(args).stats()
    if args.json:
        print(json.dumps(stats, indent=1))
        return 0
    print(f"{stats['images']} images, {stats['skipped']} files skipped")
    for field, counts in stats["labels"].items():
        if counts:
            print(f"{field}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def cmd_list(args) -> int:
    from artcore.library import LABEL_FIELDS, RECORD_COLUMNS

    rows = _library(args).records()
    if args.label:
        rows = [r for r in rows if args.label in (r[f] for f in LABEL_FIELDS)]
    rows = [{k: r[k] for k in RECORD_COLUMNS} for r in rows]
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    for r in rows:
        labels = " / ".join(r[f] for f in LABEL_FIELDS if r[f]) or "-"
        print(f"{r['sha256'][:12]}  {r['width']}×{r['height']} {r['format']:<5} {r['source']:<8} {labels}  {r['path']}")
    return 0
