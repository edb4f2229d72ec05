"""The "Which artist?" page's logic without the app: facts, short bios, notes and clear errors for bad pictures."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from artcore import whichartist
from artcore.errors import UserError

META = {
    "painters": ["Claude_Monet", "Rembrandt", "Albrecht_Durer"],
    "movements": ["Baroque", "Impressionism", "Northern Renaissance"],
    "facts": {
        "Claude_Monet": {"name": "Claude Monet", "years": "1840 - 1926", "genre": "Impressionism",
                         "nationality": "French", "bio": "Oscar-Claude Monet (; French: [klod mɔnɛ]; 14 November "
                         "1840 – 5 December 1926) was a French painter.", "wikipedia": "http://en.wikipedia.org/wiki/Claude_Monet"},
        "Albrecht_Durer": {"name": "Albrecht Dürer", "years": "1471 - 1528", "genre": "Northern Renaissance",
                           "nationality": "German", "bio": "", "wikipedia": ""},
    },
    "summary": {"test": {"top1": 0.873, "n": 1200}},
}  # fmt: skip


def png(w: int, h: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), (120, 80, 40)).save(buf, format="PNG")
    return buf.getvalue()


def test_short_bio_drops_pronunciations_and_life_dates():
    bio = ("Hieronymus Bosch ( (listen); Dutch: [ɦijeːˈroːnimʏz ˈbɔs] (listen); born Jheronimus van Aken "
           "[jeːˈroːnimʏs fɑn ˈaːkə(n)]; c. 1450 – 9 August 1516) was a Dutch draughtsman. He painted (in oil) "
           "fantastic scenes.Later critics admired him. " + "More words here. " * 40)  # fmt: skip
    short = whichartist.short_bio(bio)
    assert short.startswith("Hieronymus Bosch was a Dutch draughtsman. He painted (in oil) fantastic scenes. Later")
    assert "[" not in short and "listen" not in short and len(short) <= whichartist.BIO_CHARS
    assert whichartist.short_bio(None) == ""


def test_painter_facts_prefer_the_library_then_the_encoder(tmp_library, tmp_path):
    monet = whichartist.painter_facts("Claude_Monet", META)
    assert monet == {"name": "Claude Monet", "years": "1840 – 1926", "movement": "Impressionism",
                     "nationality": "French", "bio": "Oscar-Claude Monet was a French painter.",
                     "wikipedia": "http://en.wikipedia.org/wiki/Claude_Monet"}  # fmt: skip
    assert whichartist.painter_facts("Monet", META)["name"] == "Claude Monet"  # a library label
    assert whichartist.painter_facts("Rembrandt", META) is None  # known painter, no facts shipped
    assert whichartist.painter_facts("Hassam", META) is None

    csv = tmp_path / "artists.csv"
    csv.write_text("id,name,years,genre,nationality,bio,wikipedia,paintings\n"
                   "0,Claude Monet,1840 - 1926,\"Impressionism,Plein air\",French,From my own notes.,,3\n")  # fmt: skip
    tmp_library._import_artists_csv(csv)
    mine = whichartist.painter_facts("Claude_Monet", META, tmp_library)
    assert mine["bio"] == "From my own notes." and mine["movement"] == "Impressionism, Plein air"


def test_builtin_summary_and_unseen_note():
    assert whichartist.builtin_summary(META) == (
        "The built-in model knows 3 painters, held-out accuracy 87% (on 1200 paintings it never trained on)"
    )
    assert whichartist.builtin_painters(META) == ["Albrecht Dürer", "Claude Monet", "Rembrandt"]
    assert whichartist.unseen_labels(["Monet", "Hassam", "Sargent", "Durer"], META) == ["Hassam", "Sargent"]
    assert whichartist.unseen_note(["Monet", "Hassam", "Sargent"], META) == (
        "For Hassam and Sargent the answer rests on style similarity only: the painting encoder was not trained "
        "on their work."
    )
    assert whichartist.unseen_note(["Monet", "Rembrandt"], META) is None


@pytest.mark.parametrize(
    ("data", "says"),
    [(b"these are my notes, not a picture", "cannot be read as a picture"), (b"", "cannot be read as a picture"),
     (png(1, 1), "only 1×1 pixels"), (png(400, 20), "only 400×20 pixels")],
)  # fmt: skip
def test_bad_pictures_are_one_clear_sentence(data, says):
    with pytest.raises(UserError, match=says) as err:
        whichartist.load_picture(data)
    assert str(err.value).count(". ") == 0 and str(err.value).endswith(".")


def test_a_good_picture_loads():
    assert whichartist.load_picture(png(300, 200)).size == (300, 200)


def test_palette_in_plain_words(tmp_path):
    dark = tmp_path / "dark.png"
    Image.new("RGB", (64, 64), (40, 30, 20)).save(dark)
    light_grey = Image.new("RGB", (64, 64), (230, 230, 230))
    assert whichartist.palette_words(light_grey, [str(dark)], "Rembrandt's works") == (
        "Light and colour: much lighter and much more muted than Rembrandt's works."
    )
    same = Image.open(dark).convert("RGB")
    assert whichartist.palette_words(same, [str(dark)], "Rembrandt's works") == (
        "Light and colour: about as light and as colourful as Rembrandt's works."
    )
    assert whichartist.palette_words(same, [str(tmp_path / "gone.jpg")], "Rembrandt's works") == ""
