"""Bad events: garbage, other versions, oversized frames, duplicates, reordering, losses."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from homeassistant.const import MATCH_ALL
from homeassistant.core import Event, HomeAssistant, callback
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator.const import DOMAIN
from simulator import Simulator
from tests.integration.conftest import WIFI_PASSWORD
from tests.waiting import wait_until

from .conftest import ScenarioFactory
from .harness import NORMAL_BOARDS

HUGE = 2 * 1024 * 1024
"""A frame twice the client's 1 MiB limit, far beyond any real event."""
ABSURD = 10**400
"""A number JSON allows and no float can hold."""


def _frame(data: Any, *, event: str | None = None, event_id: int | None = None) -> str:
    lines = []
    if event_id is not None:
        lines.append(f"id: {event_id}")
    if event is not None:
        lines.append(f"event: {event}")
    lines.append(f"data: {data if isinstance(data, str) else json.dumps(data)}")
    return "\n".join(lines) + "\n\n"


def _sse_task_alive() -> bool:
    return any(
        task.get_name() == f"{DOMAIN} provisioning events" and not task.done()
        for task in asyncio.all_tasks()
    )


def _monitor_task_alive() -> bool:
    return any(
        task.get_name() == f"{DOMAIN} monitor websocket" and not task.done()
        for task in asyncio.all_tasks()
    )


async def test_garbage_other_versions_and_an_oversized_frame_are_survived(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    make_scenario: ScenarioFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    scenario = await make_scenario(
        "sse_garbage",
        "Unknown event types, envelope version 2.0, malformed JSON, non-object data, an invalid "
        "MAC, then a 2 MiB frame, while boards are in flight",
    )
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_until(lambda: coordinator.stream_connected, hass)
    await scenario.start_session(password=WIFI_PASSWORD)
    await scenario.provision_all()
    await scenario.wait_in_flight()
    victim = NORMAL_BOARDS[0]
    garbage = [
        _frame({"version": "1.0", "type": "device.teleported", "payload": {"mac": victim}}),
        # Were it read, the board would turn failed: it must be skipped.
        _frame(
            {
                "version": "2.0",
                "type": "device.state_changed",
                "payload": {"mac": victim, "previous_state": "discovered", "new_state": "failed"},
            }
        ),
        _frame('{"version": "1.0", "type": ', event="device.state_changed"),
        _frame("[1, 2, 3]"),
        _frame("null", event="session.status"),
        _frame(
            {
                "version": "1.0",
                "type": "device.state_changed",
                "payload": {"mac": "not-a-mac", "new_state": "failed"},
            }
        ),
        ": a comment\nfoo: an unknown field\nretry: soon\n\n",
    ]
    reconnects = coordinator.stream.diagnostics["reconnect_count"]
    caplog.set_level(logging.DEBUG, logger="custom_components.piorchestrator")
    for _ in range(3):  # repeated: still logged once per kind
        for frame in garbage:
            await scenario.fault("malformed", stream="sse", frame=frame)
    await scenario.settle()
    # Skipped, not fatal: the same connection carries on.
    assert coordinator.stream.diagnostics["reconnect_count"] == reconnects
    await scenario.check()
    skipped = [
        record.getMessage()
        for record in caplog.records
        if record.name.endswith("api.events") and record.levelno >= logging.WARNING
    ]
    scenario.record.notes["warnings_for_garbage"] = len(skipped)
    assert 1 <= len(skipped) <= 4, skipped

    started = time.monotonic()
    # In pieces: the Pi's fault route takes at most 1 MiB per call. On the wire it is
    # one line of HUGE bytes.
    piece = 512 * 1024
    await scenario.fault("malformed", stream="sse", frame="data: ")
    for _ in range(HUGE // piece):
        await scenario.fault("malformed", stream="sse", frame="x" * piece)
    await scenario.fault("malformed", stream="sse", frame="\n\n")
    await wait_until(
        lambda: any("more than" in r.getMessage() for r in caplog.records), hass, timeout=10
    )
    scenario.record.notes["oversized_frame_skipped_after_s"] = round(time.monotonic() - started, 2)
    # One frame too large is skipped where it stands: the connection carries on, so a
    # Pi replaying it after Last-Event-ID cannot keep the stream down.
    await scenario.settle()
    assert coordinator.stream.diagnostics["reconnect_count"] == reconnects
    await scenario.complete()
    await scenario.unload()


async def test_an_absurd_number_in_an_event_does_not_stop_the_event_stream(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, make_scenario: ScenarioFactory
) -> None:
    scenario = await make_scenario(
        "sse_absurd_number",
        "A board event whose progress is 10^400 (valid JSON, no float can hold it)",
    )
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_until(lambda: coordinator.stream_connected, hass)
    await scenario.start_session(password=WIFI_PASSWORD)
    await scenario.provision_all()
    await scenario.wait_in_flight()
    frame = (
        'data: {"version": "1.0", "type": "device.state_changed", "payload": {"mac": "'
        + NORMAL_BOARDS[0]
        + f'", "previous_state": "discovered", "new_state": "provisioning", "progress": {ABSURD}}}}}\n\n'
    )
    await scenario.fault("malformed", stream="sse", frame=frame)
    await asyncio.sleep(0.2)
    await hass.async_block_till_done()
    # The event is skipped (or read without its progress); the stream goes on.
    assert _sse_task_alive(), "the event stream's consumer died"
    await scenario.complete()
    await scenario.unload()


@pytest.mark.parametrize(
    ("figure", "value", "shown"),
    [
        ("cpu_usage", str(ABSURD), "10^400"),
        ("uptime", '"100000000000 s"', '"100000000000 s" (3,000 years)'),
    ],
    ids=["cpu 10^400", "uptime 10^11 s"],
)
async def test_an_absurd_figure_in_a_monitor_update_does_not_stop_health(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    make_scenario: ScenarioFactory,
    figure: str,
    value: str,
    shown: str,
) -> None:
    scenario = await make_scenario(
        f"ws_absurd_{figure}", f"A monitoring_update whose {figure} is {shown}, then normal updates"
    )
    health = loaded_entry.runtime_data.health
    await wait_until(lambda: health.transport == "push", hass)
    await scenario.start_session(password=WIFI_PASSWORD)
    await scenario.provision_all()
    frame = f'{{"type": "monitoring_update", "data": {{"system_health": {{"{figure}": {value}}}}}}}'
    await scenario.fault("malformed", stream="ws", frame=frame)
    await asyncio.sleep(0.2)
    await hass.async_block_till_done()
    assert _monitor_task_alive(), "the monitor WebSocket's consumer died"
    updates = health.monitor.diagnostics["message_counts"].get("monitoring_update", 0)
    await wait_until(
        lambda: health.monitor.diagnostics["message_counts"].get("monitoring_update", 0)
        > updates + 1,
        hass,
    )
    assert health.transport == "push"
    await scenario.complete()
    await scenario.unload()


async def test_duplicated_and_reordered_events_do_not_move_boards_backwards(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    make_scenario: ScenarioFactory,
) -> None:
    scenario = await make_scenario(
        "sse_duplicates_reordered",
        "Finished boards, then: the latest event twice, an old event replayed with its own id, "
        "and an old event under a new id (out of order)",
    )
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_until(lambda: coordinator.stream_connected, hass)
    await scenario.start_session(password=WIFI_PASSWORD)
    await scenario.provision_all()
    await scenario.settle()
    await scenario.check()

    fired: list[Event] = []

    @callback
    def ours(event: Event) -> None:
        if str(event.event_type).startswith(f"{DOMAIN}_"):
            fired.append(event)

    unsubscribe = hass.bus.async_listen(MATCH_ALL, ours)
    events = list(simulator.context.events._buffer)
    latest = events[-1]
    started = next(
        event
        for event in events
        if event.type == "device.provisioning_started"
        and event.data["payload"]["device"]["mac"] == NORMAL_BOARDS[0]
    )
    stale = next(
        event
        for event in events
        if event.type == "device.provisioning_started"
        and event.data["payload"]["device"]["mac"] == NORMAL_BOARDS[1]
    )
    await scenario.fault("malformed", stream="sse", frame=latest.frame())
    await scenario.fault("malformed", stream="sse", frame=started.frame())
    # An id of its own, reserved so the Pi's next real event does not reuse it.
    await scenario.fault("skip-ids", count=1)
    fresh_id = simulator.context.events.last_id
    await scenario.fault(
        "malformed", stream="sse", frame=_frame(stale.data, event=stale.type, event_id=fresh_id)
    )
    settle_from = time.monotonic()
    await wait_until(lambda: time.monotonic() - settle_from > 2.5, hass)
    unsubscribe()
    scenario.record.notes["bus_events_fired_by_replays"] = [event.event_type for event in fired]
    await scenario.check()
    # Automations see nothing: no board was reported going backwards or starting again.
    assert [event.event_type for event in fired] == []
    await scenario.unload()
