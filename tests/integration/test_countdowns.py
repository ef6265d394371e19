"""Countdowns that count: the rate limit's end, the session's expiry (wire level).

A wait shown as a time, not a duration, is one the UI counts down ("in 24
seconds") and an automation can wait for.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator import provisioning_timers
from custom_components.piorchestrator.const import DOMAIN
from simulator import Simulator, SimulatorConfig
from tests.conftest import SimulatorConfigFactory

from .conftest import PiDriver, WaitFor
from .test_error_messages import PATH, failing_call, translated

WARNING_EVENT = f"{DOMAIN}_session_timeout_warning"


def entity_id(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> str:
    """The entity ID of one of the Pi's sensors, by its description key."""
    found = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, f"{entry.entry_id}_{key}")
    assert found is not None, key
    return found


def timestamp(hass: HomeAssistant, entity: str) -> datetime | None:
    """A timestamp sensor's value; None while unknown."""
    state = hass.states.get(entity)
    assert state is not None
    return None if state.state == STATE_UNKNOWN else dt_util.parse_datetime(state.state)


@pytest.fixture(params=["backend", "dashboard"])
def simulator_config(
    make_simulator_config: SimulatorConfigFactory, request: pytest.FixtureRequest
) -> SimulatorConfig:
    """Both SSE vocabularies; sessions last 36 s here (1,800 simulated seconds at speed 50)."""
    return make_simulator_config(speed=50, boards=3, seed=7, sse_vocabulary=request.param)


@pytest.fixture
def warnings(hass: HomeAssistant) -> list[Event]:
    """Timeout warnings fired on the bus."""
    fired: list[Event] = []

    @callback
    def record(event: Event) -> None:
        fired.append(event)

    hass.bus.async_listen(WARNING_EVENT, record)
    return fired


async def test_requests_held_until_shows_the_rate_limit_and_clears(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, pi: PiDriver, wait_for: WaitFor
) -> None:
    held = entity_id(hass, loaded_entry, "requests_held_until")
    assert hass.states.get(held).state == STATE_UNKNOWN  # type: ignore[union-attr]
    seen: list[datetime] = []

    @callback
    def record(event: Event) -> None:
        if event.data["entity_id"] == held and (value := timestamp(hass, held)) is not None:
            seen.append(value)

    hass.bus.async_listen("state_changed", record)
    await pi.fault(
        "fail-next",
        {"code": "RATE_LIMITED", "status": 429, "retry_after_seconds": 3, "paths": [PATH]},
    )
    asked = dt_util.utcnow()
    # Within the client's retry budget: the action waits, then succeeds.
    await hass.services.async_call(
        DOMAIN,
        "get_allowlist",
        {"config_entry_id": loaded_entry.entry_id},
        blocking=True,
        return_response=True,
    )
    [until] = seen
    assert abs((until - asked).total_seconds() - 3) < 1.5
    # Over: nothing is held any more, and the sensor says so by itself.
    await wait_for(lambda: hass.states.get(held).state == STATE_UNKNOWN, timeout=3)  # type: ignore[union-attr]


async def test_a_rate_limit_beyond_the_budget_says_when_to_try_again(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, pi: PiDriver
) -> None:
    await pi.fault(
        "fail-next",
        {"code": "RATE_LIMITED", "status": 429, "retry_after_seconds": 120, "paths": [PATH]},
    )
    err = await failing_call(hass, loaded_entry)
    asked = dt_util.utcnow()

    assert err.translation_key == "error_rate_limited"
    retry_at = (err.translation_placeholders or {})["retry_at"]
    expected = dt_util.as_local(asked + timedelta(seconds=120))
    shown = expected.replace(
        hour=int(retry_at[:2]), minute=int(retry_at[3:5]), second=int(retry_at[6:8])
    )
    assert abs((shown - expected).total_seconds()) < 3, (retry_at, expected)
    text = await translated(hass, err)
    assert f"at {retry_at}" in text
    assert "Try again in 120 s" in text
    # The same moment on the sensor, for a dashboard to count down.
    held = timestamp(hass, entity_id(hass, loaded_entry, "requests_held_until"))
    assert held is not None
    assert abs((held - asked).total_seconds() - 120) < 3
    # Until then nothing is sent: the Pi is not asked again.
    with pytest.raises(HomeAssistantError):
        await hass.services.async_call(
            DOMAIN,
            "get_allowlist",
            {"config_entry_id": loaded_entry.entry_id},
            blocking=True,
            return_response=True,
        )


async def test_session_expires_follows_each_check(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pi: PiDriver,
    simulator: Simulator,
    wait_for: WaitFor,
) -> None:
    expires = entity_id(hass, loaded_entry, "session_expires")
    provisioning = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: provisioning.stream_connected)
    assert hass.states.get(expires).state == STATE_UNKNOWN  # type: ignore[union-attr]

    session = await pi.start_session()
    pis_expiry = dt_util.parse_datetime(simulator.state.sessions[session["id"]].expires_at or "")
    assert pis_expiry is not None
    await wait_for(lambda: timestamp(hass, expires) is not None)
    # Read again from the next session check's `timeout_remaining`.
    checks = provisioning.reconcile_count
    await provisioning.async_refresh()
    assert provisioning.reconcile_count > checks
    shown = timestamp(hass, expires)
    assert shown is not None
    assert abs((shown - pis_expiry).total_seconds()) < 2.5

    await pi.call("POST", f"/api/v1/provisioning/batch/{session['id']}/stop")
    await wait_for(lambda: timestamp(hass, expires) is None)


async def test_one_timeout_warning_per_session_in_both_vocabularies(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pi: PiDriver,
    wait_for: WaitFor,
    warnings: list[Event],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The warning counts down to 5 minutes before expiry, whatever the Pi says."""
    # Sessions here last 36 s: warn 30 s before the end, some 6 s after the start.
    monkeypatch.setattr(provisioning_timers, "TIMEOUT_WARNING_LEAD", timedelta(seconds=30))
    provisioning = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: provisioning.stream_connected)

    session = await pi.start_session()
    await wait_for(lambda: provisioning.data.expires_at is not None)
    assert warnings == [], "not before it is due"
    await wait_for(lambda: len(warnings) == 1, timeout=12)
    [warning] = warnings
    assert warning.data["session_id"] == session["id"]
    assert warning.data["config_entry_id"] == loaded_entry.entry_id
    # The backend vocabulary's own warning, later, is the same warning.
    await pi.fault("expire", {"session_id": session["id"], "warning_only": True})
    await pi.call("POST", f"/api/v1/provisioning/batch/{session['id']}/stop")
    await wait_for(
        lambda: provisioning.data.session is not None
        and not provisioning.data.session.state.is_open
    )
    assert len(warnings) == 1

    # A new session gets its own warning.
    second = await pi.start_session()
    await wait_for(lambda: len(warnings) == 2, timeout=15)
    assert warnings[1].data["session_id"] == second["id"]
