"""Looks for secrets wherever they could surface: whole, cut, encoded or escaped."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass, field
import json
from typing import Any
from urllib.parse import quote, quote_plus, unquote

from tests.reliability.results import COLLECTOR

WINDOW = 10
"""Characters of a secret in a row that count as showing it."""


def _forms(secret: str, others: Iterable[str] = ()) -> set[str]:
    """The ways a secret can be written out by code that does not mean to hide it."""
    forms = {
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        json.dumps(secret)[1:-1],
        repr(secret)[1:-1],
        base64.b64encode(secret.encode()).decode(),
    }
    # Any ten characters of it in a row: a secret cut short or partly masked still counts
    # (but not a run it shares with another secret: that would name the wrong one).
    others = list(others)
    for start in range(len(secret) - WINDOW + 1):
        window = secret[start : start + WINDOW]
        if not any(window in other for other in others):
            forms.add(window)
    return forms


@dataclass
class SecretScanner:
    """Searches text for any of `secrets`; records every search for the report."""

    secrets: dict[str, str]
    """Name of each secret, and its value."""
    leaks: list[str] = field(default_factory=list)
    _forms: dict[str, set[str]] = field(init=False)

    def __post_init__(self) -> None:
        """Work out every form of every secret once."""
        self._forms = {
            name: _forms(secret, [other for key, other in self.secrets.items() if key != name])
            for name, secret in self.secrets.items()
        }

    def find(self, text: str) -> list[str]:
        """The names of the secrets `text` contains, in any of their forms."""
        candidates = (text, unquote(text))
        return sorted(
            name
            for name, forms in self._forms.items()
            if any(form in candidate for form in forms for candidate in candidates)
        )

    def scan(self, place: str, items: Iterable[Any]) -> int:
        """Search every item (its repr, or itself when a string); return how many."""
        count = 0
        found = 0
        for item in items:
            count += 1
            text = item if isinstance(item, str) else _text(item)
            if names := self.find(text):
                found += 1
                self.leaks.append(f"{place}: {', '.join(names)} in {text[:300]!r}")
        COLLECTOR.searched(place, count, found)
        return count


def _text(item: Any) -> str:
    try:
        return json.dumps(item, default=repr, sort_keys=True)
    except (TypeError, ValueError):
        return repr(item)
