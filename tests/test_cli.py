"""The CLI's JSON contracts, --help everywhere, and errors as one sentence on stderr."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from artcore.cli import build_parser


def run(*args, check=True):
    proc = subprocess.run([sys.executable, "-m", "artcore", *map(str, args)], capture_output=True, text=True)
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def subcommand_paths(parser, prefix=()):
    for action in parser._actions:
        if action.__class__.__name__ == "_SubParsersAction":
            for name, sub in action.choices.items():
                yield (*prefix, name)
                yield from subcommand_paths(sub, (*prefix, name))


@pytest.mark.parametrize("path", [(), *subcommand_paths(build_parser())], ids=" ".join)
def test_help_everywhere(path):
    out = run(*path, "--help").stdout
    assert "usage: artcore" in out


def test_import_stats_list_contract(tmp_path, broken_folder):
    lib = tmp_path / "lib"
    report = json.loads(run("library", "import", broken_folder["root"], "--label-from", "parent", "--library", lib,
                            "--json").stdout)  # fmt: skip
    assert set(report) == {"added", "duplicates", "skipped"}
    assert report["added"] >= 5 and all(set(s) == {"file", "reason"} for s in report["skipped"])
    stats = json.loads(run("--library", lib, "library", "stats", "--json").stdout)
    assert stats["images"] == report["added"]
    assert stats["labels"]["artist"] == {"Monet": report["added"]} and stats["skipped"] == len(report["skipped"])
    rows = json.loads(run("library", "list", "--label", "Monet", "--json", "--library", lib).stdout)
    assert len(rows) == report["added"]
    assert set(rows[0]) == {"sha256", "path", "width", "height", "format", "source", "artist", "genre", "style",
                            "licence", "attribution"}  # fmt: skip
    rotated = next(r for r in rows if r["width"] == broken_folder["good"]["rotated.jpg"][0]
                   and r["height"] == broken_folder["good"]["rotated.jpg"][1])  # fmt: skip
    assert rotated["source"] == "folder"
    assert json.loads(run("library", "list", "--label", "Nobody", "--json", "--library", lib).stdout) == []


def test_errors_are_one_sentence(tmp_path):
    proc = run("library", "import", tmp_path / "missing", "--library", tmp_path / "lib", check=False)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "does not exist" in proc.stderr
    proc = run("library", "import", tmp_path, "--library", tmp_path / "lib", check=False)
    assert proc.returncode == 2 and "no image files" in proc.stderr


def test_one_command_parser_matches_full():
    """A run of one command registers only its module (fast start): the table must name every command's module."""
    from artcore.cli import COMMAND_MODULES

    full = build_parser()
    commands = [p[0] for p in subcommand_paths(full) if len(p) == 1]
    assert sorted(commands) == sorted(COMMAND_MODULES)
    for name in commands:
        alone = build_parser(["--library", "x", name])
        assert [p for p in subcommand_paths(alone)] == [p for p in subcommand_paths(full) if p[0] == name]
