"""The one exception type whose message is shown to a user as-is, and how a message is made fit to show."""

from __future__ import annotations

import re


class UserError(Exception):
    """Bad input or a state the user can fix; the message is one clear sentence."""


# An absolute path (POSIX, home-relative or Windows): a slash or drive not glued to a word, a dot, a colon or another
# slash (so "JPEG/PNG", "1/8" and URLs are left alone), then at least one path character.
_SEP = r"[\\/]"
_PART = r"[^\s\\/'\"`()<>\[\],;:*?|]"
_PATH = re.compile(rf"(?<![\w.:/\\~-])(?:~|[A-Za-z]:)?{_SEP}(?={_PART})(?:{_PART}+{_SEP})*({_PART}*)")


def strip_paths(text: str) -> str:
    """``text`` with every absolute path replaced by its last part (a file's name), so no server path is shown."""

    def name(m: re.Match) -> str:
        last = m.group(1) or next((p for p in reversed(re.split(_SEP, m.group(0))) if p), "")
        return last.strip(".") and last or "a file"

    return _PATH.sub(name, text)


def sentence(message: object) -> str:
    """A message (or an exception) as one plain sentence for a person: no server paths, one line, a capital first
    letter and a closing full stop."""
    text = " ".join(strip_paths(str(message)).split())
    if not text:
        return "Something about that input could not be used."
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?…" else text + "."
