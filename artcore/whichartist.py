"""The logic behind the "Which artist?" page: the built-in painter model's answer, a library model's answer, the
painter's facts and plain-words reasons.

Two models can answer. The built-in one is the painting encoder's own painter head (``artcore.artnet``): it needs no
training and knows the painters it was trained on. A library model (``artcore.classify``) is trained in one click on
the library's labels; for a label the encoder never saw, its answer rests on style similarity alone.
"""

from __future__ import annotations

import re

import numpy as np
from PIL import Image

from artcore import artnet, classify, embed
from artcore.errors import UserError
from artcore.imageio import open_image, open_picture

MIN_SIDE = 32  # smaller pictures hold too little of a painting to say anything about it
BIO_CHARS = 320  # a short bio: whole sentences up to about this long


# ------------------------------------------------------------------ input


def load_picture(source, name: str | None = None) -> Image.Image:
    """An upload's bytes (its file ``name``, for the message) or a library path as an RGB image, or a one-sentence
    ``UserError`` saying why not. Big pictures are read at 1024 px on the longer side; a panorama keeps ``MIN_SIDE``
    px on its short side."""
    return open_picture(source, min_side=MIN_SIDE, max_side=1024, name=name, purpose="to judge")


# ------------------------------------------------------------------ facts


def _is_aside(text: str) -> bool:
    """A parenthesis of a Wikipedia first sentence that only gets in a reader's way: pronunciations, other
    spellings with semicolons, "(listen)", life dates (shown separately), stray letters."""
    t = text.strip(" ,;")
    return (len(t) <= 2 or any(c in t for c in ";[:") or "listen" in t
            or bool(re.search(r"\d{3,4}", t) and re.search(r"[–-]", t)))  # fmt: skip


def short_bio(bio: str | None, limit: int = BIO_CHARS) -> str:
    """The first sentences of a Kaggle/Wikipedia bio, without pronunciations and asides, about ``limit`` chars."""
    text = (bio or "").strip()
    kept: list[str] = []

    def judge(m: re.Match) -> str:
        if _is_aside(m.group(1)):
            return ""
        kept.append(m.group(0))
        return f"\0{len(kept) - 1}\0"

    while True:  # innermost parentheses first; those worth keeping are parked so their outer ones can be judged
        new = re.sub(r"\s*\(([^()]*)\)", judge, text)
        if new == text:
            break
        text = new
    while "\0" in text:
        text = re.sub(r"\0(\d+)\0", lambda m: kept[int(m.group(1))], text)
    text = re.sub(r"([a-z])\.([A-Z][a-z])", r"\1. \2", text)  # "school.As" → "school. As"
    text = re.sub(r"\s+([,.;])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()
    sentences = re.split(r"(?<=[a-z]{2}[.!?])\s+(?=[A-Z])", text)
    out = ""
    for s in sentences:
        if out and len(out) + len(s) > limit:
            break
        out = f"{out} {s}".strip()
    if len(out) > limit + 120:
        out = out[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return out


def painter_facts(label: str, meta: dict, lib=None) -> dict | None:
    """Facts about the painter behind ``label`` (an encoder folder such as ``Claude_Monet`` or a library label such
    as ``Monet``): {"name", "years", "movement", "nationality", "bio", "wikipedia"}; None when nothing is known.

    The library's imported artists.csv wins (it is the user's own data); otherwise the facts the encoder shipped with.
    """
    folder = label if label in meta.get("painters", []) else artnet.known_painter(label, meta)
    names = [label] + ([artnet.nice_name(folder, meta)] if folder else [])
    facts = None
    if lib is not None:
        facts = next((f for f in map(lib.artist_facts, dict.fromkeys(names)) if f), None)
    if not facts and folder:
        facts = meta.get("facts", {}).get(folder)
    if not facts:
        return None
    return {
        "name": (facts.get("name") or names[-1]).strip(),
        "years": re.sub(r"\s*[-–]\s*", " – ", facts.get("years") or "").strip(),
        "movement": ", ".join(artnet.movements_of(facts)),
        "nationality": ", ".join(n.strip() for n in (facts.get("nationality") or "").split(",") if n.strip()),
        "bio": short_bio(facts.get("bio")),
        "wikipedia": (facts.get("wikipedia") or "").strip(),
    }


# ------------------------------------------------------------------ the built-in painter model


def builtin_summary(meta: dict) -> str:
    """What the built-in model has seen, in one line."""
    line = f"The built-in model knows {len(meta['painters'])} painters"
    top1 = meta.get("summary", {}).get("test", {}).get("top1")
    n = meta.get("summary", {}).get("test", {}).get("n")
    if top1 is not None:
        line += f", held-out accuracy {top1:.0%}" + (f" (on {n} paintings it never trained on)" if n else "")
    return line


def builtin_painters(meta: dict) -> list[str]:
    """The built-in model's painters by display name, alphabetical."""
    return sorted((artnet.nice_name(p, meta) for p in meta["painters"]), key=str.casefold)


def builtin_answer(image: Image.Image, meta: dict, lib=None, top: int = 5) -> dict:
    """The built-in painter model's answer: {"top": [{"label" (display name), "painter" (folder), "prob"}],
    "movements": [{"label", "prob"}] the picture looks like, "facts": painter_facts of the first painter}."""
    res = artnet.painters(image, top=top)
    return {
        "top": [
            {"label": artnet.nice_name(t["label"], meta), "painter": t["label"], "prob": t["prob"]} for t in res["top"]
        ],
        "movements": res["movements"],
        "facts": painter_facts(res["top"][0]["label"], meta, lib),
    }


# ------------------------------------------------------------------ a library model


def unseen_labels(labels: list[str], meta: dict) -> list[str]:
    """The library model's labels whose painter the encoder was never trained on."""
    return [label for label in labels if artnet.known_painter(label, meta) is None]


def unseen_note(labels: list[str], meta: dict) -> str | None:
    """The plain-words warning for labels the encoder never saw, or None when it saw them all."""
    unseen = unseen_labels(labels, meta)
    if not unseen:
        return None
    names = ", ".join(unseen[:-1]) + (" and " if len(unseen) > 1 else "") + unseen[-1]
    return (f"For {names} the answer rests on style similarity only: the painting encoder was not trained on "
            f"{'their' if len(unseen) > 1 else 'this painter’s'} work.")  # fmt: skip


def library_answer(model: classify.Model, image: Image.Image, source=None) -> tuple[np.ndarray, dict]:
    """(embedding, ``classify.predict_embeddings`` result) for one picture.

    ``source`` (the upload's bytes or a library path) is embedded rather than ``image`` when given: decoded exactly
    as the library's own files were, a library painting is recognised as itself and not listed as "similar"."""
    x = embed.embed_one(image if source is None else source, model.encoder)
    return x, classify.predict_embeddings(model, x[None], ["picture"])[0]


def why(model: classify.Model, x: np.ndarray, image: Image.Image, result: dict) -> list[str]:
    """Plain-words reasons for a library model's answer: how the top label ranks on each kind of feature, how many of
    the most similar works are theirs, and how the picture's light and colour compare with those works."""
    best = result["top"][0]["label"]
    lines = []
    for line in classify.explain(model, x, best):
        line = line.replace("the 1st closest", "the closest")
        lines.append(line[:1].upper() + line[1:])
    similar = result.get("similar", [])
    same = [s["path"] for s in similar if s["label"] == best]
    if similar:
        lines.append(f"None of the {len(similar)} most similar works is {best}'s." if not same else
                     f"{len(same)} of the {len(similar)} most similar works {'is' if len(same) == 1 else 'are'} "
                     f"{best}'s.")  # fmt: skip
    ref = same or [p for p, lab in zip(model.train_paths, model.train_labels) if lab == best][:6]
    palette = palette_words(image, ref, f"{best}'s most similar works" if same else f"{best}'s works")
    if palette:
        lines.append(palette)
    return lines


def palette_words(image: Image.Image, paths: list[str], works: str) -> str:
    """A sentence such as "Light and colour: darker and more muted than Monet's works" (``works`` names the
    paintings at ``paths``); "" when none of them can be opened."""
    from artcore.imagestats import image_stats

    ref = []
    for p in paths:
        try:
            s = image_stats(open_image(p, max_side=256))
        except UserError:  # a training file moved since: compare with fewer works
            continue
        ref.append((s["brightness"], s["saturation"]))
    if not ref:
        return ""
    q = image_stats(image)
    b, s = np.mean(ref, 0)

    def word(delta: float, more: str, less: str) -> str | None:
        if abs(delta) < 0.04:
            return None
        return ("much " if abs(delta) > 0.15 else "") + (more if delta > 0 else less)

    light, colour = word(q["brightness"] - b, "lighter", "darker"), word(q["saturation"] - s, "more colourful",
                                                                          "more muted")  # fmt: skip
    if light and colour:
        return f"Light and colour: {light} and {colour} than {works}."
    if light:
        return f"Light and colour: {light} than {works}, about as colourful."
    if colour:
        return f"Light and colour: about as light as {works}, {colour}."
    return f"Light and colour: about as light and as colourful as {works}."
