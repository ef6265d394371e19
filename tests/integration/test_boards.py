"""Camera boards in a provisioning session, end to end against the simulator."""

from __future__ import annotations

import asyncio

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator.const import DOMAIN
from simulator import Simulator, SimulatorConfig
from tests.conftest import SimulatorConfigFactory

from .conftest import PiDriver, WaitFor

ALLOWLISTED = ("24:0A:C4:00:00:01", "24:0A:C4:00:00:02", "24:0A:C4:00:00:03")


@pytest.fixture
def simulator_config(make_simulator_config: SimulatorConfigFactory) -> SimulatorConfig:
    """Three allowlisted boards waiting on the onboarding network, fast."""
    return make_simulator_config(speed=40, boards=0, seed=3, allowlist=ALLOWLISTED)


def board_state_entity(hass: HomeAssistant, entry: MockConfigEntry, mac: str) -> str | None:
    """The provisioning-state sensor of a board, once it exists."""
    return er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{entry.entry_id}_{mac}_provisioning_state"
    )


def registry_entity(hass: HomeAssistant, entry: MockConfigEntry, platform: str, key: str) -> str:
    """The entity ID of one of the Pi's entities."""
    found = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{entry.entry_id}_{key}")
    assert found is not None, key
    return found


def ha_board_states(
    hass: HomeAssistant, entry: MockConfigEntry, macs: list[str]
) -> dict[str, str | None]:
    """What Home Assistant shows for each board."""
    states: dict[str, str | None] = {}
    for mac in macs:
        entity = board_state_entity(hass, entry, mac)
        state = hass.states.get(entity) if entity else None
        states[mac] = state.state if state else None
    return states


async def test_boards_appear_as_devices_and_walk_to_verified(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    wait_for: WaitFor,
) -> None:
    await wait_for(lambda: loaded_entry.runtime_data.provisioning.stream_connected)
    session = await pi.start_session()
    await wait_for(lambda: all(board_state_entity(hass, loaded_entry, mac) for mac in ALLOWLISTED))

    devices = dr.async_get(hass)
    pi_device = devices.async_get_device(identifiers={(DOMAIN, loaded_entry.entry_id)})
    for mac in ALLOWLISTED:
        device = devices.async_get_device(identifiers={(DOMAIN, mac)})
        assert device is not None
        assert device.via_device_id == pi_device.id
        assert (dr.CONNECTION_NETWORK_MAC, mac.lower()) in device.connections
        assert device.model == "ESP32-CAM"

    # The backend vocabulary has no event for the onboarding network's count,
    # yet the sensor follows what the Pi reports.
    on_network = registry_entity(hass, loaded_entry, "sensor", "onboarding_network_boards")
    network = await pi.call("GET", "/api/v1/provisioning/batch/network")
    assert network["connected_devices"] == len(ALLOWLISTED)
    await wait_for(lambda: hass.states.get(on_network).state == str(len(ALLOWLISTED)))

    await pi.call(
        "POST",
        f"/api/v1/provisioning/batch/{session['id']}/provision-all",
        {"only_allowlisted": True},
    )
    await wait_for(
        lambda: set(ha_board_states(hass, loaded_entry, list(ALLOWLISTED)).values())
        == {"verified"},
        timeout=30,
    )
    assert await pi.boards(session["id"]) == dict.fromkeys(ALLOWLISTED, "verified")
    # The Pi marks allowlist entries used; no stream says so, yet the counts follow
    # within seconds rather than at the next minute's poll.
    used = registry_entity(hass, loaded_entry, "sensor", "allowlist_used")
    await wait_for(lambda: hass.states.get(used).state == str(len(ALLOWLISTED)), timeout=15)
    registry = er.async_get(hass)
    retry = registry.async_get_entity_id(
        "button", DOMAIN, f"{loaded_entry.entry_id}_{ALLOWLISTED[0]}_retry"
    )
    assert hass.states.get(retry).state == "unavailable"  # nothing to retry on a verified board
    progress = registry.async_get_entity_id(
        "sensor", DOMAIN, f"{loaded_entry.entry_id}_session_progress"
    )
    assert float(hass.states.get(progress).state) == 100


async def test_dropping_the_event_stream_mid_session_loses_no_final_state(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pi: PiDriver,
    wait_for: WaitFor,
) -> None:
    await wait_for(lambda: loaded_entry.runtime_data.provisioning.stream_connected)
    session = await pi.start_session()
    await wait_for(lambda: all(board_state_entity(hass, loaded_entry, mac) for mac in ALLOWLISTED))
    await pi.call(
        "POST",
        f"/api/v1/provisioning/batch/{session['id']}/provision-all",
        {"only_allowlisted": True},
    )
    # Drop the stream while boards are in flight, and again later: events sent
    # while it is down are lost, the reconciliation after each reconnect must make up.
    for _ in range(3):
        await pi.fault("drop-streams", {"streams": ["sse"]})
        await wait_for(lambda: loaded_entry.runtime_data.provisioning.stream_connected)

    async def pi_all_verified() -> bool:
        return set((await pi.boards(session["id"])).values()) == {"verified"}

    for _ in range(300):
        if await pi_all_verified():
            break
        await hass.async_block_till_done()
        await asyncio.sleep(0.1)
    truth = await pi.boards(session["id"])
    await wait_for(
        lambda: ha_board_states(hass, loaded_entry, list(ALLOWLISTED)) == truth, timeout=15
    )
