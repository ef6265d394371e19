"""Sessions interrupted by a restart of the Pi, offered as repairs.

The Pi is restarted for real: the simulator is stopped and a new one started on
the same port and state file, as a Pi coming back from a power cut.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass, replace
from pathlib import Path
import re
from typing import Any

from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er, issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator.const import DOMAIN
from custom_components.piorchestrator.repairs import async_create_fix_flow
from simulator import Simulator, SimulatorConfig
from tests.conftest import SimulatorConfigFactory

from .conftest import WIFI_PASSWORD, PiDriver, WaitFor

DONE = "24:0A:C4:60:00:01"
WAITING = "24:0A:C4:60:00:02"


@pytest.fixture
def simulator_config(
    make_simulator_config: SimulatorConfigFactory, tmp_path: Path
) -> SimulatorConfig:
    """Two allowlisted boards; the Pi keeps its state in a file across restarts."""
    return make_simulator_config(
        speed=50,
        boards=0,
        seed=19,
        allowlist=(DONE, WAITING),
        session_timeout=100_000,
        state_file=tmp_path / "pi-state.json",
    )


@dataclass
class Interrupted:
    """A session one board into its work when the Pi restarted."""

    pi: Simulator
    session_id: str
    issue_id: str


def shown(markdown: str) -> str:
    """What Markdown shows of `markdown`'s escaped characters: each without its backslash."""
    return re.sub(r"\\(.)", r"\1", markdown)


def board_state(hass: HomeAssistant, entry: MockConfigEntry, mac: str) -> str | None:
    entity_id = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{entry.entry_id}_{mac}_provisioning_state"
    )
    state = hass.states.get(entity_id) if entity_id else None
    return state.state if state else None


def session_state(hass: HomeAssistant, entry: MockConfigEntry) -> str | None:
    entity_id = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{entry.entry_id}_session_state"
    )
    state = hass.states.get(entity_id) if entity_id else None
    return state.state if state else None


async def restart(simulator: Simulator) -> Simulator:
    """Stop the Pi and start it again on the same port and state file."""
    await simulator.stop()
    fresh = Simulator(replace(simulator.config, port=simulator.port))
    await fresh.start()
    return fresh


async def run_one_board(pi: PiDriver, simulator: Simulator, wait_for: WaitFor) -> str:
    """Start a session on the Pi and provision one of its two boards."""
    session = await pi.start_session()
    devices = simulator.state.sessions[session["id"]].devices
    await wait_for(lambda: {DONE, WAITING} <= set(devices), timeout=15)
    path = f"/api/v1/provisioning/batch/{session['id']}/devices/{DONE}/provision"
    await pi.call("POST", path)
    await wait_for(lambda: devices[DONE].state == "verified", timeout=15)
    return str(session["id"])


@pytest.fixture
async def interrupted(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    wait_for: WaitFor,
) -> AsyncGenerator[Interrupted]:
    """A session interrupted by a restart of the Pi while Home Assistant runs."""
    await wait_for(lambda: loaded_entry.runtime_data.provisioning.stream_connected)
    session_id = await run_one_board(pi, simulator, wait_for)
    await wait_for(lambda: board_state(hass, loaded_entry, DONE) == "verified")
    issues = ir.async_get(hass)
    assert not [key for key in issues.issues if key[0] == DOMAIN]

    fresh = await restart(simulator)
    issue_id = f"recoverable_session_{loaded_entry.entry_id}_{session_id}"
    try:
        await wait_for(lambda: issues.async_get_issue(DOMAIN, issue_id) is not None, timeout=20)
        yield Interrupted(fresh, session_id, issue_id)
    finally:
        if loaded_entry.state is ConfigEntryState.LOADED:
            assert await hass.config_entries.async_unload(loaded_entry.entry_id)
        await fresh.stop()


async def test_an_interrupted_session_is_a_repair_that_resumes_it(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    interrupted: Interrupted,
    wait_for: WaitFor,
) -> None:
    issue = ir.async_get(hass).async_get_issue(DOMAIN, interrupted.issue_id)
    assert issue is not None
    assert issue.is_fixable
    assert issue.severity is ir.IssueSeverity.WARNING
    assert issue.translation_key == "recoverable_session"
    assert issue.translation_placeholders == {
        "pi": "127.0.0.1",
        "session_id": interrupted.session_id,
        "ssid": "CabinetNet",
        "device_count": "2",
        "verified_count": "1",
        "failed_count": "0",
    }
    listed = await hass.services.async_call(
        DOMAIN,
        "list_recoverable_sessions",
        {"config_entry_id": loaded_entry.entry_id},
        blocking=True,
        return_response=True,
    )
    assert [session["id"] for session in listed["sessions"]] == [interrupted.session_id]
    await wait_for(lambda: session_state(hass, loaded_entry) == "paused")

    manager = repairs_flow_manager(hass)
    assert manager is not None
    form = await manager.async_init(DOMAIN, data={"issue_id": interrupted.issue_id})
    assert form["type"] is FlowResultType.FORM
    assert form["step_id"] == "confirm"
    placeholders = form["description_placeholders"]
    assert placeholders["ssid"] == "CabinetNet"
    assert placeholders["session_id"] == interrupted.session_id.replace("_", "\\_")
    assert placeholders["boards"] == f"- {DONE}: verified\n- {WAITING}: discovered"

    done = await manager.async_configure(form["flow_id"], {})

    assert done["type"] is FlowResultType.CREATE_ENTRY
    assert ir.async_get(hass).async_get_issue(DOMAIN, interrupted.issue_id) is None
    on_pi = interrupted.pi.state.sessions[interrupted.session_id]
    assert on_pi.state == "active"
    assert {mac: board.state for mac, board in on_pi.devices.items()} == {
        DONE: "verified",
        WAITING: "discovered",
    }
    await wait_for(lambda: session_state(hass, loaded_entry) == "active")
    assert board_state(hass, loaded_entry, DONE) == "verified"
    assert board_state(hass, loaded_entry, WAITING) == "discovered"

    # The session goes on where it stopped.
    await hass.services.async_call(
        DOMAIN,
        "provision_device",
        {"config_entry_id": loaded_entry.entry_id, "mac": WAITING},
        blocking=True,
    )
    await wait_for(lambda: board_state(hass, loaded_entry, WAITING) == "verified", timeout=15)


async def test_resume_session_resumes_the_newest_and_withdraws_its_issue(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, interrupted: Interrupted
) -> None:
    result = await hass.services.async_call(
        DOMAIN,
        "resume_session",
        {"config_entry_id": loaded_entry.entry_id},
        blocking=True,
        return_response=True,
    )

    assert result["session"]["id"] == interrupted.session_id
    assert result["session"]["state"] == "active"
    assert {board["mac"]: board["state"] for board in result["devices"]} == {
        DONE: "verified",
        WAITING: "discovered",
    }
    assert ir.async_get(hass).async_get_issue(DOMAIN, interrupted.issue_id) is None
    assert interrupted.pi.state.sessions[interrupted.session_id].state == "active"
    # The diagnostics download says why the session was fetched again.
    diagnostics = loaded_entry.runtime_data.provisioning.diagnostics()
    assert diagnostics["reconciliation"]["reconciliations"]["resumed"] == 1


@pytest.mark.parametrize("how", ["resumed on the Pi", "new session started"])
async def test_the_issue_goes_when_the_session_is_resumed_or_abandoned_elsewhere(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    interrupted: Interrupted,
    pi: PiDriver,
    wait_for: WaitFor,
    how: str,
) -> None:
    if how == "resumed on the Pi":
        await pi.call("POST", f"/api/v1/provisioning/sessions/{interrupted.session_id}/resume")
    else:
        await pi.call(
            "POST",
            "/api/v1/provisioning/batch/start",
            {"target_ssid": "OtherNet", "target_password": WIFI_PASSWORD},
        )

    await wait_for(
        lambda: ir.async_get(hass).async_get_issue(DOMAIN, interrupted.issue_id) is None,
        timeout=10,
    )


async def test_the_fix_flow_gives_up_when_the_session_is_gone(
    hass: HomeAssistant, interrupted: Interrupted, pi: PiDriver
) -> None:
    manager = repairs_flow_manager(hass)
    assert manager is not None
    form = await manager.async_init(DOMAIN, data={"issue_id": interrupted.issue_id})
    # Meanwhile someone resumes it from the Pi's dashboard.
    await pi.call("POST", f"/api/v1/provisioning/sessions/{interrupted.session_id}/resume")

    result = await manager.async_configure(form["flow_id"], {})

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_recoverable"
    assert "SESSION_NOT_RECOVERABLE" in shown(result["description_placeholders"]["error"])
    assert ir.async_get(hass).async_get_issue(DOMAIN, interrupted.issue_id) is None


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ({"code": "SESSION_ALREADY_ACTIVE"}, "session_active"),
        ({"code": "INTERNAL_ERROR", "message": "disk full"}, "resume_failed"),
    ],
)
async def test_the_fix_flow_shows_what_stopped_the_resume(
    hass: HomeAssistant,
    interrupted: Interrupted,
    pi: PiDriver,
    fault: dict[str, Any],
    error: str,
) -> None:
    manager = repairs_flow_manager(hass)
    assert manager is not None
    form = await manager.async_init(DOMAIN, data={"issue_id": interrupted.issue_id})
    resume = f"/api/v1/provisioning/sessions/{interrupted.session_id}/resume"
    await pi.fault("fail-next", {**fault, "paths": [resume]})

    result = await manager.async_configure(form["flow_id"], {})

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    assert fault["code"] in shown(result["description_placeholders"]["error"])
    assert "correlation ID" in shown(result["description_placeholders"]["error"])
    assert ir.async_get(hass).async_get_issue(DOMAIN, interrupted.issue_id) is not None
    # The person tries again once the Pi is fine.
    done = await manager.async_configure(form["flow_id"], {})
    assert done["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    ("code", "reason"),
    [("INTERNAL_ERROR", "cannot_connect"), ("SESSION_NOT_FOUND", "not_recoverable")],
)
async def test_the_fix_flow_stops_when_it_cannot_read_the_session(
    hass: HomeAssistant, interrupted: Interrupted, pi: PiDriver, code: str, reason: str
) -> None:
    manager = repairs_flow_manager(hass)
    assert manager is not None
    await pi.fault(
        "fail-next",
        {"code": code, "paths": [f"/api/v1/provisioning/batch/{interrupted.session_id}"]},
    )

    result = await manager.async_init(DOMAIN, data={"issue_id": interrupted.issue_id})

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == reason
    assert code in shown(result["description_placeholders"]["error"])
    gone = ir.async_get(hass).async_get_issue(DOMAIN, interrupted.issue_id) is None
    assert gone is (reason == "not_recoverable")


async def test_unloading_withdraws_the_issue_and_a_stale_flow_says_why(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, interrupted: Interrupted
) -> None:
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert ir.async_get(hass).async_get_issue(DOMAIN, interrupted.issue_id) is None

    flow = await async_create_fix_flow(
        hass,
        interrupted.issue_id,
        {"entry_id": loaded_entry.entry_id, "session_id": interrupted.session_id},
    )
    flow.hass = hass
    result = await flow.async_step_init()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "entry_not_loaded"


async def test_an_interrupted_session_found_at_setup_is_a_repair(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    wait_for: WaitFor,
) -> None:
    session_id = await run_one_board(pi, simulator, wait_for)
    fresh = await restart(simulator)
    try:
        config_entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(config_entry.entry_id)

        # Right after setup, before any stream event.
        issue = ir.async_get(hass).async_get_issue(
            DOMAIN, f"recoverable_session_{config_entry.entry_id}_{session_id}"
        )
        assert issue is not None
        assert issue.translation_placeholders["verified_count"] == "1"
        assert await hass.config_entries.async_unload(config_entry.entry_id)
    finally:
        await fresh.stop()


async def test_a_pi_without_recovery_support_raises_no_issue(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    pi: PiDriver,
    wait_for: WaitFor,
) -> None:
    await pi.fault(
        "fail-next",
        {
            "code": "NOT_FOUND",
            "status": 404,
            "count": 1,
            "paths": ["/api/v1/provisioning/sessions"],
        },
    )
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)

    assert config_entry.state is ConfigEntryState.LOADED
    assert not [key for key in ir.async_get(hass).issues if key[0] == DOMAIN]
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN,
            "resume_session",
            {"config_entry_id": config_entry.entry_id},
            blocking=True,
            return_response=True,
        )
    assert await hass.config_entries.async_unload(config_entry.entry_id)


async def test_the_fix_flow_shows_what_the_pi_sent_cleaned_and_escaped(
    hass: HomeAssistant, interrupted: Interrupted
) -> None:
    # The Pi's record of the session says anything at all.
    on_pi = interrupted.pi.state.sessions[interrupted.session_id]
    on_pi.target_ssid = "[Net](http://evil.example)\u202e\x07 " + "n" * 240
    on_pi.devices[WAITING].error_message = "<img src=x>\n# *refused*\u200b by " + "e" * 1000

    manager = repairs_flow_manager(hass)
    assert manager is not None
    form = await manager.async_init(DOMAIN, data={"issue_id": interrupted.issue_id})

    placeholders = form["description_placeholders"]
    ssid = "[Net](http://evil.example) " + "n" * 36 + "…"
    assert len(ssid) == 64
    assert placeholders["target"] == ssid  # the title: plain text, not Markdown
    assert placeholders["ssid"] == (r"\[Net\](http://evil\.example) " + "n" * 36 + "…")
    assert shown(placeholders["ssid"]) == ssid
    lines = placeholders["boards"].split("\n")
    assert lines[0] == f"- {DONE}: verified"
    error = "<img src=x> # *refused* by " + "e" * 172 + "…"
    assert len(error) == 200
    assert lines[1] == (
        f"- {WAITING}: discovered (" + r"\<img src=x\> \# \*refused\* by " + "e" * 172 + "…)"
    )
    assert shown(lines[1]) == f"- {WAITING}: discovered ({error})"
    assert not {"\u202e", "\x07", "\u200b"} & set("".join(placeholders.values()))
