"""The monitor WebSocket (API.md §7): the Pi's health, pushed every few seconds."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncGenerator, Mapping
from contextlib import suppress
from dataclasses import dataclass
import json
import logging
import time
from typing import Any, Final, Protocol

import aiohttp

from .backoff import Backoff
from .errors import PiOrchestratorConnectionError, PiOrchestratorTimeoutError
from .health import Health, health_from_monitoring
from .stream import (
    OnceLogger,
    ReconnectingStream,
    SleepFunction,
    StreamConnected,
    StreamDisconnected,
)

_LOGGER = logging.getLogger(__name__)

MonitorConnected = StreamConnected
"""The monitor is (again) connected; the same type as the event stream's."""
MonitorDisconnected = StreamDisconnected
"""The monitor went down; the same type as the event stream's."""

_CLOSE_TIMEOUT: Final = 2.0
SILENT_INTERVALS: Final = 3
"""Missed updates after which a socket that still answers pings counts as dead."""
_LEARNING_RATE: Final = 0.3
_MIN_INTERVAL: Final = 0.05
_MAX_INTERVAL: Final = 300.0
_PING: Final = {"type": "ping"}
_ENDED: Final = (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED)


class MonitorClient(Protocol):
    """What the monitor needs of a client (`PiOrchestratorClient` has it)."""

    @property
    def host(self) -> str:
        """The Pi's host name or address, for log lines."""

    async def connect_monitor(self) -> aiohttp.ClientWebSocketResponse:
        """Open the WebSocket; raise a `PiOrchestratorError` when it cannot."""


@dataclass(frozen=True, slots=True)
class HealthUpdate:
    """A new health reading, and the MonitoringData it was read from.

    `raw` is the whole snapshot after merging the update; it is shared, not copied:
    treat it as read-only.
    """

    health: Health
    raw: Mapping[str, Any]
    initial: bool = False
    """Whether this is the full snapshot sent on connecting, not a pushed update."""


MONITORING_FIELDS: Final[Mapping[str, frozenset[str]]] = {
    "system_health": frozenset(
        ("cpu_usage", "memory_usage", "disk_usage", "temperature", "uptime", "load_average")
    ),
    "security_metrics": frozenset(
        (
            "failed_ssh_attempts",
            "last_security_check",
            "certificate_expiry",
            "mqtt_secure_connections",
            "encryption_level",
            "threat_level",
        )
    ),
    "service_status": frozenset(
        (
            "mqtt_connected",
            "mqtt_secure",
            "api_responding",
            "database_connected",
            "last_health_check",
            "service_uptime",
        )
    ),
    "network_metrics": frozenset(
        ("active_connections", "bytes_received", "bytes_sent", "packet_loss", "latency")
    ),
}
"""The sections of MonitoringData (API.md §7) kept, and the fields kept in each."""
MONITORING_SCALARS: Final = frozenset(("timestamp", "alerts_count", "connected_clients"))
"""The top-level fields of MonitoringData kept besides the sections.

`camera_status` is not kept: its keys are camera ids without bound, and nothing
here reads it.
"""
MAX_TEXT_LENGTH: Final = 256
"""Longest text kept for one field; longer is no figure, and is read as unknown."""
_MAX_LIST_LENGTH: Final = 3  # "load_average" may come as [1, 5, 15]


def merge_monitoring(base: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """Return `base` with a partial `update` merged in; neither is changed.

    Only the sections and fields API.md §7 names are kept, whatever else the Pi
    sends, so the snapshot cannot grow: a field updates its section key by key,
    a value is a scalar, short text or a short list of those (anything else
    becomes None). Two levels, no recursion: nesting cannot exhaust the stack.
    Unchanged sections are shared with `base`, not copied.
    """
    merged = dict(base)
    for key, value in update.items():
        if key in MONITORING_SCALARS:
            merged[key] = _bounded(value)
            continue
        fields = MONITORING_FIELDS.get(key)
        if fields is None or not isinstance(value, Mapping):
            continue
        section = dict(merged.get(key) or {})
        section.update((name, _bounded(field)) for name, field in value.items() if name in fields)
        merged[key] = section
    return merged


def _bounded(value: Any) -> Any:
    """`value` when it is a small scalar, or a short list of them; None otherwise."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT_LENGTH else None
    if isinstance(value, list) and len(value) <= _MAX_LIST_LENGTH:
        items = [_bounded(item) for item in value if not isinstance(item, list | dict)]
        return items if len(items) == len(value) else None
    return None


@dataclass(slots=True)
class _Watch:
    """The deadlines of one monitor connection, in event-loop time.

    A socket that answers pings but pushes no figures is as dead as a closed
    one, so besides the ping and the pong it owes, the watch is on content:
    when the last health reading came.
    """

    next_ping: float
    last_content: float
    pong_deadline: float | None = None
    last_push: float | None = None
    """When the last pushed update (not initial_data) came, to learn the cadence."""

    def wake(self, silence_limit: float) -> float:
        """The first deadline, when the socket must be looked at again."""
        wake = min(self.next_ping, self.last_content + silence_limit)
        if self.pong_deadline is not None:
            wake = min(wake, self.pong_deadline)
        return wake


class MonitorStream(ReconnectingStream[HealthUpdate]):
    """Yields the Pi's health from the monitor WebSocket, reconnecting forever.

    Besides `HealthUpdate`s, iteration yields `MonitorConnected` and
    `MonitorDisconnected`. A `{"type": "ping"}` goes out every `ping_interval`
    seconds; when nothing at all (a pong or any other message) comes back within
    `pong_timeout` of a ping, the connection is taken for dead and replaced. Any
    message counts as proof of life, so a Pi that pushes updates but does not
    answer pings keeps its connection.
    """

    _what = "monitor"

    def __init__(
        self,
        client: MonitorClient,
        *,
        ping_interval: float = 10.0,
        pong_timeout: float = 10.0,
        update_interval: float = 5.0,
        min_silence: float = 2.0,
        backoff: Backoff | None = None,
        sleep: SleepFunction = asyncio.sleep,
    ) -> None:
        """Prepare; nothing connects until iteration starts.

        `update_interval` is the cadence the Pi is expected to push at until the
        real cadence has been observed; `min_silence` keeps a fast cadence from
        making the content watchdog trip on a scheduling hiccup.
        """
        super().__init__(client.host, backoff=backoff, sleep=sleep)
        self._client = client
        self._ping_interval = ping_interval
        self._pong_timeout = pong_timeout
        self._update_interval = update_interval
        self._min_silence = min_silence
        self._silence_detections = 0
        self._cadence_observed = False
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._snapshot: dict[str, Any] = {}
        self._counts: Counter[str] = Counter()
        self._last_update: float | None = None
        self._once = OnceLogger(_LOGGER)

    @property
    def diagnostics(self) -> dict[str, Any]:
        """The shared record, plus when health last changed and message counts."""
        return {
            **super().diagnostics,
            "last_update": self._last_update,
            "message_counts": dict(self._counts),
            "expected_update_interval": round(self._update_interval, 3),
            "silence_detections": self._silence_detections,
        }

    @property
    def silence_limit(self) -> float:
        """How long the socket may carry no health update before it counts as dead."""
        return max(self._min_silence, SILENT_INTERVALS * self._update_interval)

    async def _open(self) -> None:
        self._ws = await self._client.connect_monitor()

    async def _receive(self) -> AsyncGenerator[HealthUpdate]:
        ws = self._ws
        if ws is None:
            return
        loop = asyncio.get_running_loop()
        watch = _Watch(next_ping=loop.time() + self._ping_interval, last_content=loop.time())
        while True:
            try:
                async with asyncio.timeout_at(watch.wake(self.silence_limit)):
                    message = await ws.receive()
            except TimeoutError:
                await self._on_quiet(ws, watch, loop.time())
                continue
            if message.type in _ENDED:
                return
            if message.type is aiohttp.WSMsgType.ERROR:
                raise PiOrchestratorConnectionError(
                    f"The monitor of the Pi at {self._client.host} broke "
                    f"({type(message.data).__name__})"
                )
            watch.pong_deadline = None
            try:
                update = self._handle(message.data)
            except Exception as err:  # noqa: BLE001 - one bad message is skipped, not fatal
                self._counts["invalid"] += 1
                self._once.skipped("a monitor message that could not be read", err)
                continue
            if update is not None:
                self._note_content(watch, update, loop.time())
                yield update

    async def _on_quiet(
        self, ws: aiohttp.ClientWebSocketResponse, watch: _Watch, now: float
    ) -> None:
        """Nothing came before the next deadline: give up on the socket, or ping it."""
        if watch.pong_deadline is not None and now >= watch.pong_deadline:
            raise PiOrchestratorTimeoutError(
                f"The monitor of the Pi at {self._client.host} sent nothing "
                f"for {self._pong_timeout:.0f} s after a ping"
            ) from None
        if now >= watch.last_content + self.silence_limit:
            self._silence_detections += 1
            raise PiOrchestratorTimeoutError(
                f"The monitor of the Pi at {self._client.host} sent no health "
                f"update for {now - watch.last_content:.0f} s"
            ) from None
        if now < watch.next_ping:
            return
        await ws.send_json(_PING)
        self._counts["ping_sent"] += 1
        if watch.pong_deadline is None:
            watch.pong_deadline = now + self._pong_timeout
        watch.next_ping = now + self._ping_interval

    def _note_content(self, watch: _Watch, update: HealthUpdate, now: float) -> None:
        """A health reading arrived: the content deadline moves, the cadence is learnt."""
        watch.last_content = now
        if update.initial:
            # Only a pushed update proves the Pi is pushing: initial_data
            # comes with every connection, muted or not.
            return
        if watch.last_push is not None:
            self._learn_interval(now - watch.last_push)
        watch.last_push = now
        self._mark_alive()

    def _handle(self, raw: Any) -> HealthUpdate | None:
        """Apply one message to the snapshot; return the new reading, if any."""
        try:
            message = json.loads(raw)
        except (TypeError, ValueError, RecursionError):
            message = None
        if not isinstance(message, dict):
            self._counts["invalid"] += 1
            self._once.log(
                "not-json", logging.WARNING, "Skipping monitor messages that are not JSON objects"
            )
            return None
        kind = message.get("type")
        if kind == "pong":
            self._counts["pong"] += 1
            return None
        if kind not in ("initial_data", "monitoring_update"):
            self._counts["other"] += 1
            self._once.log(
                f"type:{kind}", logging.DEBUG, "Ignoring monitor messages of type %.80s", kind
            )
            return None
        data = message.get("data")
        if not isinstance(data, Mapping):
            self._counts["invalid"] += 1
            self._once.log(
                f"no-data:{kind}", logging.WARNING, "Skipping %s messages without data", kind
            )
            return None
        # initial_data is complete: it replaces what an earlier connection left.
        snapshot = merge_monitoring({} if kind == "initial_data" else self._snapshot, data)
        health = health_from_monitoring(snapshot)
        # Kept only once read: a value that cannot be read must not stay to
        # spoil every later update.
        self._snapshot = snapshot
        self._counts[kind] += 1
        self._last_update = time.monotonic()
        return HealthUpdate(health, snapshot, initial=kind == "initial_data")

    def _learn_interval(self, gap: float) -> None:
        """Follow the Pi's real cadence, smoothed so one late update does not count.

        The first gap seen replaces the configured guess outright; later ones
        only nudge it.
        """
        rate = 1.0 if not self._cadence_observed else _LEARNING_RATE
        self._cadence_observed = True
        smoothed = (1 - rate) * self._update_interval + rate * gap
        self._update_interval = min(max(smoothed, _MIN_INTERVAL), _MAX_INTERVAL)

    async def _close_connection(self) -> None:
        ws, self._ws = self._ws, None
        if ws is None:
            return
        # A dead Pi never answers the closing handshake; do not wait long for it.
        with suppress(TimeoutError):
            async with asyncio.timeout(_CLOSE_TIMEOUT):
                await ws.close()
