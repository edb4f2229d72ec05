"""``artcore library import|stats|list|label|remove``."""

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

    label = lsub.add_parser("label", parents=[common], help="rename, merge or delete a label; suggest merges")
    lab = label.add_subparsers(dest="label_command", required=True, metavar="ACTION")
    for action, merge, about in (("rename", False, "give a label a new name (refuses a name already in use)"),
                                 ("merge", True, "put every image labelled OLD under the existing label NEW")):  # fmt: skip
        act = lab.add_parser(action, parents=[common], help=about)
        act.add_argument("field", metavar="FIELD", help="artist, genre or style")
        act.add_argument("old", metavar="OLD")
        act.add_argument("new", metavar="NEW")
        act.add_argument("--json", action="store_true", help="print what changed as JSON")
        act.set_defaults(func=cmd_label_rename, merge=merge)
    dele = lab.add_parser("delete", parents=[common], help="clear a label from its images (the images stay)")
    dele.add_argument("field", metavar="FIELD", help="artist, genre or style")
    dele.add_argument("name", metavar="NAME")
    dele.add_argument("--json", action="store_true", help="print what changed as JSON")
    dele.set_defaults(func=cmd_label_delete)
    sug = lab.add_parser("suggest", parents=[common],
                         help="labels naming the same painter (e.g. Monet and Kaggle's Claude Monet) to merge")  # fmt: skip
    sug.add_argument("--field", default="artist", help="which labels: artist (default), genre or style")
    sug.add_argument("--apply", action="store_true", help="merge every suggested pair")
    sug.add_argument("--json", action="store_true", help="print the suggestions (or, with --apply, the merges) as JSON")
    sug.set_defaults(func=cmd_label_suggest)

    rm = lsub.add_parser("remove", parents=[common],
                         help="remove images (catalog row, stored file, thumbnail, embeddings) by sha256")  # fmt: skip
    rm.add_argument("sha256", nargs="+", metavar="SHA256", help="full hashes or unique prefixes of 8+ characters")
    rm.add_argument("--json", action="store_true", help="print what was removed as JSON")
    rm.set_defaults(func=cmd_remove)


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


def cmd_label_rename(args) -> int:
    result = _library(args).rename_label(args.field, args.old, args.new, merge=args.merge)
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        verb = "merged into" if result["merged"] else "renamed to"
        print(f"{result['field']} {result['old']!r} {verb} {result['new']!r}: {result['images']} images relabelled, "
              f"{result['total']} now labelled {result['new']!r}")  # fmt: skip
    return 0


def cmd_label_delete(args) -> int:
    result = _library(args).delete_label(args.field, args.name)
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        print(f"cleared {result['field']} {result['label']!r} from {result['images']} images (the images stay)")
    return 0


def cmd_label_suggest(args) -> int:
    lib = _library(args)
    counts = lib.label_counts(args.field)
    pairs = lib.proposed_merges(args.field)
    if args.apply:
        results = lib.merge_proposed(args.field, pairs)
        if args.json:
            print(json.dumps(results, indent=1))
            return 0
        for r in results:
            print(f"merged {r['old']!r} into {r['new']!r}: {r['images']} images, {r['total']} now")
        if not results:
            print(f"no {args.field} labels to merge")
        return 0
    known = set(lib.artist_names()) if args.field == "artist" else set()
    rows = [{"field": args.field, "old": old, "new": new, "images": counts.get(old, 0),
             "into_images": counts.get(new, 0), "facts": new in known} for old, new in pairs]  # fmt: skip
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    if not rows:
        print(f"no {args.field} labels to merge")
    for r in rows:
        print(f"{r['old']!r} ({r['images']}) → {r['new']!r} ({r['into_images']}){'  [artist facts]' if r['facts'] else ''}")
    if rows:
        print("merge one with 'artcore library label merge FIELD OLD NEW', all with 'artcore library label suggest --apply'")
    return 0


def cmd_remove(args) -> int:
    result = _library(args).remove_images(args.sha256)
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        extra = ", ".join(f"{n} {t} rows" for t, n in result["rows"].items() if n)
        print(f"removed {result['images']} images and {result['files']} files" + (f" ({extra})" if extra else ""))
    return 0
