"""The provisioning event stream (API.md §6), kept open for as long as it is iterated."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
import logging
from typing import Any, Final, Protocol

import aiohttp

from .backoff import Backoff
from .errors import PiOrchestratorError, PiOrchestratorTimeoutError
from .events import EventParser, ProvisioningEvent
from .sse import DEFAULT_MAX_SIZE, SseParser
from .stream import OnceLogger, ProbeFunction, ReconnectingStream, SleepFunction

_LOGGER = logging.getLogger(__name__)

MIN_RETRY_FLOOR: Final = 1.0
MAX_RETRY_FLOOR: Final = 300.0
"""Bounds, in seconds, of the back-off floor a `retry:` field sets: a Pi cannot make
the stream hammer it, nor stay away for hours."""


class EventStreamClient(Protocol):
    """What the event stream needs of a client (`PiOrchestratorClient` has it)."""

    @property
    def host(self) -> str:
        """The Pi's host name or address, for log lines."""

    async def open_event_stream(
        self, *, session_id: str | None = None, last_event_id: str | None = None
    ) -> aiohttp.ClientResponse:
        """Open the SSE response; raise a `PiOrchestratorError` when it cannot."""


class ProvisioningEventStream(ReconnectingStream[ProvisioningEvent]):
    """Yields provisioning events from the Pi, reconnecting forever.

    Besides `ProvisioningEvent`s, iteration yields `StreamConnected` and
    `StreamDisconnected` (see `ReconnectingStream`). On reconnection the last event
    ID goes out as `Last-Event-ID` (not after a 4xx: the header may be what was
    refused), and the server's `retry:` time, clamped to 1-300 s, becomes the
    least delay before reconnecting. A connection that shows no sign of life (no
    event, no keepalive comment) for `idle_timeout` seconds is taken for dead:
    a Pi that lost power never closes its sockets. An event that cannot be read
    is skipped, whatever reading it raised; the connection goes on.
    """

    _what = "event stream"

    def __init__(
        self,
        client: EventStreamClient,
        *,
        session_id: str | None = None,
        idle_timeout: float = 45.0,
        backoff: Backoff | None = None,
        sleep: SleepFunction = asyncio.sleep,
        max_message_size: int = DEFAULT_MAX_SIZE,
        probe: ProbeFunction | None = None,
    ) -> None:
        """Follow the events of `session_id`, or of every session when None.

        `probe` ends a wait to reconnect once the Pi answers it (see
        `ReconnectingStream`).
        """
        super().__init__(client.host, backoff=backoff, sleep=sleep, probe=probe)
        self._client = client
        self._session_id = session_id
        self._idle_timeout = idle_timeout
        self._max_message_size = max_message_size
        self._events = EventParser()
        self._response: aiohttp.ClientResponse | None = None
        self._last_event_id: str | None = None
        self._once = OnceLogger(_LOGGER)

    @property
    def diagnostics(self) -> dict[str, Any]:
        """The shared record, plus the last event ID and the session followed."""
        return {
            **super().diagnostics,
            "last_event_id": self._last_event_id,
            "session_id": self._session_id,
        }

    @property
    def last_event_id(self) -> str | None:
        """The ID of the last event received, sent as `Last-Event-ID` on reconnection."""
        return self._last_event_id

    async def _open(self) -> None:
        try:
            self._response = await self._client.open_event_stream(
                session_id=self._session_id, last_event_id=self._last_event_id
            )
        except PiOrchestratorError as err:
            if err.http_status is not None and 400 <= err.http_status < 500:
                # The request itself may be what is refused (a proxy that finds
                # the header too long, a Pi that lost its history): ask without
                # it. The reconciliation after reconnecting covers what is not replayed.
                self._last_event_id = None
            raise

    async def _receive(self) -> AsyncGenerator[ProvisioningEvent]:
        response = self._response
        if response is None:
            return
        parser = SseParser(last_event_id=self._last_event_id, max_size=self._max_message_size)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._idle_timeout
        while True:
            try:
                async with asyncio.timeout_at(deadline):
                    chunk = await response.content.readany()
            except TimeoutError:
                raise PiOrchestratorTimeoutError(
                    f"No event or keepalive from the Pi at {self._client.host} "
                    f"for {self._idle_timeout:.0f} s"
                ) from None
            if not chunk:
                return
            comments, skipped = parser.comment_count, parser.skipped_count
            messages = parser.feed(chunk)
            self._last_event_id = parser.last_event_id
            if parser.skipped_count != skipped:
                self._once.log(
                    "skipped:oversized",
                    logging.WARNING,
                    "Skipping events of more than %d bytes from the Pi at %s",
                    self._max_message_size,
                    self._client.host,
                )
            if parser.retry is not None:
                self._backoff.set_floor(
                    min(max(parser.retry / 1000, MIN_RETRY_FLOOR), MAX_RETRY_FLOOR)
                )
            if messages or parser.comment_count != comments or parser.skipped_count != skipped:
                deadline = loop.time() + self._idle_timeout
                self._mark_alive()
            for message in messages:
                try:
                    event = self._events.parse(message)
                except Exception as err:  # noqa: BLE001 - one bad frame is skipped, not fatal
                    self._once.skipped("an event that could not be read", err)
                    continue
                if event is not None:
                    yield event

    async def _close_connection(self) -> None:
        response, self._response = self._response, None
        if response is not None:
            # close(), not release(): the rest of an endless body is never wanted.
            response.close()
