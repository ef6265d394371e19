"""Streams that stay connected but stop delivering are caught, said once, and recovered."""

from __future__ import annotations

import asyncio
from datetime import datetime
import logging
from typing import Any

from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator.const import CONF_RECONCILE_INTERVAL, DOMAIN
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
    monitor = [
        r for r in caplog.records if r.name.endswith("api.stream") and "monitor" in r.getMessage()
    ]
    warnings = [r.getMessage() for r in monitor if r.levelno == logging.WARNING]
    infos = [r.getMessage() for r in monitor if r.levelno == logging.INFO]
    assert len(warnings) == 1, warnings
    assert "no health update for" in warnings[0]
    assert len(infos) == 1, infos
    # The indicator went to polling once and came back once: no flapping.
    assert seen == ["polling", "push"]


BOARDS = ("24:0A:C4:00:00:51", "24:0A:C4:00:00:52", "24:0A:C4:00:00:53")
RECONCILE_SECONDS = 2


def _entry_with_fast_reconciliation(entry: MockConfigEntry) -> MockConfigEntry:
    return MockConfigEntry(
        domain=entry.domain,
        title=entry.title,
        unique_id=entry.unique_id,
        data=entry.data,
        options={CONF_RECONCILE_INTERVAL: RECONCILE_SECONDS},
    )


class BoardEvents:
    """Every board event fired on the bus, to prove none is duplicated."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.fired: list[tuple[str, str]] = []
        self._unsubscribe = hass.bus.async_listen(
            "piorchestrator_board_state_changed", self._record
        )

    @callback
    def _record(self, event: Event) -> None:
        self.fired.append((event.data["mac"], event.data["state"]))

    def duplicates(self) -> list[tuple[str, str]]:
        return [item for item in set(self.fired) if self.fired.count(item) > 1]


async def _ha_matches_pi(pi: PiDriver, entry: MockConfigEntry, session_id: str) -> bool:
    truth = await pi.boards(session_id)
    boards = entry.runtime_data.provisioning.data.boards
    return all(
        boards.get(mac) is not None and boards[mac].state.value == s for mac, s in truth.items()
    )


@pytest.mark.parametrize("muted", [[], [BOARDS[1]]], ids=["all boards", "one board"])
async def test_a_stream_that_stops_delivering_device_events_is_reconciled(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    pi: PiDriver,
    wait_for: WaitFor,
    caplog: pytest.LogCaptureFixture,
    muted: list[str],
) -> None:
    entry = _entry_with_fast_reconciliation(config_entry)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    coordinator = entry.runtime_data.provisioning
    await wait_for(lambda: coordinator.stream_connected)
    events = BoardEvents(hass)
    await pi.fault("boards", {"macs": list(BOARDS)})
    for mac in BOARDS:
        await pi.call("POST", "/api/v1/provisioning/allowlist", {"mac": mac})
    session = await pi.start_session()
    await wait_for(lambda: set(BOARDS) <= coordinator.data.session_boards)

    # The stream stays up, keepalives and all, but device events vanish.
    await pi.fault("mute-events", {"macs": muted, "seconds": 3600})
    await pi.call("POST", f"/api/v1/provisioning/batch/{session['id']}/provision-all", {})

    async def pi_done() -> bool:
        return set((await pi.boards(session["id"])).values()) == {"verified"}

    for _ in range(200):
        if await pi_done():
            break
        await asyncio.sleep(0.05)
    assert await pi_done()
    assert coordinator.stream_connected

    # Within the reconciliation interval (+ margin), HA shows the Pi's truth.
    deadline = asyncio.get_running_loop().time() + RECONCILE_SECONDS + 3
    while not await _ha_matches_pi(pi, entry, session["id"]):
        assert asyncio.get_running_loop().time() < deadline, "not reconciled in time"
        await asyncio.sleep(0.05)
    await hass.async_block_till_done()
    record = coordinator.reconciliation
    assert record.detections >= 1
    assert record.differences_found >= (len(BOARDS) if not muted else 1)

    # Events resume: the next reconciliation finds nothing and says so once.
    await pi.fault("mute-events", {"seconds": 0})
    await wait_for(lambda: record.last_differences == 0, timeout=RECONCILE_SECONDS * 3)
    messages = [r for r in caplog.records if r.name == "custom_components.piorchestrator"]
    warnings = [
        r.getMessage()
        for r in messages
        if r.levelno == logging.WARNING and "missed" in r.getMessage()
    ]
    infos = [
        r.getMessage() for r in messages if r.levelno == logging.INFO and "again" in r.getMessage()
    ]
    assert len(warnings) == 1, warnings
    assert "stayed connected" in warnings[0]
    assert len(infos) == 1, infos
    # Reconciliation reported each newly seen transition once, and replayed nothing.
    assert events.duplicates() == []
    assert all((mac, "verified") in events.fired for mac in BOARDS)
    await hass.config_entries.async_unload(entry.entry_id)


async def test_an_event_id_that_jumps_triggers_a_prompt_check(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, pi: PiDriver, wait_for: WaitFor
) -> None:
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: coordinator.stream_connected)
    await pi.fault("boards", {"macs": [BOARDS[0]]})
    await pi.start_session()
    await wait_for(lambda: BOARDS[0] in coordinator.data.session_boards)
    before = coordinator.reconciliation.by_reason["gap"]

    await pi.fault("skip-ids", {"count": 7})
    await pi.fault("boards", {"macs": [BOARDS[1]]})  # the next event carries the jump

    # Far sooner than the default 60 s interval: the jump itself asked for it.
    await wait_for(lambda: coordinator.reconciliation.by_reason["gap"] > before, timeout=5)
    assert coordinator.reconciliation.gap_signals["event_id_jump"] == 1
    assert coordinator.reconciliation.last_differences == 0  # nothing was actually lost
    # Freshness is visible: the diagnostic sensor shows when the last event came.
    freshness = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{loaded_entry.entry_id}_last_provisioning_event"
    )
    assert freshness is not None
    shown = datetime.fromisoformat(hass.states.get(freshness).state)
    assert abs((dt_util.utcnow() - shown).total_seconds()) < 10


async def test_no_session_means_no_reconciliation_requests(
    hass: HomeAssistant, config_entry: MockConfigEntry, pi: PiDriver, wait_for: WaitFor
) -> None:
    entry = _entry_with_fast_reconciliation(config_entry)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    coordinator = entry.runtime_data.provisioning
    await wait_for(lambda: coordinator.stream_connected)
    before = await pi.call("GET", "/_sim/report")

    await asyncio.sleep(RECONCILE_SECONDS * 2.5)
    after = await pi.call("GET", "/_sim/report")

    def batch_reads(report: dict[str, Any]) -> int:
        return sum(
            sum(statuses.values())
            for path, statuses in report["requests"].items()
            if path.startswith(
                ("/api/v1/provisioning/batch/sess", "/api/v1/provisioning/batch/network")
            )
        )

    assert coordinator.update_interval is None
    assert batch_reads(after) == batch_reads(before)
    await hass.config_entries.async_unload(entry.entry_id)
