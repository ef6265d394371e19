"""Binary sensors: service links, the cabinet door, the onboarding network, boards."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api.health import Health
from .api.models import DoorState
from .coordinator import DoorCoordinator
from .data import PiOrchestratorConfigEntry
from .entity import (
    BoardEntity,
    PiOrchestratorEntity,
    ProvisioningEntity,
    async_setup_board_entities,
)
from .health_coordinator import HealthCoordinator

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class HealthBinarySensorDescription(BinarySensorEntityDescription):
    """A service link the Pi reports over its monitor socket."""

    value_fn: Callable[[Health], bool | None]


HEALTH_BINARY_SENSORS: tuple[HealthBinarySensorDescription, ...] = (
    HealthBinarySensorDescription(
        key="mqtt_connected",
        translation_key="mqtt_connected",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda health: health.mqtt_connected,
    ),
    HealthBinarySensorDescription(
        key="database_connected",
        translation_key="database_connected",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda health: health.database_connected,
    ),
)

DOOR = BinarySensorEntityDescription(
    key="door", translation_key="door", device_class=BinarySensorDeviceClass.DOOR
)
ONBOARDING_NETWORK = BinarySensorEntityDescription(
    key="onboarding_network",
    translation_key="onboarding_network",
    device_class=BinarySensorDeviceClass.RUNNING,
)
ALLOWLISTED = BinarySensorEntityDescription(key="allowlisted", translation_key="allowlisted")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PiOrchestratorConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the Pi's binary sensors, and each board's as boards appear."""
    data = entry.runtime_data
    async_add_entities(
        [
            *(
                HealthBinarySensor(data.health, entry, description)
                for description in HEALTH_BINARY_SENSORS
            ),
            DoorBinarySensor(data.door, entry, DOOR),
            OnboardingNetworkBinarySensor(data.provisioning, entry, ONBOARDING_NETWORK),
        ]
    )
    async_setup_board_entities(
        entry,
        async_add_entities,
        lambda mac: [AllowlistedBinarySensor(data.provisioning, entry, mac, ALLOWLISTED)],
    )


class HealthBinarySensor(PiOrchestratorEntity[HealthCoordinator], BinarySensorEntity):
    """Whether a service the Pi depends on is connected."""

    entity_description: HealthBinarySensorDescription

    @property
    def is_on(self) -> bool | None:
        """Unknown while health comes by polling, which does not carry it."""
        return self.entity_description.value_fn(self.coordinator.data)


class DoorBinarySensor(PiOrchestratorEntity[DoorCoordinator], BinarySensorEntity):
    """The cabinet door's contact: on when open."""

    @property
    def is_on(self) -> bool | None:
        """Open, closed, or unknown when the Pi cannot read the contact."""
        state = self.coordinator.data.state
        return None if state is DoorState.UNKNOWN else state is DoorState.OPEN


class OnboardingNetworkBinarySensor(ProvisioningEntity, BinarySensorEntity):
    """Whether the temporary onboarding WiFi is up."""

    @property
    def is_on(self) -> bool | None:
        """On while boards can join the onboarding network."""
        network = self.coordinator.data.network
        return network.is_active if network is not None else None

    @property
    def extra_state_attributes(self) -> dict[str, object] | None:
        """The onboarding network's name."""
        network = self.coordinator.data.network
        return {"ssid": network.ssid} if network is not None else None


class AllowlistedBinarySensor(BoardEntity, BinarySensorEntity):
    """Whether an administrator approved this board."""

    @property
    def is_on(self) -> bool | None:
        """On when the board is in the allowlist."""
        board = self.board
        return board.in_allowlist if board is not None else None
