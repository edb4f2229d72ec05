"""``artcore gan train|generate|walk|project|info``: a conditional GAN trained on the library, and using it."""

from __future__ import annotations

import argparse
import json
import os
import sys

from artcore.commands import add_training_source


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("gan", parents=[common], help="train a conditional GAN, generate, project and walk")
    gsub = p.add_subparsers(dest="gan_command", required=True, metavar="ACTION")

    tr = gsub.add_parser("train", help="train (or resume) on a folder-per-label tree or the library's labels")
    add_training_source(tr, "genre", "condition on")
    tr.add_argument("--res", type=int, default=32, choices=(32, 64, 128, 256), help="resolution (default: 32)")
    tr.add_argument("--minutes", type=float, default=60.0, help="time box of this session (default: 60)")
    tr.add_argument("--max-images", type=int, metavar="N", help="also stop after N images seen in total")
    tr.add_argument("--batch", type=int, help="images per step and process (default: 32 on CPU, 64 on GPU)")
    tr.add_argument("--channel-base", type=int, help="network width (default depends on --res and the device)")
    tr.add_argument("--checkpoint-minutes", type=float, default=5.0, help="checkpoint every (default: 5)")
    tr.add_argument("--sample-minutes", type=float, default=5.0, help="sample grid every (default: 5)")
    tr.add_argument("--out", required=True, metavar="RUN", help="run folder; training resumes if it has a checkpoint")
    tr.add_argument("--json", action="store_true", help="print the final stats as JSON")
    tr.set_defaults(func=cmd_train)

    model_arg = {"metavar": "MODEL", "help": "model file or run folder (default: the shipped model)"}
    ge = gsub.add_parser("generate", help="a grid of generated paintings")
    ge.add_argument("--model", **model_arg)
    ge.add_argument("--seeds", default="0-7", help="e.g. 0-15 or 1,5,9 (default: 0-7)")
    ge.add_argument("--class", dest="classes", action="append", default=[], metavar="NAME[@W]",
                    help="class to generate, repeat to mix (e.g. Landscape@0.7 Portrait@0.3); "
                         "default: one row per class")  # fmt: skip
    ge.add_argument("--trunc", type=float, default=0.7, help="truncation 0..1: lower is safer, less varied (0.7)")
    ge.add_argument("--columns", type=int, default=8)
    ge.add_argument("--out", required=True, metavar="GRID.png|DIR/",
                    help="a .png path: one grid; a folder (ending in /, or one that exists): one PNG per class and "
                         "seed at the model's resolution, <class>_<seed>.png")  # fmt: skip
    ge.add_argument("--json", action="store_true")
    ge.set_defaults(func=cmd_generate)

    wa = gsub.add_parser("walk", help="a latent walk between seeds, classes or images, as MP4 or GIF")
    wa.add_argument("--model", **model_arg)
    wa.add_argument("--from", dest="start", required=True, metavar="END", help="seed:N, class:NAME or image:PATH")
    wa.add_argument("--to", dest="end", required=True, metavar="END", help="seed:N, class:NAME or image:PATH")
    wa.add_argument("--class", dest="classes", action="append", default=[], metavar="NAME[@W]",
                    help="class mix for seed: ends (default: the first class)")  # fmt: skip
    wa.add_argument("--seed", type=int, default=0, help="the latent used by class: ends (default 0)")
    wa.add_argument("--frames", type=int, default=60)
    wa.add_argument("--fps", type=float, default=24.0)
    wa.add_argument("--trunc", type=float, default=0.7)
    wa.add_argument("--loop", action="store_true", help="walk back to the start")
    wa.add_argument("--project-steps", type=int, default=200, help="steps when an end is an image (default 200)")
    wa.add_argument("--out", required=True, metavar="WALK.mp4|.gif")
    wa.add_argument("--json", action="store_true")
    wa.set_defaults(func=cmd_walk)

    pj = gsub.add_parser("project", help="find the latent that reproduces an image")
    pj.add_argument("--model", **model_arg)
    pj.add_argument("image", metavar="IMAGE")
    pj.add_argument("--steps", type=int, default=200)
    pj.add_argument("--out", required=True, metavar="PROJ.npz", help="w, noise, target and reconstruction")
    pj.add_argument("--png", metavar="PNG", help="also write target | reconstruction | error side by side")
    pj.add_argument("--json", action="store_true")
    pj.set_defaults(func=cmd_project)

    ev = gsub.add_parser("evaluate", help="Fréchet distance (with its real-vs-real floor) and class fidelity")
    ev.add_argument("--model", **model_arg)
    ev.add_argument("--data", metavar="DIR", help="the real images, one sub-folder per class (default: the run's own)")
    ev.add_argument("--trunc", type=float, default=1.0, help="truncation of the generated images (default 1: none)")
    ev.add_argument("--save", metavar="MODEL_OUT", help="write the model with these metrics (float16) to this file")
    ev.add_argument("--json", action="store_true")
    ev.set_defaults(func=cmd_evaluate)

    info = gsub.add_parser("info", help="what a model knows: classes, resolution, training, metrics")
    info.add_argument("--model", **model_arg)
    info.add_argument("--json", action="store_true")
    info.set_defaults(func=cmd_info)


def _report(args, result: dict, line: str) -> None:
    """The JSON object with --json, else one line for a person."""
    print(json.dumps(result) if args.json else line)


def _bar(total: float, unit: str, desc: str):
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, desc=desc, file=sys.stderr, disable=None)


def cmd_train(args) -> int:
    import time

    from artcore.gan.train import train_run

    lib = None
    if not args.data:
        from artcore.library import Library

        lib = Library(getattr(args, "library", None) or None)
    decode_bar = _bar(0, "img", "decoding")

    def decoded(done: int, total: int) -> None:
        decode_bar.total, decode_bar.n = total, done
        decode_bar.refresh()

    bar = None
    start = time.monotonic()

    def progress(stats: dict) -> None:
        nonlocal bar
        if bar is None:
            decode_bar.close()
            bar = _bar(round(args.minutes * 60), "s", f"training {args.res}px")
        bar.n = min(bar.total, round(time.monotonic() - start))
        bar.set_postfix(kimg=f"{stats['images_seen'] / 1000:.1f}", G=f"{stats['loss_g']:.2f}",
                        D=f"{stats['loss_d']:.2f}", ips=f"{stats['images_per_s']:.1f}", refresh=False)  # fmt: skip
        bar.refresh()

    try:
        result = train_run(args.out, args.res, args.minutes, data_dir=args.data, lib=lib, field=args.field,
                           batch=args.batch, channel_base=args.channel_base, max_images=args.max_images,
                           checkpoint_minutes=args.checkpoint_minutes, sample_minutes=args.sample_minutes,
                           decoded=decoded, progress=progress)  # fmt: skip
    finally:
        decode_bar.close()
        if bar is not None:
            bar.close()
    for path, why in result.pop("skipped"):
        print(f"skipped {path}: {why}", file=sys.stderr)
    _report(args, result, f"{result['images_seen']} images seen in total; model in {args.out}/model.pt, "
                          f"samples in {args.out}/samples/")  # fmt: skip
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        # Under torchrun, skip all teardown: Gloo's threads can abort it ("terminate called without an active
        # exception", seen once in CI), and torchrun then fails a run whose model is already written.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)
    return 0


def _model(args):
    from artcore.gan.generate import load_model

    return load_model(args.model)


def cmd_generate(args) -> int:
    from PIL import Image

    from artcore.gan import generate as g
    from artcore.imageio import atomic_save_image

    model = _model(args)
    seeds = g.parse_seeds(args.seeds)
    if args.out.endswith(("/", os.sep)) or os.path.isdir(args.out):
        mix = g.parse_class_mix(args.classes) if args.classes else None
        paths = g.export_images(model, seeds, args.out, mix, args.trunc)
        result = {"output": args.out, "images": len(paths), "files": [str(p) for p in paths],
                  "size": [model.resolution, model.resolution]}  # fmt: skip
        _report(args, result, f"wrote {len(paths)} images to {args.out}")
        return 0
    if args.classes:
        images = g.generate(model, seeds, model.class_vector(g.parse_class_mix(args.classes)), args.trunc)
        picture = g.grid(g.enlarge(images), args.columns)
    else:
        rows = g.class_rows(model, seeds, args.trunc)
        picture = g.grid(g.enlarge(rows.reshape(-1, *rows.shape[2:])), len(seeds))
    atomic_save_image(Image.fromarray(picture), args.out)
    result = {"output": args.out, "images": len(seeds) * (1 if args.classes else len(model.classes)),
              "size": [picture.shape[1], picture.shape[0]]}  # fmt: skip
    _report(args, result, f"wrote {args.out} ({result['images']} images)")
    return 0


def cmd_walk(args) -> int:
    import time

    from artcore.gan import generate as g

    model = _model(args)
    start = time.perf_counter()
    c = model.class_vector(g.parse_class_mix(args.classes)) if args.classes else None
    bar = _bar(args.project_steps, "step", "projecting")

    def projecting(done: int, total: int, _loss: float) -> None:
        bar.n = done
        bar.refresh()

    ends = [g.endpoint(model, spec, seed=args.seed, c=c, project_steps=args.project_steps, progress=projecting)
            for spec in (args.start, args.end)]  # fmt: skip
    bar.close()
    frames = g.walk(model, *ends, frames=args.frames, trunc=args.trunc, loop=args.loop)
    result = {**g.save_walk(frames, args.out, args.fps), "seconds": round(time.perf_counter() - start, 2)}
    _report(args, result, f"wrote {args.out} ({result['frames']} frames)")
    return 0


def cmd_project(args) -> int:
    import time

    import numpy as np
    from PIL import Image

    from artcore.gan import generate as g
    from artcore.gan.project import project
    from artcore.imageio import atomic_save_image

    model = _model(args)
    bar = _bar(args.steps, "step", "projecting")

    def progress(done: int, total: int, loss: float) -> None:
        bar.n = done
        bar.set_postfix(loss=f"{loss:.3f}", refresh=False)
        bar.refresh()

    start = time.perf_counter()
    try:
        proj = project(model, args.image, steps=args.steps, progress=progress)
    finally:
        bar.close()
    proj.save(args.out)
    if args.png:
        atomic_save_image(Image.fromarray(g.grid(g.enlarge(np.stack([proj.target, proj.image, proj.error]), 256), 3)),
                          args.png)  # fmt: skip
    result = {"output": args.out, "psnr": proj.psnr, "perceptual": proj.perceptual, "steps": proj.steps,
              "seconds": round(time.perf_counter() - start, 2)}  # fmt: skip
    _report(args, result, f"wrote {args.out} (PSNR {proj.psnr} dB after {proj.steps} steps)")
    return 0


def cmd_evaluate(args) -> int:
    from artcore.commands.embed import tqdm_progress
    from artcore.errors import UserError
    from artcore.gan import train as T
    from artcore.gan.generate import save_model
    from artcore.gan.metrics import evaluate

    model = _model(args)
    if args.data:
        images, labels, classes, _ = T.folder_dataset(args.data, model.resolution)
    else:
        cached = model.path.parent / "dataset.npz"
        if not cached.exists():
            raise UserError("give the real images with --data DIR (this model has no run folder with its dataset)")
        images, labels, classes, _, _ = T.dataset(model.path.parent, model.resolution)
    with tqdm_progress("features of real images") as progress:
        result = evaluate(model, images, labels, classes, trunc=args.trunc, progress=progress)
    if args.save:
        save_model(model, args.save, {**result, "evaluated_on": args.data or "the training images"})
    _report(args, result, f"FD {result['fd']} (real-vs-real floor {result['fd_floor']}); class fidelity "
                          f"{result['class_fidelity']:.1%} (chance {result['chance']:.0%}, real images "
                          f"{result['real_classifier_accuracy']:.1%})")  # fmt: skip
    return 0


def cmd_info(args) -> int:
    from artcore.gan.generate import info

    result = info(_model(args))
    _report(args, result, f"{result['model']}: {result['resolution']} px, classes {', '.join(result['classes'])}; "
                          f"trained on {result['trained_images']} images in {result['train_seconds']} s "
                          f"({result['hardware']})")  # fmt: skip
    return 0
