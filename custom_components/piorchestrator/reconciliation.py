"""Telling a live stream from a dead one, and keeping score of what it missed.

The event stream can stay connected, keepalives and all, while events stop
arriving. Only comparing with the Pi's own account over REST shows it; this
module holds the rules for that comparison and the bookkeeping around it.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final

from homeassistant.util import dt as dt_util

from .const import LOGGER

RECENT_CHECKS: Final = 20
"""How many of the latest stream checks diagnostics keep, with what each found."""


class Reason(StrEnum):
    """Why the session was fetched again."""

    STARTUP = "startup"
    RECONNECT = "reconnect"
    PERIODIC = "periodic"
    GAP = "gap"
    UNSEEN = "unseen"
    """An event named a session or board never heard of: news, not a gap."""
    RESUMED = "resumed"
    """A session resumed from Home Assistant: its boards kept their state unannounced."""

    @property
    def checks_stream(self) -> bool:
        """Whether differences found this way mean the stream missed something.

        After a reconnect or at start-up differences are expected: events sent
        while nobody listened are lost by design.
        """
        return self in (Reason.PERIODIC, Reason.GAP)


@dataclass(slots=True)
class ReconcileRecord:
    """Counts for diagnostics, and the once-only log lines about a silent stream."""

    host: str
    interval: timedelta
    by_reason: Counter[str] = field(default_factory=Counter)
    gap_signals: Counter[str] = field(default_factory=Counter)
    differences_found: int = 0
    last_differences: int | None = None
    detections: int = 0
    last_reconciled_at: datetime | None = None
    recent_checks: deque[dict[str, Any]] = field(
        default_factory=lambda: deque(maxlen=RECENT_CHECKS)
    )
    """The latest checks of the stream: when, why, and how many differences each found."""
    _reported: bool = False

    @property
    def total(self) -> int:
        """Reconciliations of any reason: every time the session was fetched."""
        return sum(self.by_reason.values())

    def record(self, reason: Reason, differences: int, last_event_at: datetime | None) -> None:
        """Count one reconciliation; say once when a healthy-looking stream missed changes."""
        self.by_reason[reason] += 1
        self.last_reconciled_at = dt_util.utcnow()
        if not reason.checks_stream:
            return
        self.last_differences = differences
        self.differences_found += differences
        self.recent_checks.append(
            {
                "at": self.last_reconciled_at.isoformat(),
                "reason": str(reason),
                "differences": differences,
            }
        )
        if differences:
            self.detections += 1
            if not self._reported:
                self._reported = True
                silent = (
                    f"{(dt_util.utcnow() - last_event_at).total_seconds():.0f} s"
                    if last_event_at is not None
                    else "ever since it connected"
                )
                LOGGER.warning(
                    "The event stream of the Pi at %s stayed connected but missed %d change(s); "
                    "its last event came %s ago. Fetched the session over REST instead",
                    self.host,
                    differences,
                    silent,
                )
        elif self._reported:
            self._reported = False
            LOGGER.info("The event stream of the Pi at %s delivers every change again", self.host)

    def as_dict(self) -> dict[str, Any]:
        """The record for a diagnostics download."""
        return {
            "interval_seconds": self.interval.total_seconds(),
            "reconciliations": dict(self.by_reason),
            "gap_signals": dict(self.gap_signals),
            "differences_found": self.differences_found,
            "last_differences": self.last_differences,
            "detections": self.detections,
            "recent_checks": list(self.recent_checks),
            "last_reconciled_at": self.last_reconciled_at.isoformat()
            if self.last_reconciled_at
            else None,
        }
