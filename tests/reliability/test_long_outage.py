"""A long outage: reconnect attempts back off to 30 s and no further, then start over.

Minutes of outage are not slept for real: both streams get a sleep that records the
delay they ask for and returns at once, so the whole back-off sequence of a long
outage plays out in a second while the Pi really is down.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
import functools
import time

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator import health_coordinator, provisioning_coordinator
from custom_components.piorchestrator.api.event_stream import ProvisioningEventStream
from custom_components.piorchestrator.api.monitor import MonitorStream
from custom_components.piorchestrator.const import DOMAIN
from simulator import Simulator
from tests.integration.conftest import WIFI_PASSWORD
from tests.waiting import wait_until

from .conftest import ScenarioFactory
from .results import LONG

CAP = 30.0
JITTER = 0.2
ATTEMPTS = 40 if LONG else 14
"""Failed attempts observed per stream: enough to sit at the cap for a while."""


class RecordingSleep:
    """Records each requested delay and returns (almost) at once."""

    def __init__(self) -> None:
        """Start with nothing recorded."""
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        """Note the delay; yield briefly so a dead Pi is not spun against."""
        self.delays.append(seconds)
        await asyncio.sleep(0.01)


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> dict[str, RecordingSleep]:
    """Both streams of the entry sleep through recorders."""
    recorders = {"sse": RecordingSleep(), "ws": RecordingSleep()}
    monkeypatch.setattr(
        provisioning_coordinator,
        "ProvisioningEventStream",
        functools.partial(ProvisioningEventStream, sleep=recorders["sse"]),
    )
    monkeypatch.setattr(
        health_coordinator, "MonitorStream", functools.partial(MonitorStream, sleep=recorders["ws"])
    )
    return recorders


def bounds(attempt: int) -> tuple[float, float]:
    """The delay allowed before attempt `attempt` (0-based) of one outage."""
    base = min(2.0**attempt, CAP)
    return base * (1 - JITTER), min(base * (1 + JITTER), CAP)


async def test_a_long_outage_backs_off_to_thirty_seconds_and_no_further(
    hass: HomeAssistant,
    sleeps: dict[str, RecordingSleep],
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    make_scenario: ScenarioFactory,
) -> None:
    scenario = await make_scenario(
        "long_outage",
        f"Pi down for a long outage ({ATTEMPTS} failed attempts per stream), then back",
    )
    runtime = loaded_entry.runtime_data
    coordinator = runtime.provisioning
    await wait_until(
        lambda: coordinator.stream_connected and runtime.health.transport == "push", hass
    )
    await scenario.start_session(password=WIFI_PASSWORD)
    await scenario.provision_all()
    await scenario.wait_in_flight()

    port = simulator.port
    await simulator.stop()
    scenario.record.fault("pi-down", attempts_per_stream=ATTEMPTS)
    # While it shut down, the Pi may still have accepted a connection that delivered
    # (and so restarted the back-off): the outage proper starts at the last 1 s delay.
    await wait_until(
        lambda: all(
            len(recorder.delays) - _outage_start(recorder.delays) >= ATTEMPTS
            for recorder in sleeps.values()
        ),
        hass,
        timeout=30,
    )
    for name, recorder in sleeps.items():
        start = _outage_start(recorder.delays)
        delays = recorder.delays[start : start + ATTEMPTS]
        scenario.record.notes[f"{name}_backoff_s"] = [round(delay, 2) for delay in delays]
        scenario.record.notes[f"{name}_outage_covered_s"] = round(sum(delays), 1)
        in_five_minutes = sum(1 for total in _running_totals(delays) if total <= 300)
        scenario.record.window(
            f"{name}: attempts in the first 5 minutes of outage", 300.0, in_five_minutes, 17
        )
        # 17 is what the slowest-growing jitter allows; a fixed 1 s retry would make 300.
        assert in_five_minutes <= 17
        for attempt, delay in enumerate(delays):
            low, high = bounds(attempt)
            assert low <= delay <= high, (name, attempt, delay, delays)
        # At the cap, and no further: every delay of the long tail is 24-30 s.
        assert max(delays) <= CAP
        assert all(delay >= CAP * (1 - JITTER) for delay in delays[6:]), delays

    revived = Simulator(replace(simulator.config, port=port))
    await revived.start()
    scenario.sim = revived
    try:
        back = time.monotonic()
        await wait_until(lambda: coordinator.stream_connected, hass, timeout=10)
        scenario.record.reconnect("sse", time.monotonic() - back)
        await wait_until(lambda: runtime.health.transport == "push", hass, timeout=10)
        scenario.record.reconnect("ws", time.monotonic() - back)
        # A stream that delivered again starts its next outage from 1 s, not 30 s.
        await wait_until(lambda: coordinator.stream.diagnostics["consecutive_failures"] == 0, hass)
        before = len(sleeps["sse"].delays)
        await scenario.fault("drop-streams", streams=["sse"])
        await wait_until(lambda: len(sleeps["sse"].delays) > before, hass)
        first = sleeps["sse"].delays[before]
        scenario.record.notes["first_delay_after_recovery_s"] = round(first, 3)
        assert bounds(0)[0] <= first <= bounds(0)[1]
        # The session was interrupted by the outage: resume it from Home Assistant.
        await hass.services.async_call(
            DOMAIN,
            "resume_session",
            {"config_entry_id": loaded_entry.entry_id},
            blocking=True,
            return_response=True,
        )
        await scenario.complete()
        await scenario.unload()
    finally:
        await revived.stop()


def _outage_start(delays: list[float]) -> int:
    """Index of the last delay that began a back-off sequence (a first, 1 s, delay)."""
    firsts = [index for index, delay in enumerate(delays) if delay <= bounds(0)[1]]
    return firsts[-1] if firsts else 0


def _running_totals(delays: list[float]) -> list[float]:
    totals: list[float] = []
    total = 0.0
    for delay in delays:
        total += delay
        totals.append(total)
    return totals
