"""Label names as people write them: matching "VanGogh" to "Vincent van Gogh", and telling genre folders from
painters' folders. Pure functions over strings; ``artcore.library.Library`` applies them to a catalog.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

# Genre words, normalised (see ``key``): WikiArt's genre folders, what people call theirs, and a few translations
# (genre4's "Naturmort" is still life in Russian, Polish, ...).
GENRE_WORDS = {
    "abstract", "abstraction", "cityscape", "cityscapes", "genre", "genrepainting", "genrescene", "illustration",
    "illustrations", "landscape", "landscapes", "nude", "nudes", "nudepainting", "portrait", "portraits",
    "selfportrait", "selfportraits", "religious", "religiouspainting", "religion", "sketch", "sketches",
    "sketchandstudy", "study", "studies", "stilllife", "stilllifes", "naturemorte", "naturmort", "stillleben",
    "bodegon", "naturamorta", "naturalezamuerta", "marina", "marine", "seascape", "seascapes", "flowerpainting",
    "flowers", "flower", "mythological", "mythologicalpainting", "mythology", "history", "historypainting",
    "historical", "allegorical", "allegoricalpainting", "animal", "animals", "animalpainting", "battle",
    "battlepainting", "interior", "interiors", "figure", "figures", "figurative", "veduta", "capriccio",
    "design", "poster", "posters", "symbolicpainting", "wildlife", "wildlifepainting", "miniature",
    "landschaft", "paysage", "ritratto", "retrato", "bildnis", "portret", "pejzaz", "peizazh", "peyzazh",
}  # fmt: skip
# Movements and styles, normalised; any one-word name ending in "ism" counts too.
STYLE_WORDS = {
    "baroque", "rococo", "renaissance", "earlyrenaissance", "highrenaissance", "northernrenaissance",
    "laterenaissance", "protorenaissance", "mannerism", "mannerismlaterenaissance", "artnouveau", "artnouveaumodern",
    "artdeco", "popart", "ukiyoe", "naiveart", "naiveartprimitivism", "colorfieldpainting", "colourfieldpainting",
    "actionpainting", "abstractexpressionism", "postimpressionism", "neoimpressionism", "analyticalcubism",
    "syntheticcubism", "contemporaryrealism", "newrealism", "gothic", "byzantine", "romanesque", "modern",
    "contemporary", "streetart", "opart", "hardedge", "lyricalabstraction", "academic", "academicart",
    "neoclassical", "neoclassic", "preraphaelite", "fauve", "fauves", "nabis", "hudsonriverschool",
}  # fmt: skip


def shown(name: str) -> str:
    """A label as people write it: ``Vincent_van_Gogh`` → "Vincent van Gogh"."""
    return name.replace("_", " ")


def key(name: str) -> str:
    """``name`` compared the forgiving way: no case, accents, spaces, underscores or punctuation."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "", text.casefold())


def words(name: str) -> list[str]:
    """The words of a name, normalised: "Pierre-Auguste_Renoir" → ["pierre", "auguste", "renoir"];
    "VanGogh" → ["van", "gogh"] (CamelCase splits)."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    return [w for w in (key(part) for part in re.split(r"[\W_]+", spaced)) if w]


def is_tail_of(label: str, full: str) -> bool:
    """True when ``label`` is ``full``'s last word(s) (e.g. the surname): "Monet" / "Claude Monet",
    "VanGogh" / "Vincent van Gogh", "gogh" / "Vincent van Gogh"; never the whole name, never under 3 letters."""
    k, parts = key(label), words(full)
    if len(k) < 3:
        return False
    return any("".join(parts[i:]) == k for i in range(1, len(parts)))


def propose_merges(counts: Mapping[str, int], canonical: Iterable[str] = (), *, tails: bool = True) -> list[tuple[str, str]]:
    """Pairs (old, new) of labels that name the same thing, given labels with their image counts.

    ``canonical`` names (e.g. the painters of a Kaggle ``artists.csv``) are where merges go: a label written
    differently ("Vincent_van_Gogh", "Albrecht Durer") or, with ``tails``, one that is the end of exactly one such
    name ("Monet", "VanGogh") is proposed to merge into it. Labels that differ only in how they are written
    ("landscape" / "Landscape") merge into the canonical one, else the most used. A label that could be more than
    one painter ("Bruegel" with two Bruegels) is left alone.
    """
    canonical = [c for c in dict.fromkeys(canonical) if key(c)]
    canon_keys = {key(c): c for c in canonical}
    labels = [name for name in counts if key(name)]
    # 1. The same name written differently: one target per key, the canonical one else the most used.
    by_key: dict[str, list[str]] = {}
    for name in labels:
        by_key.setdefault(key(name), []).append(name)
    target = {k: canon_keys.get(k) or min(names, key=lambda n: (-counts[n], n)) for k, names in by_key.items()}
    pairs = {name: target[key(name)] for name in labels if target[key(name)] != name}
    if tails:
        # 2. The end of exactly one longer name: a canonical one if any matches, else another label.
        fulls = {c: c for c in canonical}
        for name in labels:
            if len(words(name)) >= 2:
                fulls.setdefault(name, target[key(name)])
        tail_of: dict[str, set[str]] = {}
        for name in labels:
            if key(name) in canon_keys:
                continue
            found = {t for f, t in fulls.items() if key(t) != key(name) and is_tail_of(name, f)}
            if found:
                tail_of[name] = {t for t in found if key(t) in canon_keys} or found
        for _ in range(3):  # "Gogh" ends both "Van Gogh" and "Vincent van Gogh": one painter once those merge
            for name, found in tail_of.items():
                ends = {_follow(pairs, t) for t in found} - {_follow(pairs, name)}
                if len(ends) == 1:
                    pairs[name] = ends.pop()
    pairs = {old: _follow(pairs, new) for old, new in pairs.items()}
    return sorted(((o, n) for o, n in pairs.items() if o != n), key=lambda p: (key(p[0]), p[0]))


def _follow(pairs: Mapping[str, str], name: str) -> str:
    seen = {name}
    while name in pairs and pairs[name] not in seen:
        name = pairs[name]
        seen.add(name)
    return name


# ---------------------------------------------------------------- what sub-folder names mean


def folder_kind(name: str) -> str:
    """What one sub-folder name looks like: "genre", "style" or "name" (a painter, or anything else)."""
    k = key(name)
    if k in GENRE_WORDS or (k.endswith("painting") and k[: -len("painting")] in GENRE_WORDS):
        return "genre"
    parts = words(name)
    if k in STYLE_WORDS or (len(parts) <= 3 and parts and parts[-1].endswith("ism") and len(parts[-1]) > 4):
        return "style"
    return "name"


def detect_label_field(names: Iterable[str]) -> str | None:
    """What a tree's sub-folder names are: "genre" or "style" when most of them are genre or style words,
    else "artist"; None when there are no sub-folders."""
    kinds = [folder_kind(n) for n in names if not n.startswith(".")]
    if not kinds:
        return None
    for field, kind in (("genre", "genre"), ("style", "style")):
        if kinds.count(kind) * 2 > len(kinds):
            return field
    if (kinds.count("genre") + kinds.count("style")) * 2 > len(kinds):
        return "genre" if kinds.count("genre") >= kinds.count("style") else "style"
    return "artist"
