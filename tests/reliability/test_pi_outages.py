"""The Pi away: unreachable when Home Assistant starts, and restarted mid-session."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
import time

from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator.const import DOMAIN
from custom_components.piorchestrator.provisioning_coordinator import UNAVAILABLE_GRACE_SECONDS
from custom_components.piorchestrator.repairs import RECHECK_COOLDOWN
from simulator import Simulator
from tests.integration.conftest import WIFI_PASSWORD
from tests.waiting import wait_until

from .clock import advance_home_assistant
from .conftest import ScenarioFactory
from .harness import NORMAL_BOARDS
from .truth import our_tasks


async def test_pi_unreachable_at_start_then_reachable_a_minute_later(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    simulator: Simulator,
    make_scenario: ScenarioFactory,
) -> None:
    scenario = await make_scenario(
        "unreachable_at_start",
        "Pi unreachable when Home Assistant starts; back a minute later with a session running",
    )
    port = simulator.port
    await simulator.stop()
    scenario.record.fault("pi-down", while_="Home Assistant sets the entry up")
    config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.SETUP_RETRY

    revived = Simulator(replace(simulator.config, port=port))
    await revived.start()
    scenario.sim = revived
    try:
        # Started from the Pi's own dashboard while Home Assistant waits to retry.
        await scenario.start_session(password=WIFI_PASSWORD)
        back = time.monotonic()
        assert advance_home_assistant(hass, timedelta(minutes=1)) >= 1
        await wait_until(lambda: config_entry.state is ConfigEntryState.LOADED, hass)
        scenario.record.reconnect("setup retry", time.monotonic() - back)
        coordinator = config_entry.runtime_data.provisioning
        await wait_until(lambda: coordinator.stream_connected, hass)
        await scenario.provision_all()
        await scenario.complete()
        await scenario.unload()
    finally:
        await revived.stop()


async def test_pi_restarted_mid_session_comes_back_without_a_reload(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    make_scenario: ScenarioFactory,
) -> None:
    scenario = await make_scenario(
        "pi_restarted",
        "Pi stopped mid-session and started again on the same port and state file",
    )
    runtime = loaded_entry.runtime_data
    coordinator = runtime.provisioning
    health = runtime.health
    await wait_until(lambda: coordinator.stream_connected and health.transport == "push", hass)
    session_id = await scenario.start_session(password=WIFI_PASSWORD)
    await scenario.provision_all()
    await scenario.wait_in_flight()

    port = simulator.port
    await simulator.stop()
    scenario.record.fault("pi-restart", state_file=True)
    down = time.monotonic()
    checker = scenario.checker
    cpu = checker.entity_id("sensor", "cpu_usage")
    connection = checker.entity_id("sensor", "connection")
    session_state = checker.entity_id("sensor", "session_state")
    board_state = checker.entity_id("sensor", f"{NORMAL_BOARDS[0]}_provisioning_state")
    assert cpu and connection and session_state and board_state

    def shown(entity_id: str) -> str | None:
        state = hass.states.get(entity_id)
        return state.state if state else None

    await wait_until(lambda: not coordinator.stream_connected, hass)
    # Past the grace a reconnect normally needs, the session and boards go unavailable...
    advance_home_assistant(hass, timedelta(seconds=UNAVAILABLE_GRACE_SECONDS + 1))
    await wait_until(lambda: shown(board_state) == STATE_UNAVAILABLE, hass)
    assert shown(session_state) == STATE_UNAVAILABLE
    # ...and health as soon as polling fails; the indicator itself says so.
    await wait_until(lambda: shown(connection) == "disconnected", hass)
    assert shown(cpu) == STATE_UNAVAILABLE
    scenario.record.notes["unavailable_while_down"] = ["health", "session", "boards"]

    revived = Simulator(replace(simulator.config, port=port))
    await revived.start()
    scenario.sim = revived
    try:
        back = time.monotonic()
        scenario.record.notes["outage_s"] = round(back - down, 3)
        await wait_until(lambda: coordinator.stream_connected, hass, timeout=20)
        scenario.record.reconnect("sse", time.monotonic() - back)
        await wait_until(lambda: health.transport == "push", hass, timeout=20)
        scenario.record.reconnect("ws", time.monotonic() - back)
        # Back by themselves: the same loaded entry, never reloaded.
        assert loaded_entry.state is ConfigEntryState.LOADED
        assert loaded_entry.runtime_data is runtime
        # The interrupted session is offered for recovery.
        issue_id = f"recoverable_session_{loaded_entry.entry_id}_{session_id}"
        issues = ir.async_get(hass)
        await wait_until(lambda: issues.async_get_issue(DOMAIN, issue_id) is not None, hass)
        await wait_until(lambda: shown(session_state) == "paused", hass)
        await scenario.check()  # paused, every board as the Pi kept it

        manager = repairs_flow_manager(hass)
        assert manager is not None
        form = await manager.async_init(DOMAIN, data={"issue_id": issue_id})
        assert form["type"] is FlowResultType.FORM
        mark = scenario.log.mark()
        done = await manager.async_configure(form["flow_id"], {})
        assert done["type"] is FlowResultType.CREATE_ENTRY
        assert issues.async_get_issue(DOMAIN, issue_id) is None
        await scenario.complete()
        # Resuming makes Home Assistant fetch the session, and the Pi's event about
        # it asks for the same: one after the other, never both at once.
        session_reads = [
            entry
            for entry in scenario.log.since(mark)
            if entry.method == "GET" and entry.path == f"/api/v1/provisioning/batch/{session_id}"
        ]
        assert session_reads
        assert scenario.log.overlapping(session_reads) == []
        await scenario.unload()
    finally:
        await revived.stop()


async def test_unloading_while_a_recovery_check_is_in_flight_leaves_nothing_behind(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    make_scenario: ScenarioFactory,
) -> None:
    scenario = await make_scenario(
        "unload_during_recovery_check",
        "Entry unloaded while its look for recoverable sessions is still waiting for the Pi",
    )
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_until(lambda: coordinator.stream_connected, hass)
    session_id = await scenario.start_session(password=WIFI_PASSWORD)
    # Leave a recoverable session on the Pi: restart it with its state file.
    port = simulator.port
    await simulator.stop()
    revived = Simulator(replace(simulator.config, port=port))
    await revived.start()
    scenario.sim = revived
    try:
        issue_id = f"recoverable_session_{loaded_entry.entry_id}_{session_id}"
        issues = ir.async_get(hass)
        await wait_until(
            lambda: issues.async_get_issue(DOMAIN, issue_id) is not None, hass, timeout=20
        )
        await wait_until(lambda: coordinator.stream_connected, hass)
        settled = time.monotonic()
        await wait_until(lambda: time.monotonic() - settled > RECHECK_COOLDOWN + 0.5, hass)
        # The next look takes a while: unload while it waits for the Pi's answer.
        await scenario.fault(
            "latency", seconds=1.0, paths=["/api/v1/provisioning/sessions/recoverable"]
        )
        mark = scenario.log.mark()
        await scenario.fault("drop-streams", streams=["sse"])  # a reconnect makes it look
        await wait_until(
            lambda: any(entry.path.endswith("/recoverable") for entry in scenario.log.since(mark)),
            hass,
        )
        assert await hass.config_entries.async_unload(loaded_entry.entry_id)
        await hass.async_block_till_done()
        left_running = our_tasks()
        unloaded = time.monotonic()
        await wait_until(lambda: time.monotonic() - unloaded > 1.3, hass)
        await scenario.fault("latency", seconds=0)
        await hass.async_block_till_done()
        # Nothing of an unloaded entry keeps running, and it offers nothing to repair:
        # its fix flow could only abort.
        left_issues = [key for key in issues.issues if key[0] == DOMAIN]
        scenario.record.notes["after_unload"] = {"tasks": left_running, "issues": left_issues}
        assert (left_running, left_issues) == ([], [])
        await scenario.unload()
    finally:
        await revived.stop()
