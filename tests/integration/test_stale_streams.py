"""Streams that stay connected but stop delivering are caught, said once, and recovered."""

from __future__ import annotations

import logging

from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator.const import DOMAIN
from simulator import SimulatorConfig

from .conftest import API_KEY, PiDriver, WaitFor


@pytest.fixture
def simulator_config() -> SimulatorConfig:
    """Health pushed every 0.1 s, so three missed updates are quickly noticed."""
    return SimulatorConfig(port=0, api_key=API_KEY, speed=50, boards=0, seed=12)


async def test_monitor_that_answers_pings_but_pushes_nothing_is_replaced(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pi: PiDriver,
    wait_for: WaitFor,
    caplog: pytest.LogCaptureFixture,
) -> None:
    health = loaded_entry.runtime_data.health
    connection = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{loaded_entry.entry_id}_connection"
    )
    assert connection is not None
    await wait_for(lambda: health.transport == "push")
    # The watchdog follows the Pi's observed cadence (here 0.1 s).
    await wait_for(lambda: health.monitor.diagnostics["expected_update_interval"] < 0.5)
    seen: list[str] = []

    @callback
    def record(event: Event[EventStateChangedData]) -> None:
        if (new := event.data["new_state"]) is not None:
            seen.append(new.state)

    unsubscribe = async_track_state_change_event(hass, [connection], record)
    caplog.set_level(logging.DEBUG, logger="custom_components.piorchestrator")
    # Silent for longer than the watchdog needs twice over, pings still answered.
    await pi.fault("mute-monitor", {"seconds": 6})

    await wait_for(lambda: "polling" in seen, timeout=6)
    await wait_for(lambda: seen[-1] == "push", timeout=20)
    unsubscribe()

    assert health.monitor.diagnostics["silence_detections"] >= 1
    monitor = [r for r in caplog.records if r.name.endswith("api.stream") and "monitor" in r.getMessage()]
    warnings = [r.getMessage() for r in monitor if r.levelno == logging.WARNING]
    infos = [r.getMessage() for r in monitor if r.levelno == logging.INFO]
    assert len(warnings) == 1, warnings
    assert "no health update for" in warnings[0]
    assert len(infos) == 1, infos
    # The indicator went to polling once and came back once: no flapping.
    assert seen == ["polling", "push"]
