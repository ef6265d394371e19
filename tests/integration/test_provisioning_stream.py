"""The provisioning coordinator against both SSE vocabularies and across gaps."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator import async_remove_config_entry_device
from custom_components.piorchestrator.api.models import BoardState
from custom_components.piorchestrator.api.provisioning import is_behind
from custom_components.piorchestrator.const import CONF_BOARD_ENTITIES, DOMAIN
from simulator import Simulator, SimulatorConfig
from tests.conftest import SimulatorConfigFactory

from .conftest import WIFI_PASSWORD, PiDriver, WaitFor

BOARDS = ("24:0A:C4:00:00:21", "24:0A:C4:00:00:22")
EVENTS_PATH = "/api/v1/provisioning/batch/events"


@pytest.fixture(params=["backend", "dashboard"])
def simulator_config(
    make_simulator_config: SimulatorConfigFactory, request: pytest.FixtureRequest
) -> SimulatorConfig:
    """Both event vocabularies seen in the field; one board fails once."""
    return make_simulator_config(
        speed=40,
        boards=0,
        seed=9,
        allowlist=BOARDS,
        fail_once=(BOARDS[1],),
        sse_vocabulary=request.param,
    )


async def test_a_session_with_a_retry_in_either_vocabulary(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, pi: PiDriver, wait_for: WaitFor
) -> None:
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: coordinator.stream_connected)
    session = await pi.start_session()
    await wait_for(lambda: set(BOARDS) <= coordinator.data.session_boards)
    await pi.call(
        "POST",
        f"/api/v1/provisioning/batch/{session['id']}/provision-all",
        {"only_allowlisted": True},
    )

    def state(mac: str) -> BoardState:
        return coordinator.data.boards[mac].state

    await wait_for(lambda: state(BOARDS[1]) is BoardState.FAILED, timeout=20)
    assert coordinator.data.boards[BOARDS[1]].error_message
    assert coordinator.data.counts[BoardState.FAILED] == 1
    await pi.call("POST", f"/api/v1/provisioning/batch/{session['id']}/devices/{BOARDS[1]}/retry")
    await wait_for(lambda: {state(mac) for mac in BOARDS} == {BoardState.VERIFIED}, timeout=20)
    assert coordinator.data.boards[BOARDS[1]].retry_count == 1
    assert coordinator.data.boards[BOARDS[1]].error_message is None
    assert coordinator.data.progress_percent == 100

    await pi.call("POST", f"/api/v1/provisioning/batch/{session['id']}/stop")
    await wait_for(lambda: coordinator.data.session.state.value == "closed")


async def test_a_board_failure_is_not_a_warning_but_a_pi_fault_is(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    wait_for: WaitFor,
    caplog: pytest.LogCaptureFixture,
) -> None:
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: coordinator.stream_connected)
    caplog.set_level(logging.DEBUG, logger="custom_components.piorchestrator")
    session = await pi.start_session()
    await wait_for(lambda: set(BOARDS) <= coordinator.data.session_boards)
    await pi.call("POST", f"/api/v1/provisioning/batch/{session['id']}/provision-all", {})
    await wait_for(lambda: coordinator.data.boards[BOARDS[1]].state is BoardState.FAILED)

    def reported(level: int) -> list[str]:
        return [
            record.getMessage()
            for record in caplog.records
            if record.levelno == level and "The Pi reported an error" in record.getMessage()
        ]

    # The Pi's error event for the board arrives beside its failed state: the
    # board's entities say it, the log keeps it for debugging only.
    await wait_for(lambda: any("DEVICE_REJECTED" in line for line in reported(logging.DEBUG)))
    assert reported(logging.WARNING) == []

    # A fault of the Pi itself, which no entity shows, is a warning.
    await pi.fault(
        "malformed",
        {
            "stream": "sse",
            "frame": _error_frame(
                simulator.config.sse_vocabulary, "MQTT_UNAVAILABLE", "broker down"
            ),
        },
    )
    await wait_for(lambda: reported(logging.WARNING) != [])
    assert reported(logging.WARNING) == ["The Pi reported an error: broker down (MQTT_UNAVAILABLE)"]


def _error_frame(vocabulary: str, code: str, message: str) -> str:
    if vocabulary == "backend":
        event_type, payload = "error.occurred", {"code": code, "message": message}
    else:
        event_type, payload = "error", {"code": code, "message": message, "retryable": True}
    envelope = {"version": "1.0", "type": event_type, "payload": payload}
    return f"event: {event_type}\ndata: {json.dumps(envelope)}\n\n"


async def test_an_answer_older_than_the_events_never_moves_a_board_back(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, pi: PiDriver, wait_for: WaitFor
) -> None:
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: coordinator.stream_connected)
    session = await pi.start_session()
    await wait_for(lambda: set(BOARDS) <= coordinator.data.session_boards)
    board = BOARDS[0]
    registry = er.async_get(hass)
    unique_id = f"{loaded_entry.entry_id}_{board}_provisioning_state"
    # The board's entities are added with the rest of its batch, a moment later.
    await wait_for(lambda: registry.async_get_entity_id("sensor", DOMAIN, unique_id) is not None)
    sensor = registry.async_get_entity_id("sensor", DOMAIN, unique_id)
    assert sensor is not None
    shown: list[str] = []

    @callback
    def follow(event: Event[EventStateChangedData]) -> None:
        if (new := event.data["new_state"]) is not None:
            shown.append(new.state)

    unsubscribe = async_track_state_change_event(hass, [sensor], follow)
    path = f"/api/v1/provisioning/batch/{session['id']}"
    await pi.fault("latency", {"seconds": 1.5, "paths": [path], "after_answer": True})
    # The Pi answers a check at once with the board still discovered; the answer
    # is then held back while the board's events arrive live.
    check = hass.async_create_task(coordinator.async_refresh())
    await asyncio.sleep(0.3)
    await pi.call("POST", f"{path}/devices/{board}/provision", {})
    await wait_for(lambda: coordinator.data.boards[board].state is not BoardState.DISCOVERED)
    seen_live = coordinator.data.boards[board]
    await check
    await pi.fault("latency", {"seconds": 0})

    assert not is_behind(coordinator.data.boards[board], seen_live)
    await wait_for(lambda: coordinator.data.boards[board].state is BoardState.VERIFIED)
    unsubscribe()
    # The entity never went back to discovered once it had left it.
    assert "discovered" not in shown, shown


async def test_an_answer_about_a_closed_session_never_replaces_the_next_one(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, pi: PiDriver, wait_for: WaitFor
) -> None:
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: coordinator.stream_connected)
    first = await pi.start_session()
    await wait_for(lambda: set(BOARDS) <= coordinator.data.session_boards)
    path = f"/api/v1/provisioning/batch/{first['id']}"
    await pi.fault("latency", {"seconds": 1.5, "paths": [path], "after_answer": True})
    # An answer describing the first session, still active, is on its way...
    check = hass.async_create_task(coordinator.async_refresh())
    await asyncio.sleep(0.3)
    # ...while that session closes and the next one starts.
    await pi.call("POST", f"{path}/stop")
    second: dict[str, Any] = {}
    for _ in range(100):
        started = await pi.call(
            "POST",
            "/api/v1/provisioning/batch/start",
            {"target_ssid": "CabinetNet", "target_password": WIFI_PASSWORD},
        )
        if isinstance(started, dict) and "session" in started:
            second = started["session"]
            break
        await asyncio.sleep(0.05)  # the first is still closing
    assert second
    await wait_for(lambda: coordinator.data.session.id == second["id"])
    await check
    await pi.fault("latency", {"seconds": 0})

    assert coordinator.data.session.id == second["id"]
    assert coordinator.data.session.state.is_open


async def test_a_late_event_about_a_closed_session_does_not_replace_the_open_one(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    wait_for: WaitFor,
) -> None:
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: coordinator.stream_connected)
    first = await pi.start_session()
    await wait_for(lambda: coordinator.data.session is not None)
    await pi.call("POST", f"/api/v1/provisioning/batch/{first['id']}/stop")
    await wait_for(lambda: not coordinator.data.session.state.is_open)
    closed = (await pi.call("GET", f"/api/v1/provisioning/batch/{first['id']}"))["session"]
    second = await pi.start_session()
    await wait_for(lambda: coordinator.data.session.id == second["id"])
    heard_at = coordinator.last_event_at

    # The first session's closing, delivered again late (a replay, a slow proxy).
    event_type = (
        "session.closed" if simulator.config.sse_vocabulary == "backend" else "session.status"
    )
    envelope = {"version": "1.0", "type": event_type, "payload": {"session": closed}}
    await pi.fault(
        "malformed",
        {"stream": "sse", "frame": f"event: {event_type}\ndata: {json.dumps(envelope)}\n\n"},
    )
    await wait_for(lambda: coordinator.last_event_at != heard_at)

    assert coordinator.data.session.id == second["id"]
    assert coordinator.data.session.state.is_open


async def test_a_board_first_heard_of_by_a_state_change_is_fetched_whole(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, pi: PiDriver, wait_for: WaitFor
) -> None:
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: coordinator.stream_connected)
    session = await pi.start_session()
    await wait_for(lambda: set(BOARDS) <= coordinator.data.session_boards)
    # A board discovered while its events were lost: Home Assistant never heard of it.
    newcomer = "24:0A:C4:00:00:2F"
    await pi.call("POST", "/api/v1/provisioning/allowlist", {"mac": newcomer})
    await pi.fault("mute-events", {"macs": [newcomer], "seconds": 3600})
    await pi.fault("boards", {"macs": [newcomer]})
    for _ in range(100):
        if newcomer in await pi.boards(session["id"]):
            break
        await asyncio.sleep(0.05)
    assert newcomer not in coordinator.data.boards
    await pi.fault("mute-events", {"seconds": 0})

    # Its first event is a state change (in the dashboard's vocabulary only a MAC
    # and a state): the board is shown, and the rest of it fetched.
    await pi.call(
        "POST", f"/api/v1/provisioning/batch/{session['id']}/devices/{newcomer}/provision"
    )
    await wait_for(lambda: newcomer in coordinator.data.session_boards)
    await wait_for(lambda: coordinator.data.boards[newcomer].ip is not None)
    await wait_for(lambda: coordinator.data.boards[newcomer].state is BoardState.VERIFIED)


async def test_the_replay_after_a_reconnect_is_not_taken_for_a_gap(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, pi: PiDriver, wait_for: WaitFor
) -> None:
    coordinator = loaded_entry.runtime_data.provisioning
    record = coordinator.reconciliation
    await wait_for(lambda: coordinator.stream_connected)
    session = await pi.start_session()
    await wait_for(lambda: set(BOARDS) <= coordinator.data.session_boards)
    # The stream goes, and stays away for two more attempts while the batch runs.
    await pi.fault("fail-next", {"count": 2, "status": 503, "paths": [EVENTS_PATH]})
    await pi.fault("drop-streams", {"streams": ["sse"]})
    await wait_for(lambda: not coordinator.stream_connected)
    await pi.call(
        "POST",
        f"/api/v1/provisioning/batch/{session['id']}/provision-all",
        {"only_allowlisted": True},
    )
    for _ in range(200):
        if BoardState.FAILED.value in (await pi.boards(session["id"])).values():
            break
        await asyncio.sleep(0.05)

    # Back: the reconciliation shows where the boards are; then the Pi replays what was
    # missed (Last-Event-ID), all of it older than that answer.
    await wait_for(lambda: coordinator.stream_connected, timeout=15)
    await wait_for(lambda: coordinator.data.boards[BOARDS[1]].state is BoardState.FAILED)
    settle = asyncio.get_running_loop().time()
    await wait_for(lambda: asyncio.get_running_loop().time() - settle > 1.5)

    # Nothing was missing, so nothing is checked again.
    assert record.gap_signals["backwards"] == 0
    assert record.by_reason["gap"] == 0


async def test_a_session_started_while_the_stream_was_down_is_picked_up(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, pi: PiDriver, wait_for: WaitFor
) -> None:
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: coordinator.stream_connected)
    await pi.fault("drop-streams", {"streams": ["sse"]})
    # Started from the Pi's dashboard while Home Assistant is reconnecting.
    session = await pi.start_session()
    assert not coordinator.stream_connected
    await wait_for(lambda: coordinator.stream_connected)
    await wait_for(
        lambda: coordinator.data.network is not None and coordinator.data.network.is_active
    )
    # Either the Pi replayed what was missed, or the active onboarding network
    # gives the session away: never "idle" while a session runs.
    assert coordinator.data.session_state in ("discovering", "active", "unknown")

    await pi.call(
        "POST",
        f"/api/v1/provisioning/batch/{session['id']}/provision-all",
        {"only_allowlisted": True},
    )
    await wait_for(
        lambda: coordinator.data.session is not None
        and coordinator.data.session.id == session["id"]
    )
    await wait_for(lambda: set(BOARDS) <= coordinator.data.session_boards)


async def test_stale_boards_can_be_deleted_but_not_those_in_the_session(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, pi: PiDriver, wait_for: WaitFor
) -> None:
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: coordinator.stream_connected)
    session = await pi.start_session()
    await wait_for(lambda: set(BOARDS) <= coordinator.data.session_boards)
    await hass.async_block_till_done()
    devices = dr.async_get(hass)
    board = devices.async_get_device(identifiers={(DOMAIN, BOARDS[0])})
    pi_device = devices.async_get_device(identifiers={(DOMAIN, loaded_entry.entry_id)})
    assert board is not None
    assert pi_device is not None

    assert not await async_remove_config_entry_device(hass, loaded_entry, board)
    assert not await async_remove_config_entry_device(hass, loaded_entry, pi_device)

    await pi.call("POST", f"/api/v1/provisioning/batch/{session['id']}/stop")
    await wait_for(lambda: not coordinator.data.session.state.is_open)
    assert await async_remove_config_entry_device(hass, loaded_entry, board)
    assert BOARDS[0] not in coordinator.data.boards


async def test_board_devices_can_be_turned_off_in_the_options(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, pi: PiDriver, wait_for: WaitFor
) -> None:
    # Through the options flow, as a person does: saving it reloads the entry.
    flow = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    await hass.config_entries.options.async_configure(
        flow["flow_id"], {**flow["data_schema"]({}), CONF_BOARD_ENTITIES: False}
    )
    await hass.async_block_till_done()
    assert loaded_entry.options[CONF_BOARD_ENTITIES] is False
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: coordinator.stream_connected)
    await pi.start_session()
    await wait_for(lambda: set(BOARDS) <= coordinator.data.session_boards)
    await hass.async_block_till_done()
    assert dr.async_get(hass).async_get_device(identifiers={(DOMAIN, BOARDS[0])}) is None
