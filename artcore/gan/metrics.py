"""How good a generator is, judged by a network its discriminator never saw.

The judge is Magenta's style network (an Inception trained on paintings' styles, ``embed`` encoder "magenta"): the
discriminator looks through EfficientNet-Lite0, so Lite0's features would grade the generator on the very features
it was trained to match.

- Fréchet distance between the judge's features of generated and real images (both seen at the training
  resolution), beside the floor: the same distance between two halves of the real set, with as many images on
  each side.
- Class fidelity: the share of generated images that a classifier trained on the real images (same features)
  assigns to the class they were generated for, beside that classifier's cross-validated accuracy on real images.
"""

from __future__ import annotations

import numpy as np


def features(images: np.ndarray, progress=None, encoder: str = "magenta") -> np.ndarray:
    """The judge's features (``encoder``: an ``artcore.embed`` encoder) of uint8 N×H×W×3 images."""
    from PIL import Image

    from artcore import embed

    return embed.compute([Image.fromarray(im) for im in images], encoder, progress=progress)


def frechet(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets."""
    from scipy import linalg

    mu_a, mu_b = a.mean(0), b.mean(0)
    ca, cb = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean, _ = linalg.sqrtm(ca @ cb, disp=False)
    covmean = covmean.real
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(ca) + np.trace(cb) - 2 * np.trace(covmean))


def real_classifier(real: np.ndarray, labels: np.ndarray):
    """The judge of class fidelity: a logistic regression on real images' features."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=3000)).fit(real, labels)


def evaluate(model, images: np.ndarray, labels: np.ndarray, classes: list[str], trunc: float = 1.0,
             seed: int = 0, progress=None) -> dict:  # fmt: skip
    """FD, its real-vs-real floor, and class fidelity of ``model`` against its training images."""
    from sklearn.base import clone
    from sklearn.model_selection import cross_val_score

    from artcore.gan.generate import generate

    if list(classes) != list(model.classes):
        raise ValueError(f"the data's classes {classes} are not the model's {model.classes}")
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(images))
    half_a, half_b = order[: len(order) // 2], order[len(order) // 2 :]
    real = features(images, progress)
    # As many generated images per class as half B has, so generated and real-half sets match in size and mix.
    gen_labels = labels[half_b]
    gen = np.concatenate([
        generate(model, list(range(seed * 100_000 + ci * 10_000, seed * 100_000 + ci * 10_000 + int((gen_labels == ci).sum()))),
                 model.class_vector({c: 1.0}), trunc)
        for ci, c in enumerate(classes) if (gen_labels == ci).any()
    ])  # fmt: skip
    gen_y = np.concatenate([np.full(int((gen_labels == ci).sum()), ci) for ci in range(len(classes))])
    fake = features(gen)
    clf = real_classifier(real, labels)
    real_acc = float(cross_val_score(clone(clf), real, labels, cv=5).mean())
    fidelity = float((clf.predict(fake) == gen_y).mean())
    return {
        "judge": "magenta",
        "fd": round(frechet(fake, real[half_a]), 3),
        "fd_floor": round(frechet(real[half_b], real[half_a]), 3),
        "class_fidelity": round(fidelity, 3),
        "real_classifier_accuracy": round(real_acc, 3),
        "chance": round(1 / len(classes), 3),
        "n_generated": int(len(gen)),
        "n_real_half": int(len(half_a)),
        "truncation": trunc,
        "resolution": int(images.shape[1]),
    }
