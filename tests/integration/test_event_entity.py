"""The Pi's provisioning event entity, against the simulator."""

from __future__ import annotations

from typing import Any

from homeassistant.components.event import ATTR_EVENT_TYPE, ATTR_EVENT_TYPES
from homeassistant.const import ATTR_FRIENDLY_NAME, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator.const import DOMAIN
from simulator import Simulator, SimulatorConfig
from tests.conftest import SimulatorConfigFactory

from .conftest import PiDriver, WaitFor

FLAKY = "24:0A:C4:30:00:01"


@pytest.fixture
def simulator_config(make_simulator_config: SimulatorConfigFactory) -> SimulatorConfig:
    """One allowlisted board that fails its first attempt."""
    return make_simulator_config(
        speed=50,
        boards=0,
        seed=9,
        allowlist=(FLAKY,),
        fail_once=(FLAKY,),
        session_timeout=100_000,
    )


def event_entity_id(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        "event", DOMAIN, f"{entry.entry_id}_provisioning_events"
    )
    assert entity_id is not None
    return entity_id


async def test_the_event_entity_reports_each_step_once_with_its_details(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    wait_for: WaitFor,
) -> None:
    entity_id = event_entity_id(hass, loaded_entry)
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == STATE_UNKNOWN
    assert state.attributes[ATTR_FRIENDLY_NAME] == "127.0.0.1 Provisioning events"
    assert state.attributes[ATTR_EVENT_TYPES] == [
        "board_discovered",
        "board_provisioning_started",
        "board_provisioned",
        "board_verified",
        "board_failed",
        "session_started",
        "session_state_changed",
        "session_timeout_warning",
        "session_closed",
    ]
    entity = er.async_get(hass).async_get(entity_id)
    pi_device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, loaded_entry.entry_id)})
    assert entity is not None and pi_device is not None
    assert entity.device_id == pi_device.id

    seen: list[dict[str, Any]] = []

    @callback
    def record(event: Event[EventStateChangedData]) -> None:
        new_state = event.data["new_state"]
        assert new_state is not None
        seen.append(dict(new_state.attributes))

    async_track_state_change_event(hass, [entity_id], record)
    await wait_for(lambda: loaded_entry.runtime_data.provisioning.stream_connected)
    session = await pi.start_session()
    devices = simulator.state.sessions[session["id"]].devices
    await wait_for(lambda: FLAKY in devices)
    path = f"/api/v1/provisioning/batch/{session['id']}"
    await pi.call("POST", f"{path}/provision-all", {"only_allowlisted": True})
    await wait_for(lambda: devices[FLAKY].state == "failed", timeout=15)
    await wait_for(lambda: seen[-1][ATTR_EVENT_TYPE] == "board_failed")
    await pi.call("POST", f"{path}/devices/{FLAKY}/retry")
    await wait_for(lambda: devices[FLAKY].state == "verified", timeout=15)
    await wait_for(lambda: seen[-1][ATTR_EVENT_TYPE] == "board_verified")
    await pi.call("POST", f"{path}/stop")
    await wait_for(lambda: seen[-1][ATTR_EVENT_TYPE] == "session_closed")

    assert [attributes[ATTR_EVENT_TYPE] for attributes in seen] == [
        "session_started",
        "board_discovered",
        "session_state_changed",
        "board_provisioning_started",
        "board_failed",
        "board_provisioning_started",
        "board_provisioned",
        "board_verified",
        "session_state_changed",
        "session_closed",
    ]
    failed = seen[4]
    assert {key: failed[key] for key in failed if key not in ("friendly_name", "icon")} == {
        ATTR_EVENT_TYPE: "board_failed",
        ATTR_EVENT_TYPES: state.attributes[ATTR_EVENT_TYPES],
        "mac": FLAKY,
        "session_id": session["id"],
        "state": "failed",
        "previous_state": "provisioning",
        "retry_count": 0,
        "error_message": "device rejected credentials",
        "can_retry": True,
    }
    assert seen[5]["retry_count"] == 1
    assert seen[-1]["verified_count"] == 1
    assert seen[-1]["target_ssid"] == "CabinetNet"


async def test_the_event_entity_fires_nothing_for_the_state_found_at_setup(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    config_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    wait_for: WaitFor,
) -> None:
    session = await pi.start_session()
    await wait_for(lambda: FLAKY in simulator.state.sessions[session["id"]].devices)
    key = f"{DOMAIN}.{config_entry.entry_id}.provisioning"
    hass_storage[key] = {"version": 1, "key": key, "data": {"session_id": session["id"]}}
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await wait_for(lambda: config_entry.runtime_data.provisioning.stream_connected)
    await hass.async_block_till_done()
    assert FLAKY in config_entry.runtime_data.provisioning.data.boards

    state = hass.states.get(event_entity_id(hass, config_entry))
    assert state is not None
    assert state.state == STATE_UNKNOWN
    await hass.config_entries.async_unload(config_entry.entry_id)


async def test_the_event_entity_follows_the_coordinators_availability(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    entity_id = event_entity_id(hass, loaded_entry)
    coordinator = loaded_entry.runtime_data.provisioning

    coordinator.async_set_update_error(RuntimeError("the Pi is away"))
    await hass.async_block_till_done()
    assert hass.states.get(entity_id).state == STATE_UNAVAILABLE

    coordinator.async_set_updated_data(coordinator.data)
    await hass.async_block_till_done()
    assert hass.states.get(entity_id).state == STATE_UNKNOWN
