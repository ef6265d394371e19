"""What every coordinator of a Pi shares, and the two polled ones: door and allowlist.

No stream carries the door or the allowlist, so both are polled; everything that
can be pushed is handled by the health and provisioning coordinators.
"""

from __future__ import annotations

from collections.abc import Awaitable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from .api.client import PiOrchestratorClient
from .api.models import AllowlistEntry, DoorStatus
from .const import ALLOWLIST_POLL_INTERVAL, ALLOWLIST_REFRESH_COOLDOWN, DOMAIN, LOGGER
from .error_handling import translate_update_errors

if TYPE_CHECKING:
    from .data import PiOrchestratorConfigEntry


async def fetch_or_raise[_T](request: Awaitable[_T]) -> _T:
    """Await a client call inside a coordinator update, its errors made the coordinator's."""
    with translate_update_errors():
        return await request


@callback
def wake_streams(entry: PiOrchestratorConfigEntry) -> None:
    """The Pi answered a request: streams waiting to reconnect try again now.

    Their back-off grows while the Pi is away; without this, a Pi back after a
    reboot would wait up to 30 s for its streams, though polls already reach it.
    """
    data = getattr(entry, "runtime_data", None)
    if data is None:  # still setting up: the streams start after the first refreshes
        return
    data.health.monitor.wake()
    data.provisioning.stream.wake()


class PiOrchestratorCoordinator[_DataT](DataUpdateCoordinator[_DataT]):
    """A coordinator of one Pi's entry, reaching the Pi through the entry's client."""

    config_entry: PiOrchestratorConfigEntry
    subject: ClassVar[str]
    """What it keeps, as its name says: `piorchestrator door`."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: PiOrchestratorConfigEntry,
        client: PiOrchestratorClient,
        interval: timedelta | None,
        *,
        refresh_debouncer: Debouncer[Coroutine[Any, Any, None]] | None = None,
    ) -> None:
        """Poll `client` every `interval`; None: pushed, polled only when asked."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {self.subject}",
            update_interval=interval,
            request_refresh_debouncer=refresh_debouncer,
        )
        self.client = client


class DoorCoordinator(PiOrchestratorCoordinator[DoorStatus]):
    """Polls the cabinet door's contact and lock."""

    subject = "door"

    async def _async_update_data(self) -> DoorStatus:
        status = await fetch_or_raise(self.client.door_status())
        wake_streams(self.config_entry)
        return status


@dataclass(frozen=True, slots=True)
class Allowlist:
    """The allowlist with its counts, derived from one request."""

    entries: dict[str, AllowlistEntry]

    @property
    def total(self) -> int:
        """Number of approved boards."""
        return len(self.entries)

    @property
    def used(self) -> int:
        """Entries a board has already been provisioned with."""
        return sum(1 for entry in self.entries.values() if entry.used)

    @property
    def available(self) -> int:
        """Entries still waiting for their board."""
        return self.total - self.used


class AllowlistCoordinator(PiOrchestratorCoordinator[Allowlist]):
    """Keeps the allowlist, for its counts and for naming boards."""

    subject = "allowlist"

    def __init__(
        self, hass: HomeAssistant, entry: PiOrchestratorConfigEntry, client: PiOrchestratorClient
    ) -> None:
        """Poll `client` now and then; changes made here refresh it at once."""
        super().__init__(
            hass,
            entry,
            client,
            ALLOWLIST_POLL_INTERVAL,
            # Refresh requests come in bursts, one per provisioned board: gather
            # them for a moment rather than answer the first and wait 10 s.
            refresh_debouncer=Debouncer(
                hass, LOGGER, cooldown=ALLOWLIST_REFRESH_COOLDOWN, immediate=False
            ),
        )

    async def _async_update_data(self) -> Allowlist:
        entries = await fetch_or_raise(self.client.allowlist())
        return Allowlist({entry.mac: entry for entry in entries})
