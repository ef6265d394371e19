"""Base entities: the Pi itself, and one device per camera board."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any

from homeassistant.core import callback
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity, DataUpdateCoordinator

from .api.models import Board
from .const import CONF_BOARD_ENTITIES, DEFAULT_BOARD_ENTITIES
from .data import PiOrchestratorConfigEntry
from .devices import board_device_info, pi_device_info
from .provisioning_coordinator import ProvisioningCoordinator

_NOT_WRITTEN = object()


class ChangeOnlyWrites(Entity):
    """Writes the state machine only when what it would show has changed.

    With dozens of boards, every event reaches many entities; most have nothing
    new to show, and an unchanged write still costs the state machine and the
    recorder work.
    """

    _last_written: object = _NOT_WRITTEN

    @callback
    def async_write_if_changed(self) -> None:
        """Write the state if availability, state or attributes differ."""
        fingerprint = (self.available, self.state, repr(self.extra_state_attributes))
        if fingerprint == self._last_written:
            return
        self._last_written = fingerprint
        self.async_write_ha_state()


class PiOrchestratorEntity[_CoordinatorT: DataUpdateCoordinator[Any]](
    ChangeOnlyWrites, CoordinatorEntity[_CoordinatorT]
):
    """An entity of the Pi's own device, fed by one coordinator."""

    _attr_has_entity_name = True

    def __init__(
        self,
        coordinator: _CoordinatorT,
        entry: PiOrchestratorConfigEntry,
        description: EntityDescription,
    ) -> None:
        """Attach to the Pi's device."""
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_unique_id = f"{entry.entry_id}_{description.key}"
        self._attr_device_info = pi_device_info(entry)

    @callback
    def _handle_coordinator_update(self) -> None:
        self.async_write_if_changed()


class ProvisioningEntity(PiOrchestratorEntity[ProvisioningCoordinator]):
    """An entity of the Pi showing what the provisioning stream keeps current."""

    @property
    def available(self) -> bool:
        """Shown while the provisioning stream is healthy: otherwise its figures may be old."""
        return super().available and self.coordinator.stream_available


class BoardEntity(ChangeOnlyWrites):
    """An entity of one camera board's device.

    It listens to its own board only, so an event about one board does not wake
    the entities of every other board.
    """

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(
        self,
        coordinator: ProvisioningCoordinator,
        entry: PiOrchestratorConfigEntry,
        mac: str,
        description: EntityDescription,
    ) -> None:
        """Attach to the board's device, created on first sight."""
        self.coordinator = coordinator
        self.mac = mac
        self.entity_description = description
        self._attr_unique_id = f"{entry.entry_id}_{mac}_{description.key}"
        self._attr_device_info = board_device_info(entry, mac)

    _last_board: Board | None = None

    @property
    def board(self) -> Board | None:
        """The board's latest record, if the Pi has reported it.

        The coordinator forgets boards of sessions before the previous one; their
        entities go on showing the record they last had.
        """
        board = self.coordinator.data.boards.get(self.mac)
        if board is not None:
            self._last_board = board
        return board or self._last_board

    @property
    def available(self) -> bool:
        """Shown while the stream is healthy and the board is known."""
        return self.coordinator.stream_available and self.board is not None

    async def async_added_to_hass(self) -> None:
        """Follow this board's updates."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.async_add_board_listener(self.mac, self.async_write_if_changed)
        )


def async_setup_board_entities(
    entry: PiOrchestratorConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    create: Callable[[str], Iterable[Entity]],
) -> None:
    """Add a board's entities now for known boards, and later for new ones."""
    if not entry.options.get(CONF_BOARD_ENTITIES, DEFAULT_BOARD_ENTITIES):
        return
    coordinator = entry.runtime_data.provisioning
    pending: list[str] = []
    flush_handle: asyncio.Handle | None = None

    @callback
    def flush() -> None:
        nonlocal flush_handle
        flush_handle = None
        macs = pending.copy()
        pending.clear()
        async_add_entities([entity for mac in macs for entity in create(mac)])

    @callback
    def add(mac: str) -> None:
        # Boards found together (a burst of discoveries in one chunk of the
        # stream) are added in one call: one task per platform, not per board.
        nonlocal flush_handle
        pending.append(mac)
        if flush_handle is None:
            flush_handle = coordinator.hass.loop.call_soon(flush)

    @callback
    def cancel() -> None:
        if flush_handle is not None:
            flush_handle.cancel()

    async_add_entities([entity for mac in coordinator.data.boards for entity in create(mac)])
    entry.async_on_unload(coordinator.async_add_new_board_listener(add))
    entry.async_on_unload(cancel)
