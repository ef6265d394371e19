"""Both streams outlive a hostile Pi, and a stream task that dies all the same comes back.

Hostile frames go through the simulator's raw faults over real sockets to the loaded
integration; what counts is that the next ordinary change still reaches the entity and
that no task died. The supervisor is shown by breaking the reconnect loop once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
import contextlib
import json
import logging
import time
from typing import Any

from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator import supervisor as supervisor_module
from custom_components.piorchestrator.api.errors import (
    PiOrchestratorAuthenticationError,
    PiOrchestratorError,
)
from custom_components.piorchestrator.const import DOMAIN
from custom_components.piorchestrator.supervisor import StreamSupervisor

from .conftest import PiDriver, WaitFor

NEXT_CHANGE_BOUND = 2.0
"""Seconds within which the next ordinary change must show after a hostile frame."""


def entity_id(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> str:
    """The entity ID of one of the Pi's entities, by its description key."""
    found = er.async_get(hass).async_get_entity_id(
        key.split(".")[0], DOMAIN, f"{entry.entry_id}_{key.split('.')[1]}"
    )
    assert found is not None, key
    return found


@contextlib.contextmanager
def states_of(hass: HomeAssistant, entity: str) -> Iterator[list[str]]:
    """Every state `entity` takes while the block runs."""
    seen: list[str] = []

    @callback
    def record(event: Event[EventStateChangedData]) -> None:
        if (new := event.data["new_state"]) is not None:
            seen.append(new.state)

    unsubscribe = async_track_state_change_event(hass, [entity], record)
    try:
        yield seen
    finally:
        unsubscribe()


def heartbeat(event_id: str) -> str:
    data = json.dumps({"version": "1.0", "type": "connection.heartbeat", "payload": None})
    return f"id: {event_id}\ndata: {data}\n\n"


def tasks_alive(entry: MockConfigEntry) -> None:
    """Neither stream task died nor was restarted, and both still run."""
    provisioning = entry.runtime_data.provisioning
    health = entry.runtime_data.health
    assert provisioning.stream_supervisor.restart_count == 0
    assert health.supervisor.restart_count == 0
    running = {task.get_name() for task in entry._background_tasks if not task.done()}
    assert {f"{DOMAIN} provisioning events", f"{DOMAIN} monitor websocket"} <= running


def restart_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if "restarting it in" in record.getMessage()]


@pytest.mark.parametrize(
    "frames",
    [
        ["retry: " + "9" * 400 + "\n\n", "retry: " + "9" * 5000 + "\n\n"],
        [heartbeat("\u00b2"), heartbeat("1" * 4400)],
        [heartbeat("7" * 20_000)],
    ],
    ids=["retry of 400 and 5000 digits", "id of a unicode digit and of 4400 digits", "20 kB id"],
)
async def test_after_a_hostile_event_frame_the_next_change_still_shows(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pi: PiDriver,
    wait_for: WaitFor,
    caplog: pytest.LogCaptureFixture,
    frames: list[str],
) -> None:
    provisioning = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: provisioning.stream_connected)
    reconnects = provisioning.stream.diagnostics["reconnect_count"]
    session = entity_id(hass, loaded_entry, "sensor.session_state")
    assert hass.states.get(session).state == "idle"  # type: ignore[union-attr]
    for frame in frames:
        reached = await pi.fault("raw-sse", {"text": frame})
        assert reached["connections"] == 1
    # The ordinary change right after it: a session started on the Pi.
    await pi.start_session()
    await wait_for(
        lambda: hass.states.get(session).state not in ("idle", "unknown"),  # type: ignore[union-attr]
        timeout=NEXT_CHANGE_BOUND,
    )
    tasks_alive(loaded_entry)
    assert provisioning.stream_connected
    # Skipped where it arrived: the connection itself was never given up.
    assert provisioning.stream.diagnostics["reconnect_count"] == reconnects
    assert len(provisioning.stream.last_event_id or "") <= 256
    assert not [r for r in caplog.records if r.exc_info and r.levelno >= logging.INFO]


async def test_after_deep_monitor_updates_the_next_cpu_figure_still_shows(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pi: PiDriver,
    wait_for: WaitFor,
) -> None:
    """A monitoring_update nested 2,000 deep, sent twice, once froze health for good."""
    health = loaded_entry.runtime_data.health
    await wait_for(lambda: health.transport == "push")
    deep: dict[str, Any] = {"cpu_usage": 1}
    for _ in range(2000):
        deep = {"system_health": deep}
    hostile = json.dumps({"type": "monitoring_update", "data": deep})
    await pi.fault("raw-ws", {"text": hostile, "repeat": 2})
    cpu = entity_id(hass, loaded_entry, "sensor.cpu_usage")
    ordinary = {"type": "monitoring_update", "data": {"system_health": {"cpu_usage": 12.34}}}
    with states_of(hass, cpu) as seen:
        await pi.fault("raw-ws", {"text": json.dumps(ordinary)})
        await wait_for(lambda: "12.34" in seen, timeout=NEXT_CHANGE_BOUND)
    tasks_alive(loaded_entry)
    assert health.transport == "push"


async def test_a_dead_event_stream_task_is_restarted(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pi: PiDriver,
    wait_for: WaitFor,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    provisioning = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: provisioning.stream_connected)
    break_once_on_loss(monkeypatch, provisioning.stream)

    await pi.fault("drop-streams", {"streams": ["sse"]})
    # Shown as down while no task reads the stream, not connected over a dead one.
    await wait_for(lambda: not provisioning.stream_connected, timeout=5)
    await wait_for(lambda: provisioning.stream_connected, timeout=10)

    assert provisioning.stream_supervisor.restart_count == 1
    warnings = restart_warnings(caplog)
    assert [record.levelno for record in warnings] == [logging.WARNING]
    assert "provisioning events" in warnings[0].getMessage()
    assert "RuntimeError: broken reconnect loop" in warnings[0].getMessage()
    assert warnings[0].exc_info is None
    # The restarted task delivers the next ordinary change.
    session = entity_id(hass, loaded_entry, "sensor.session_state")
    await pi.start_session()
    await wait_for(
        lambda: hass.states.get(session).state not in ("idle", "unknown"),  # type: ignore[union-attr]
        timeout=NEXT_CHANGE_BOUND,
    )


async def test_a_dead_monitor_task_is_restarted(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pi: PiDriver,
    wait_for: WaitFor,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    health = loaded_entry.runtime_data.health
    await wait_for(lambda: health.transport == "push")
    break_once_on_loss(monkeypatch, health.monitor)
    connection = entity_id(hass, loaded_entry, "sensor.connection")

    with states_of(hass, connection) as seen:
        await pi.fault("drop-streams", {"streams": ["ws"]})
        await wait_for(lambda: health.supervisor.restart_count == 1, timeout=10)
        await wait_for(lambda: health.transport == "push", timeout=10)
    # Never `push` over the dead task: disconnected until a poll answered.
    assert seen[0] == "disconnected", seen
    assert seen[-1] == "push", seen
    warnings = restart_warnings(caplog)
    assert [record.levelno for record in warnings] == [logging.WARNING]
    assert "monitor websocket" in warnings[0].getMessage()


def break_once_on_loss(monkeypatch: pytest.MonkeyPatch, stream: Any) -> None:
    """Make the stream's reconnect loop itself raise, once: a bug nothing else catches."""
    real = stream._on_lost
    calls = 0

    def on_lost(error: PiOrchestratorError | None) -> float:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("broken reconnect loop")
        return float(real(error))

    monkeypatch.setattr(stream, "_on_lost", on_lost)


async def test_one_event_that_cannot_be_applied_is_skipped(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pi: PiDriver,
    wait_for: WaitFor,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whatever applying one event raises in Home Assistant, the next one is applied."""
    provisioning = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: provisioning.stream_connected)
    real = provisioning._apply_event
    failed: list[object] = []

    def apply_event(event: Any) -> None:
        if not failed:
            failed.append(event)
            raise OverflowError("int too large to convert to float")
        real(event)

    monkeypatch.setattr(provisioning, "_apply_event", apply_event)
    session = entity_id(hass, loaded_entry, "sensor.session_state")
    await pi.start_session()
    await wait_for(lambda: bool(failed))
    await wait_for(
        lambda: hass.states.get(session).state not in ("idle", "unknown"),  # type: ignore[union-attr]
        timeout=NEXT_CHANGE_BOUND,
    )
    tasks_alive(loaded_entry)
    warnings = [r for r in caplog.records if r.getMessage().startswith("Skipping")]
    assert [r.levelno for r in warnings] == [logging.WARNING]
    assert "could not be applied (OverflowError" in warnings[0].getMessage()
    assert warnings[0].exc_info is None  # the traceback goes to DEBUG only


async def test_one_health_reading_that_cannot_be_shown_is_skipped(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pi: PiDriver,
    wait_for: WaitFor,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    health = loaded_entry.runtime_data.health
    await wait_for(lambda: health.transport == "push")
    real = health.async_set_updated_data
    failures = 0

    def set_updated_data(data: Any) -> None:
        nonlocal failures
        if failures < 2:
            failures += 1
            raise OverflowError("int too large to convert to float")
        real(data)

    monkeypatch.setattr(health, "async_set_updated_data", set_updated_data)
    cpu = entity_id(hass, loaded_entry, "sensor.cpu_usage")
    ordinary = {"type": "monitoring_update", "data": {"system_health": {"cpu_usage": 43.21}}}
    with states_of(hass, cpu) as seen:
        await wait_for(lambda: failures == 2)
        await pi.fault("raw-ws", {"text": json.dumps(ordinary)})
        await wait_for(lambda: "43.21" in seen, timeout=NEXT_CHANGE_BOUND)
    tasks_alive(loaded_entry)
    warnings = [r for r in caplog.records if r.getMessage().startswith("Skipping")]
    assert [r.levelno for r in warnings] == [logging.WARNING]  # twice, logged once
    assert "could not be shown (OverflowError" in warnings[0].getMessage()


# -- The supervisor alone: how it restarts, logs and stops ------------------------------


async def test_restarts_slow_down_and_only_the_first_is_a_warning(
    hass: HomeAssistant,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(supervisor_module, "RESTART_DELAY", 0.01)
    monkeypatch.setattr(supervisor_module, "MAX_RESTART_DELAY", 0.04)
    entry = MockConfigEntry(domain=DOMAIN, title="pi.test")
    entry.add_to_hass(hass)
    runs: list[float] = []
    downs: list[float] = []
    third = asyncio.Event()

    async def consume() -> None:
        runs.append(time.monotonic())
        if len(runs) == 2:
            raise ValueError("x" * 1000)
        if len(runs) == 4:
            third.set()
            await asyncio.Event().wait()  # runs until the entry unloads

    supervisor = StreamSupervisor(
        hass,
        entry,
        what="test stream",
        host="pi.test",
        consume=consume,
        on_down=lambda: downs.append(time.monotonic()),
    )
    supervisor.start()
    await asyncio.wait_for(third.wait(), 5)
    assert supervisor.restart_count == 3
    assert len(downs) == 3
    records = [r for r in caplog.records if "restarting it in" in r.getMessage()]
    assert [r.levelno for r in records] == [logging.WARNING, logging.DEBUG, logging.DEBUG]
    assert "(it ended)" in records[0].getMessage()
    assert "ValueError: " + "x" * 200 + ")" in records[1].getMessage()  # cut short
    # The delay doubles while the consumer keeps ending at once.
    assert runs[2] - runs[1] > runs[1] - runs[0]

    await entry._async_process_on_unload(hass)
    assert supervisor.restart_count == 3


async def test_a_consumer_that_ran_long_starts_again_at_once(
    hass: HomeAssistant,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(supervisor_module, "RESTART_DELAY", 0.01)
    monkeypatch.setattr(supervisor_module, "HEALTHY_RUN", 0.0)
    entry = MockConfigEntry(domain=DOMAIN, title="pi.test")
    entry.add_to_hass(hass)
    done = asyncio.Event()
    runs = 0

    async def consume() -> None:
        nonlocal runs
        runs += 1
        if runs == 3:
            done.set()
            await asyncio.Event().wait()

    StreamSupervisor(
        hass, entry, what="test stream", host="pi.test", consume=consume, on_down=lambda: None
    ).start()
    await asyncio.wait_for(done.wait(), 5)
    records = [r for r in caplog.records if "restarting it in" in r.getMessage()]
    # Each run was a healthy one: each ending is news again.
    assert [r.levelno for r in records] == [logging.WARNING, logging.WARNING]
    await entry._async_process_on_unload(hass)


@pytest.mark.parametrize("ending", ["returns", "refused key"])
async def test_an_ending_while_unloading_is_no_failure(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture, ending: str
) -> None:
    entry = MockConfigEntry(domain=DOMAIN, title="pi.test")
    entry.add_to_hass(hass)
    release = asyncio.Event()

    async def consume() -> None:
        # As a stream closed by the unload does: it ends, or a refused key arrives late.
        await release.wait()
        if ending == "refused key":
            raise PiOrchestratorAuthenticationError("refused")

    downs: list[bool] = []
    supervisor = StreamSupervisor(
        hass,
        entry,
        what="test stream",
        host="pi.test",
        consume=consume,
        on_down=lambda: downs.append(True),
    )
    supervisor.start()
    await asyncio.sleep(0)
    supervisor._stop()  # what the unload calls before it closes the stream
    release.set()
    await asyncio.wait_for(asyncio.gather(*entry._background_tasks), 2)
    assert downs == []
    assert supervisor.restart_count == 0
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)
