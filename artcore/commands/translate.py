"""``artcore translate train|apply|sketch|info``: trained photo → painter and sketch → painting translators."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("translate", parents=[common], help="photo → painter and sketch → painting, trained here")
    tsub = p.add_subparsers(dest="translate_command", required=True, metavar="ACTION")

    tr = tsub.add_parser("train", help="train (or resume) a translator")
    tr.add_argument("--kind", choices=("unpaired", "sketch"), required=True,
                    help="unpaired: photos → a painter's manner (FastCUT); sketch: line drawings → paintings (pix2pix)")  # fmt: skip
    tr.add_argument("--from", dest="source", metavar="DIR|FIELD:VALUE",
                    help="unpaired: the pictures to translate (e.g. a folder of photos)")  # fmt: skip
    tr.add_argument("--to", dest="target", required=True, metavar="DIR|FIELD[:A,B]",
                    help="unpaired: the painter's pictures (a folder or artist:Claude_Monet); sketch: paintings, "
                         "one sub-folder per class, or a library field (artist, or artist:A,B)")  # fmt: skip
    tr.add_argument("--classes", metavar="A,B", help="sketch: only these sub-folders or labels")
    tr.add_argument("--minutes", type=float, default=60.0, help="time box of this session (default: 60)")
    tr.add_argument("--res", type=int, default=128, choices=(64, 128, 256), help="training crop (default: 128)")
    tr.add_argument("--max-steps", type=int, metavar="N", help="also stop after N steps this session")
    tr.add_argument("--init", metavar="MODEL", help="sketch: start a new run from this sketch model's generator")
    tr.add_argument("--out", required=True, metavar="RUN", help="run folder; training resumes if it has a checkpoint")
    tr.add_argument("--json", action="store_true", help="print the final stats as JSON")
    tr.set_defaults(func=cmd_train)

    ap = tsub.add_parser("apply", help="photos in a painter's manner: DIR/<stem>.png for each")
    ap.add_argument("--model", metavar="MODEL", help="model file or run folder (default: the shipped photo → Monet)")
    ap.add_argument("images", nargs="+", metavar="IMAGE")
    ap.add_argument("--out", required=True, metavar="DIR")
    ap.add_argument("--size", type=int, metavar="PX", help="longest side (default: the photo's, at most 1024)")
    ap.add_argument("--json", action="store_true")
    ap.set_defaults(func=cmd_apply)

    sk = tsub.add_parser("sketch", help="a drawing painted as a painter or genre")
    sk.add_argument("--model", metavar="MODEL", help="model file or run folder (default: the shipped sketch model)")
    sk.add_argument("drawing", metavar="DRAWING")
    sk.add_argument("--class", dest="class_name", required=True, metavar="NAME", help="e.g. Vincent_van_Gogh")
    sk.add_argument("--out", required=True, metavar="OUT.png")
    sk.add_argument("--size", type=int, default=512, metavar="PX", help="longest side (default: 512)")
    sk.add_argument("--json", action="store_true")
    sk.set_defaults(func=cmd_sketch)

    info = tsub.add_parser("info", help="the translators there are: name, kind, path, classes")
    info.add_argument("--json", action="store_true")
    info.set_defaults(func=cmd_info)


def _library(args):
    from artcore.library import Library

    return Library(getattr(args, "library", None) or None)


def _needs_library(spec: str | None) -> bool:
    from artcore.config import LABEL_FIELDS

    return bool(spec) and spec.partition(":")[0] in LABEL_FIELDS and not Path(spec).exists()


def cmd_train(args) -> int:
    import time

    from tqdm import tqdm

    from artcore.errors import UserError
    from artcore.translate import sketch, unpaired

    lib = _library(args) if _needs_library(args.source) or _needs_library(args.target) else None
    bar, start = None, time.monotonic()

    def progress(stats: dict) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=round(args.minutes * 60), unit="s", desc=f"training {args.kind}", file=sys.stderr,
                       disable=None)  # fmt: skip
        bar.n = min(bar.total, round(time.monotonic() - start))
        bar.set_postfix({k: v for k, v in stats.items() if k.startswith("loss")} | {"ips": stats["images_per_s"]},
                        refresh=False)  # fmt: skip
        bar.refresh()

    common = {"res": args.res, "lib": lib, "max_steps": args.max_steps, "progress": progress}
    try:
        if args.kind == "unpaired":
            if not args.source:
                raise UserError("--kind unpaired needs --from: the pictures to translate (e.g. a folder of photos)")
            result = unpaired.train(args.out, args.source, args.target, args.minutes, **common)
        else:
            classes = args.classes.split(",") if args.classes else None
            result = sketch.train(args.out, args.target, args.minutes, classes=classes, init=args.init, **common)
    finally:
        if bar is not None:
            bar.close()
    print(json.dumps(result) if args.json else
          f"{result['images_seen']} crops seen in total; model in {args.out}/model.pt, samples in "
          f"{args.out}/samples/")  # fmt: skip
    return 0


def _save(arr, path: Path) -> None:
    from PIL import Image

    from artcore.imageio import atomic_save_image

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_save_image(Image.fromarray(arr), path)


def cmd_apply(args) -> int:
    import time

    from artcore import registry, translate
    from artcore.imageio import ImageError, open_image

    model = translate.load(args.model, "unpaired") if args.model else registry.get("translate-photo")
    out, results, failed = Path(args.out), [], 0
    for src in args.images:
        start = time.perf_counter()
        try:
            arr = translate.translate_photo(model, open_image(src), args.size)
        except ImageError as exc:
            print(f"skipped {src}: {exc}", file=sys.stderr)
            failed += 1
            continue
        dest = out / f"{Path(src).stem}.png"
        _save(arr, dest)
        results.append({"input": src, "output": str(dest), "size": [arr.shape[1], arr.shape[0]],
                        "ms": round(1000 * (time.perf_counter() - start))})  # fmt: skip
        if not args.json:
            print(f"{src} → {dest}")
    if args.json:
        print(json.dumps({"model": str(model.path), "results": results, "skipped": failed}))
    return 1 if failed and not results else 0


def cmd_sketch(args) -> int:
    from artcore import registry, translate
    from artcore.errors import UserError
    from artcore.imageio import ImageError, open_image

    model = translate.load(args.model, "sketch") if args.model else registry.get("translate-sketch")
    try:
        drawing = open_image(args.drawing)
    except ImageError as exc:
        raise UserError(f"{args.drawing}: {exc}") from exc
    arr = translate.render_sketch(model, drawing, args.class_name, args.size)
    _save(arr, Path(args.out))
    result = {"model": str(model.path), "class": args.class_name, "output": args.out, "size": [arr.shape[1], arr.shape[0]]}
    print(json.dumps(result) if args.json else f"{args.drawing} → {args.out} as {args.class_name}")
    return 0


def cmd_info(args) -> int:
    from artcore import translate

    lib = _library(args) if getattr(args, "library", None) else None
    models = translate.info(lib)
    if args.json:
        print(json.dumps({"models": models}))
    else:
        for m in models:
            extra = f" ({', '.join(m['classes'])})" if m["classes"] else ""
            print(f"{m['name']}: {m['kind']}{extra} — {m['path']}")
    return 0
