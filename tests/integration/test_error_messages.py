"""Every error the Pi can answer becomes a message a person can act on.

Two layers. Every error code of API.md §2, as the simulator renders it, goes
through the client's reading of an answer and the integration's one translation
point, in Home Assistant but without a socket: the error's class, its translation,
the Pi's message, the correlation ID and, for retryable errors, how long to wait.
Then one code of each kind goes over the wire for real: the simulator answers a
service's request with it (its `/_sim/fail-next` fault), and the correlation ID in
the message is the one the Pi logged.
"""

from __future__ import annotations

import logging
from typing import Any
from unittest.mock import AsyncMock

from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.translation import async_get_translations
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator.api.envelope import interpret
from custom_components.piorchestrator.api.errors import ErrorCode
from custom_components.piorchestrator.const import DOMAIN
from custom_components.piorchestrator.error_handling import translate_errors
from simulator import Simulator
from simulator.envelope import ApiError, render_error

from .conftest import PiDriver

PATH = "/api/v1/provisioning/allowlist"
"""Requested by `get_allowlist` only: nothing in the background consumes the fault."""
RETRYABLE = {
    ErrorCode.TOTP_INVALID,
    ErrorCode.TOTP_EXPIRED,
    ErrorCode.RATE_LIMITED,
    ErrorCode.DEVICE_UNREACHABLE,
    ErrorCode.DEVICE_REJECTED,
    ErrorCode.DEVICE_TIMEOUT,
    ErrorCode.CIRCUIT_OPEN,
    ErrorCode.VERIFICATION_TIMEOUT,
    ErrorCode.NETWORK_ERROR,
    ErrorCode.MQTT_UNAVAILABLE,
}
CALLER_MISTAKES = {
    ErrorCode.SESSION_NOT_FOUND,
    ErrorCode.SESSION_EXPIRED,
    ErrorCode.SESSION_ALREADY_ACTIVE,
    ErrorCode.SESSION_ALREADY_CLOSED,
    ErrorCode.SESSION_NOT_RECOVERABLE,
    ErrorCode.DEVICE_NOT_FOUND,
    ErrorCode.DEVICE_NOT_IN_ALLOWLIST,
    ErrorCode.DEVICE_ALREADY_PROVISIONING,
    ErrorCode.DEVICE_INVALID_STATE,
    ErrorCode.MAX_RETRIES_EXCEEDED,
    ErrorCode.VALIDATION_FAILED,
    ErrorCode.INVALID_REQUEST,
    ErrorCode.MISSING_PARAMETER,
}


async def failing_call(hass: HomeAssistant, entry: MockConfigEntry) -> HomeAssistantError:
    """Call a service whose request the Pi has been told to fail; return the error."""
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            "get_allowlist",
            {"config_entry_id": entry.entry_id},
            blocking=True,
            return_response=True,
        )
    return err.value


def failed_requests(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Correlation IDs the Pi logged for failed requests of the path."""
    ids = []
    for record in caplog.records:
        if record.name != "simulator.access":
            continue
        method, path, status, correlation_id = record.getMessage().split(" ")
        if method == "GET" and path == PATH and int(status) >= 400:
            ids.append(correlation_id)
    return ids


async def translated(hass: HomeAssistant, err: HomeAssistantError) -> str:
    """The English text a person sees for `err`."""
    translations = await async_get_translations(hass, "en", "exceptions", {DOMAIN})
    template = translations[f"component.{DOMAIN}.exceptions.{err.translation_key}.message"]
    return template.format(**(err.translation_placeholders or {}))


def test_every_code_has_its_own_message() -> None:
    assert {code.value for code in ErrorCode} == RETRYABLE | CALLER_MISTAKES | {
        ErrorCode.UNAUTHORIZED,
        ErrorCode.DATABASE_ERROR,
        ErrorCode.INTERNAL_ERROR,
    }


def reauth_flows(hass: HomeAssistant) -> list[Any]:
    """The reauthentication flows in progress for the integration."""
    return [
        flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == SOURCE_REAUTH
    ]


async def check_message(
    hass: HomeAssistant, err: HomeAssistantError, code: ErrorCode, correlation_id: str
) -> None:
    """`err` is `code`'s translated error, with the Pi's words, ID and wait."""
    expected_class = ServiceValidationError if code in CALLER_MISTAKES else HomeAssistantError
    assert type(err) is expected_class
    assert err.translation_domain == DOMAIN
    assert err.translation_key == f"error_{code.value.lower()}"
    assert (err.translation_placeholders or {})["correlation_id"] == correlation_id
    text = await translated(hass, err)
    assert f"the Pi says {code.value}" in text
    assert f"correlation ID {correlation_id}" in text
    if code in RETRYABLE:
        assert "Try again in 30 s" in text
    else:
        assert "Try again" not in text
    # A refused key asks for a new one; a refused TOTP token does not.
    assert bool(reauth_flows(hass)) is (code is ErrorCode.UNAUTHORIZED)


def pis_error(code: ErrorCode) -> ApiError:
    """`code` as the Pi answers it, with a wait beyond the client's retry budget."""
    # Longer than the client's retry budget: it surfaces at once, with the wait.
    retry_after = 30 if code in RETRYABLE else None
    return ApiError(code.value, f"the Pi says {code.value}", retry_after=retry_after)


@pytest.mark.parametrize("code", list(ErrorCode))
async def test_each_error_code_becomes_its_translated_message(
    hass: HomeAssistant, code: ErrorCode
) -> None:
    entry = MockConfigEntry(domain=DOMAIN, data={})
    entry.add_to_hass(hass)
    answer = render_error(pis_error(code), enveloped=True, correlation_id=f"corr-{code.value}")
    assert isinstance(answer.body, bytes)
    error = interpret(answer.status, answer.headers, answer.body).error
    assert error is not None

    with pytest.raises(HomeAssistantError) as err, translate_errors(hass, entry):
        raise error
    await hass.async_block_till_done()

    await check_message(hass, err.value, code, f"corr-{code.value}")


@pytest.mark.parametrize(
    "code",
    [
        ErrorCode.UNAUTHORIZED,
        ErrorCode.DEVICE_UNREACHABLE,
        ErrorCode.SESSION_NOT_FOUND,
        ErrorCode.INTERNAL_ERROR,
    ],
)
async def test_an_error_over_the_wire_shows_the_id_the_pi_logged(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pi: PiDriver,
    caplog: pytest.LogCaptureFixture,
    code: ErrorCode,
) -> None:
    """One code of each kind: refused key, retryable, caller's mistake, Pi failure."""
    caplog.set_level(logging.INFO, logger="simulator.access")
    error = pis_error(code)
    fault: dict[str, Any] = {"code": code.value, "message": error.message, "paths": [PATH]}
    if error.retry_after is not None:
        fault["retry_after_seconds"] = error.retry_after
    await pi.fault("fail-next", fault)

    err = await failing_call(hass, loaded_entry)

    # One request: not retryable, or a wait beyond the client's budget.
    [correlation_id] = failed_requests(caplog)
    await check_message(hass, err, code, correlation_id)


@pytest.mark.parametrize(
    ("fault", "key", "wait"),
    [
        ({"code": "BRAND_NEW_CODE", "status": 418, "retryable": False}, "error_unknown", None),
        (
            {"code": "BRAND_NEW_CODE", "status": 503, "retryable": True, "retry_after_seconds": 40},
            "error_unknown_retryable",
            "40",
        ),
    ],
)
async def test_unknown_codes_still_make_a_message(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pi: PiDriver,
    fault: dict[str, object],
    key: str,
    wait: str | None,
) -> None:
    await pi.fault("fail-next", {**fault, "message": "something new", "paths": [PATH]})

    err = await failing_call(hass, loaded_entry)

    assert err.translation_key == key
    text = await translated(hass, err)
    assert "BRAND_NEW_CODE" in text
    assert "something new" in text
    if wait:
        assert f"Try again in {wait} s" in text


async def test_retryable_errors_are_retried_within_the_clients_bounds(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pi: PiDriver,
    simulator: Simulator,
) -> None:
    sleep = AsyncMock()
    loaded_entry.runtime_data.client._sleep = sleep
    requests = simulator.context.stats.requests
    before = sum(requests[PATH].values())

    # Twice unreachable, then fine: the person sees only the result.
    await pi.fault("fail-next", {"code": "DEVICE_UNREACHABLE", "count": 2, "paths": [PATH]})
    result = await hass.services.async_call(
        DOMAIN,
        "get_allowlist",
        {"config_entry_id": loaded_entry.entry_id},
        blocking=True,
        return_response=True,
    )
    assert result == {"entries": [], "stats": {"total": 0, "used": 0, "available": 0}}
    assert [c.args[0] for c in sleep.await_args_list] == [5.0, 5.0]
    assert sum(requests[PATH].values()) == before + 3

    # Three times: the budget is spent, the error surfaces with the Pi's wait.
    sleep.reset_mock()
    await pi.fault("fail-next", {"code": "DEVICE_UNREACHABLE", "count": 3, "paths": [PATH]})
    err = await failing_call(hass, loaded_entry)
    assert err.translation_key == "error_device_unreachable"
    assert "Try again in 5 s" in await translated(hass, err)
    assert sum(requests[PATH].values()) == before + 6


async def test_an_unreachable_pi_is_a_connection_error(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, simulator: Simulator
) -> None:
    loaded_entry.runtime_data.client._sleep = AsyncMock()
    await simulator.stop()

    err = await failing_call(hass, loaded_entry)

    assert type(err) is HomeAssistantError
    assert err.translation_key == "cannot_connect"
    assert "Cannot reach the Pi" in await translated(hass, err)
