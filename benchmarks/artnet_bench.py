"""The painting encoder (``artnet``) against the ImageNet baseline, on data it did not train on. Same run, same splits.

1. ``bestartworks`` test split (the split ``artcore artnet train`` holds out: 20% of every painter, seed 0): the
   shipped encoder's painter head, and logistic regression on its embedding, beside frozen ImageNet Lite0 +
   logistic regression (close to the seed's MobileNetV2 setup) fitted on the same training split. Per-painter
   top-1 and a confusion plot (docs/artnet-confusion.png).
2. Few-shot: a backbone trained with 10 painters left out (``--fewshot-model``, made by the same command with
   ``--exclude``) classifies those 10 from 10 references each (5 random draws), beside frozen Lite0 and
   ``lite0-crops`` on the same references.
3. Open set: an ``artist10`` model (``artcore.classify``) says "none of these painters" for how many works of
   painters it does not know (``bestartworks`` test-split works of the 34 painters not in artist10), and for how
   many of its own painters' held-apart works (cross-validated).
4. Size and source: ``artist10`` 5-fold CV where the held-apart paintings are scaled to 256, 512 and 1024 px and
   re-encoded at JPEG quality 50: top-1 for each.
5. Embeddings per second, decode included, on 128 genre4 JPEGs.
6. How many ``artist10`` paintings also appear in ``bestartworks`` (the encoder may have seen those).

Prints JSON and tables; writes benchmarks/results/artnet.json.

    python benchmarks/artnet_bench.py [--fewshot-model runs/artnet-leave10.pt] [--artdata ../shared/artdata]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from artcore import artnet, classify, embed, registry  # noqa: E402
from artcore.config import PROJECT_ROOT, SHARED_ARTDATA, cache_dir  # noqa: E402
from artcore.imageio import atomic_save_image, atomic_write_bytes, file_sha256, open_image  # noqa: E402

BASELINE_C = 1.0  # as classify_bench's frozen-Lite0 baseline


def embeddings(store, paths, encoder: str) -> np.ndarray:
    return embed.cached(store, [(file_sha256(p), p) for p in paths], encoder)[0]


def linear_eval(Xtr, ytr, Xte, yte, encoder: str, C: float) -> dict:
    mean, scale = classify.scaling(Xtr, encoder)
    clf = classify._fit_linear((Xtr - mean) * scale, ytr, C)
    scores = np.full((len(Xte), int(max(ytr.max(), yte.max())) + 1), -np.inf)
    scores[:, clf.classes_] = clf.decision_function((Xte - mean) * scale)
    order = np.argsort(-scores, 1)
    return {"top1": round(float((order[:, 0] == yte).mean()), 4),
            "top3": round(float((order[:, :3] == yte[:, None]).any(1).mean()), 4)}  # fmt: skip


def bestartworks_test(root: Path, store) -> dict:
    _, meta = registry.get("artnet")
    paths, labels, _ = artnet.painting_folder(root)
    tr, te = artnet.split(labels, meta["summary"]["test_frac"], meta["summary"]["seed"])
    assert sorted(f"{paths[i].parent.name}/{paths[i].name}" for i in te) == sorted(meta["test_files"]), \
        "split differs from training's"
    painters = meta["painters"]
    y = np.array([painters.index(label) for label in labels])
    model, _ = registry.get("artnet")
    head = artnet.evaluate(model, [paths[i] for i in te], [labels[i] for i in te], painters)
    mirrored = artnet.evaluate(model, [paths[i] for i in te], [labels[i] for i in te], painters, mirror=True)
    out = {"n_train": int(len(tr)), "n_test": int(len(te)), "painters": len(painters),
           "ours: artnet painter head": {k: head[k] for k in ("top1", "top3")},
           "ours: painter head, picture + mirror": {k: mirrored[k] for k in ("top1", "top3")}}  # fmt: skip
    for name, encoder, C in (("ours: artnet embedding + LR", "artnet", classify.C_OURS),
                             ("baseline: frozen Lite0 + LR", "lite0", BASELINE_C)):  # fmt: skip
        X = embeddings(store, paths, encoder)
        out[name] = linear_eval(X[tr], y[tr], X[te], y[te], encoder, C)
    out["per_painter"] = head["per_painter"]
    confusion_plot(np.array(head["confusion"]), [p.replace("_", " ") for p in painters],  # ASCII: Pillow's font
                   PROJECT_ROOT / "docs" / "artnet-confusion.png", head["top1"])  # fmt: skip
    return out


def confusion_plot(cm: np.ndarray, names: list[str], path: Path, top1: float) -> None:
    """Row-normalised confusion matrix as a PNG (no plotting library needed)."""
    n, cell, left, top = len(names), 18, 190, 200
    img = Image.new("RGB", (left + n * cell + 20, top + n * cell + 40), "white")
    d = ImageDraw.Draw(img)
    rates = cm / cm.sum(1, keepdims=True).clip(1)
    for i in range(n):
        d.text((5, top + i * cell + 3), names[i][:28], fill="black")
        col = Image.new("RGBA", (190, 14), (255, 255, 255, 0))
        ImageDraw.Draw(col).text((2, 1), names[i][:28], fill="black")
        img.paste(col.rotate(90, expand=True), (left + i * cell + 2, 5), col.rotate(90, expand=True))
        for j in range(n):
            v = rates[i, j]
            shade = (int(255 - 200 * v), int(255 - 120 * v), 255) if i == j else (255, int(255 - 230 * v), int(255 - 230 * v))
            d.rectangle([left + j * cell, top + i * cell, left + (j + 1) * cell - 1, top + (i + 1) * cell - 1], fill=shade)
    d.text((left, top + n * cell + 10), f"rows: true painter, columns: predicted; blue diagonal = correct "
           f"(held-out top-1 {top1:.1%}); red = confusions", fill="black")  # fmt: skip
    atomic_save_image(img, path)


def features(model, paths: list[Path]) -> np.ndarray:
    import torch

    out = []
    with torch.inference_mode():
        for a in range(0, len(paths), 64):
            x = np.stack([artnet.network_input(open_image(p, max_side=512)) for p in paths[a : a + 64]])
            out.append(model.top(model.front(torch.from_numpy(x.transpose(0, 3, 1, 2)))).numpy())
    return np.concatenate(out)


def fewshot(root: Path, model_path: Path, store, refs: int = 10, draws: int = 5) -> dict:
    model, meta = artnet.load(model_path)
    left_out = meta["summary"]["exclude"]
    paths, labels, _ = artnet.painting_folder(root)
    keep = [i for i, label in enumerate(labels) if label in left_out]
    paths, labels = [paths[i] for i in keep], [labels[i] for i in keep]
    y = np.searchsorted(sorted(left_out), labels)
    encoders = {"ours: artnet trained without them": (features(model, paths), "artnet", classify.C_OURS),
                "baseline: frozen Lite0 + LR": (embeddings(store, paths, "lite0"), "lite0", BASELINE_C),
                "lite0-crops (previous default)": (embeddings(store, paths, "lite0-crops"), "lite0-crops",
                                                   classify.C_OURS)}  # fmt: skip
    out = {"painters": left_out, "references": refs, "draws": draws, "n": len(y)}
    for name, (X, enc, C) in encoders.items():
        runs = []
        for d in range(draws):
            rng = np.random.default_rng(d)
            tr = np.concatenate([rng.choice(np.flatnonzero(y == c), refs, replace=False) for c in range(len(left_out))])
            te = np.setdiff1d(np.arange(len(y)), tr)
            runs.append(linear_eval(X[tr], y[tr], X[te], y[te], enc, C))
        out[name] = {k: round(float(np.mean([r[k] for r in runs])), 4) for k in ("top1", "top3")}
    return out


def open_set(artdata: Path, store) -> dict:
    """artist10 model: unknown painters flagged, and its own painters' held-apart works wrongly flagged."""
    _, meta = registry.get("artnet")
    a_paths, a_labels = embed.folder_images(artdata / "artist10")
    b_paths, b_labels, _ = artnet.painting_folder(artdata / "bestartworks")
    known = {artnet.known_painter(label, meta) for label in set(a_labels)} - {None}
    _, te = artnet.split(b_labels, meta["summary"]["test_frac"], meta["summary"]["seed"])
    strangers = [b_paths[i] for i in te if b_labels[i] not in known]
    out = {"known_painters": len(set(a_labels)), "stranger_works": len(strangers),
           "stranger_painters": len({b_labels[i] for i in te if b_labels[i] not in known})}  # fmt: skip
    for encoder in ("artnet", "lite0-crops"):
        X = embeddings(store, a_paths, encoder)
        model = classify.train(X, a_labels, [str(p) for p in a_paths], encoder, "artist10")
        S = embeddings(store, strangers, encoder)
        res = classify.predict_embeddings(model, S, [str(p) for p in strangers])
        out[encoder] = {"strangers_flagged": round(float(np.mean([not r["known"] for r in res])), 4),
                        "known_held_apart_flagged": model.meta["open_set"]["cv_false_unknown"],
                        "threshold": model.meta["open_set"]["threshold"]}  # fmt: skip
    return out


def _variant(path: Path, side: int | None, quality: int) -> bytes:
    img = open_image(path)
    if side:
        s = side / max(img.size)
        img = img.resize((max(1, round(img.width * s)), max(1, round(img.height * s))), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def robustness(artdata: Path, store, seed: int = 0) -> dict:
    from sklearn.model_selection import StratifiedKFold

    paths, labels = embed.folder_images(artdata / "artist10")
    y = np.searchsorted(sorted(set(labels)), labels)
    variants = {"full size": (None, 95), "1024 px": (1024, 95), "512 px": (512, 95), "256 px": (256, 95),
                "JPEG q50": (None, 50)}  # fmt: skip
    out = {}
    for encoder in ("artnet", "lite0-crops"):
        X = embeddings(store, paths, encoder)
        V = {name: embed.compute([_variant(p, s, q) for p in paths], encoder) for name, (s, q) in variants.items()}
        hits = {name: 0 for name in variants}
        for tr, te in StratifiedKFold(5, shuffle=True, random_state=seed).split(X, y):
            mean, scale = classify.scaling(X[tr], encoder)
            clf = classify._fit_linear((X[tr] - mean) * scale, y[tr], classify.C_OURS)
            for name, Xv in V.items():
                hits[name] += int((clf.predict((Xv[te] - mean) * scale) == y[te]).sum())
        out[encoder] = {name: round(h / len(y), 4) for name, h in hits.items()}
    return out


def speed(files: list[Path]) -> dict:
    out = {}
    for encoder in ("artnet", "lite0", "lite0-crops"):
        embed.compute(files[:8], encoder)
        start = time.perf_counter()
        embed.compute(files, encoder)
        out[encoder] = round(len(files) / (time.perf_counter() - start), 1)
    return out


def overlap(artdata: Path) -> int:
    """artist10 paintings whose central square matches a bestartworks painting (normalised 32×32 greys, r > 0.95)."""

    def sig(path: Path) -> np.ndarray:
        img = open_image(path, max_side=256)
        s = min(img.size)
        img = img.crop(((img.width - s) // 2, (img.height - s) // 2, (img.width + s) // 2, (img.height + s) // 2))
        a = np.asarray(img.convert("L").resize((32, 32), Image.Resampling.BILINEAR), np.float32).ravel()
        return (a - a.mean()) / (a.std() + 1e-6) / np.sqrt(a.size)

    a_paths, _ = embed.folder_images(artdata / "artist10")
    b_paths, _, _ = artnet.painting_folder(artdata / "bestartworks")
    A, B = np.stack([sig(p) for p in a_paths]), np.stack([sig(p) for p in b_paths])
    return int(((A @ B.T).max(1) > 0.95).sum())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--artdata", type=Path, default=SHARED_ARTDATA)
    ap.add_argument("--fewshot-model", type=Path, default=PROJECT_ROOT / "runs" / "artnet-leave10.pt")
    args = ap.parse_args()
    store = embed.EmbeddingStore.for_file(cache_dir() / "bench-embeddings.sqlite")
    result: dict = {"cpu_count": os.cpu_count(), "load_avg_1m": round(os.getloadavg()[0], 2),
                    "weights": artnet.SHIPPED.name, "weights_digest": artnet.weights_digest()}  # fmt: skip
    steps = [("bestartworks", lambda: bestartworks_test(args.artdata / "bestartworks", store)),
             ("open_set", lambda: open_set(args.artdata, store)),
             ("robustness", lambda: robustness(args.artdata, store)),
             ("artist10_in_bestartworks", lambda: overlap(args.artdata))]  # fmt: skip
    if args.fewshot_model.is_file():
        steps.insert(1, ("fewshot", lambda: fewshot(args.artdata / "bestartworks", args.fewshot_model, store)))
    for name, step in steps:
        start = time.perf_counter()
        result[name] = step()
        print(f"{name} done in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    files, _ = embed.folder_images(args.artdata / "genre4")
    result["load_avg_1m_before_speed"] = round(os.getloadavg()[0], 2)
    result["embeddings_per_s"] = speed(files[:: max(1, len(files) // 128)][:128])
    result["load_avg_1m_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result, indent=1))
    b = result["bestartworks"]
    print(f"\nbestartworks test split ({b['n_test']} paintings, {b['painters']} painters)   top-1   top-3")
    for name in [k for k in b if k.startswith(("ours", "baseline"))]:
        print(f"  {name:40s} {b[name]['top1']:>6.1%} {b[name]['top3']:>7.1%}")
    if "fewshot" in result:
        f = result["fewshot"]
        print(f"\nfew-shot: {len(f['painters'])} painters never trained on, {f['references']} references each")
        for name in [k for k in f if k.startswith(("ours", "baseline", "lite0"))]:
            print(f"  {name:40s} {f[name]['top1']:>6.1%} {f[name]['top3']:>7.1%}")
    o = result["open_set"]
    print(f"\nopen set (artist10 model; {o['stranger_works']} works by {o['stranger_painters']} other painters)")
    for enc in ("artnet", "lite0-crops"):
        print(f"  {enc:12s} strangers flagged {o[enc]['strangers_flagged']:.1%}, "
              f"own held-apart works flagged {o[enc]['known_held_apart_flagged']:.1%}")  # fmt: skip
    print("\nartist10 top-1 (5-fold CV) with held-apart paintings at:")
    for enc, row in result["robustness"].items():
        print(f"  {enc:12s} " + ", ".join(f"{k} {v:.1%}" for k, v in row.items()))
    print(f"\nartist10 paintings also in bestartworks: {result['artist10_in_bestartworks']}")
    print("embeddings/s: " + ", ".join(f"{k} {v}" for k, v in result["embeddings_per_s"].items()))
    atomic_write_bytes(PROJECT_ROOT / "benchmarks" / "results" / "artnet.json", json.dumps(result, indent=1).encode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
