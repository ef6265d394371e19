"""Bus events for automations, during a real session against the simulator."""

from __future__ import annotations

from typing import Any

from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator.api.events import EventKind
from custom_components.piorchestrator.api.models import Board, BoardState, Session, SessionState
from custom_components.piorchestrator.bus_events import ALL_EVENTS, describe_transition
from custom_components.piorchestrator.const import CONF_BOARD_ENTITIES, DOMAIN
from custom_components.piorchestrator.provisioning_coordinator import (
    BoardTransition,
    SessionTransition,
)
from simulator import Simulator, SimulatorConfig
from tests.conftest import SimulatorConfigFactory

from .conftest import WIFI_PASSWORD, PiDriver, WaitFor

GOOD = "24:0A:C4:20:00:01"
FLAKY = "24:0A:C4:20:00:02"


@pytest.fixture
def simulator_config(
    make_simulator_config: SimulatorConfigFactory, request: pytest.FixtureRequest
) -> SimulatorConfig:
    """Two allowlisted boards, the second failing its first attempt.

    Tests change any of it with an indirect parameter of overrides.
    """
    settings: dict[str, Any] = {
        "speed": 50,
        "boards": 0,
        "seed": 5,
        "allowlist": (GOOD, FLAKY),
        "fail_once": (FLAKY,),
        "session_timeout": 100_000,
    }
    return make_simulator_config(**{**settings, **getattr(request, "param", {})})


@pytest.fixture
def fired(hass: HomeAssistant) -> list[Event]:
    """Every piorchestrator_* event fired, in order."""
    events: list[Event] = []

    @callback
    def record(event: Event) -> None:
        events.append(event)

    for event_type in ALL_EVENTS:
        hass.bus.async_listen(event_type, record)
    return events


def of_board(events: list[Event], mac: str) -> list[tuple[str, dict[str, Any]]]:
    return [(e.event_type, dict(e.data)) for e in events if e.data.get("mac") == mac]


def of_sessions(events: list[Event]) -> list[tuple[str, dict[str, Any]]]:
    return [(e.event_type, dict(e.data)) for e in events if "mac" not in e.data]


def board_events(
    entry_id: str,
    device_id: str,
    mac: str,
    session_id: str,
    steps: list[tuple[str | None, str, int, str | None]],
) -> list[tuple[str, dict[str, Any]]]:
    """The events expected for `steps` of (previous, state, retries, error)."""
    specific = {
        "discovered": "board_discovered",
        "provisioning": "board_provisioning_started",
        "provisioned": "board_provisioned",
        "verified": "board_verified",
        "failed": "board_failed",
    }
    expected = []
    for previous, state, retries, error in steps:
        data = {
            "config_entry_id": entry_id,
            "device_id": device_id,
            "mac": mac,
            "session_id": session_id,
            "state": state,
            "previous_state": previous,
            "retry_count": retries,
            "error_message": error,
            "can_retry": state == "failed" and retries < 3,
        }
        expected.append((f"{DOMAIN}_board_state_changed", data))
        if state in specific:
            expected.append((f"{DOMAIN}_{specific[state]}", data))
    return expected


@pytest.mark.parametrize(
    "simulator_config",
    [{"sse_vocabulary": "backend"}, {"sse_vocabulary": "dashboard"}],
    indirect=True,
    ids=["backend", "dashboard"],
)
async def test_a_session_with_a_failure_and_a_retry_fires_exact_events(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    wait_for: WaitFor,
    fired: list[Event],
) -> None:
    await wait_for(lambda: loaded_entry.runtime_data.provisioning.stream_connected)
    entry_only = {"config_entry_id": loaded_entry.entry_id}
    result = await hass.services.async_call(
        DOMAIN,
        "start_batch",
        {**entry_only, "target_ssid": "CabinetNet", "target_password": WIFI_PASSWORD},
        blocking=True,
        return_response=True,
    )
    assert isinstance(result, dict)
    session_id = result["session"]["id"]
    devices = simulator.state.sessions[session_id].devices
    await wait_for(lambda: {GOOD, FLAKY} <= set(devices), timeout=15)
    await hass.services.async_call(DOMAIN, "provision_all", entry_only, blocking=True)
    await wait_for(
        lambda: devices[GOOD].state == "verified" and devices[FLAKY].state == "failed", timeout=20
    )
    await wait_for(lambda: any(e.data.get("state") == "failed" for e in fired))
    await hass.services.async_call(
        DOMAIN, "retry_device", {**entry_only, "mac": FLAKY}, blocking=True
    )
    await wait_for(lambda: devices[FLAKY].state == "verified", timeout=20)
    await wait_for(
        lambda: sum(e.data.get("state") == "verified" for e in fired) == 4  # 2 boards x 2 events
    )
    await hass.services.async_call(DOMAIN, "stop_batch", entry_only, blocking=True)
    await wait_for(lambda: any(e.event_type.endswith("session_closed") for e in fired))

    registry = dr.async_get(hass)
    good_device = registry.async_get_device(identifiers={(DOMAIN, GOOD)})
    flaky_device = registry.async_get_device(identifiers={(DOMAIN, FLAKY)})
    pi_device = registry.async_get_device(identifiers={(DOMAIN, loaded_entry.entry_id)})
    assert good_device and flaky_device and pi_device
    entry_id = loaded_entry.entry_id

    assert of_board(fired, GOOD) == board_events(
        entry_id,
        good_device.id,
        GOOD,
        session_id,
        [
            (None, "discovered", 0, None),
            ("discovered", "provisioning", 0, None),
            ("provisioning", "provisioned", 0, None),
            ("provisioned", "verifying", 0, None),
            ("verifying", "verified", 0, None),
        ],
    )
    assert of_board(fired, FLAKY) == board_events(
        entry_id,
        flaky_device.id,
        FLAKY,
        session_id,
        [
            (None, "discovered", 0, None),
            ("discovered", "provisioning", 0, None),
            ("provisioning", "failed", 0, "device rejected credentials"),
            ("failed", "provisioning", 1, None),
            ("provisioning", "provisioned", 1, None),
            ("provisioned", "verifying", 1, None),
            ("verifying", "verified", 1, None),
        ],
    )

    def session(state: str, previous: str | None, found: int, verified: int) -> dict[str, Any]:
        return {
            "config_entry_id": entry_id,
            "device_id": pi_device.id,
            "session_id": session_id,
            "state": state,
            "previous_state": previous,
            "target_ssid": "CabinetNet",
            "device_count": found,
            "provisioned_count": verified,
            "verified_count": verified,
            "failed_count": 0,
        }

    started = session("discovering", None, 0, 0)
    closed = session("closed", "closing", 2, 2)
    assert of_sessions(fired) == [
        (f"{DOMAIN}_session_state_changed", started),
        (f"{DOMAIN}_session_started", started),
        (f"{DOMAIN}_session_state_changed", session("active", "discovering", 1, 0)),
        (f"{DOMAIN}_session_state_changed", session("closing", "active", 2, 2)),
        (f"{DOMAIN}_session_state_changed", closed),
        (f"{DOMAIN}_session_closed", closed),
    ]
    assert WIFI_PASSWORD not in repr([e.data for e in fired])


@pytest.mark.parametrize(
    "simulator_config",
    [{"allowlist": (GOOD,), "fail_once": (), "fail_rate": 1.0}],
    indirect=True,
)
async def test_a_board_out_of_retries_cannot_be_retried(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    wait_for: WaitFor,
    fired: list[Event],
) -> None:
    await wait_for(lambda: loaded_entry.runtime_data.provisioning.stream_connected)
    session = await pi.start_session()
    devices = simulator.state.sessions[session["id"]].devices
    await wait_for(lambda: GOOD in devices)
    entry_only = {"config_entry_id": loaded_entry.entry_id}

    def failures() -> list[Event]:
        return [e for e in fired if e.event_type == f"{DOMAIN}_board_failed"]

    await hass.services.async_call(DOMAIN, "provision_all", entry_only, blocking=True)
    for attempt in range(1, 5):
        await wait_for(lambda n=attempt: len(failures()) == n, timeout=15)
        if attempt < 4:
            await hass.services.async_call(
                DOMAIN, "retry_device", {**entry_only, "mac": GOOD}, blocking=True
            )

    assert [(e.data["retry_count"], e.data["can_retry"]) for e in failures()] == [
        (0, True),
        (1, True),
        (2, True),
        (3, False),
    ]
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, "retry_device", {**entry_only, "mac": GOOD}, blocking=True
        )
    assert err.value.translation_key == "error_max_retries_exceeded"


# Backend vocabulary only: the dashboard's has no warning event (a known limitation).
async def test_the_timeout_warning_is_an_event(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pi: PiDriver,
    wait_for: WaitFor,
    fired: list[Event],
) -> None:
    await wait_for(lambda: loaded_entry.runtime_data.provisioning.stream_connected)
    session = await pi.start_session()
    await wait_for(lambda: any(e.event_type.endswith("session_started") for e in fired))

    await pi.fault("expire", {"session_id": session["id"], "warning_only": True})

    await wait_for(lambda: any(e.event_type.endswith("timeout_warning") for e in fired))
    [warning] = [e for e in fired if e.event_type == f"{DOMAIN}_session_timeout_warning"]
    assert warning.data["session_id"] == session["id"]
    assert warning.data["state"] == warning.data["previous_state"]


async def test_nothing_is_fired_for_what_was_there_before_home_assistant_looked(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    config_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    wait_for: WaitFor,
    fired: list[Event],
) -> None:
    # A session ran while Home Assistant was away; it remembers the session's ID.
    session = await pi.start_session()
    devices = simulator.state.sessions[session["id"]].devices
    await wait_for(lambda: len(devices) == 2)
    hass_storage[f"{DOMAIN}.{config_entry.entry_id}.provisioning"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"{DOMAIN}.{config_entry.entry_id}.provisioning",
        "data": {"session_id": session["id"]},
    }
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await wait_for(lambda: config_entry.runtime_data.provisioning.stream_connected)
    await hass.async_block_till_done()
    assert set(config_entry.runtime_data.provisioning.data.boards) == set(devices)

    # What the first look found is the baseline, not news.
    assert fired == []

    await pi.call("POST", f"/api/v1/provisioning/batch/{session['id']}/pause")
    await wait_for(lambda: bool(fired))
    assert [(e.event_type, e.data["previous_state"], e.data["state"]) for e in fired] == [
        (f"{DOMAIN}_session_state_changed", "active", "paused")
    ]
    await hass.config_entries.async_unload(config_entry.entry_id)


async def test_without_board_devices_board_events_have_no_device(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    pi: PiDriver,
    wait_for: WaitFor,
    fired: list[Event],
) -> None:
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(config_entry, options={CONF_BOARD_ENTITIES: False})
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await wait_for(lambda: config_entry.runtime_data.provisioning.stream_connected)

    await pi.start_session()

    await wait_for(lambda: any(e.event_type.endswith("board_discovered") for e in fired))
    discovered = next(e for e in fired if e.event_type.endswith("board_discovered"))
    assert discovered.data["device_id"] is None
    assert (
        dr.async_get(hass).async_get_device(identifiers={(DOMAIN, discovered.data["mac"])}) is None
    )
    await hass.config_entries.async_unload(config_entry.entry_id)


async def test_a_board_seen_before_its_entities_exist_still_names_its_device(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, fired: list[Event]
) -> None:
    mac = "24:0A:C4:20:00:99"
    registry = dr.async_get(hass)
    assert registry.async_get_device(identifiers={(DOMAIN, mac)}) is None

    loaded_entry.runtime_data.provisioning._emit(
        BoardTransition(Board(mac=mac, state=BoardState.DISCOVERED), None, "sess_1")
    )
    await hass.async_block_till_done()

    device = registry.async_get_device(identifiers={(DOMAIN, mac)})
    assert device is not None
    assert device.model == "ESP32-CAM"
    assert loaded_entry.entry_id in device.config_entries
    assert [e.data["device_id"] for e in fired] == [device.id, device.id]


@pytest.mark.parametrize(
    ("transition", "types"),
    [
        (
            SessionTransition(
                Session(id="s", state=SessionState.ACTIVE),
                "active",
                EventKind.SESSION_TIMEOUT_WARNING,
            ),
            ("session_timeout_warning",),
        ),
        (
            SessionTransition(Session(id="s", state=SessionState.CLOSED), None, None),
            ("session_state_changed", "session_closed"),
        ),
        (
            SessionTransition(Session(id="s", state=SessionState.PAUSED), "active", None),
            ("session_state_changed",),
        ),
        (
            # Started while Home Assistant was away, first heard of when paused.
            SessionTransition(
                Session(id="s", state=SessionState.PAUSED), None, EventKind.SESSION_STATE_CHANGED
            ),
            ("session_state_changed",),
        ),
        (
            # The dashboard vocabulary has no start event: a new discovering session.
            SessionTransition(
                Session(id="s", state=SessionState.DISCOVERING),
                None,
                EventKind.SESSION_STATE_CHANGED,
            ),
            ("session_state_changed", "session_started"),
        ),
        (
            BoardTransition(Board(mac=GOOD, state=BoardState.UNKNOWN), None, "s"),
            ("board_state_changed",),
        ),
    ],
)
def test_transitions_seldom_seen_on_the_simulator(
    transition: BoardTransition | SessionTransition, types: tuple[str, ...]
) -> None:
    described = describe_transition(transition)
    assert described.event_types == tuple(f"{DOMAIN}_{name}" for name in types)
