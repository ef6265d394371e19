"""The Pi's own log, served by /system/logs and streamed by /system/logs/stream.

Entries are written by the simulator's components in plain words; no entry ever holds an
API key or a WiFi password.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Final

from simulator.clock import rfc3339
from simulator.events import EventBroker

LEVELS: Final = ("debug", "info", "warn", "error")


class SimLog:
    """A bounded log whose entries are also published as `log` events."""

    def __init__(self, broker: EventBroker, *, size: int = 500) -> None:
        """Keep the last `size` entries and publish each on `broker`."""
        self.broker = broker
        self._entries: deque[dict[str, Any]] = deque(maxlen=size)

    def write(self, level: str, source: str, message: str) -> None:
        """Record one entry."""
        event_id = self.broker.last_id + 1
        entry = {
            "id": str(event_id),
            "timestamp": rfc3339(),
            "level": level,
            "source": source,
            "message": message,
        }
        self._entries.append(entry)
        self.broker.publish("log", entry)

    def info(self, source: str, message: str) -> None:
        """Record an info entry."""
        self.write("info", source, message)

    def warning(self, source: str, message: str) -> None:
        """Record a warning."""
        self.write("warn", source, message)

    def error(self, source: str, message: str) -> None:
        """Record an error."""
        self.write("error", source, message)

    def entries(self, *, limit: int, level: str | None = None) -> list[dict[str, Any]]:
        """Return the newest `limit` entries at `level` or above, oldest first."""
        floor = LEVELS.index(level) if level in LEVELS else 0
        selected = [entry for entry in self._entries if LEVELS.index(entry["level"]) >= floor]
        return selected[-limit:] if limit > 0 else []

    def clear(self) -> None:
        """Forget every entry."""
        self._entries.clear()
