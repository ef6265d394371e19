"""An event entity on the Pi for provisioning events.

Where the bus events suit automations, this entity suits dashboards and the
automation editor's entity triggers: its state is the time of the last
provisioning event, its attributes say which event and about what.
"""

from __future__ import annotations

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .bus_events import (
    EVENT_BOARD_DISCOVERED,
    EVENT_BOARD_FAILED,
    EVENT_BOARD_PROVISIONED,
    EVENT_BOARD_PROVISIONING_STARTED,
    EVENT_BOARD_VERIFIED,
    EVENT_SESSION_CLOSED,
    EVENT_SESSION_STARTED,
    EVENT_SESSION_STATE_CHANGED,
    EVENT_SESSION_TIMEOUT_WARNING,
    describe_transition,
    event_name,
)
from .data import PiOrchestratorConfigEntry
from .entity import PiOrchestratorEntity
from .provisioning_coordinator import ProvisioningCoordinator, Transition

PARALLEL_UPDATES = 0

PROVISIONING_EVENTS = EventEntityDescription(
    key="provisioning_events",
    translation_key="provisioning_events",
    event_types=[
        event_name(event_type)
        for event_type in (
            EVENT_BOARD_DISCOVERED,
            EVENT_BOARD_PROVISIONING_STARTED,
            EVENT_BOARD_PROVISIONED,
            EVENT_BOARD_VERIFIED,
            EVENT_BOARD_FAILED,
            EVENT_SESSION_STARTED,
            EVENT_SESSION_STATE_CHANGED,
            EVENT_SESSION_TIMEOUT_WARNING,
            EVENT_SESSION_CLOSED,
        )
    ],
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PiOrchestratorConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the Pi's provisioning event entity."""
    async_add_entities([ProvisioningEventEntity(entry)])


class ProvisioningEventEntity(PiOrchestratorEntity[ProvisioningCoordinator], EventEntity):
    """Fires once per live board or session transition, with its most telling type."""

    def __init__(self, entry: PiOrchestratorConfigEntry) -> None:
        """Attach to the Pi's device and its provisioning coordinator."""
        super().__init__(entry.runtime_data.provisioning, entry, PROVISIONING_EVENTS)
        self._shown_available = True

    @callback
    def _handle_coordinator_update(self) -> None:
        """Only availability comes from the coordinator; events write themselves."""
        if self.available != self._shown_available:
            self._shown_available = self.available
            self.async_write_ha_state()

    async def async_added_to_hass(self) -> None:
        """Follow the coordinator's live transitions."""
        await super().async_added_to_hass()
        self.async_on_remove(self.coordinator.async_add_transition_listener(self._observed))

    @callback
    def _observed(self, transition: Transition) -> None:
        described = describe_transition(transition)
        if described.specific is None:
            # A step with no event of its own (a board verifying): only on the bus.
            return
        self._trigger_event(event_name(described.specific), described.data)
        self._shown_available = self.available
        self.async_write_ha_state()
