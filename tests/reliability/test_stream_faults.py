"""The event stream and the monitor WebSocket dropped, cut mid-event and stalled."""

from __future__ import annotations

from collections.abc import Callable
import functools
import time

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator import health_coordinator, provisioning_coordinator
from custom_components.piorchestrator.api.event_stream import ProvisioningEventStream
from custom_components.piorchestrator.api.monitor import MonitorStream
from simulator import SimulatorConfig
from tests.integration.conftest import WIFI_PASSWORD
from tests.waiting import wait_until

from .conftest import ScenarioFactory
from .harness import SPEED
from .request_log import SSE_PATH
from .results import LONG

KEEPALIVE: float = (15.0 if LONG else 0.5) * SPEED
"""The Pi's SSE keepalive in simulated seconds: 15 s or 0.5 s of real time."""
IDLE_TIMEOUT: float = 45.0 if LONG else 1.5
"""The client's SSE watchdog, in real seconds. The default profile scales the shipped
pair (keepalive 15 s, watchdog 45 s = 3 keepalives) down to keep CI short; the long
profile runs the shipped values."""


def _sse_reconnects(entry: MockConfigEntry) -> int:
    return int(entry.runtime_data.provisioning.stream.diagnostics["reconnect_count"])


def _ws_reconnects(entry: MockConfigEntry) -> int:
    return int(entry.runtime_data.health.monitor.diagnostics["reconnect_count"])


def _delivered_since(entry: MockConfigEntry, moment: float) -> Callable[[], bool]:
    """A condition: the event stream delivered something after `moment` (monotonic)."""

    def delivered() -> bool:
        last = entry.runtime_data.provisioning.stream.diagnostics["last_message"]
        return last is not None and last > moment

    return delivered


def _more_than(
    count: Callable[[MockConfigEntry], int], entry: MockConfigEntry, before: int
) -> Callable[[], bool]:
    """A condition: the count went past `before` (a stream reconnected)."""
    return lambda: count(entry) > before


async def test_event_stream_cut_mid_event_and_dropped_loses_no_final_state(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, make_scenario: ScenarioFactory
) -> None:
    scenario = await make_scenario(
        "sse_dropped_mid_event",
        "SSE connection cut in the middle of an event (TCP abort) while boards are in flight",
    )
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_until(lambda: coordinator.stream_connected, hass)
    await scenario.start_session(password=WIFI_PASSWORD)
    await scenario.provision_all()
    await scenario.wait_in_flight()
    for round_ in range(2):
        before = _sse_reconnects(loaded_entry)
        # Half an event: its `id:` line is complete, its data is not. The id must not
        # be taken as the last event seen, or the replay would skip what was missed.
        await scenario.fault(
            "malformed",
            stream="sse",
            frame=f'id: 9999{round_}\nevent: device.state_changed\ndata: {{"version": "1.0", "ty',
        )
        started = time.monotonic()
        await scenario.fault("drop-streams", streams=["sse"], abort=True)
        await wait_until(_more_than(_sse_reconnects, loaded_entry, before), hass)
        scenario.record.reconnect("sse", time.monotonic() - started)
        assert (
            coordinator.stream.last_event_id is None
            or not coordinator.stream.last_event_id.startswith("9999")
        )
    await scenario.complete()
    await scenario.unload()


async def test_event_stream_dropped_cleanly_again_and_again(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, make_scenario: ScenarioFactory
) -> None:
    scenario = await make_scenario(
        "sse_dropped_clean",
        "SSE stream ended by the Pi (clean close) repeatedly during a session",
    )
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_until(lambda: coordinator.stream_connected, hass)
    await scenario.start_session(password=WIFI_PASSWORD)
    await scenario.provision_all()
    await scenario.wait_in_flight()
    for _ in range(6 if LONG else 3):
        before = _sse_reconnects(loaded_entry)
        started = time.monotonic()
        await scenario.fault("drop-streams", streams=["sse"])
        await wait_until(_more_than(_sse_reconnects, loaded_entry, before), hass, timeout=35)
        reconnected = time.monotonic()
        scenario.record.reconnect("sse", reconnected - started)
        # Each connection works for a moment (an event or a keepalive) before the next
        # drop; connections that deliver nothing make the back-off grow, by design.
        await wait_until(_delivered_since(loaded_entry, reconnected), hass)
    await scenario.complete()
    await scenario.unload()


@pytest.fixture
def short_sse_watchdog(monkeypatch: pytest.MonkeyPatch) -> None:
    """The event stream's watchdog scaled like the Pi's keepalive (see IDLE_TIMEOUT)."""
    monkeypatch.setattr(
        provisioning_coordinator,
        "ProvisioningEventStream",
        functools.partial(ProvisioningEventStream, idle_timeout=IDLE_TIMEOUT),
    )


@pytest.fixture
def simulator_config_fast_keepalive(simulator_config: SimulatorConfig) -> SimulatorConfig:
    """The scenario's Pi with its keepalive matching the scaled watchdog."""
    from dataclasses import replace

    return replace(simulator_config, keepalive_interval=KEEPALIVE)


class TestStalledEventStream:
    """The SSE connection stays open but carries nothing, keepalives included."""

    @pytest.fixture
    def simulator_config(self, simulator_config_fast_keepalive: SimulatorConfig) -> SimulatorConfig:
        """Keepalives every KEEPALIVE simulated seconds."""
        return simulator_config_fast_keepalive

    async def test_stall_beyond_the_keepalive_is_detected_and_recovered(
        self,
        hass: HomeAssistant,
        short_sse_watchdog: None,
        loaded_entry: MockConfigEntry,
        make_scenario: ScenarioFactory,
    ) -> None:
        scenario = await make_scenario(
            "sse_stalled",
            "SSE connection open but silent (no events, no keepalives) for 3 watchdog periods",
        )
        coordinator = loaded_entry.runtime_data.provisioning
        await wait_until(lambda: coordinator.stream_connected, hass)
        await scenario.start_session(password=WIFI_PASSWORD)
        await scenario.provision_all()
        await scenario.wait_in_flight()
        stall = 3 * IDLE_TIMEOUT
        started = time.monotonic()
        await scenario.fault("stall", stream="sse", seconds=stall)
        detected = await wait_until(lambda: not coordinator.stream_connected, hass, timeout=stall)
        scenario.record.notes["stall_detected_after_s"] = round(detected, 3)
        # Not before the watchdog: keepalives were arriving until the stall (the last
        # one at most a keepalive interval before it).
        assert detected >= IDLE_TIMEOUT - KEEPALIVE / SPEED - 0.1
        opened_during_stall = len(scenario.log.between(started, started + stall, paths=[SSE_PATH]))
        await wait_until(lambda: time.monotonic() - started > stall, hass, timeout=stall + 1)
        stall_over = time.monotonic()
        await wait_until(
            lambda: coordinator.stream_connected
            and coordinator.stream.diagnostics["consecutive_failures"] == 0,
            hass,
            timeout=10 + (30 if LONG else 0),
        )
        scenario.record.reconnect("sse", time.monotonic() - stall_over)
        # A stalled Pi is not hammered: at most one new stream per watchdog period.
        scenario.record.window("SSE opened during the stall", stall, opened_during_stall, 3)
        assert opened_during_stall <= 3
        await scenario.complete()
        await scenario.unload()


async def test_websocket_dropped_then_aborted_falls_back_to_polling_and_returns(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, make_scenario: ScenarioFactory
) -> None:
    scenario = await make_scenario(
        "ws_dropped",
        "Monitor WebSocket closed (1001), then its TCP connection aborted, during a session",
    )
    health = loaded_entry.runtime_data.health
    await wait_until(lambda: health.transport == "push", hass)
    await scenario.start_session(password=WIFI_PASSWORD)
    await scenario.provision_all()
    await scenario.wait_in_flight()
    for abort in (False, True):
        before = _ws_reconnects(loaded_entry)
        started = time.monotonic()
        await scenario.fault("drop-streams", streams=["ws"], abort=abort)
        await wait_until(_more_than(_ws_reconnects, loaded_entry, before), hass)
        await wait_until(lambda: health.transport == "push", hass)
        scenario.record.reconnect("ws", time.monotonic() - started)
    await scenario.complete()
    assert health.transport == "push"
    await scenario.unload()


@pytest.fixture
def short_ping(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ping every 0.5 s and give up 1 s after an unanswered ping (shipped: 10 s and 10 s)."""
    monkeypatch.setattr(
        health_coordinator,
        "MonitorStream",
        functools.partial(MonitorStream, ping_interval=0.5, pong_timeout=1.0, min_silence=10.0),
    )


async def test_websocket_stalled_without_pong_is_replaced(
    hass: HomeAssistant,
    short_ping: None,
    loaded_entry: MockConfigEntry,
    make_scenario: ScenarioFactory,
) -> None:
    scenario = await make_scenario(
        "ws_stalled",
        "Monitor WebSocket open but silent: no updates and no pong, for 2.5 s",
    )
    health = loaded_entry.runtime_data.health
    monitor = health.monitor
    await wait_until(lambda: health.transport == "push", hass)
    await scenario.start_session(password=WIFI_PASSWORD)
    await scenario.provision_all()
    await scenario.wait_in_flight()
    before = _ws_reconnects(loaded_entry)
    stall = 2.5
    started = time.monotonic()
    await scenario.fault("stall", stream="ws", seconds=stall)
    detected = await wait_until(lambda: not monitor.connected, hass, timeout=stall)
    scenario.record.notes["stall_detected_after_s"] = round(detected, 3)
    last_error = monitor.diagnostics["last_error"]
    assert last_error is not None
    assert "after a ping" in last_error["message"]
    await wait_until(lambda: health.transport != "push", hass)
    await wait_until(lambda: time.monotonic() - started > stall, hass, timeout=stall + 1)
    stall_over = time.monotonic()
    await wait_until(
        lambda: _ws_reconnects(loaded_entry) > before and health.transport == "push", hass
    )
    scenario.record.reconnect("ws", time.monotonic() - stall_over)
    await scenario.complete()
    await scenario.unload()
