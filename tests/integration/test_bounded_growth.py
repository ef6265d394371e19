"""A Pi, or whatever answers in its place, cannot make Home Assistant grow without bound.

Against the simulator over 127.0.0.1: a session of 300 boards, and one frame of the
event stream naming 300 boards, meet a cap (lowered here from `MAX_BOARDS`); the
coordinator keeps in memory only the boards of the current and the previous session.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
import json
import logging
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er, issue_registry as ir
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.piorchestrator import board_cap
from custom_components.piorchestrator.const import DOMAIN, MAX_BOARDS
from simulator import Simulator, SimulatorConfig
from tests.conftest import SimulatorConfigFactory

from .conftest import PiDriver, WaitFor

CAP = 40
"""The cap in these tests: small enough that 300 boards cross it many times over."""
CAP_WARNING = "new boards are not added"


@pytest.fixture
def board_count() -> int:
    """Boards waiting on the onboarding network; a test may parametrize it."""
    return 300


@pytest.fixture
def simulator_config(
    make_simulator_config: SimulatorConfigFactory, board_count: int
) -> SimulatorConfig:
    """`board_count` boards waiting on the onboarding network, fast."""
    return make_simulator_config(speed=50, boards=board_count, seed=5, session_timeout=100_000)


@pytest.fixture(autouse=True)
def lowered_cap(monkeypatch: pytest.MonkeyPatch) -> int:
    """The cap, lowered so that a test need not create a thousand devices first."""
    monkeypatch.setattr(board_cap, "MAX_BOARDS", CAP)
    return CAP


def board_devices(hass: HomeAssistant, entry: MockConfigEntry) -> set[str]:
    """The MACs of the entry's board devices."""
    registry = dr.async_get(hass)
    return {
        identifier
        for device in dr.async_entries_for_config_entry(registry, entry.entry_id)
        for domain, identifier in device.identifiers
        if domain == DOMAIN and identifier != entry.entry_id
    }


def board_entities(hass: HomeAssistant, entry: MockConfigEntry) -> list[er.RegistryEntry]:
    """The entity registry entries of the entry's boards (their unique IDs hold a MAC)."""
    return [
        entity
        for entity in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if entity.unique_id.count(":") == 5
    ]


def cap_issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"too_many_boards_{entry.entry_id}")


def session_state(hass: HomeAssistant, entry: MockConfigEntry) -> str | None:
    entity_id = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{entry.entry_id}_session_state"
    )
    state = hass.states.get(entity_id) if entity_id else None
    return state.state if state else None


def test_the_documented_cap_is_a_thousand_boards() -> None:
    assert MAX_BOARDS == 1000


async def test_a_session_of_300_boards_stops_at_the_cap_and_says_so_once(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    wait_for: WaitFor,
    caplog: pytest.LogCaptureFixture,
) -> None:
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: coordinator.stream_connected)
    session = await pi.start_session()
    on_pi = simulator.state.sessions[session["id"]]
    await wait_for(lambda: len(on_pi.devices) == 300, timeout=30)
    await wait_for(lambda: len(board_devices(hass, loaded_entry)) == CAP)
    # Every discovery has reached Home Assistant, and a reconciliation read all 300 over REST.
    await coordinator.async_refresh()
    await hass.async_block_till_done()

    assert len(board_devices(hass, loaded_entry)) == CAP
    per_board = len(board_entities(hass, loaded_entry)) / CAP
    assert per_board == int(per_board)
    assert len(coordinator.data.boards) == CAP
    warnings = [
        record
        for record in caplog.records
        if CAP_WARNING in record.getMessage() and record.levelno == logging.WARNING
    ]
    assert len(warnings) == 1
    assert f"more than {CAP} camera boards" in warnings[0].getMessage()
    issue = cap_issue(hass, loaded_entry)
    assert issue is not None
    assert issue.translation_key == "too_many_boards"
    assert issue.severity is ir.IssueSeverity.WARNING
    assert issue.translation_placeholders == {"pi": loaded_entry.title, "limit": str(CAP)}

    # The boards Home Assistant keeps still follow the Pi, and the session too.
    await pi.call("POST", f"/api/v1/provisioning/batch/{session['id']}/pause")
    await wait_for(lambda: session_state(hass, loaded_entry) == "paused", timeout=2)
    assert len(board_devices(hass, loaded_entry)) == CAP


@pytest.mark.parametrize("board_count", [0])
async def test_one_frame_naming_300_boards_adds_no_more_than_the_cap(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    wait_for: WaitFor,
    caplog: pytest.LogCaptureFixture,
) -> None:
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: coordinator.stream_connected)
    session = await pi.start_session()
    flood = frame(
        *(
            discovered(session["id"], f"24:0A:C4:7F:{n // 256:02X}:{n % 256:02X}")
            for n in range(300)
        )
    )
    assert simulator.context.events.send_raw(flood) >= 1
    await wait_for(lambda: cap_issue(hass, loaded_entry) is not None, timeout=5)
    await hass.async_block_till_done()
    await asyncio.sleep(0.2)
    await hass.async_block_till_done()

    assert len(board_devices(hass, loaded_entry)) == CAP
    assert len(coordinator.data.boards) == CAP
    assert sum(CAP_WARNING in record.getMessage() for record in caplog.records) == 1
    assert "Traceback" not in caplog.text

    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert cap_issue(hass, loaded_entry) is None


@pytest.mark.parametrize("board_count", [0])
async def test_memory_holds_the_boards_of_two_sessions_and_older_boards_keep_their_state(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    wait_for: WaitFor,
    caplog: pytest.LogCaptureFixture,
) -> None:
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: coordinator.stream_connected)
    boards = {"sess_A": OLD, "sess_B": PREVIOUS, "sess_C": CURRENT}
    for session_id, mac in boards.items():
        simulator.context.events.send_raw(frame(started(session_id), discovered(session_id, mac)))
        await wait_for(lambda mac=mac: state_of(hass, loaded_entry, mac) == "discovered")

    assert set(coordinator.data.boards) == {PREVIOUS, CURRENT}
    assert set(coordinator.data.progress) <= {PREVIOUS, CURRENT}
    # The oldest board keeps its device and shows what it last showed, even once
    # an outage long enough to show it unavailable is over.
    assert OLD in board_devices(hass, loaded_entry)
    shown: list[str] = []
    old_sensor = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{loaded_entry.entry_id}_{OLD}_provisioning_state"
    )
    unsubscribe = async_track_state_change_event(
        hass, [old_sensor], callback(lambda event: shown.append(event.data["new_state"].state))
    )
    await pi.fault("drop-streams", {"streams": ["sse"]})
    await wait_for(lambda: not coordinator.stream_connected)
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=11))
    await wait_for(lambda: coordinator.stream_available)
    await hass.async_block_till_done()
    unsubscribe()
    assert shown == ["unavailable", "discovered"]

    # Back in a new session, the old board is followed again, on the same entities.
    simulator.context.events.send_raw(
        frame(started("sess_D"), discovered("sess_D", OLD, state="provisioning"))
    )
    await wait_for(lambda: state_of(hass, loaded_entry, OLD) == "provisioning", timeout=2)
    assert set(coordinator.data.boards) == {CURRENT, OLD}
    assert state_of(hass, loaded_entry, PREVIOUS) == "discovered"
    assert len(board_devices(hass, loaded_entry)) == 3
    assert "does not generate unique IDs" not in caplog.text


OLD = "24:0A:C4:7E:00:01"
PREVIOUS = "24:0A:C4:7E:00:02"
CURRENT = "24:0A:C4:7E:00:03"


def state_of(hass: HomeAssistant, entry: MockConfigEntry, mac: str) -> str | None:
    """What the board's provisioning-state sensor shows."""
    entity_id = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{entry.entry_id}_{mac}_provisioning_state"
    )
    state = hass.states.get(entity_id) if entity_id else None
    return state.state if state else None


def frame(*events: dict[str, Any]) -> str:
    """Events as the stream carries them, in one write."""
    return "".join(f"event: {event['type']}\ndata: {json.dumps(event)}\n\n" for event in events)


def started(session_id: str) -> dict[str, Any]:
    """A backend-vocabulary start of a session."""
    return {
        "version": "1.0",
        "type": "session.started",
        "session_id": session_id,
        "payload": {"session": {"id": session_id, "state": "active", "target_ssid": "Net"}},
    }


def discovered(session_id: str, mac: str, *, state: str = "discovered") -> dict[str, Any]:
    """A backend-vocabulary discovery of one board."""
    return {
        "version": "1.0",
        "type": "device.discovered",
        "session_id": session_id,
        "payload": {
            "device": {
                "mac": mac,
                "state": state,
                "rssi": -50,
                "session_id": session_id,
            }
        },
    }


@pytest.mark.parametrize("board_count", [0])
async def test_deleting_a_board_makes_room_and_withdraws_the_issue(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    wait_for: WaitFor,
    hass_ws_client: WebSocketGenerator,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(board_cap, "BOARD_RECOUNT_INTERVAL", 0.0)
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: coordinator.stream_connected)
    first = await pi.start_session()
    simulator.context.events.send_raw(
        frame(*(discovered(first["id"], f"24:0A:C4:7D:00:{n:02X}") for n in range(CAP + 5)))
    )
    await wait_for(lambda: cap_issue(hass, loaded_entry) is not None)
    await pi.call("POST", f"/api/v1/provisioning/batch/{first['id']}/stop")
    await wait_for(lambda: session_state(hass, loaded_entry) == "closed")

    # The person deletes one board's device, as the issue suggests.
    assert await async_setup_component(hass, "config", {})
    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, "24:0A:C4:7D:00:00")})
    assert device is not None
    websocket = await hass_ws_client(hass)
    await websocket.send_json_auto_id(
        {
            "type": "config/device_registry/remove_config_entry",
            "config_entry_id": loaded_entry.entry_id,
            "device_id": device.id,
        }
    )
    assert (await websocket.receive_json())["success"]

    second = await pi.start_session()
    newcomer = "24:0A:C4:7D:01:00"
    simulator.context.events.send_raw(frame(discovered(second["id"], newcomer)))
    await wait_for(lambda: newcomer in board_devices(hass, loaded_entry))
    assert len(board_devices(hass, loaded_entry)) == CAP
    assert cap_issue(hass, loaded_entry) is None
