"""The Pi's health, pushed over the monitor WebSocket, polled while it is down."""

from __future__ import annotations

from contextlib import aclosing
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .api.client import PiOrchestratorClient
from .api.health import Health, health_from_system_info
from .api.monitor import HealthUpdate, MonitorConnected, MonitorDisconnected, MonitorStream
from .api.stream import OnceLogger, StreamStatus
from .const import DOMAIN, LOGGER
from .coordinator import PiOrchestratorCoordinator, fetch_or_raise, wake_streams
from .supervisor import StreamSupervisor

if TYPE_CHECKING:
    from .data import PiOrchestratorConfigEntry


class Transport(StrEnum):
    """What feeds the health figures: the live link indicator."""

    PUSH = "push"
    POLLING = "polling"
    DISCONNECTED = "disconnected"


class HealthCoordinator(PiOrchestratorCoordinator[Health]):
    """Health figures from the WebSocket, with `/system/info` polling as fallback.

    While the socket delivers, the coordinator has no update interval at all: no
    request is sent. When it drops, polling starts at once and the socket keeps
    reconnecting in the background; the first pushed update stops polling again.
    """

    subject = "health"

    def __init__(
        self,
        hass: HomeAssistant,
        entry: PiOrchestratorConfigEntry,
        client: PiOrchestratorClient,
        poll_interval: timedelta,
    ) -> None:
        """Start out polling until the socket proves itself."""
        super().__init__(hass, entry, client, poll_interval)
        self.poll_interval = poll_interval
        self.transport = Transport.POLLING
        self.monitor = MonitorStream(client)
        self.monitor.on_change = self.async_update_listeners
        self.last_update_at: datetime | None = None
        self.supervisor = StreamSupervisor(
            hass,
            entry,
            what="monitor websocket",
            host=client.host,
            consume=self._consume_monitor,
            on_down=self._monitor_stopped,
        )
        self._once = OnceLogger(LOGGER)

    @property
    def stream_status(self) -> StreamStatus:
        """How health figures reach Home Assistant, as a person sees it.

        Connected only while the Pi pushes: a socket that is open but silent
        leaves the figures to polling, and says so.
        """
        match self.transport:
            case Transport.PUSH:
                return StreamStatus.CONNECTED
            case Transport.POLLING:
                return StreamStatus.POLLING
        return StreamStatus.DISCONNECTED

    async def _async_update_data(self) -> Health:
        try:
            info = await fetch_or_raise(self.client.system_info())
        except Exception:
            if self.transport is not Transport.PUSH:
                self._set_transport(Transport.DISCONNECTED)
            raise
        if self.transport is Transport.DISCONNECTED:
            self._set_transport(Transport.POLLING)
        wake_streams(self.config_entry)
        self.last_update_at = dt_util.utcnow()
        return health_from_system_info(info)

    @callback
    def start_push(self) -> None:
        """Run the WebSocket for as long as the entry is loaded."""
        # Closing the stream, not only cancelling the task, is what releases
        # the socket when the cancel lands while the loop body awaits.
        self.config_entry.async_on_unload(self.monitor.close)
        self.supervisor.start()

    async def _consume_monitor(self) -> None:
        # aclosing: a restarted consumer finds the stream free at once.
        async with aclosing(aiter(self.monitor)) as items:
            async for item in items:
                try:
                    self._apply(item)
                except Exception as err:  # noqa: BLE001 - one bad reading is skipped
                    self._once.skipped("a health reading that could not be shown", err)

    @callback
    def _apply(self, item: HealthUpdate | MonitorConnected | MonitorDisconnected) -> None:
        match item:
            case HealthUpdate(health=health, initial=initial):
                if not initial:
                    # Polling stops once the Pi pushes, not when the socket
                    # connects: every connection starts with a snapshot, even
                    # from a Pi that then falls silent.
                    self.update_interval = None
                    self._set_transport(Transport.PUSH)
                self.last_update_at = dt_util.utcnow()
                self.async_set_updated_data(health)
            case MonitorDisconnected():
                self._fall_back_to_polling()

    @callback
    def _monitor_stopped(self) -> None:
        """The monitor task ended: nothing pushes until it runs again."""
        self._set_transport(Transport.DISCONNECTED)
        self._fall_back_to_polling()

    @callback
    def _fall_back_to_polling(self) -> None:
        self.update_interval = self.poll_interval
        if self.transport is Transport.PUSH:
            self._set_transport(Transport.POLLING)
        # Not awaited: the socket's reconnect loop must not wait for a poll that
        # may itself be retrying (or timing out) against an unreachable Pi.
        self.config_entry.async_create_background_task(
            self.hass, self.async_refresh(), name=f"{DOMAIN} health fallback poll"
        )

    @callback
    def _set_transport(self, transport: Transport) -> None:
        if transport is self.transport:
            return
        LOGGER.debug("Health transport of %s is now %s", self.client.host, transport)
        self.transport = transport
        self.async_update_listeners()
