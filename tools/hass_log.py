"""What a real `hass` log and its entry-state changes say about the integration.

Pure functions, shared by tools/bare_hass.py and its tests, so the patterns the
checks look for live in this one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
import re
from typing import Final

DOMAIN: Final = "piorchestrator"

BROKEN: Final = (
    "No module named",
    "Error occurred loading flow",
    f"Requirements for {DOMAIN} not found",
    "Error setting up entry",
    "Unable to install package",
)
"""Lines in hass's log that mean a user could not use the integration."""

DEPRECATION: Final = (
    "deprecat",
    "will stop working",
    "update listener",
    "report_usage",
    "should use",
    "is using",
    "detected that custom integration",
    "please report it to the author",
)
"""Words of Home Assistant's deprecation reports (`report_usage`, `DeprecatedConstant`,
the frame helper), matched case-insensitively: the newest release must log none about us."""

# Every record hass writes starts with its time; tracebacks and multi-line messages
# continue on lines that do not, and belong to the record above them.
_RECORD_START: Final = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}")


def records(text: str) -> list[str]:
    """Split a log into records, a record's continuation lines joined to it by newlines."""
    found: list[str] = []
    for line in text.splitlines():
        if found and not _RECORD_START.match(line):
            found[-1] = f"{found[-1]}\n{line}"
        elif line.strip():
            found.append(line)
    return found


def _mentions(record: str, words: Iterable[str]) -> bool:
    lowered = record.lower()
    return any(word.lower() in lowered for word in words)


def broken(text: str) -> list[str]:
    """Records saying the integration could not be loaded or set up."""
    return [r for r in records(text) if _mentions(r, BROKEN)]


def deprecations(text: str) -> list[str]:
    """Every deprecation report in the log, whoever it is about."""
    return [r for r in records(text) if _mentions(r, DEPRECATION)]


def deprecations_about_us(text: str, domain: str = DOMAIN) -> list[str]:
    """Deprecation reports that name the integration: each one fails the check."""
    return [r for r in deprecations(text) if domain in r.lower()]


@dataclass
class EntryStates:
    """The states one config entry went through, as Home Assistant announced them.

    Home Assistant announces every state change of an entry (`config_entries/subscribe`);
    a reload shows as one pass through `setup_in_progress`.
    """

    states: list[str] = field(default_factory=list)

    def add(self, state: str) -> None:
        """Record a state; an announcement that repeats the current one is no change."""
        if not self.states or self.states[-1] != state:
            self.states.append(state)

    def mark(self) -> int:
        """A position to count setups from."""
        return len(self.states)

    def since(self, mark: int) -> Sequence[str]:
        """The states entered since `mark`."""
        return self.states[mark:]

    def setups_since(self, mark: int) -> int:
        """How many times the entry was set up since `mark`: one per reload."""
        return sum(1 for state in self.since(mark) if state == "setup_in_progress")

    @property
    def current(self) -> str | None:
        """The latest state, None before the first announcement."""
        return self.states[-1] if self.states else None
