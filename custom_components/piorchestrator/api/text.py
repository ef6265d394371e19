"""Text from the Pi, made safe to show: the one place it is cleaned and escaped.

Whatever answers at the Pi's address can send any characters: control codes that
ring a terminal, bidi overrides (U+202E) that reverse what follows, zero-width
characters that make two names look alike, megabytes where a name is expected.
Every name, description and message the models read passes `clean_text` once,
when it is parsed; nothing downstream needs to clean it again.
"""

from __future__ import annotations

import re
from typing import Final
import unicodedata

NAME_LENGTH: Final = 64
"""Most characters of a name, description or SSID shown as a name."""
MESSAGE_LENGTH: Final = 200
"""Most characters of an error message, wherever it goes."""

_ELLIPSIS: Final = "…"
_SCAN_FACTOR: Final = 8
"""How much of a long text is read: removed characters may precede what is kept."""
_MARKDOWN_SPECIAL: Final = re.compile(r"([\\`*_{}\[\]<>#+\-.!|~&])")
"""What Markdown or HTML reads as markup, here or at the start of a line."""


def clean_text(value: object, *, max_length: int = NAME_LENGTH) -> str | None:
    """Return `value` as one line a person can read, or None when nothing is left.

    Control, format (bidi, zero-width), surrogate, private-use and unassigned
    characters (Unicode's category C) are removed; any run of whitespace, line breaks included, becomes one space; the
    result is cut to `max_length` characters, the last being an ellipsis when
    something was cut.
    """
    if not isinstance(value, str):
        return None
    # Bound the work: a 1 MiB message is not read to the end to keep 200 characters.
    raw = value[: max_length * _SCAN_FACTOR]
    kept = "".join(
        " " if char.isspace() else char
        for char in raw
        if char.isspace() or not unicodedata.category(char).startswith("C")
    )
    text = " ".join(kept.split())
    if len(text) > max_length or (len(value) > len(raw) and text):
        text = text[: max_length - 1].rstrip() + _ELLIPSIS
    return text or None


def clean_message(value: object) -> str | None:
    """An error message: `clean_text` with the message length."""
    return clean_text(value, max_length=MESSAGE_LENGTH)


def escape_markdown(text: str) -> str:
    """Escape `text` so Markdown shows it as it is, without links, markup or HTML."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
