"""Counters behind GET /_sim/report."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field


@dataclass(slots=True)
class Stats:
    """What the simulator has served so far."""

    requests: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    events_sent: Counter[str] = field(default_factory=Counter)
    connections_opened: Counter[str] = field(default_factory=Counter)
    faults_triggered: Counter[str] = field(default_factory=Counter)

    def count_request(self, path: str, status: int) -> None:
        """Record one answered request."""
        self.requests[path][str(status)] += 1

    def reset(self) -> None:
        """Zero every counter."""
        self.requests.clear()
        self.events_sent.clear()
        self.connections_opened.clear()
        self.faults_triggered.clear()
