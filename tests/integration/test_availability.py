"""Entities go unavailable while the Pi is away and come back by themselves."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
import logging

from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.piorchestrator.provisioning_coordinator import UNAVAILABLE_GRACE_SECONDS
from simulator import Simulator, SimulatorConfig
from tests.conftest import SimulatorConfigFactory

from .conftest import EntityIdOf, PiDriver, WaitFor

BOARD = "24:0A:C4:00:00:0B"


@pytest.fixture
def simulator_config(make_simulator_config: SimulatorConfigFactory) -> SimulatorConfig:
    """One allowlisted board waiting to be discovered."""
    return make_simulator_config(speed=20, boards=0, seed=4, allowlist=(BOARD,))


async def test_pi_outage_marks_entities_unavailable_then_they_recover(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    simulator_config: SimulatorConfig,
    pi: PiDriver,
    wait_for: WaitFor,
    caplog: pytest.LogCaptureFixture,
    entity_id_of: EntityIdOf,
) -> None:
    runtime = loaded_entry.runtime_data
    await wait_for(
        lambda: runtime.provisioning.stream_connected and runtime.health.transport == "push"
    )
    await pi.start_session()
    await wait_for(lambda: BOARD in runtime.provisioning.data.session_boards)
    entry_id = loaded_entry.entry_id
    cpu = await entity_id_of("sensor", f"{entry_id}_cpu_usage")
    connection = await entity_id_of("sensor", f"{entry_id}_connection")
    board_state = await entity_id_of("sensor", f"{entry_id}_{BOARD}_provisioning_state")
    session = await entity_id_of("sensor", f"{entry_id}_session_state")
    await wait_for(lambda: hass.states.get(board_state).state == "discovered")

    port = simulator.port
    await simulator.stop()

    await wait_for(lambda: hass.states.get(connection).state == "disconnected")
    assert hass.states.get(cpu).state == STATE_UNAVAILABLE
    # Board values stay shown through a short reconnect, then go unavailable.
    assert hass.states.get(board_state).state == "discovered"
    async_fire_time_changed(
        hass, dt_util.utcnow() + timedelta(seconds=UNAVAILABLE_GRACE_SECONDS + 1)
    )
    await wait_for(lambda: hass.states.get(board_state).state == STATE_UNAVAILABLE)
    assert hass.states.get(session).state == STATE_UNAVAILABLE
    assert hass.states.get(connection).state == "disconnected"  # the indicator itself stays shown

    revived = Simulator(replace(simulator_config, port=port))
    await revived.start()

    def stream_records() -> list[logging.LogRecord]:
        return [r for r in caplog.records if r.name.endswith("api.stream")]

    try:
        await wait_for(lambda: hass.states.get(connection).state == "push", timeout=20)
        await wait_for(lambda: hass.states.get(cpu).state != STATE_UNAVAILABLE)
        await wait_for(lambda: hass.states.get(board_state).state != STATE_UNAVAILABLE, timeout=20)
        # Recovery is announced once the revived Pi delivers, not merely accepts.
        await wait_for(lambda: sum(r.levelno == logging.INFO for r in stream_records()) == 2)
    finally:
        await revived.stop()
    # Said once when it went, once when it came back.
    streams = stream_records()
    for what in ("event stream", "monitor"):
        warnings = [r for r in streams if r.levelname == "WARNING" and what in r.getMessage()]
        recoveries = [r for r in streams if r.levelname == "INFO" and what in r.getMessage()]
        assert len(warnings) == 1, what
        assert len(recoveries) == 1, what
