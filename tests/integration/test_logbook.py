"""Logbook lines for provisioning, read back through the real logbook."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.piorchestrator.bus_events import board_display_name
from custom_components.piorchestrator.const import DOMAIN
from custom_components.piorchestrator.logbook import board_message, session_message
from simulator import Simulator, SimulatorConfig
from tests.conftest import SimulatorConfigFactory

from .conftest import PiDriver, WaitFor

FLAKY = "24:0A:C4:50:00:01"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(recorder_mock: Any, enable_custom_integrations: None) -> None:
    """The logbook reads the recorder, which must start before Home Assistant."""


@pytest.fixture
def simulator_config(make_simulator_config: SimulatorConfigFactory) -> SimulatorConfig:
    """One allowlisted board that fails its first attempt."""
    return make_simulator_config(
        speed=50,
        boards=0,
        seed=17,
        allowlist=(FLAKY,),
        fail_once=(FLAKY,),
        session_timeout=100_000,
    )


async def logbook_lines(
    hass: HomeAssistant, client_factory: WebSocketGenerator, device_id: str
) -> list[tuple[str, str]]:
    """Our logbook lines for one device, oldest first, as the frontend reads them."""
    await hass.async_block_till_done()
    await async_wait_recording_done(hass)
    client = await client_factory()
    await client.send_json(
        {
            "id": 1,
            "type": "logbook/get_events",
            "start_time": (dt_util.utcnow() - timedelta(hours=1)).isoformat(),
            "device_ids": [device_id],
        }
    )
    response = await client.receive_json()
    assert response["success"], response
    return [
        (entry["name"], entry["message"])
        for entry in response["result"]
        if entry.get("domain") == DOMAIN and "entity_id" not in entry
    ]


async def test_a_session_reads_as_one_line_per_step(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    wait_for: WaitFor,
) -> None:
    hass.config.components.add("frontend")  # the logbook's panel; not served in tests
    assert await async_setup_component(hass, "logbook", {})
    await wait_for(lambda: loaded_entry.runtime_data.provisioning.stream_connected)
    session = await pi.start_session()
    devices = simulator.state.sessions[session["id"]].devices
    await wait_for(lambda: FLAKY in devices)
    path = f"/api/v1/provisioning/batch/{session['id']}"
    await pi.call("POST", f"{path}/provision-all", {"only_allowlisted": True})
    await wait_for(lambda: devices[FLAKY].state == "failed", timeout=15)
    await pi.call("POST", f"{path}/devices/{FLAKY}/retry")
    await wait_for(lambda: devices[FLAKY].state == "verified", timeout=15)
    await pi.fault("expire", {"session_id": session["id"], "warning_only": True})
    await pi.call("POST", f"{path}/stop")
    provisioning = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: provisioning.data.session.state.value == "closed")

    registry = dr.async_get(hass)
    board = registry.async_get_device(identifiers={(DOMAIN, FLAKY)})
    pi_device = registry.async_get_device(identifiers={(DOMAIN, loaded_entry.entry_id)})
    assert board is not None and pi_device is not None
    name = board.name
    assert name

    assert await logbook_lines(hass, hass_ws_client, board.id) == [
        (name, f"was discovered in session {session['id']}"),
        (name, "started provisioning"),
        (name, "failed: device rejected credentials; it can be retried"),
        (name, "is being provisioned again (retry 1)"),
        (name, "received the WiFi credentials"),
        (name, "is joining the target network"),
        (name, "joined the target network and is verified"),
    ]
    batch = f"Batch session {session['id']}"
    assert await logbook_lines(hass, hass_ws_client, pi_device.id) == [
        (batch, "started for network CabinetNet"),
        (batch, "is active"),
        (batch, "will expire soon; boards not yet verified will be left out"),
        (batch, "is closing"),
        (batch, "closed: 1 of 1 boards verified, 0 failed"),
    ]


async def test_a_board_without_a_device_is_named_by_its_mac(hass: HomeAssistant) -> None:
    assert board_display_name(hass, {"mac": FLAKY, "device_id": None}) == (f"Camera board {FLAKY}")
    assert board_display_name(hass, {"mac": FLAKY, "device_id": "gone"}) == (
        f"Camera board {FLAKY}"
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"state": "failed", "error_message": None, "can_retry": False},
            "failed: no reason given; no retry is left",
        ),
        ({"state": "unknown"}, "changed to unknown"),
    ],
)
def test_rare_board_lines(data: dict[str, Any], message: str) -> None:
    assert board_message(data) == message


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"state": "paused", "previous_state": "active"}, "was paused"),
        ({"state": "active", "previous_state": "paused"}, "resumed"),
        ({"state": "unknown", "previous_state": "active"}, "changed to unknown"),
    ],
)
def test_rare_session_lines(data: dict[str, Any], message: str) -> None:
    assert session_message(data) == message
