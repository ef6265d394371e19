"""Sensors: the Pi's health, the live link, the session, the allowlist and boards."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    EntityCategory,
    UnitOfTemperature,
    UnitOfTime,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.typing import StateType
from homeassistant.util import dt as dt_util

from .api.health import THREAT_LEVELS, Health, HealthSource
from .api.models import Board, BoardState, SessionState
from .api.stream import StreamStatus
from .coordinator import Allowlist, AllowlistCoordinator
from .data import PiOrchestratorConfigEntry
from .entity import (
    BoardEntity,
    PiOrchestratorEntity,
    ProvisioningEntity,
    async_setup_board_entities,
)
from .health_coordinator import HealthCoordinator, Transport
from .provisioning_coordinator import NO_SESSION, ProvisioningCoordinator, ProvisioningState

PARALLEL_UPDATES = 0

UPTIME_TOLERANCE = timedelta(minutes=1)
"""Boot time moves by a few seconds between reports; ignore such jitter."""
MAX_PLAUSIBLE_UPTIME = timedelta(days=365 * 20)
"""Longer than any Pi has run: a larger figure is broken, not shown."""
HOLD_END_MARGIN = timedelta(milliseconds=200)


@dataclass(frozen=True, kw_only=True)
class HealthSensorDescription(SensorEntityDescription):
    """A figure of the Pi's health."""

    value_fn: Callable[[Health], float | None]


HEALTH_SENSORS: tuple[HealthSensorDescription, ...] = (
    HealthSensorDescription(
        key="cpu_usage",
        translation_key="cpu_usage",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=lambda health: health.cpu_percent,
    ),
    HealthSensorDescription(
        key="memory_usage",
        translation_key="memory_usage",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=lambda health: health.memory_percent,
    ),
    HealthSensorDescription(
        key="disk_usage",
        translation_key="disk_usage",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=lambda health: health.disk_percent,
    ),
    HealthSensorDescription(
        key="cpu_temperature",
        translation_key="cpu_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda health: health.temperature_c,
    ),
    HealthSensorDescription(
        key="load_1",
        translation_key="load_1",
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        value_fn=lambda health: health.load_1,
    ),
)


@dataclass(frozen=True, kw_only=True)
class MonitorSensorDescription(SensorEntityDescription):
    """A figure only the monitor WebSocket reports (API.md §7): none while it is down."""

    value_fn: Callable[[Health], StateType | datetime]


MONITOR_SENSORS: tuple[MonitorSensorDescription, ...] = (
    MonitorSensorDescription(
        key="certificate_expiry",
        translation_key="certificate_expiry",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda health: health.certificate_expiry,
    ),
    MonitorSensorDescription(
        key="threat_level",
        translation_key="threat_level",
        device_class=SensorDeviceClass.ENUM,
        options=[level.lower() for level in THREAT_LEVELS],
        value_fn=lambda health: health.threat_level.lower() if health.threat_level else None,
    ),
    MonitorSensorDescription(
        key="failed_ssh_attempts",
        translation_key="failed_ssh_attempts",
        # The Pi's own count, which it may reset or window: a measurement, not a total.
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda health: health.failed_ssh_attempts,
    ),
    MonitorSensorDescription(
        key="alerts_count",
        translation_key="alerts_count",
        state_class=SensorStateClass.MEASUREMENT,
        entity_registry_enabled_default=False,
        value_fn=lambda health: health.alerts_count,
    ),
    MonitorSensorDescription(
        key="active_connections",
        translation_key="active_connections",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda health: health.active_connections,
    ),
    MonitorSensorDescription(
        key="packet_loss",
        translation_key="packet_loss",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        suggested_display_precision=1,
        value_fn=lambda health: health.packet_loss_percent,
    ),
    MonitorSensorDescription(
        key="latency",
        translation_key="latency",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MILLISECONDS,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        suggested_display_precision=0,
        value_fn=lambda health: health.latency_ms,
    ),
)


@dataclass(frozen=True, kw_only=True)
class SessionSensorDescription(SensorEntityDescription):
    """A figure of the current batch session or the onboarding network."""

    value_fn: Callable[[ProvisioningState], StateType]


SESSION_SENSORS: tuple[SessionSensorDescription, ...] = (
    SessionSensorDescription(
        key="session_state",
        translation_key="session_state",
        device_class=SensorDeviceClass.ENUM,
        options=[NO_SESSION, *(state.value for state in SessionState)],
        value_fn=lambda state: state.session_state,
    ),
    SessionSensorDescription(
        key="boards_discovered",
        translation_key="boards_discovered",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda state: state.session_board_count,
    ),
    SessionSensorDescription(
        key="boards_in_progress",
        translation_key="boards_in_progress",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda state: state.in_flight_count,
    ),
    SessionSensorDescription(
        key="boards_verified",
        translation_key="boards_verified",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda state: state.counts[BoardState.VERIFIED],
    ),
    SessionSensorDescription(
        key="boards_failed",
        translation_key="boards_failed",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda state: state.counts[BoardState.FAILED],
    ),
    SessionSensorDescription(
        key="session_progress",
        translation_key="session_progress",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=lambda state: state.progress_percent,
    ),
    SessionSensorDescription(
        key="onboarding_network_boards",
        translation_key="onboarding_network_boards",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda state: state.network.connected_devices if state.network else None,
    ),
)


@dataclass(frozen=True, kw_only=True)
class AllowlistSensorDescription(SensorEntityDescription):
    """A count of allowlist entries."""

    value_fn: Callable[[Allowlist], int]


ALLOWLIST_SENSORS: tuple[AllowlistSensorDescription, ...] = (
    AllowlistSensorDescription(
        key="allowlist_entries",
        translation_key="allowlist_entries",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda allowlist: allowlist.total,
    ),
    AllowlistSensorDescription(
        key="allowlist_used",
        translation_key="allowlist_used",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda allowlist: allowlist.used,
    ),
    AllowlistSensorDescription(
        key="allowlist_available",
        translation_key="allowlist_available",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda allowlist: allowlist.available,
    ),
)


@dataclass(frozen=True, kw_only=True)
class BoardSensorDescription(SensorEntityDescription):
    """A figure of one camera board."""

    value_fn: Callable[[Board], StateType]


BOARD_STATE = BoardSensorDescription(
    key="provisioning_state",
    translation_key="provisioning_state",
    device_class=SensorDeviceClass.ENUM,
    options=[state.value for state in BoardState],
    value_fn=lambda board: board.state.value,
)
BOARD_SENSORS: tuple[BoardSensorDescription, ...] = (
    BoardSensorDescription(
        key="signal_strength",
        translation_key="signal_strength",
        device_class=SensorDeviceClass.SIGNAL_STRENGTH,
        native_unit_of_measurement=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda board: board.rssi,
    ),
    BoardSensorDescription(
        key="ip_address",
        translation_key="ip_address",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda board: board.ip,
    ),
)


LAST_PROVISIONING_EVENT = SensorEntityDescription(
    key="last_provisioning_event",
    translation_key="last_provisioning_event",
    device_class=SensorDeviceClass.TIMESTAMP,
    entity_category=EntityCategory.DIAGNOSTIC,
)
LAST_HEALTH_UPDATE = SensorEntityDescription(
    key="last_health_update",
    translation_key="last_health_update",
    device_class=SensorDeviceClass.TIMESTAMP,
    entity_category=EntityCategory.DIAGNOSTIC,
    # Changes with every health update: useful when investigating, noise otherwise.
    entity_registry_enabled_default=False,
)

EVENT_STREAM = SensorEntityDescription(
    key="event_stream",
    translation_key="event_stream",
    device_class=SensorDeviceClass.ENUM,
    entity_category=EntityCategory.DIAGNOSTIC,
    options=[
        StreamStatus.CONNECTED.value,
        StreamStatus.RECONNECTING.value,
        StreamStatus.DISCONNECTED.value,
    ],
)
REQUESTS_HELD_UNTIL = SensorEntityDescription(
    key="requests_held_until",
    translation_key="requests_held_until",
    device_class=SensorDeviceClass.TIMESTAMP,
    entity_category=EntityCategory.DIAGNOSTIC,
)
SESSION_EXPIRES = SensorEntityDescription(
    key="session_expires",
    translation_key="session_expires",
    device_class=SensorDeviceClass.TIMESTAMP,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PiOrchestratorConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the Pi's sensors, and each board's as boards appear."""
    data = entry.runtime_data
    entities: list[SensorEntity] = [
        *(HealthSensor(data.health, entry, description) for description in HEALTH_SENSORS),
        *(MonitorSensor(data.health, entry, description) for description in MONITOR_SENSORS),
        UptimeSensor(data.health, entry),
        ConnectionSensor(data.health, entry),
        LastHealthUpdateSensor(data.health, entry, LAST_HEALTH_UPDATE),
        LastProvisioningEventSensor(data.provisioning, entry, LAST_PROVISIONING_EVENT),
        EventStreamSensor(data.provisioning, entry, EVENT_STREAM),
        RequestsHeldSensor(data.health, entry, REQUESTS_HELD_UNTIL),
        SessionExpiresSensor(data.provisioning, entry, SESSION_EXPIRES),
        *(SessionSensor(data.provisioning, entry, description) for description in SESSION_SENSORS),
        *(AllowlistSensor(data.allowlist, entry, description) for description in ALLOWLIST_SENSORS),
    ]
    async_add_entities(entities)

    def board_sensors(mac: str) -> list[SensorEntity]:
        return [
            BoardStateSensor(data.provisioning, entry, mac, BOARD_STATE),
            *(
                BoardSensor(data.provisioning, entry, mac, description)
                for description in BOARD_SENSORS
            ),
        ]

    async_setup_board_entities(entry, async_add_entities, board_sensors)


class HealthSensor(PiOrchestratorEntity[HealthCoordinator], SensorEntity):
    """A health figure, from whichever transport fed it last."""

    entity_description: HealthSensorDescription

    @property
    def native_value(self) -> float | None:
        """The latest figure."""
        return self.entity_description.value_fn(self.coordinator.data)


class MonitorSensor(PiOrchestratorEntity[HealthCoordinator], SensorEntity):
    """A figure of the monitor WebSocket; unavailable while REST polling stands in.

    `/system/info` has none of these figures: rather than show the last pushed one
    as if it were current, the sensor says it does not know.
    """

    entity_description: MonitorSensorDescription

    @property
    def available(self) -> bool:
        """Shown while the latest health reading came from the WebSocket."""
        return super().available and self.coordinator.data.source is HealthSource.WEBSOCKET

    @property
    def native_value(self) -> StateType | datetime:
        """The latest pushed figure."""
        return self.entity_description.value_fn(self.coordinator.data)


class UptimeSensor(PiOrchestratorEntity[HealthCoordinator], SensorEntity):
    """When the Pi last booted, derived from its uptime."""

    _attr_device_class = SensorDeviceClass.TIMESTAMP
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _booted_at: datetime | None = None

    def __init__(self, coordinator: HealthCoordinator, entry: PiOrchestratorConfigEntry) -> None:
        """Describe the uptime sensor."""
        super().__init__(
            coordinator, entry, SensorEntityDescription(key="uptime", translation_key="uptime")
        )

    @property
    def native_value(self) -> datetime | None:
        """Boot time; unchanged unless it moved by more than the tolerance."""
        uptime = self.coordinator.data.uptime_seconds
        if uptime is None:
            return self._booted_at
        if uptime > MAX_PLAUSIBLE_UPTIME.total_seconds():
            # A broken figure; a boot before the first Raspberry Pi is no answer.
            return None
        booted_at = dt_util.utcnow() - timedelta(seconds=uptime)
        if self._booted_at is None or abs(booted_at - self._booted_at) > UPTIME_TOLERANCE:
            self._booted_at = booted_at.replace(microsecond=0)
        return self._booted_at


class ConnectionSensor(PiOrchestratorEntity[HealthCoordinator], SensorEntity):
    """The live-link indicator: push, polling or disconnected."""

    _attr_device_class = SensorDeviceClass.ENUM
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_options: ClassVar[list[str]] = [transport.value for transport in Transport]  # type: ignore[misc]

    def __init__(self, coordinator: HealthCoordinator, entry: PiOrchestratorConfigEntry) -> None:
        """Describe the connection sensor."""
        super().__init__(
            coordinator,
            entry,
            SensorEntityDescription(key="connection", translation_key="connection"),
        )

    @property
    def available(self) -> bool:
        """Always shown: saying that the Pi is unreachable is its purpose."""
        return True

    @property
    def native_value(self) -> str:
        """How health data arrives now."""
        return self.coordinator.transport.value

    @property
    def extra_state_attributes(self) -> Mapping[str, Any]:
        """When the WebSocket tries again, while it waits to."""
        return {"next_attempt": _iso(self.coordinator.monitor.next_attempt_at)}


class EventStreamSensor(PiOrchestratorEntity[ProvisioningCoordinator], SensorEntity):
    """The provisioning event stream: connected, reconnecting or disconnected."""

    @property
    def available(self) -> bool:
        """Always shown: saying that the stream is down is its purpose."""
        return True

    @property
    def native_value(self) -> str:
        """The stream's status now."""
        return self.coordinator.stream_status.value

    @property
    def extra_state_attributes(self) -> Mapping[str, Any]:
        """When the stream tries again, while it waits to."""
        return {"next_attempt": _iso(self.coordinator.stream.next_attempt_at)}


class RequestsHeldSensor(PiOrchestratorEntity[HealthCoordinator], SensorEntity):
    """Until when the Pi's rate limit holds requests back; unknown when it does not."""

    _cancel_end: CALLBACK_TYPE | None = None

    async def async_added_to_hass(self) -> None:
        """Follow the client's rate-limit hold, wherever the 429 came from."""
        await super().async_added_to_hass()
        self.async_on_remove(self.coordinator.client.add_hold_listener(self._hold_changed))
        self.async_on_remove(self._cancel_end_timer)

    @property
    def available(self) -> bool:
        """Always shown: a hold matters most when nothing else gets through."""
        return True

    @property
    def native_value(self) -> datetime | None:
        """When requests go out again."""
        return self.coordinator.client.held_until

    @callback
    def _hold_changed(self) -> None:
        self._cancel_end_timer()
        held_until = self.coordinator.client.held_until
        if held_until is not None:
            # A moment after: the client's own clock must have passed it too.
            self._cancel_end = async_track_point_in_utc_time(
                self.hass, self._hold_over, held_until + HOLD_END_MARGIN
            )
        self.async_write_if_changed()

    @callback
    def _hold_over(self, _now: datetime) -> None:
        self._cancel_end = None
        self._hold_changed()

    @callback
    def _cancel_end_timer(self) -> None:
        if self._cancel_end is not None:
            self._cancel_end()
            self._cancel_end = None


class SessionExpiresSensor(ProvisioningEntity, SensorEntity):
    """When the current session expires; unknown with no open session."""

    @property
    def native_value(self) -> datetime | None:
        """The expiry time from the latest session check."""
        return self.coordinator.data.expires_at


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


class LastHealthUpdateSensor(PiOrchestratorEntity[HealthCoordinator], SensorEntity):
    """When health figures last arrived, pushed or polled: their freshness."""

    @property
    def available(self) -> bool:
        """Always shown: an old time is the point when updates stop."""
        return True

    @property
    def native_value(self) -> datetime | None:
        """The time of the latest health update."""
        return self.coordinator.last_update_at


class LastProvisioningEventSensor(PiOrchestratorEntity[ProvisioningCoordinator], SensorEntity):
    """When the provisioning stream last delivered an event."""

    @property
    def available(self) -> bool:
        """Always shown: an old time is the point when events stop."""
        return True

    @property
    def native_value(self) -> datetime | None:
        """The time of the latest provisioning event."""
        return self.coordinator.last_event_at


class SessionSensor(ProvisioningEntity, SensorEntity):
    """A figure of the current session."""

    entity_description: SessionSensorDescription

    @property
    def native_value(self) -> StateType:
        """The latest figure."""
        return self.entity_description.value_fn(self.coordinator.data)

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """The session's ID and target network, for automations and support."""
        if self.entity_description.key != "session_state":
            return None
        session = self.coordinator.data.session
        if session is None:
            return None
        return {
            "session_id": session.id,
            "target_ssid": session.target_ssid,
            "expires_at": session.expires_at.isoformat() if session.expires_at else None,
        }


class AllowlistSensor(PiOrchestratorEntity[AllowlistCoordinator], SensorEntity):
    """A count of allowlist entries."""

    entity_description: AllowlistSensorDescription

    @property
    def native_value(self) -> int:
        """The latest count."""
        return self.entity_description.value_fn(self.coordinator.data)


class BoardSensor(BoardEntity, SensorEntity):
    """A figure of one camera board."""

    entity_description: BoardSensorDescription

    @property
    def native_value(self) -> StateType:
        """The latest figure."""
        board = self.board
        return self.entity_description.value_fn(board) if board is not None else None


class BoardStateSensor(BoardSensor):
    """Where the board stands; why it failed and how often it was retried."""

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Error, retry count and progress, for notifications and dashboards."""
        board = self.board
        if board is None:
            return None
        return {
            "error_message": board.error_message,
            "retry_count": board.retry_count,
            "progress": self.coordinator.data.progress.get(self.mac),
        }
