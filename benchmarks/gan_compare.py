"""Two or more generators side by side, judged in feature spaces their discriminators never saw.

For each model (a run folder or model file), on real paintings held out of its training (a folder with one
sub-folder per class, the same class names):

* FD: Fréchet distance from generated to held-out real pictures in the Magenta style predictor's features (an
  Inception network trained on styles: independent of the Lite0 features a projected discriminator looks through),
  beside its floor (training pictures against the held-out ones); the Lite0 FD too, for continuity;
* class fidelity: a logistic regression trained on the real training pictures' Magenta features names the class of
  each generated picture; beside that judge's accuracy on the held-out real pictures;
* precision and recall (k-NN manifolds, k = 3, Kynkäänniemi et al. 2019) in the Magenta features: collapse shows
  as low recall;
* originality: the share of generated pictures the originality check calls "copy" or "close" against the training
  pictures;
* ms per generated picture (batch of 16).

    python benchmarks/gan_compare.py --train DIR --eval DIR MODEL... [--per-class 40] [--out results.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from artcore.imageio import atomic_write_bytes  # noqa: E402


def load_folder(root: Path, res: int, limit: int | None = None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    from artcore import embed
    from artcore.gan.common import square
    from artcore.imageio import open_image

    paths, labels = embed.folder_images(root)
    classes = sorted(set(labels))
    pics, ys = [], []
    for p, lab in zip(paths, labels, strict=True):
        if limit and ys.count(classes.index(lab)) >= limit:
            continue
        pics.append(square(open_image(p, max_side=4 * res), res))
        ys.append(classes.index(lab))
    return np.stack(pics), np.array(ys), classes


def precision_recall(real: np.ndarray, fake: np.ndarray, k: int = 3) -> tuple[float, float]:
    """Share of fakes inside the real manifold (precision) and of reals inside the fake one (recall)."""

    def radii(X):
        d = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
        return np.sort(d, 1)[:, k]

    def inside(A, B, rB):  # is each row of A within some B ball?
        d = np.sqrt(((A[:, None] - B[None]) ** 2).sum(-1))
        return float(np.mean((d <= rB[None]).any(1)))

    return inside(fake, real, radii(real)), inside(real, fake, radii(fake))


def main() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    from artcore import embed, originality
    from artcore.gan import generate as gan
    from artcore.gan import metrics

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="+", type=Path)
    ap.add_argument("--train", type=Path, required=True, help="the training folder (one sub-folder per class)")
    ap.add_argument("--eval", type=Path, required=True, help="held-out real paintings, same classes")
    ap.add_argument("--per-class", type=int, default=40, help="generated pictures per class")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "gan_compare.json")
    args = ap.parse_args()
    models = [gan.load_model(m / "model.pt" if m.is_dir() else m) for m in args.models]
    res = models[0].resolution
    real_tr, y_tr, classes = load_folder(args.train, res, limit=80)
    real_ev, y_ev, classes_ev = load_folder(args.eval, res)
    assert classes == classes_ev, "train and eval folders must hold the same classes"
    m_tr, m_ev = metrics.features(real_tr), metrics.features(real_ev)
    l_tr, l_ev = metrics.features(real_tr, encoder="lite0"), metrics.features(real_ev, encoder="lite0")
    scale = StandardScaler().fit(m_tr)
    judge = LogisticRegression(max_iter=3000, C=1.0).fit(scale.transform(m_tr), y_tr)
    train_files = sorted(args.train.rglob("*.jpg"))
    ref = originality.files_reference(train_files, [p.parent.name for p in train_files], "training paintings")
    cal = originality.thresholds()
    floor = {"fd_magenta": metrics.frechet(m_tr, m_ev), "fd_lite0": metrics.frechet(l_tr, l_ev),
             "judge_accuracy_on_real": float(judge.score(scale.transform(m_ev), y_ev))}  # fmt: skip
    rows = {}
    for path, model in zip(args.models, models, strict=True):
        if model.classes != classes:
            raise SystemExit(f"{path} has classes {model.classes}, not {classes}")
        seeds = list(range(args.per_class))
        fakes, ys = [], []
        t0 = time.perf_counter()
        for ci, c in enumerate(classes):
            fakes.append(gan.generate(model, seeds, model.class_vector({c: 1.0}), trunc=1.0))
            ys += [ci] * len(seeds)
        ms = (time.perf_counter() - t0) / (len(classes) * len(seeds)) * 1000
        fakes = np.concatenate(fakes)
        m_f, l_f = metrics.features(fakes), metrics.features(fakes, encoder="lite0")
        prec, rec = precision_recall(scale.transform(m_ev), scale.transform(m_f))
        X = embed.compute([Image.fromarray(f) for f in fakes], originality.ENCODER)
        hashes = [originality._hash_of(Image.fromarray(f)) for f in fakes]
        verdicts = [r["verdict"] for r in originality.check_features(X, hashes, ref, cal)]
        rows[path.name] = {
            "resolution": model.resolution,
            "images_seen": model.info.get("trained_images") or model.info.get("images_seen"),
            "fd_magenta": metrics.frechet(m_f, m_ev), "fd_lite0": metrics.frechet(l_f, l_ev),
            "class_fidelity": float(np.mean(judge.predict(scale.transform(m_f)) == np.array(ys))),
            "precision": prec, "recall": rec,
            "copy_or_close": float(np.mean([v != "original" for v in verdicts])), "ms_per_image": round(ms, 2),
        }  # fmt: skip
        print(path.name, json.dumps(rows[path.name]), flush=True)
    result = {"benchmark": "gan_compare", "classes": classes, "train": str(args.train), "eval": str(args.eval),
              "real_eval": len(real_ev), "generated_per_class": args.per_class, "floor": floor, "models": rows}  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(args.out, (json.dumps(result, indent=2) + "\n").encode())
    print(json.dumps(result, indent=2))
    print(f"\nfloor: FD magenta {floor['fd_magenta']:.1f}, FD lite0 {floor['fd_lite0']:.1f}, judge on real "
          f"{floor['judge_accuracy_on_real']:.1%} (chance {1 / len(classes):.1%})")
    print(f"{'model':<22} {'FD mag':>7} {'FD lite0':>8} {'fidelity':>8} {'prec':>5} {'rec':>5} {'copy/close':>10} {'ms':>6}")
    for name, r in rows.items():
        print(f"{name:<22} {r['fd_magenta']:>7.1f} {r['fd_lite0']:>8.1f} {r['class_fidelity']:>8.1%} "
              f"{r['precision']:>5.2f} {r['recall']:>5.2f} {r['copy_or_close']:>10.1%} {r['ms_per_image']:>6.1f}")


if __name__ == "__main__":
    main()
