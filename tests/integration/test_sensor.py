"""The Pi's health sensors and the live-link indicator, against the simulator."""

from __future__ import annotations

from datetime import datetime

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator.const import CONF_POLL_INTERVAL, DOMAIN
from simulator import Simulator
from tests.conftest import ConfigEntryFactory

from .conftest import PiDriver, WaitFor


def entity_id(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> str:
    """The entity ID of one of the Pi's entities, by its description key."""
    found = er.async_get(hass).async_get_entity_id(
        key.split(".")[0], DOMAIN, f"{entry.entry_id}_{key.split('.')[1]}"
    )
    assert found is not None, key
    return found


@pytest.fixture
def config_entry(simulator: Simulator, make_config_entry: ConfigEntryFactory) -> MockConfigEntry:
    """Poll every 2 s while the socket is down, so a short outage shows polls."""
    return make_config_entry(simulator, options={CONF_POLL_INTERVAL: 2})


async def test_health_sensors_show_plausible_live_values(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, wait_for: WaitFor
) -> None:
    connection = entity_id(hass, loaded_entry, "sensor.connection")
    cpu = entity_id(hass, loaded_entry, "sensor.cpu_usage")
    await wait_for(lambda: hass.states.get(connection).state == "push")

    first = hass.states.get(cpu).state
    await wait_for(lambda: hass.states.get(cpu).state != first)

    for key, low, high in (
        ("sensor.cpu_usage", 0, 100),
        ("sensor.memory_usage", 0, 100),
        ("sensor.disk_usage", 0, 100),
        ("sensor.cpu_temperature", 20, 95),
        ("sensor.load_1", 0, 64),
    ):
        value = float(hass.states.get(entity_id(hass, loaded_entry, key)).state)
        assert low <= value <= high, key
    assert hass.states.get(cpu).attributes["unit_of_measurement"] == "%"
    booted = datetime.fromisoformat(
        hass.states.get(entity_id(hass, loaded_entry, "sensor.uptime")).state
    )
    assert booted < dt_util.utcnow()
    assert hass.states.get(entity_id(hass, loaded_entry, "binary_sensor.mqtt_connected")).state in (
        "on",
        "off",
    )


async def test_websocket_outage_falls_back_to_polling_then_returns_to_push(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, pi: PiDriver, wait_for: WaitFor
) -> None:
    connection = entity_id(hass, loaded_entry, "sensor.connection")
    cpu = entity_id(hass, loaded_entry, "sensor.cpu_usage")
    await wait_for(lambda: hass.states.get(connection).state == "push")

    seen: list[tuple[str, str]] = []

    @callback
    def record(event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if new is not None:
            seen.append((event.data["entity_id"], new.state))

    unsubscribe = async_track_state_change_event(hass, [connection, cpu], record)
    # Keep the socket refused for a few reconnect attempts, then drop it.
    await pi.fault("fail-next", {"count": 3, "status": 503, "paths": ["/ws/monitor"]})
    await pi.fault("drop-streams", {"streams": ["ws"]})

    await wait_for(lambda: (connection, "polling") in seen, timeout=5)
    polling_at = len(seen)
    await wait_for(lambda: (connection, "push") in seen[polling_at:], timeout=30)
    unsubscribe()

    during_polling = seen[polling_at : seen.index((connection, "push"), polling_at)]
    assert any(entity == cpu and state != STATE_UNAVAILABLE for entity, state in during_polling), (
        "health kept updating by polling while the socket was down"
    )
    assert (connection, "disconnected") not in seen


async def test_last_health_update_shows_freshness_and_stays_when_updates_stop(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    simulator: Simulator,
    wait_for: WaitFor,
) -> None:
    """The freshness sensor (off by default) dates the figures, and outlives them."""
    config_entry.add_to_hass(hass)
    freshness = er.async_get(hass).async_get_or_create(
        "sensor",
        DOMAIN,
        f"{config_entry.entry_id}_last_health_update",
        config_entry=config_entry,
        disabled_by=None,
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    connection = entity_id(hass, config_entry, "sensor.connection")
    cpu = entity_id(hass, config_entry, "sensor.cpu_usage")
    await wait_for(lambda: hass.states.get(connection).state == "push")

    def shown() -> datetime:
        return datetime.fromisoformat(hass.states.get(freshness.entity_id).state)

    first = shown()
    assert abs((dt_util.utcnow() - first).total_seconds()) < 5
    await wait_for(lambda: shown() > first)  # every pushed update dates it anew

    await simulator.stop()
    await wait_for(lambda: hass.states.get(cpu).state == STATE_UNAVAILABLE)
    # The figures are gone; their date stays, so a dashboard shows how old they are.
    last = shown()
    await wait_for(lambda: hass.states.get(connection).state == "disconnected")
    assert shown() == last
    await hass.config_entries.async_unload(config_entry.entry_id)
