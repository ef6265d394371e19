"""What the monitor WebSocket knows, shown in Home Assistant (API.md §7), over the wire.

Certificate expiry, threat level and failed SSH attempts; alerts, connections, packet
loss and latency (disabled by default). `/system/info` has none of them: while REST
polling stands in for the socket they are unavailable, not stale.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
import contextlib
import json
from typing import Any
from unittest.mock import PropertyMock, patch

from homeassistant.components.sensor import ATTR_STATE_CLASS, SensorDeviceClass
from homeassistant.const import ATTR_DEVICE_CLASS, ATTR_UNIT_OF_MEASUREMENT, STATE_UNAVAILABLE
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator.const import DOMAIN
from simulator import Simulator

from .conftest import PiDriver, WaitFor

DISABLED_BY_DEFAULT = ("alerts_count", "active_connections", "packet_loss", "latency")
ENABLED_BY_DEFAULT = ("certificate_expiry", "threat_level", "failed_ssh_attempts")
PUSHED: dict[str, Any] = {
    "security_metrics": {
        "certificate_expiry": "2027-05-01T00:00:00Z",
        "threat_level": "HIGH",
        "failed_ssh_attempts": 12,
    },
    "network_metrics": {"active_connections": 7, "packet_loss": 1.5, "latency": 42.5},
    "alerts_count": 3,
}


def _entity_id(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> str:
    found = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, f"{entry.entry_id}_{key}")
    assert found is not None, key
    return found


def _state(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> Any:
    state = hass.states.get(_entity_id(hass, entry, key))
    assert state is not None, key
    return state


@contextlib.contextmanager
def _states_of(hass: HomeAssistant, entity: str) -> Iterator[list[str]]:
    seen: list[str] = []

    @callback
    def record(event: Event[EventStateChangedData]) -> None:
        if (new := event.data["new_state"]) is not None:
            seen.append(new.state)

    unsubscribe = async_track_state_change_event(hass, [entity], record)
    try:
        yield seen
    finally:
        unsubscribe()


@pytest.fixture
def all_enabled() -> Generator[None]:
    """Every entity enabled, as a user who turned the disabled ones on (before set-up)."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


async def test_four_network_figures_are_disabled_by_default(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    for key in DISABLED_BY_DEFAULT:
        entry = registry.async_get(_entity_id(hass, loaded_entry, key))
        assert entry is not None
        assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION, key
    for key in ENABLED_BY_DEFAULT:
        entry = registry.async_get(_entity_id(hass, loaded_entry, key))
        assert entry is not None
        assert entry.disabled_by is None, key


async def test_pushed_monitor_figures_show_with_their_classes(
    hass: HomeAssistant,
    all_enabled: None,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    wait_for: WaitFor,
) -> None:
    health = loaded_entry.runtime_data.health
    await wait_for(lambda: health.transport == "push")
    # The simulator's own figures first, as its WebSocket sends them on connecting.
    expiry = simulator.context.metrics.security_metrics()["certificate_expiry"]
    shown = _state(hass, loaded_entry, "certificate_expiry").state
    assert shown[:19] == expiry[:19]
    assert _state(hass, loaded_entry, "threat_level").state == "low"

    # The Pi's ticks stopped, so what is pushed next stays on screen.
    await pi.fault("mute-monitor", {"seconds": 3600})
    await pi.fault("raw-ws", {"text": json.dumps({"type": "monitoring_update", "data": PUSHED})})
    await wait_for(lambda: _state(hass, loaded_entry, "threat_level").state == "high")

    expected = {
        "certificate_expiry": ("2027-05-01T00:00:00+00:00", SensorDeviceClass.TIMESTAMP, None),
        "failed_ssh_attempts": ("12", None, None),
        "alerts_count": ("3", None, None),
        "active_connections": ("7", None, None),
        "packet_loss": ("1.5", None, "%"),
        "latency": ("42.5", SensorDeviceClass.DURATION, "ms"),
    }
    for key, (value, device_class, unit) in expected.items():
        state = _state(hass, loaded_entry, key)
        assert state.state == value, key
        assert state.attributes.get(ATTR_DEVICE_CLASS) == device_class, key
        assert state.attributes.get(ATTR_UNIT_OF_MEASUREMENT) == unit, key
        assert state.attributes.get(ATTR_STATE_CLASS) == (
            None if key == "certificate_expiry" else "measurement"
        ), key
    threat = _state(hass, loaded_entry, "threat_level")
    assert threat.attributes[ATTR_DEVICE_CLASS] == SensorDeviceClass.ENUM
    assert threat.attributes["options"] == ["low", "medium", "high"]
    # Translated: the entity's name comes from strings.json.
    assert threat.attributes["friendly_name"].endswith("Threat level")


async def test_while_polling_stands_in_monitor_figures_are_unavailable(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pi: PiDriver,
    wait_for: WaitFor,
) -> None:
    health = loaded_entry.runtime_data.health
    # A few pushes teach the client the Pi's cadence, and so how soon silence is death.
    await wait_for(
        lambda: health.monitor.diagnostics["message_counts"].get("monitoring_update", 0) >= 3
    )
    threat = _entity_id(hass, loaded_entry, "threat_level")
    cpu = _entity_id(hass, loaded_entry, "cpu_usage")
    assert hass.states.get(threat).state == "low"  # type: ignore[union-attr]

    with _states_of(hass, threat) as threat_seen, _states_of(hass, cpu) as cpu_seen:
        # A socket that stays up but pushes nothing is dropped; REST polling takes over.
        await pi.fault("mute-monitor", {"seconds": 3600})
        # Short-lived: the socket comes back (with its opening snapshot) within seconds.
        await wait_for(lambda: STATE_UNAVAILABLE in threat_seen, timeout=10)
        await pi.fault("mute-monitor", {"seconds": 0})
        await wait_for(lambda: health.transport == "push", timeout=15)
        await wait_for(lambda: hass.states.get(threat).state == "low")  # type: ignore[union-attr]

    assert threat_seen[-1] == "low"
    # The polled figures showed all along.
    assert cpu_seen
    assert not {STATE_UNAVAILABLE, "unknown"} & set(cpu_seen)
