"""The long pieces of work the app runs as background jobs (``artcore.jobs``): import, embed, train, render; and
on a class server, which queues them, each page's heavy action (Stylize, a contact sheet, Gatys, Find your picture).

Each task takes JSON parameters and a ``jobs.Context`` and returns a small JSON summary. The long ones can be run
again after a stop or a crash and carry on: imports skip what the library holds, embeddings are cached,
model training resumes from its checkpoints and video renders from their finished segments.
"""

from __future__ import annotations

import time
from pathlib import Path

from artcore.errors import UserError
from artcore.jobs import Context, Stopped, task


def _library(ctx: Context):
    from artcore.library import Library

    return Library(ctx.library)


@task("import")
def import_folders(params: dict, ctx: Context) -> dict:
    """``{"folders": [{"path", "layout", "label_from", "label_field"}, ...]}``: import each folder in turn."""
    lib, folders = _library(ctx), params["folders"]
    added = duplicates = 0
    skipped: list[dict] = []
    for n, spec in enumerate(folders, 1):
        prefix = f"Set {n} of {len(folders)}: " if len(folders) > 1 else ""

        def progress(done: int, total: int, name: str = "", prefix: str = prefix) -> None:
            ctx.progress(done, total, f"{prefix}{name}".rstrip(": "))

        report = lib.import_path(spec["path"], layout=spec.get("layout", "auto"),
                                 label_from=spec.get("label_from", "none"),
                                 label_field=spec.get("label_field", "artist"), progress=progress,
                                 cancel=ctx.cancel)  # fmt: skip
        added, duplicates, skipped = added + report.added, duplicates + report.duplicates, skipped + report.skipped
        if report.cancelled or ctx.stopped():
            raise Stopped
    summary = f"Added {added:,} pictures" + (f"; {duplicates:,} were already there" if duplicates else "") + (
        f"; {len(skipped):,} files could not be read" if skipped else "") + "."
    return {"added": added, "duplicates": duplicates, "skipped": len(skipped), "skipped_files": skipped[:200],
            "summary": summary}


@task("embed")
def embed_library(params: dict, ctx: Context) -> dict:
    """``{"encoder"}``: embed every library picture (cached, so a re-run only does the rest)."""
    from artcore import embed

    records, _, computed = embed.embed_library(_library(ctx), params.get("encoder", embed.DEFAULT_ENCODER),
                                               progress=ctx.progress)  # fmt: skip
    return {"images": len(records), "computed": computed, "summary": f"Read all {len(records):,} pictures."}


@task("which-artist")
def train_which_artist(params: dict, ctx: Context) -> dict:
    """``{"field", "source"}``: the library's which-artist (or genre, style) model, as the Which artist? page
    trains it."""
    from artcore import classify

    path = classify.train_app_model(_library(ctx), params["field"], params["source"], progress=ctx.progress)
    return {"model": path.name, "summary": "The model is trained: ask it on the Which artist? page."}


@task("gan-train")
def train_gan(params: dict, ctx: Context) -> dict:
    """``{"field", "res", "minutes"}``: train the library's generator; progress counts seconds of the time box."""
    from artcore.gan import train as gan_train

    lib, minutes = _library(ctx), float(params["minutes"])
    run, start = gan_train.library_run_folder(lib, params["field"], int(params["res"])), time.monotonic()
    box = round(minutes * 60)

    def decoded(done: int, total: int) -> None:
        ctx.progress(0, box, f"Reading your pictures ({done:,} of {total:,})")

    def report(stats: dict) -> None:
        ctx.report(min(round(time.monotonic() - start), box), box, f"{stats['images_seen']:,} pictures seen")

    result = gan_train.train_run(run, int(params["res"]), minutes, lib=lib, field=params["field"], decoded=decoded,
                                 progress=report, should_stop=ctx.stopped)  # fmt: skip
    seen = result.get("images_seen") or 0
    return {"images_seen": seen, "run": run.name, "summary": f"Trained ({seen:,} pictures seen in all)."}


@task("translate-train")
def train_translator(params: dict, ctx: Context) -> dict:
    """``{"kind", "source", "target", "minutes", "name"}``: train (or resume) a translator in the library's
    ``translate-runs/NAME``; ``source``/``target`` are folders or library labels (``artist:Claude_Monet``)."""
    from artcore.translate import sketch, unpaired

    lib, minutes = _library(ctx), float(params["minutes"])
    run = translate_run_folder(lib, params["name"])
    start, box = time.monotonic(), round(minutes * 60)

    def decoded(done: int, total: int) -> None:
        ctx.progress(0, box, f"Reading the pictures ({done:,} of {total:,})")

    def report(stats: dict) -> None:
        ctx.report(min(round(time.monotonic() - start), box), box, f"{stats['images_seen']:,} crops seen")

    common = {"lib": lib, "decoded": decoded, "progress": report, "should_stop": ctx.stopped}
    if params["kind"] == "unpaired":
        result = unpaired.train(run, params["source"], params["target"], minutes, **common)
    else:
        result = sketch.train(run, params["target"], minutes, **common)
    seen = result.get("images_seen") or 0
    return {"images_seen": seen, "run": run.name, "summary": f"Trained ({seen:,} crops seen in all)."}


@task("translate-photo")
def translate_photo(params: dict, ctx: Context) -> dict:
    """``{"model", "content": PNG path, "size", "out": PNG path}``: the Translate page's photo → painter, when a class
    server queues it."""
    from artcore import translate
    from artcore.imageio import open_image

    model = translate.load(params["model"])
    arr = translate.translate_photo(model, open_image(params["content"]), params["size"],
                                    progress=lambda d, t: ctx.progress(d, t, "Painting"))  # fmt: skip
    return _painting(arr, params["out"])


@task("translate-sketch")
def translate_sketch(params: dict, ctx: Context) -> dict:
    """``{"model", "content": PNG path, "class", "size", "out": PNG path}``: the Translate page's sketch → painting,
    when a class server queues it."""
    from artcore import translate
    from artcore.imageio import open_image

    model = translate.load(params["model"])
    arr = translate.render_sketch(model, open_image(params["content"]), params["class"], params["size"],
                                  progress=lambda d, t: ctx.progress(d, t, "Painting"))  # fmt: skip
    return _painting(arr, params["out"])


def _painting(arr, out: str) -> dict:
    from PIL import Image

    from artcore.imageio import FAST_PNG, atomic_save_image

    atomic_save_image(Image.fromarray(arr), Path(out), **FAST_PNG)
    return {"output": out, "summary": f"Painted at {arr.shape[1]}×{arr.shape[0]} px."}


def translate_params(folder: Path, model_path, picture, size: int, class_name: str | None = None, **extra) -> dict:
    """A queued translation's parameters: the model's file, the photo or drawing (PIL) saved in ``folder``, the
    size, a sketch's class and the result's path there; ``extra`` is kept for the page to read back."""
    return {"model": str(model_path), "content": saved_picture(folder, picture, "content"), "size": int(size),
            **({"class": class_name} if class_name else {}), "out": fresh_path(folder, "painting"), **extra}  # fmt: skip


def translate_run_folder(lib, name: str) -> Path:
    """Where the app trains a translator: ``translate-runs/NAME`` beside the catalog (NAME made safe as a folder)."""
    import re

    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")[:60]
    if not safe:
        raise UserError("give the translator a name of letters and digits")
    return Path(lib.root) / "translate-runs" / safe


@task("video")
def render_video(params: dict, ctx: Context) -> dict:
    """``{"clip", "sources": ["builtin:3@0.5", "PATH@1", ...], "out", "settings": {...}}``: render a clip;
    a re-run resumes from its finished segments."""
    from artcore import video
    from artcore.imageio import remove_stale_temps
    from artcore.style import parse_source

    sources = [parse_source(s) for s in params["sources"]]
    # A server killed while it wrote a result left ``.tmp-<pid>-….mp4`` there (as large as the video): sweep them.
    remove_stale_temps(Path(params["out"]).parent)

    def progress(done: int, total: int, message: str = "") -> None:  # its message is a time left: describe() adds one
        ctx.progress(done, total, "Carrying on where it stopped" if message == "resuming" else "Painting frame by frame")

    try:
        result = video.stylize_video(Path(params["clip"]), sources, Path(params["out"]), library=_library(ctx),
                                     progress=progress, cancel=ctx.stopped, **params["settings"])  # fmt: skip
    except video.Cancelled as exc:
        raise Stopped from exc
    return {**result, "summary": f"Rendered {result['frames']:,} frames."}


@task("stylize")
def restyle(params: dict, ctx: Context) -> dict:
    """``{"content": PNG path, "sources": [specs], "out": PNG path, "size", "strength", "preserve_color",
    "style_scale"}``: the style studio's Stylize, when a class server queues it."""
    from artcore.style import parse_source
    from artcore.style.render import stylize_to_file

    result = stylize_to_file(Path(params["content"]), [parse_source(s) for s in params["sources"]],
                             Path(params["out"]), size=params.get("size"), strength=params.get("strength", 1.0),
                             preserve_color=params.get("preserve_color", False),
                             style_scale=params.get("style_scale", 256), library=_library(ctx),
                             progress=lambda d, t: ctx.progress(d, t, "Painting"))  # fmt: skip
    return {**result, "summary": f"Painted at {result['size'][0]}×{result['size'][1]} px."}


def stylize_params(folder: Path, content, sources, library, **settings) -> dict:
    """A queued Stylize's parameters: the picture (PIL) saved in ``folder`` (a session's scratch folder), the
    styles as text, the result's path there, and the settings."""
    return {"content": saved_picture(folder, content, "content"), "sources": source_specs(sources, folder, library),
            "out": fresh_path(folder, "result"), **settings}


def saved_picture(folder: Path, img, stem: str) -> str:
    """A picture (PIL) saved as PNG in ``folder`` under its pixels' hash (once), as a path for a job. Hashing the
    pixels, not the PNG, spares the encoding when a visitor paints the same picture again (15 ms at 512², a quarter
    of a second for a 12-megapixel photo)."""
    import hashlib

    from artcore.imageio import atomic_write_bytes, png_bytes

    key = hashlib.sha256(f"{img.mode} {img.size}".encode() + img.tobytes()).hexdigest()[:16]
    path = folder / f"{stem}-{key}.png"
    if not path.exists():
        atomic_write_bytes(path, png_bytes(img))
    return str(path)


def fresh_path(folder: Path, stem: str, suffix: str = ".png") -> str:
    """A new file's path in ``folder`` for a job to write its result to."""
    return str(folder / f"{stem}-{time.time_ns()}{suffix}")


@task("contact-sheet")
def make_contact_sheet(params: dict, ctx: Context) -> dict:
    """``{"content": PNG path, "out": PNG path}``: every ready-made style on the picture in one named sheet."""
    from artcore.imageio import FAST_PNG, atomic_save_image, open_image
    from artcore.style.render import contact_sheet

    sheet = contact_sheet(open_image(params["content"]),
                          progress=lambda d, t: ctx.progress(d, t, "Painting your picture in each ready-made style"))  # fmt: skip
    atomic_save_image(sheet, Path(params["out"]), **FAST_PNG)
    return {"output": params["out"], "summary": f"Made a contact sheet of {sheet.width}×{sheet.height} px."}


def contact_sheet_params(folder: Path, content, **extra) -> dict:
    """A queued contact sheet's parameters: the picture (PIL) saved in ``folder``, the sheet's path there;
    ``extra`` is kept for the page to read back when the job ends."""
    return {"content": saved_picture(folder, content, "content"), "out": fresh_path(folder, "sheet"), **extra}


@task("gatys")
def paint_gatys(params: dict, ctx: Context) -> dict:
    """``{"content", "style": PNG paths, "out", "preview": PNG paths, "every", "settings": GatysSettings fields}``:
    the classic method, the picture so far written to ``preview`` every ``every`` steps. Stop keeps it so far."""
    from artcore.imageio import FAST_PNG, atomic_save_image, open_image
    from artcore.style.gatys import GatysSettings, gatys

    settings = GatysSettings(**params["settings"])

    def on_step(step: int, total: int, loss: float, img) -> bool:
        # ``report``, not ``progress``: a Stop ends the optimisation (False), which returns the picture so far.
        ctx.report(step, total, "Painting, step by step")
        if img is not None:
            atomic_save_image(img, Path(params["preview"]), **FAST_PNG)
        return not ctx.stopped()

    out = gatys(open_image(params["content"]), open_image(params["style"]), settings, callback=on_step,
                preview_every=int(params["every"]))  # fmt: skip
    atomic_save_image(out, Path(params["out"]), **FAST_PNG)
    return {"output": params["out"], "summary": f"Painted at {out.width}×{out.height} px."}


def gatys_params(folder: Path, content, style, settings, every: int, **extra) -> dict:
    """A queued Gatys run's parameters: both pictures (PIL) saved in ``folder``, the result's and the preview's
    paths there, ``settings`` (a ``GatysSettings``) as numbers; ``extra`` is kept for the page."""
    from dataclasses import asdict

    out = fresh_path(folder, "gatys")
    return {"content": saved_picture(folder, content, "content"), "style": saved_picture(folder, style, "style"),
            "out": out, "preview": out.removesuffix(".png") + "-preview.png", "every": int(every),
            "settings": asdict(settings), **extra}  # fmt: skip


@task("project")
def find_projection(params: dict, ctx: Context) -> dict:
    """``{"model": model path, "image": PNG path, "steps", "out": NPZ path}``: the generator's closest painting
    to the picture (``artcore.gan.project``). Stop keeps the closest found so far."""
    from artcore.gan.generate import load_model
    from artcore.gan.project import project
    from artcore.imageio import open_image

    # ``report`` and ``should_stop``: a Stop ends the search between steps, which returns the closest so far.
    proj = project(load_model(params["model"]), open_image(params["image"]), steps=int(params["steps"]),
                   progress=lambda d, t, loss: ctx.report(d, t, "Searching for the model's closest painting"),
                   should_stop=ctx.stopped)  # fmt: skip
    proj.save(params["out"])
    return {"output": params["out"], "summary": f"Found it after {proj.steps} steps."}


def project_params(folder: Path, model_path, image, steps: int) -> dict:
    """A queued projection's parameters: the model's file, the picture (PIL) saved in ``folder``, the effort and
    the saved projection's path there."""
    return {"model": str(model_path), "image": saved_picture(folder, image, "picture"), "steps": int(steps),
            "out": fresh_path(folder, "projection", ".npz")}


def saved_projection(path):
    """A projection saved by a ``project`` job, as the ``Projection`` the Generate page keeps (its search's loss
    curve is not saved: ``losses`` is empty)."""
    import torch

    from artcore.gan.project import Projection, load_projection

    saved = load_projection(path)
    noise = [torch.from_numpy(saved[f"noise{i}"]) for i in range(sum(k.startswith("noise") for k in saved))]
    return Projection(torch.from_numpy(saved["w"]), noise, saved["target"], saved["image"], float(saved["psnr"]),
                      float(saved["perceptual"]), int(saved["steps"]), [])  # fmt: skip


def source_specs(sources, folder: Path, library=None) -> list[str]:
    """Style sources as ``parse_source`` strings for a job's parameters; pictures given as bytes or images, and
    style vectors (a painter with works left out: from ``library``), are saved by content in ``folder`` first."""
    import hashlib
    import io

    from PIL import Image

    from artcore.imageio import atomic_write_bytes

    specs = []
    for s in sources:
        if s.kind == "builtin":
            specs.append(f"builtin:{s.value}@{s.weight}")
        elif s.kind == "image":
            value = s.value
            if isinstance(value, Image.Image):
                buf = io.BytesIO()
                value.save(buf, "PNG")
                value = buf.getvalue()
            if isinstance(value, bytes):
                path = folder / f"{hashlib.sha256(value).hexdigest()[:16]}.img"
                if not path.exists():
                    folder.mkdir(parents=True, exist_ok=True)
                    atomic_write_bytes(path, value)
                value = path
            specs.append(f"{Path(value).resolve()}@{s.weight}")
        elif s.kind in ("artist", "genre", "style") and not s.exclude:
            specs.append(f"{s.kind}:{s.value}@{s.weight}")
        elif s.kind in ("artist", "genre", "style", "vector"):
            # Works the user left out are not in a label's name: the job gets the style vector itself.
            import numpy as np

            from artcore.style import label_vector

            vec = np.asarray(s.value if s.kind == "vector" else label_vector(library, s.kind, s.value, s.exclude),
                             np.float32)  # fmt: skip
            path = folder / f"{hashlib.sha256(vec.tobytes()).hexdigest()[:16]}.npy"
            if not path.exists():
                folder.mkdir(parents=True, exist_ok=True)
                buf = io.BytesIO()
                np.save(buf, vec)
                atomic_write_bytes(path, buf.getvalue())
            specs.append(f"{path.resolve()}@{s.weight}")
        else:
            raise UserError(f"a {s.kind} style cannot be rendered in the background")
    return specs
