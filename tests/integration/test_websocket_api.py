"""The cards' WebSocket API, against the simulator over real sockets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from dataclasses import replace
from pathlib import Path
from typing import Any

from homeassistant.const import CONF_API_KEY, CONF_HOST, CONF_PORT, CONF_SSL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.dispatcher import SignalType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import MockHAClientWebSocket, WebSocketGenerator

from custom_components.piorchestrator.api.models import DoorState
from custom_components.piorchestrator.const import CONF_VERIFY_SSL, DOMAIN
from simulator import Simulator, SimulatorConfig
from tests.conftest import SimulatorConfigFactory

from .conftest import API_KEY, PiDriver, WaitFor

ALLOWLISTED = ("24:0A:C4:00:00:01", "24:0A:C4:00:00:02", "24:0A:C4:00:00:03")


@pytest.fixture
def simulator_config(
    make_simulator_config: SimulatorConfigFactory, tmp_path: Path
) -> SimulatorConfig:
    """Three allowlisted boards waiting on the onboarding network, fast; kept across restarts."""
    return make_simulator_config(
        speed=40,
        boards=0,
        seed=3,
        allowlist=ALLOWLISTED,
        session_timeout=100_000,
        state_file=tmp_path / "pi-state.json",
    )


async def next_event(ws: MockHAClientWebSocket, msg_id: int, timeout: float = 10.0) -> Any:
    """The next event of subscription `msg_id`."""
    async with asyncio.timeout(timeout):
        while True:
            message = await ws.receive_json()
            if message["id"] == msg_id and message["type"] == "event":
                return message["event"]


async def subscribe(ws: MockHAClientWebSocket, message: dict[str, Any]) -> tuple[int, Any]:
    """Subscribe; return the subscription's id and its snapshot."""
    await ws.send_json_auto_id(message)
    result = await ws.receive_json()
    assert result["success"], result
    snapshot = await next_event(ws, result["id"])
    assert snapshot["kind"] == "snapshot"
    return result["id"], snapshot


def apply(pi: dict[str, Any], changes: dict[str, Any]) -> None:
    """Fold a `changes` message into a snapshot, as the card does."""
    assert changes["kind"] == "changes"
    boards = {board["mac"]: board for board in pi["boards"]}
    for board in changes.get("boards", []):
        boards[board["mac"]] = board
    for mac in changes.get("removed_boards", []):
        boards.pop(mac, None)
    pi.update({k: v for k, v in changes.items() if k not in ("kind", "boards", "removed_boards")})
    pi["boards"] = list(boards.values())


def listener_counts(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, int]:
    """Listeners of the entry's coordinators, of the bus and of the dispatcher."""
    data = entry.runtime_data
    counts = {
        name: len(coordinator._listeners)
        for name, coordinator in (
            ("provisioning", data.provisioning),
            ("health", data.health),
            ("door", data.door),
            ("allowlist", data.allowlist),
        )
    }
    counts["issues"] = hass.bus.async_listeners().get(ir.EVENT_REPAIRS_ISSUE_REGISTRY_UPDATED, 0)
    dispatcher: dict[SignalType[Any] | str, dict[Any, Any]] = hass.data.get("dispatcher", {})
    counts["dispatcher"] = sum(len(targets) for targets in dispatcher.values())
    return counts


async def test_entries_lists_the_configured_pis(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    ws = await hass_ws_client(hass)
    await ws.send_json_auto_id({"type": f"{DOMAIN}/entries"})
    result = await ws.receive_json()
    assert result["success"]
    assert result["result"] == [
        {"entry_id": loaded_entry.entry_id, "title": loaded_entry.title, "state": "loaded"}
    ]


async def test_snapshot_then_only_the_board_that_changed(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    pi: PiDriver,
    wait_for: WaitFor,
) -> None:
    provisioning = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: provisioning.stream_connected)
    session = await pi.start_session()
    await wait_for(lambda: len(provisioning.data.session_boards) == len(ALLOWLISTED))
    await hass.async_block_till_done()

    ws = await hass_ws_client(hass)
    sub_id, snapshot = await subscribe(
        ws, {"type": f"{DOMAIN}/subscribe", "entry_id": loaded_entry.entry_id}
    )
    state = snapshot["pi"]
    assert state["entry_id"] == loaded_entry.entry_id
    assert state["is_admin"] is True
    assert state["streams"]["events"] == "connected"
    assert state["session"]["id"] == session["id"]
    assert state["session"]["target_ssid"] == "CabinetNet"
    assert state["session"]["state"] == provisioning.data.session.state.value
    assert {board["mac"] for board in state["boards"]} == set(ALLOWLISTED)
    assert {board["state"] for board in state["boards"]} == {"discovered"}
    assert all(board["in_allowlist"] for board in state["boards"])
    assert [entry["mac"] for entry in state["allowlist"]] == sorted(ALLOWLISTED)
    assert state["allowlist_counts"] == {"total": 3, "used": 0, "available": 3}
    assert set(state["health"]) == {"cpu_percent", "memory_percent", "temperature", "disk_percent"}
    assert state["door"]["door"] in ("open", "closed", "unknown")

    # One board moves: the messages that follow name that board and no other,
    # until it is verified.
    target = ALLOWLISTED[1]
    await pi.call("POST", f"/api/v1/provisioning/batch/{session['id']}/devices/{target}/provision")
    seen_states: list[str] = []
    async with asyncio.timeout(30):
        while "verified" not in seen_states:
            changes = await next_event(ws, sub_id, timeout=15)
            assert changes["kind"] == "changes"
            for board in changes.get("boards", []):
                assert board["mac"] == target, changes
                seen_states.append(board["state"])
            apply(state, changes)
    assert seen_states[0] in ("provisioning", "provisioned", "verifying")
    assert {board["mac"]: board["state"] for board in state["boards"]} == {
        ALLOWLISTED[0]: "discovered",
        target: "verified",
        ALLOWLISTED[2]: "discovered",
    }
    await wait_for(lambda: provisioning.data.session is not None)
    # The counts are those of the boards shown, not the Pi's counters, which move only
    # with session events and lag behind (the fleet row read "0/1" beside 2 verified).
    shown = [board["state"] for board in state["boards"]]
    assert state["session"]["device_count"] == len(shown)
    assert state["session"]["verified_count"] == shown.count("verified") == 1
    assert state["session"]["failed_count"] == shown.count("failed")


async def test_non_admin_never_receives_allowlist_entries(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
    pi: PiDriver,
    wait_for: WaitFor,
) -> None:
    provisioning = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: provisioning.stream_connected)
    ws = await hass_ws_client(hass, hass_read_only_access_token)
    sub_id, snapshot = await subscribe(
        ws, {"type": f"{DOMAIN}/subscribe", "entry_id": loaded_entry.entry_id}
    )
    assert snapshot["pi"]["is_admin"] is False
    assert "allowlist" not in snapshot["pi"]
    assert snapshot["pi"]["allowlist_counts"]["total"] == len(ALLOWLISTED)

    # The allowlist changes on the Pi: counts reach the user, entries do not.
    await pi.call(
        "POST", "/api/v1/provisioning/allowlist", {"mac": "24:0A:C4:00:00:09", "description": "x"}
    )
    await loaded_entry.runtime_data.allowlist.async_refresh()
    async with asyncio.timeout(30):
        while True:
            changes = await next_event(ws, sub_id)
            assert "allowlist" not in changes
            if "allowlist_counts" in changes:
                break
    assert changes["allowlist_counts"]["total"] == len(ALLOWLISTED) + 1

    # An administrator's subscription carries the entries.
    admin = await hass_ws_client(hass)
    _, admin_snapshot = await subscribe(
        admin, {"type": f"{DOMAIN}/subscribe", "entry_id": loaded_entry.entry_id}
    )
    assert "24:0A:C4:00:00:09" in {entry["mac"] for entry in admin_snapshot["pi"]["allowlist"]}


async def test_unsubscribe_removes_every_listener(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    pi: PiDriver,
    wait_for: WaitFor,
) -> None:
    provisioning = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: provisioning.stream_connected)
    session = await pi.start_session()
    await wait_for(lambda: len(provisioning.data.session_boards) == len(ALLOWLISTED))
    await hass.async_block_till_done()
    ws = await hass_ws_client(hass)
    before = listener_counts(hass, loaded_entry)

    sub_id, _ = await subscribe(
        ws, {"type": f"{DOMAIN}/subscribe", "entry_id": loaded_entry.entry_id}
    )
    during = listener_counts(hass, loaded_entry)
    assert all(during[name] > before[name] for name in before), (before, during)

    unsubscribe: dict[str, Any] = {"type": "unsubscribe_events", "subscription": sub_id}
    await ws.send_json_auto_id(unsubscribe)
    async with asyncio.timeout(10):
        # Changes sent before the unsubscribe arrived may come first.
        while (result := await ws.receive_json())["id"] != unsubscribe["id"]:
            assert result["type"] == "event"
    assert result["success"]
    assert listener_counts(hass, loaded_entry) == before

    target = ALLOWLISTED[0]
    await pi.call("POST", f"/api/v1/provisioning/batch/{session['id']}/devices/{target}/provision")
    await wait_for(lambda: provisioning.data.boards[target].state.value == "verified", timeout=15)
    await hass.async_block_till_done()
    with pytest.raises(TimeoutError):
        await next_event(ws, sub_id, timeout=0.5)


async def test_unknown_entry_is_not_found(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    ws = await hass_ws_client(hass)
    await ws.send_json_auto_id({"type": f"{DOMAIN}/subscribe", "entry_id": "no-such-entry"})
    result = await ws.receive_json()
    assert not result["success"]
    assert result["error"]["code"] == "not_found"


@pytest.fixture
async def second_simulator(socket_enabled: None) -> AsyncGenerator[Simulator]:
    """Another cabinet, with a different number of boards."""
    sim = Simulator(SimulatorConfig(port=0, api_key=API_KEY, speed=40, boards=5, seed=4))
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()


async def test_fleet_has_one_row_per_pi_and_follows_entries(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    second_simulator: Simulator,
    hass_ws_client: WebSocketGenerator,
    pi: PiDriver,
    wait_for: WaitFor,
) -> None:
    second = MockConfigEntry(
        domain=DOMAIN,
        title="Cabinet B",
        unique_id=f"127.0.0.1:{second_simulator.port}",
        data={
            CONF_HOST: "127.0.0.1",
            CONF_PORT: second_simulator.port,
            CONF_SSL: False,
            CONF_VERIFY_SSL: True,
            CONF_API_KEY: API_KEY,
        },
    )
    second.add_to_hass(hass)
    assert await hass.config_entries.async_setup(second.entry_id)
    await hass.async_block_till_done()
    provisioning = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: provisioning.stream_connected)

    ws = await hass_ws_client(hass)
    sub_id, snapshot = await subscribe(ws, {"type": f"{DOMAIN}/subscribe_fleet"})
    rows = {row["entry_id"]: row for row in snapshot["pis"]}
    assert set(rows) == {loaded_entry.entry_id, second.entry_id}
    assert rows[second.entry_id]["title"] == "Cabinet B"
    assert rows[loaded_entry.entry_id]["session"] is None
    assert rows[loaded_entry.entry_id]["board_count"] == 0
    assert rows[loaded_entry.entry_id]["failed_boards"] == []

    # A session on one Pi shows in that Pi's row only (the other's health moves on).
    await pi.start_session()
    async with asyncio.timeout(30):
        while True:
            rows = {row["entry_id"]: row for row in (await next_event(ws, sub_id))["pis"]}
            if second.entry_id in rows:
                assert rows[second.entry_id]["session"] is None
            first = rows.get(loaded_entry.entry_id)
            if first is not None and first["board_count"] == len(ALLOWLISTED):
                break
    assert first["session"]["target_ssid"] == "CabinetNet"

    # Unloading shows the Pi offline (messages sent before may still be on the
    # way); removing it takes its row away.
    assert await hass.config_entries.async_unload(second.entry_id)
    await hass.async_block_till_done()
    offline = {"events": "offline", "monitor": "offline"}
    async with asyncio.timeout(30):
        while True:
            changes = await next_event(ws, sub_id)
            rows = {row["entry_id"]: row for row in changes["pis"]}
            if second.entry_id in rows and rows[second.entry_id]["streams"] == offline:
                break
    assert rows[second.entry_id]["health"]["cpu_percent"] is None
    assert rows[second.entry_id]["session"] is None
    assert await hass.config_entries.async_remove(second.entry_id)
    async with asyncio.timeout(30):
        while True:
            changes = await next_event(ws, sub_id)
            if changes["removed"]:
                break
    assert changes["removed"] == [second.entry_id]


async def test_an_interrupted_session_is_offered_for_resumption(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    hass_ws_client: WebSocketGenerator,
    pi: PiDriver,
    wait_for: WaitFor,
) -> None:
    provisioning = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: provisioning.stream_connected)
    session = await pi.start_session()
    await wait_for(lambda: len(provisioning.data.session_boards) == len(ALLOWLISTED))
    ws = await hass_ws_client(hass)
    sub_id, snapshot = await subscribe(
        ws, {"type": f"{DOMAIN}/subscribe", "entry_id": loaded_entry.entry_id}
    )
    assert snapshot["pi"]["recoverable"] == []

    # The Pi restarts mid-session: it then offers the session for resumption.
    await simulator.stop()
    fresh = Simulator(replace(simulator.config, port=simulator.port))
    await fresh.start()
    try:
        async with asyncio.timeout(30):
            while True:
                changes = await next_event(ws, sub_id, timeout=20)
                if changes.get("recoverable"):
                    break
        assert changes["recoverable"] == [
            {
                "id": session["id"],
                "target_ssid": "CabinetNet",
                "state": "interrupted",
                "device_count": len(ALLOWLISTED),
            }
        ]
        assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    finally:
        await fresh.stop()


async def test_a_subscription_follows_the_pi_through_a_reload(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    pi: PiDriver,
    wait_for: WaitFor,
) -> None:
    await wait_for(lambda: loaded_entry.runtime_data.provisioning.stream_connected)
    ws = await hass_ws_client(hass)
    sub_id, snapshot = await subscribe(
        ws, {"type": f"{DOMAIN}/subscribe", "entry_id": loaded_entry.entry_id}
    )
    state = snapshot["pi"]
    old = loaded_entry.runtime_data.provisioning
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert len(old._listeners) == 0
    new = loaded_entry.runtime_data.provisioning
    assert new is not old
    await wait_for(lambda: new.stream_connected)

    # The new coordinators feed the same subscription: a session started now shows.
    await pi.start_session()
    async with asyncio.timeout(30):
        while len(state["boards"]) < len(ALLOWLISTED) or state["streams"]["events"] != "connected":
            apply(state, await next_event(ws, sub_id, timeout=20))
    assert state["session"]["target_ssid"] == "CabinetNet"


async def test_listener_calls_without_a_change_send_nothing_and_a_door_change_only_the_door(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    wait_for: WaitFor,
) -> None:
    data = loaded_entry.runtime_data
    await wait_for(lambda: data.provisioning.stream_connected)
    ws = await hass_ws_client(hass)
    sub_id, snapshot = await subscribe(
        ws, {"type": f"{DOMAIN}/subscribe", "entry_id": loaded_entry.entry_id}
    )
    opened = DoorState.CLOSED if snapshot["pi"]["door"]["door"] == "open" else DoorState.OPEN
    # All four coordinators report in one pass of the loop; only the door moved.
    data.door.async_set_updated_data(data.door.data.model_copy(update={"state": opened}))
    data.provisioning.async_update_listeners()
    data.allowlist.async_update_listeners()
    data.health.async_update_listeners()
    # Health may have moved on its own meanwhile, and reached the card first;
    # nothing else did.
    async with asyncio.timeout(10):
        changes = await next_event(ws, sub_id)
        while "door" not in changes:
            assert set(changes) <= {"kind", "health"}
            changes = await next_event(ws, sub_id)
    assert changes["door"]["door"] == opened.value
    assert set(changes) <= {"kind", "door", "health"}
