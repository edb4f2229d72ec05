"""Which artist (or genre, or style) does a painting resemble: a linear model over cached embeddings.

A model is one ``.npz`` file with no pickled code: the standardisation, the logistic-regression weights, a
temperature fitted on cross-validated predictions (so probabilities are calibrated), the training embeddings
and paths (for "similar works"), and a JSON header saying what the model knows (labels, counts, CV accuracy).
"""

from __future__ import annotations

import json
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from artcore import embed
from artcore.errors import UserError
from artcore.imageio import atomic_write_bytes

FORMAT = "artcore-classifier-1"
SAME_PICTURE = 0.999  # cosine similarity above which two embeddings are the same picture (float16 storage)
# Inverse regularisation; measured best on artist10 among 0.1/1/10 (lite0-texture) and 3/10/30 (lite0-crops).
C_OURS = 10.0
OPEN_SET_MISS = 0.05  # share of known painters' held-apart works allowed to be called "none of these"


@dataclass
class Model:
    """A trained classifier; ``meta`` is the self-description shown to users."""

    meta: dict
    mean: np.ndarray
    scale: np.ndarray  # per column: 1 / (std * sqrt(block width)), so each block weighs the same
    coef: np.ndarray
    intercept: np.ndarray
    train_x: np.ndarray  # transformed training embeddings, unit length (for cosine similarity)
    train_paths: list[str] = field(default_factory=list)
    train_labels: list[str] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return self.meta["labels"]

    @property
    def encoder(self) -> str:
        return self.meta["encoder"]

    def transform(self, X: np.ndarray) -> np.ndarray:
        return (np.asarray(X, np.float32) - self.mean) * self.scale

    def proba(self, X: np.ndarray) -> np.ndarray:
        return _softmax(_two_columns(self.transform(X) @ self.coef.T + self.intercept) / self.meta["temperature"])


# ------------------------------------------------------------------ fitting


def scaling(X: np.ndarray, encoder: str) -> tuple[np.ndarray, np.ndarray]:
    """Per-column mean and scale: standardise, then shrink each encoder block by sqrt(width) so none dominates."""
    mean = X.mean(0)
    std = X.std(0)
    std[std < 1e-6] = 1.0
    scale = 1.0 / std
    for _name, a, b in embed.get_encoder(encoder).blocks():
        scale[a:b] /= np.sqrt(b - a)
    return mean.astype(np.float32), scale.astype(np.float32)


def _fit_linear(Z: np.ndarray, y: np.ndarray, C: float):
    from sklearn.linear_model import LogisticRegression

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter on tiny folds
        return LogisticRegression(C=C, max_iter=3000).fit(Z, y)


def _two_columns(scores: np.ndarray) -> np.ndarray:
    """Per-label scores: scikit-learn keeps one column (the second label's log-odds) for two labels."""
    if scores.ndim == 1:
        scores = scores[:, None]
    return np.hstack([-scores / 2, scores / 2]) if scores.shape[1] == 1 else scores


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


def cross_validate(X: np.ndarray, labels: list[str], encoder: str, folds: int = 5, C: float = C_OURS,
                   seed: int = 0) -> dict:  # fmt: skip
    """Stratified k-fold CV: {"top1", "top3", "n", "folds", "per_class", "logits", "y"} (logits out of fold)."""
    from sklearn.model_selection import StratifiedKFold

    classes = sorted(set(labels))
    y = np.searchsorted(classes, labels)
    folds = min(folds, int(np.bincount(y).min()))
    if folds < 2:
        raise UserError("every label needs at least 2 images for cross-validation")
    logits = np.zeros((len(y), len(classes)), np.float32)
    near = np.zeros(len(y), np.float32)
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=seed).split(X, y):
        mean, scale = scaling(X[tr], encoder)
        clf = _fit_linear((X[tr] - mean) * scale, y[tr], C)
        logits[np.ix_(te, clf.classes_)] = _two_columns(clf.decision_function((X[te] - mean) * scale))
        near[te] = closeness(_unit((X[te] - mean) * scale), _unit((X[tr] - mean) * scale), y[tr])[0]
    return {**_scores(logits, y, classes), "folds": folds, "logits": logits, "y": y, "closeness": near}


def _unit(Z: np.ndarray) -> np.ndarray:
    return Z / np.linalg.norm(Z, axis=1, keepdims=True).clip(1e-9)


def closeness(Q: np.ndarray, train: np.ndarray, y: np.ndarray, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """(closeness, nearest label index) per query: the best over labels of the mean cosine similarity to the
    label's ``k`` most similar works (unit vectors in). How near a painting is to any painter the model knows."""
    sims = Q @ train.T
    labels = np.unique(y)
    per_label = np.stack([np.sort(sims[:, y == c], 1)[:, -k:].mean(1) for c in labels], 1)
    return per_label.max(1), labels[per_label.argmax(1)]


def _scores(scores: np.ndarray, y: np.ndarray, classes: list[str]) -> dict:
    order = np.argsort(-scores, 1)
    hit1 = order[:, 0] == y
    hit3 = (order[:, :3] == y[:, None]).any(1)
    per_class = {
        c: {"n": int((y == i).sum()), "top1": float(hit1[y == i].mean()), "top3": float(hit3[y == i].mean())}
        for i, c in enumerate(classes)
        if (y == i).any()
    }
    return {"top1": float(hit1.mean()), "top3": float(hit3.mean()), "n": int(len(y)), "per_class": per_class}


def _temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The softmax temperature minimising the out-of-fold negative log-likelihood (calibration)."""
    best_t, best = 1.0, np.inf
    for t in np.exp(np.linspace(np.log(0.05), np.log(20), 80)):
        p = _softmax(logits / t)[np.arange(len(y)), y]
        nll = -np.log(np.clip(p, 1e-12, None)).mean()
        if nll < best:
            best_t, best = float(t), nll
    return best_t


def train(X: np.ndarray, labels: list[str], paths: list[str], encoder: str, source: str, folds: int = 5,
          C: float = C_OURS) -> Model:  # fmt: skip
    """Fit on all data after measuring stratified CV accuracy; the model carries that accuracy with it."""
    # A label needs one image per cross-validation fold; one much rarer than the rest is left out (and named)
    # rather than shrinking every fold for all the others. Small libraries get fewer folds instead.
    all_counts = {c: labels.count(c) for c in sorted(set(labels))}
    need = max(2, min(folds, int(np.median(list(all_counts.values()) or [0]))))
    left_out = {c: n for c, n in all_counts.items() if n < need}
    counts = {c: n for c, n in all_counts.items() if c not in left_out}
    if len(counts) < 2:
        raise UserError(f"training needs at least 2 labels with {need} or more images each; found "
                        f"{len(counts)}" + (f" (too few images for: {', '.join(left_out)})" if left_out else ""))  # fmt: skip
    keep = [i for i, c in enumerate(labels) if c in counts]
    X = np.asarray(X, np.float32)[keep]
    labels, paths = [labels[i] for i in keep], [paths[i] for i in keep]
    cv = cross_validate(X, labels, encoder, folds, C)
    classes = list(counts)
    mean, scale = scaling(X, encoder)
    Z = (X - mean) * scale
    clf = _fit_linear(Z, np.searchsorted(classes, labels), C)
    # Open set: a painting less close to every label's works than this is "none of these"; the threshold lets
    # OPEN_SET_MISS of the labels' own held-apart works (cross-validated) fall below it.
    threshold = float(np.quantile(cv["closeness"], OPEN_SET_MISS))
    meta = {
        "format": FORMAT, "encoder": encoder, "encoder_key": embed.get_encoder(encoder).key, "labels": classes,
        "open_set": {"threshold": round(threshold, 4), "cv_false_unknown": round(float((cv["closeness"] < threshold).mean()), 4)},
        "counts": counts, "left_out": left_out, "min_per_label": need, "source": source, "cv": {k: cv[k] for k in ("top1", "top3", "n", "folds", "per_class")},
        "temperature": _temperature(cv["logits"], cv["y"]), "C": C, "trained": time.strftime("%Y-%m-%d %H:%M:%S"),
    }  # fmt: skip
    unit = _unit(Z)
    return Model(meta, mean, scale, clf.coef_.astype(np.float32), clf.intercept_.astype(np.float32),
                 unit.astype(np.float16), [str(p) for p in paths], list(labels))  # fmt: skip


def save(model: Model, path: str | os.PathLike) -> Path:
    import io

    path = Path(path)
    buf = io.BytesIO()
    np.savez_compressed(
        buf, meta=np.array(json.dumps(model.meta)), mean=model.mean, scale=model.scale, coef=model.coef,
        intercept=model.intercept, train_x=model.train_x, train_paths=np.array(model.train_paths),
        train_labels=np.array(model.train_labels),
    )  # fmt: skip
    atomic_write_bytes(path, buf.getvalue())
    return path


def load(path: str | os.PathLike) -> Model:
    path = Path(path)
    if not path.is_file():
        raise UserError(f"no model file at {path}; train one with `artcore classify train`")
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            if meta.get("format") != FORMAT:
                raise ValueError("unknown format")
            return Model(meta, z["mean"], z["scale"], z["coef"], z["intercept"], z["train_x"],
                         z["train_paths"].tolist(), z["train_labels"].tolist())  # fmt: skip
    except (OSError, ValueError, KeyError) as exc:
        raise UserError(f"{path} is not an artcore classifier model ({exc})") from exc


# ------------------------------------------------------------------ data


def folder_data(root: str | os.PathLike, encoder: str = embed.DEFAULT_ENCODER,
                progress: embed.Progress | None = None) -> tuple[np.ndarray, list[str], list[str]]:  # fmt: skip
    """(embeddings, labels, paths) of a folder-per-label tree; embeddings cached by file hash."""
    paths, labels = embed.folder_images(root)
    return embed.embed_files(paths, encoder, progress), labels, [str(p) for p in paths]


def library_data(lib, label_field: str = "artist", encoder: str = embed.DEFAULT_ENCODER,
                 progress: embed.Progress | None = None) -> tuple[np.ndarray, list[str], list[str]]:  # fmt: skip
    """(embeddings, labels, paths) of the library's images that have ``label_field``; cached in the catalog."""
    records = lib.records(field=label_field)
    if not records:
        raise UserError(f"no image in the library at {lib.root} has a {label_field}; import labelled images first")
    records, X, _ = embed.embed_library(lib, encoder, records, progress)
    return X, [r[label_field] for r in records], [r["path"] for r in records]


# ------------------------------------------------------------------ predicting


def predict_embeddings(model: Model, X: np.ndarray, paths: list[str], top: int = 5, similar: int = 6) -> list[dict]:
    """The ``classify predict --json`` objects for precomputed embeddings."""
    P = model.proba(X)
    Z = _unit(model.transform(X))
    train_x = model.train_x.astype(np.float32)
    sims = Z @ train_x.T
    near, nearest = closeness(Z, train_x, np.searchsorted(model.labels, model.train_labels))
    threshold = model.meta.get("open_set", {}).get("threshold", -1.0)
    out = []
    for i, path in enumerate(paths):
        order = np.argsort(-P[i])[:top]
        # The painting itself (when it is one of the training works) is not "similar": skip near-identical matches.
        alike = [j for j in np.argsort(-sims[i]) if sims[i, j] < SAME_PICTURE][:similar]
        out.append({
            "image": str(path),
            # known: False when the painting is far from every label's works (open set: "none of these")
            "known": bool(near[i] >= threshold), "closeness": round(float(near[i]), 4),
            "nearest": model.labels[nearest[i]],
            "top": [{"label": model.labels[j], "prob": round(float(P[i, j]), 4)} for j in order],
            "similar": [{"path": model.train_paths[j], "label": model.train_labels[j],
                         "score": round(float(sims[i, j]), 4)} for j in alike],
        })  # fmt: skip
    return out


def predict(model: Model, images: list, top: int = 5, similar: int = 6, names: list[str] | None = None) -> list[dict]:
    """Predict for image files (or bytes / PIL images, named by ``names``)."""
    if not images:
        raise UserError("give at least one image to classify")
    X = embed.compute(images, model.encoder)
    return predict_embeddings(model, X, names or [str(i) for i in images], top, similar)


def evaluate(model: Model, X: np.ndarray, labels: list[str]) -> dict:
    """top-1/top-3/per-class accuracy of ``model`` on labelled embeddings; every label must be one it knows."""
    unknown = sorted(set(labels) - set(model.labels))
    if unknown:
        raise UserError(
            f"the model does not know the label(s) {', '.join(unknown)}; it knows {', '.join(model.labels)}"
        )
    return _scores(model.proba(X), np.searchsorted(model.labels, labels), model.labels)


def explain(model: Model, x: np.ndarray, label: str) -> list[str]:
    """Short, honest reasons: per feature group, how ``label``'s closest works rank against every other label's."""
    names = {"artnet": "painting features (brushwork, palette and subject, learnt from paintings)",
             "lite0-head": "content (ImageNet features)", "lite0": "content (ImageNet features)",
             "lite0-texture": "brushwork and texture statistics", "magenta": "colour-and-texture style vector"}  # fmt: skip
    z = model.transform(x[None])[0]
    train = model.train_x.astype(np.float32) * 1.0
    lab = np.array(model.train_labels)
    lines = []
    for name, a, b in embed.get_encoder(model.encoder).blocks():
        q = z[a:b] / max(float(np.linalg.norm(z[a:b])), 1e-9)
        block = train[:, a:b] / np.linalg.norm(train[:, a:b], axis=1, keepdims=True).clip(1e-9)
        # A label's closeness is that of its 3 most similar works: painters vary, a centroid blurs their range.
        score = {c: float(np.sort(block[lab == c] @ q)[-3:].mean()) for c in model.labels}
        rank = sorted(score, key=score.get, reverse=True).index(label) + 1
        lines.append(
            f"{names.get(name, name)}: {label}'s works are the {_ordinal(rank)} closest of {len(score)} labels"
        )
    return lines


def _ordinal(n: int) -> str:
    return f"{n}{'tsnrhtdd'[(n // 10 % 10 != 1) * (n % 10 < 4) * n % 10 :: 4]}"


def default_model_path(lib, label_field: str = "artist") -> Path:
    """Where the app keeps the model it trains for a library label."""
    return lib.root / "models" / f"{label_field}.npz"


def palette_hint(image, similar_paths: list[str], label: str) -> str:
    """Brightness and saturation of ``image`` beside the mean of ``label``'s most similar works."""
    from artcore.imageio import open_image
    from artcore.imagestats import image_stats

    def stats(src) -> tuple[float, float]:
        s = image_stats(src if hasattr(src, "size") else open_image(src, max_side=256))
        return s["brightness"], s["saturation"]

    from artcore.imageio import ImageError

    q = stats(image)
    ref = []
    for p in similar_paths:
        try:
            ref.append(stats(p))
        except ImageError:  # a training file moved since; the hint simply uses fewer works
            continue
    if not ref:
        return ""
    ref = np.array(ref)
    b, s = ref.mean(0)
    return (f"palette: brightness {q[0]:.2f} vs {b:.2f} and saturation {q[1]:.2f} vs {s:.2f} "
            f"in {label}'s {len(ref)} most similar works")  # fmt: skip


def train_app_model(lib, label_field: str, source: str, progress: embed.Progress | None = None) -> Path:
    """Train and save the app's model for ``label_field``: on the library's labels (``source="library"``) or on
    the shared sample set (``"sample"``, 10 impressionists); returns where it was saved."""
    from artcore.config import SHARED_ARTDATA

    encoder = embed.encoder_for(label_field)
    if source == "library":
        X, labels, paths = library_data(lib, label_field, encoder, progress=progress)
        where = f"library ({label_field})"
    else:
        X, labels, paths = folder_data(SHARED_ARTDATA / "artist10", encoder, progress=progress)
        where = "sample data: 10 impressionists × 10 paintings"
    if progress:
        progress(len(labels), len(labels), "training and cross-validating…")
    return save(train(X, labels, paths, encoder, where), default_model_path(lib, label_field))


def why(model: Model, x: np.ndarray, image, result: dict) -> list[str]:
    """Plain-words reasons for a prediction: feature groups and palette compared with the top label's works."""
    best = result["top"][0]["label"]
    same = [s["path"] for s in result["similar"] if s["label"] == best] or [
        p for p, lab in zip(model.train_paths, model.train_labels) if lab == best
    ][:6]
    return [line for line in [*explain(model, x, best), palette_hint(image, same, best)] if line]
