"""The 26 ready-made styles by name: the table, ``builtin:NAME`` on the command line, and the measured default."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from artcore.config import PROJECT_ROOT
from artcore.errors import UserError
from artcore.style import NUM_BUILTIN, StyleSource, parse_source
from artcore.style.builtins import (
    BUILTIN_NAMES,
    VIDEO_DEFAULT,
    builtin_index,
    builtin_label,
    builtin_slug,
)

RESULTS = PROJECT_ROOT / "benchmarks" / "results" / "builtins.json"


def test_every_builtin_has_a_name_and_a_unique_slug():
    assert len(BUILTIN_NAMES) == NUM_BUILTIN == 26
    for title, painter in BUILTIN_NAMES:
        assert title.strip() == title and title
        assert painter is None or (painter.strip() == painter and painter)
    slugs = [builtin_slug(i) for i in range(NUM_BUILTIN)]
    assert len(set(slugs)) == NUM_BUILTIN and all(s and not s.isdigit() for s in slugs)
    assert BUILTIN_NAMES[19] == ("The Starry Night", "Vincent van Gogh")
    assert builtin_label(19) == "The Starry Night — Vincent van Gogh"
    unidentified = [i for i, (_, painter) in enumerate(BUILTIN_NAMES) if painter is None]
    assert unidentified and all(builtin_label(i).endswith("painting not identified") for i in unidentified)


@pytest.mark.parametrize("spec,index,weight", [
    ("builtin:19", 19, 1.0), ("builtin:the-starry-night", 19, 1.0), ("builtin:The Starry Night@0.5", 19, 0.5),
    ("builtin:la-muse@2", 13, 2.0), ("builtin:the-staircase", 22, 1.0), ("builtin:Udnie", 23, 1.0),
    ("builtin:AIR, IRON AND WATER", 0, 1.0)])  # fmt: skip
def test_builtin_names_parse(spec, index, weight):
    src = parse_source(spec)
    assert (src.kind, src.value, src.weight) == ("builtin", index, weight)
    assert src.label == BUILTIN_NAMES[index][0]  # what weight sliders and the gallery show


def test_every_slug_parses_back_to_its_style():
    assert [parse_source(f"builtin:{builtin_slug(i)}").value for i in range(NUM_BUILTIN)] == list(range(NUM_BUILTIN))


@pytest.mark.parametrize("spec,words", [("builtin:26", "builtin:0 to builtin:25"),
                                        ("builtin:mona-lisa", "no built-in style called 'mona-lisa'"),
                                        ("builtin:", "no built-in style called")])  # fmt: skip
def test_unknown_builtins_are_refused_in_one_sentence(spec, words):
    with pytest.raises(UserError, match=words) as err:
        parse_source(spec)
    assert "the-starry-night" in str(err.value)  # it says what would work


def test_builtin_index_accepts_numbers_slugs_and_titles():
    assert builtin_index("7") == builtin_index("evening-tones") == builtin_index(" Evening Tones ") == 7


def test_cli_lists_the_builtins():
    proc = subprocess.run([sys.executable, "-m", "artcore", "style", "builtins", "--json"], capture_output=True,
                          text=True, cwd=PROJECT_ROOT, timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert len(rows) == 26 and rows[19] == {"index": 19, "name": "the-starry-night", "title": "The Starry Night",
                                            "painter": "Vincent van Gogh"}  # fmt: skip


def test_video_default_is_the_measured_one():
    """``VIDEO_DEFAULT`` is what ``benchmarks/builtins_bench.py`` chose, and that choice follows its rule."""
    sys.path.insert(0, str(PROJECT_ROOT / "benchmarks"))
    from builtins_bench import choose

    res = json.loads(RESULTS.read_text())
    assert len(res["styles"]) == NUM_BUILTIN and len(res["photos"]) >= 3
    assert res["default"] == VIDEO_DEFAULT == choose(res["styles"], res["change_min"])
    chosen = res["styles"][VIDEO_DEFAULT]
    assert chosen["change"] >= res["change_min"]  # it still clearly changes the picture
    old = res["styles"][3]  # the former default, which shattered the picture
    assert chosen["keep"] > old["keep"]


def test_style_source_label_names_the_painting():
    assert StyleSource("builtin", 23).label == "Udnie"
