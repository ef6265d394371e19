"""Both streams' status, and streams back as soon as the Pi is (wire level).

The simulator stops serving (its port closes, as when the Pi reboots) and binds
the same port again; Home Assistant sees it over real sockets.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime, timedelta
import logging
import time

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator import provisioning_stream
from custom_components.piorchestrator.api.stream import StreamStatus
from custom_components.piorchestrator.const import DOMAIN
from simulator import Simulator

from .conftest import PiDriver, WaitFor

BACK_WITHIN = 5.0
"""Seconds from the Pi accepting connections again to both streams connected."""


def entity_id(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> str:
    """The entity ID of one of the Pi's sensors, by its description key."""
    found = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, f"{entry.entry_id}_{key}")
    assert found is not None, key
    return found


async def stop(simulator: Simulator) -> None:
    """Take the Pi away; it comes back on the same port."""
    simulator.config = dataclasses.replace(simulator.config, port=simulator.port)
    await simulator.stop()


async def test_event_stream_sensor_follows_an_outage(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    wait_for: WaitFor,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(provisioning_stream, "UNAVAILABLE_GRACE_SECONDS", 1)
    caplog.set_level(logging.INFO, logger="custom_components.piorchestrator")
    sensor = entity_id(hass, loaded_entry, "event_stream")
    connection = entity_id(hass, loaded_entry, "connection")
    provisioning = loaded_entry.runtime_data.provisioning

    def status() -> str | None:
        state = hass.states.get(sensor)
        return state.state if state is not None else None

    await wait_for(lambda: status() == "connected")
    assert provisioning.stream_status is StreamStatus.CONNECTED
    assert hass.states.get(sensor).attributes["next_attempt"] is None  # type: ignore[union-attr]

    await stop(simulator)
    await wait_for(lambda: status() == "reconnecting")
    # While it waits, it says when it tries again: a time to come, not a duration.
    await wait_for(lambda: hass.states.get(sensor).attributes["next_attempt"] is not None)  # type: ignore[union-attr]
    next_attempt = dt_util.parse_datetime(hass.states.get(sensor).attributes["next_attempt"])  # type: ignore[union-attr]
    assert next_attempt is not None
    assert dt_util.utcnow() - next_attempt < timedelta(seconds=1)
    # The drop outlasts the grace period: no longer a blip.
    await wait_for(lambda: status() == "disconnected")
    # The monitor's own sensor tells of the socket's next attempt too.
    await wait_for(lambda: hass.states.get(connection).state == "disconnected")  # type: ignore[union-attr]
    await wait_for(
        lambda: hass.states.get(connection).attributes["next_attempt"] is not None  # type: ignore[union-attr]
    )

    await simulator.start()
    await wait_for(lambda: status() == "connected", timeout=BACK_WITHIN + 1)
    assert hass.states.get(sensor).attributes["next_attempt"] is None  # type: ignore[union-attr]
    # Once each way in the log, however many attempts failed in between.
    about = [r for r in caplog.records if "event stream of the Pi" in r.getMessage()]
    assert sum(r.levelno == logging.WARNING for r in about) == 1
    assert sum("is back after" in r.getMessage() for r in about) <= 1


async def test_streams_are_back_within_5_s_however_long_the_back_off(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    wait_for: WaitFor,
) -> None:
    """NFR: data flows again within 5 s of the Pi, even after a reboot-length outage."""
    provisioning = loaded_entry.runtime_data.provisioning
    health = loaded_entry.runtime_data.health
    await wait_for(lambda: provisioning.stream_connected and health.monitor.connected)
    reconciliations = provisioning.reconcile_count

    await stop(simulator)
    # Wait until the back-off has grown well past 5 s for both streams.
    far = timedelta(seconds=BACK_WITHIN + 1)

    def waits_long(at: datetime | None) -> bool:
        return at is not None and at - dt_util.utcnow() > far

    await wait_for(
        lambda: waits_long(provisioning.stream.next_attempt_at)
        and waits_long(health.monitor.next_attempt_at),
        timeout=30,
    )
    attempts = [provisioning.stream.next_attempt_at, health.monitor.next_attempt_at]
    scheduled = min(at for at in attempts if at is not None)

    await simulator.start()
    back = time.monotonic()
    await wait_for(
        lambda: provisioning.stream_connected and health.monitor.connected, timeout=BACK_WITHIN
    )
    took = time.monotonic() - back
    assert dt_util.utcnow() < scheduled, "woken, not reconnected by the back-off"
    # Data flows: the reconciliation after the reconnect was applied.
    await wait_for(
        lambda: provisioning.reconcile_count > reconciliations, timeout=BACK_WITHIN - took
    )
    sensor = entity_id(hass, loaded_entry, "event_stream")
    await wait_for(lambda: getattr(hass.states.get(sensor), "state", None) == "connected")


async def test_a_pi_that_refuses_the_stream_is_not_hurried(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, pi: PiDriver, wait_for: WaitFor
) -> None:
    """API.md §6 back-off still governs a Pi that answers but refuses the stream."""
    provisioning = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: provisioning.stream_connected)
    await pi.fault(
        "fail-next",
        {
            "code": "INTERNAL_ERROR",
            "status": 503,
            "retryable": True,
            "retry_after_seconds": 4,
            "paths": ["/api/v1/provisioning/batch/events"],
        },
    )
    await pi.fault("drop-streams", {"streams": ["sse"]})

    def refused() -> bool:
        error = provisioning.stream.diagnostics["last_error"]
        return error is not None and error["http_status"] == 503

    await wait_for(refused)
    refused_at = time.monotonic()
    # The Pi is up and answers every other request meanwhile.
    door = loaded_entry.runtime_data.door
    await door.async_refresh()
    assert door.last_update_success
    await asyncio.sleep(1)
    assert not provisioning.stream_connected, "a success must not cut the Pi's own wait short"
    await wait_for(lambda: provisioning.stream_connected, timeout=8)
    assert time.monotonic() - refused_at > 3
