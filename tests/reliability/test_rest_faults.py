"""REST faults: bursts of 5xx, 429 with Retry-After, answers slower than the timeout."""

from __future__ import annotations

from collections.abc import Callable
import functools
import itertools
import math
import time

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator import data as integration_data
from custom_components.piorchestrator.api.client import PiOrchestratorClient
from custom_components.piorchestrator.provisioning_coordinator import ProvisioningCoordinator
from tests.integration.conftest import WIFI_PASSWORD
from tests.waiting import wait_until

from .conftest import ScenarioFactory
from .request_log import SSE_PATH, LoggedRequest

RETRY_AFTER = 2
"""Seconds the Pi asks for in its 429 answers (fail-next takes real seconds)."""
IN_FLIGHT = 0.1
"""Seconds after an answer during which a request may still be one sent before it."""
REQUEST_TIMEOUT = 0.5
"""The client's REST timeout in the slow-answer scenario (shipped: 10 s), scaled down."""


def _reconnected(coordinator: ProvisioningCoordinator, before: int) -> Callable[[], bool]:
    """A condition: the event stream reconnected since `before` and is up."""
    return lambda: (
        coordinator.stream.diagnostics["reconnect_count"] > before and coordinator.stream_connected
    )


def _gaps(requests: list[LoggedRequest]) -> list[float]:
    return [round(b.at - a.at, 3) for a, b in itertools.pairwise(requests)]


async def test_bursts_of_server_errors_during_a_reconnect(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, make_scenario: ScenarioFactory
) -> None:
    scenario = await make_scenario(
        "burst_5xx",
        "Bursts of 500 and retryable 503 answers on every API path while the event stream "
        "reconnects and reconciles",
    )
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_until(lambda: coordinator.stream_connected, hass)
    await scenario.start_session(password=WIFI_PASSWORD)
    await scenario.provision_all()
    await scenario.wait_in_flight()
    log = scenario.log
    for code, count, extra in (
        ("INTERNAL_ERROR", 3, {}),
        ("MQTT_UNAVAILABLE", 3, {"retry_after_seconds": 1}),
    ):
        mark = log.mark()
        reconnects = coordinator.stream.diagnostics["reconnect_count"]
        await scenario.fault("fail-next", count=count, code=code, **extra)
        started = time.monotonic()
        await scenario.fault("drop-streams", streams=["sse"])
        await wait_until(_reconnected(coordinator, reconnects), hass)
        scenario.record.reconnect("sse", time.monotonic() - started)
        recovered = time.monotonic()
        sent = log.since(mark)
        failed = [entry for entry in sent if entry.status and entry.status >= 500]
        assert len(failed) == count  # the whole burst was met by the integration
        # No request storm: every failed stream attempt was followed by a back-off...
        gaps = _gaps([entry for entry in sent if entry.path == SSE_PATH])
        scenario.record.notes.setdefault("sse_attempt_gaps_s", []).append(gaps)
        assert all(gap >= 0.75 for gap in gaps), gaps
        # ...and the integration as a whole stayed within a few requests a second.
        limit = max(3 * count, int(3 * (recovered - started)))
        scenario.record.window(
            f"{code} burst: requests until the stream was back",
            recovered - started,
            len(sent),
            limit,
        )
        assert len(sent) <= limit, [(entry.path, entry.status) for entry in sent]
    await scenario.complete()
    await scenario.unload()


async def test_a_failed_reconciliation_is_retried_promptly(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, make_scenario: ScenarioFactory
) -> None:
    scenario = await make_scenario(
        "reconcile_5xx",
        "The REST reconciliation after a reconnect answered 500 while the stream itself comes back",
    )
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_until(lambda: coordinator.stream_connected, hass)
    session_id = await scenario.start_session(password=WIFI_PASSWORD)
    await scenario.provision_all()
    await scenario.wait_in_flight()
    reconnects = coordinator.stream.diagnostics["reconnect_count"]
    # Only the session's own path fails: the stream reconnects at once, its reconciliation does not.
    await scenario.fault(
        "fail-next",
        count=1,
        code="DATABASE_ERROR",
        paths=[f"/api/v1/provisioning/batch/{session_id}"],
    )
    started = time.monotonic()
    await scenario.fault("drop-streams", streams=["sse"])
    await wait_until(
        lambda: coordinator.stream.diagnostics["reconnect_count"] > reconnects
        and coordinator.stream_connected,
        hass,
    )
    scenario.record.reconnect("sse", time.monotonic() - started)
    # The stream is back and delivering; what Home Assistant shows must not stay
    # unavailable until the next periodic reconciliation (a minute away).
    await scenario.complete(timeout=8)
    await scenario.unload()


async def test_rate_limited_answers_are_waited_out(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, make_scenario: ScenarioFactory
) -> None:
    scenario = await make_scenario(
        "rate_limited_429",
        f"429 RATE_LIMITED with Retry-After: {RETRY_AFTER} s on every API path, during a reconnect",
    )
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_until(lambda: coordinator.stream_connected, hass)
    await scenario.start_session(password=WIFI_PASSWORD)
    await scenario.provision_all()
    await scenario.wait_in_flight()
    log = scenario.log
    mark = log.mark()
    reconnects = coordinator.stream.diagnostics["reconnect_count"]
    await scenario.fault("fail-next", count=2, code="RATE_LIMITED", retry_after_seconds=RETRY_AFTER)
    started = time.monotonic()
    await scenario.fault("drop-streams", streams=["sse"])
    await wait_until(
        lambda: coordinator.stream.diagnostics["reconnect_count"] > reconnects
        and coordinator.stream_connected,
        hass,
        timeout=20,
    )
    scenario.record.reconnect("sse", time.monotonic() - started)
    limited = [entry for entry in log.since(mark) if entry.status == 429]
    assert len(limited) == 2
    assert all(entry.headers.get("X-API-Key") for entry in limited if entry.path == SSE_PATH)
    ignored: list[str] = []
    for answer in limited:
        assert answer.finished is not None
        # Requests that arrive within IN_FLIGHT of the answer left before it was read.
        window_end = answer.finished + RETRY_AFTER * 0.95
        inside = log.between(answer.finished + IN_FLIGHT, window_end)
        scenario.record.window(
            f"after 429 on {answer.path.removeprefix('/api/v1')}", RETRY_AFTER, len(inside), 0
        )
        ignored += [
            f"{entry.path} {entry.at - answer.finished:.2f} s after the 429 on {answer.path}"
            for entry in inside
        ]
    await scenario.complete(timeout=20)
    await scenario.unload()
    # The Pi limits a client, not a path: until Retry-After has passed, the
    # integration as a whole asks it nothing (the stream's reconnect included).
    assert ignored == [], "\n".join(ignored)


@pytest.fixture
def short_request_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """The client's REST timeout scaled down to REQUEST_TIMEOUT."""
    monkeypatch.setattr(
        integration_data,
        "PiOrchestratorClient",
        functools.partial(PiOrchestratorClient, request_timeout=REQUEST_TIMEOUT),
    )


async def test_answers_slower_than_the_timeout(
    hass: HomeAssistant,
    short_request_timeout: None,
    loaded_entry: MockConfigEntry,
    make_scenario: ScenarioFactory,
) -> None:
    scenario = await make_scenario(
        "slow_answers",
        f"Every REST answer {REQUEST_TIMEOUT * 1.5:.2f} s late (client timeout {REQUEST_TIMEOUT} s) "
        "until the door's polling gives up, the event stream staying up",
    )
    runtime = loaded_entry.runtime_data
    coordinator = runtime.provisioning
    await wait_until(lambda: coordinator.stream_connected, hass)
    await scenario.start_session(password=WIFI_PASSWORD)
    await scenario.provision_all()
    await scenario.wait_in_flight()
    log = scenario.log
    mark = log.mark()
    log.max_in_flight = log.in_flight
    door = runtime.door
    await scenario.fault("latency", seconds=REQUEST_TIMEOUT * 1.5)
    slow_started = time.monotonic()
    await wait_until(lambda: not door.last_update_success, hass, timeout=15)
    scenario.record.notes["door_unavailable_after_s"] = round(time.monotonic() - slow_started, 3)
    # Board states keep arriving live meanwhile: the event stream is not a REST request.
    assert coordinator.stream_connected
    await scenario.fault("latency", seconds=0)
    slow_over = time.monotonic()
    await wait_until(lambda: door.last_update_success, hass, timeout=15)
    scenario.record.reconnect("door polling", time.monotonic() - slow_over)
    sent = [entry for entry in log.since(mark) if entry.at < slow_over]
    # Each timed-out GET is tried three times, one second apart, by up to four
    # independent askers (door poll, recovery check, network and allowlist
    # refreshes, each debounced to one call per 2 s). How many calls the boards'
    # live transitions prompt depends on how long the door takes to give up, so
    # the bound is a rate, the same "a few requests a second" as the 5xx bursts.
    window = slow_over - slow_started
    limit = max(12, math.ceil(3 * window))
    scenario.record.window("REST requests while answers were slow", window, len(sent), limit)
    scenario.record.notes["max_requests_in_flight"] = log.max_in_flight
    # Timed-out requests are not piled up: a handful in flight at most.
    assert log.max_in_flight <= 4
    assert len(sent) <= limit, [(round(entry.at - slow_started, 2), entry.path) for entry in sent]
    assert coordinator.stream.diagnostics["reconnect_count"] == 0
    await scenario.complete()
    await scenario.unload()
