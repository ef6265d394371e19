"""Consuming the provisioning event stream: connected, reconnecting or down.

The stream runs for as long as the entry is loaded, under a supervisor that
restarts it. Events are handed to the coordinator one by one within a time
budget; a drop keeps board values shown for a short grace period, since a
reconnect normally takes about a second.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import aclosing
from datetime import datetime
import logging

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later

from .api.event_stream import ProvisioningEventStream
from .api.events import ProvisioningEvent
from .api.stream import OnceLogger, StreamConnected, StreamDisconnected, StreamStatus
from .const import LOGGER
from .coordinator import wake_streams
from .provisioning_fanout import ProvisioningFanOut
from .supervisor import StreamSupervisor

UNAVAILABLE_GRACE_SECONDS = 10
"""How long board values stay shown while the stream reconnects.

A reconnect normally takes about a second; flipping every board to unavailable
for that second would only fill the history with noise.
"""
STEP_BUDGET = 0.005
"""Seconds of event handling after which the stream consumer yields to the loop."""
MAX_WARNED_ERROR_CODES = 128
"""Error codes remembered for say-once logging; later new codes log at DEBUG."""


class ProvisioningStreamLink(ProvisioningFanOut):
    """The event stream's side of the provisioning coordinator."""

    stream: ProvisioningEventStream
    stream_supervisor: StreamSupervisor
    stream_connected: bool
    stream_available: bool
    _stream_running: bool
    _stream_once: OnceLogger
    _cancel_grace: CALLBACK_TYPE | None
    _warned_error_codes: set[str]
    # What the coordinator does with what the stream brings: its tracker applies
    # each event, and every (re)connection reconciles the session over REST.
    _apply_event: Callable[[ProvisioningEvent], None]
    _stream_opened: Callable[[], Awaitable[None]]

    def _init_stream(self, hass: HomeAssistant, stream: ProvisioningEventStream) -> None:
        self.stream = stream
        stream.on_change = self._schedule_listeners_update
        self.stream_supervisor = StreamSupervisor(
            hass,
            self.config_entry,
            what="provisioning events",
            host=self.client.host,
            consume=self._consume_stream,
            on_down=self._stream_stopped,
        )
        self._stream_once = OnceLogger(LOGGER)
        self.stream_connected = False
        self.stream_available = True
        self._stream_running = False
        self._cancel_grace = None
        self._warned_error_codes = set()

    @callback
    def start_stream(self) -> None:
        """Consume the event stream for as long as the entry is loaded."""
        self.config_entry.async_on_unload(self.stream.close)
        self.config_entry.async_on_unload(self._cancel_stream_timers)
        self.stream_supervisor.start()

    @callback
    def _cancel_stream_timers(self) -> None:
        # On unload, not when the consumer ends: a restarted consumer needs them.
        if self._cancel_grace is not None:
            self._cancel_grace()
            self._cancel_grace = None

    async def _consume_stream(self) -> None:
        """Apply what the stream yields; a refused key ends it (the supervisor asks)."""
        self._stream_running = True
        loop = self.hass.loop
        step_started = loop.time()
        # aclosing: a restarted consumer finds the stream free at once.
        async with aclosing(aiter(self.stream)) as items:
            async for item in items:
                try:
                    await self._consume_item(item)
                except Exception as err:  # noqa: BLE001 - one bad event is skipped
                    self._stream_once.skipped("an event that could not be applied", err)
                if loop.time() - step_started > STEP_BUDGET:
                    # One read from the socket may hold hundreds of events;
                    # let the rest of Home Assistant run between them.
                    await asyncio.sleep(0)
                    step_started = loop.time()

    async def _consume_item(
        self, item: ProvisioningEvent | StreamConnected | StreamDisconnected
    ) -> None:
        match item:
            case ProvisioningEvent():
                self._apply_event(item)
            case StreamConnected():
                self._set_stream_connected(True)
                await self._stream_opened()
            case StreamDisconnected():
                self._set_stream_connected(False)

    @property
    def stream_status(self) -> StreamStatus:
        """The event stream as a person sees it.

        Reconnecting while it retries within the grace period of a drop;
        disconnected once the drop outlasts it, or while nothing consumes the
        stream (its task ended, or the key was refused).
        """
        if self.stream_connected:
            return StreamStatus.CONNECTED
        if self._stream_running and self.stream_available:
            return StreamStatus.RECONNECTING
        return StreamStatus.DISCONNECTED

    async def _probe_pi(self) -> None:
        """Ask the Pi for something cheap; an answer ends every stream's wait."""
        await self.client.system_info()
        wake_streams(self.config_entry)

    @callback
    def _stream_stopped(self) -> None:
        """The stream task ended: nothing is live until it runs again."""
        self._stream_running = False
        self._set_stream_connected(False)

    @callback
    def _set_stream_connected(self, connected: bool) -> None:
        self.stream_connected = connected
        if self._cancel_grace is not None:
            self._cancel_grace()
            self._cancel_grace = None
        if connected:
            self._set_available(True)
            return

        @callback
        def grace_over(_now: datetime) -> None:
            self._cancel_grace = None
            self._set_available(False)

        self._cancel_grace = async_call_later(self.hass, UNAVAILABLE_GRACE_SECONDS, grace_over)

    @callback
    def _set_available(self, available: bool) -> None:
        if available == self.stream_available:
            return
        self.stream_available = available
        self.async_update_listeners()
        self._notify_all_boards()

    @callback
    def _log_error(self, code: str | None, message: str) -> None:
        """Log an error the Pi reported: a warning once per code, later ones at DEBUG.

        A board's own failure already shows on that board's entities and fires its
        event; a warning for each would flood the log of a batch. Other codes are
        the Pi's own trouble: worth one warning, not one per event from a Pi that
        repeats itself. The message arrives cleaned: one line, 200 characters.
        """
        key = code or "unknown"
        level = logging.DEBUG
        if (
            not key.startswith("DEVICE_")
            and key not in self._warned_error_codes
            and len(self._warned_error_codes) < MAX_WARNED_ERROR_CODES
        ):
            self._warned_error_codes.add(key)
            level = logging.WARNING
        LOGGER.log(level, "The Pi reported an error: %s (%s)", message, code)
