"""The cabinet door's lock: unlock opens the door, lock closes it."""

from __future__ import annotations

from typing import Any

from homeassistant.components.lock import LockEntity, LockEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api.models import DoorCommandResult, LockState
from .const import DOMAIN
from .coordinator import DoorCoordinator
from .data import PiOrchestratorConfigEntry
from .entity import PiOrchestratorEntity
from .error_handling import translate_errors

PARALLEL_UPDATES = 1

DOOR_LOCK = LockEntityDescription(key="door_lock", translation_key="door_lock")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PiOrchestratorConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the door lock."""
    async_add_entities([DoorLock(entry.runtime_data.door, entry, DOOR_LOCK)])


class DoorLock(PiOrchestratorEntity[DoorCoordinator], LockEntity):
    """Drives the Pi's door relay."""

    @property
    def is_locked(self) -> bool | None:
        """Locked, unlocked, or unknown when the Pi cannot tell."""
        lock_state = self.coordinator.data.lock_state
        return None if lock_state is LockState.UNKNOWN else lock_state is LockState.LOCKED

    async def async_lock(self, **kwargs: Any) -> None:
        """Close and lock the door."""
        with translate_errors(self.hass, self.coordinator.config_entry):
            self._raise_if_refused(await self.coordinator.client.close_door())
        await self.coordinator.async_request_refresh()

    async def async_unlock(self, **kwargs: Any) -> None:
        """Unlock and open the door."""
        with translate_errors(self.hass, self.coordinator.config_entry):
            self._raise_if_refused(await self.coordinator.client.open_door())
        await self.coordinator.async_request_refresh()

    @staticmethod
    def _raise_if_refused(result: DoorCommandResult) -> None:
        if not result.success:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="door_command_failed",
                translation_placeholders={
                    "error": result.error or "-",
                    "correlation_id": result.correlation_id or "none",
                },
            )
