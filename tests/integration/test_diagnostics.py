"""Diagnostics downloads: useful to support, free of secrets."""

from __future__ import annotations

import json
import logging

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
    get_diagnostics_for_device,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.piorchestrator.const import DOMAIN

from .conftest import API_KEY, WIFI_PASSWORD, PiDriver, WaitFor


async def test_entry_diagnostics_trace_failures_and_hide_secrets(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
    pi: PiDriver,
    wait_for: WaitFor,
) -> None:
    runtime = loaded_entry.runtime_data
    # Health turns to push on the Pi's first pushed update, which follows the WebSocket's
    # opening snapshot by up to one push interval: waiting for the socket alone races it.
    await wait_for(
        lambda: runtime.provisioning.stream_connected and runtime.health.transport == "push"
    )
    session = await pi.start_session()
    await wait_for(lambda: runtime.provisioning.data.session is not None)
    # A failing door poll leaves its correlation ID for support.
    await pi.fault(
        "fail-next",
        {"count": 1, "status": 500, "code": "DATABASE_ERROR", "paths": ["/api/v1/door"]},
    )
    await runtime.door.async_refresh()

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, loaded_entry)

    text = json.dumps(diagnostics)
    assert API_KEY not in text
    assert WIFI_PASSWORD not in text
    assert diagnostics["entry"]["data"]["api_key"] == "**REDACTED**"
    assert diagnostics["provisioning"]["session"]["id"] == session["id"]
    assert diagnostics["provisioning"]["stream_connected"] is True
    assert diagnostics["health"]["transport"] == "push"
    failure = diagnostics["recent_failures"][-1]
    assert failure["code"] == "DATABASE_ERROR"
    assert failure["path"] == "/door/status"
    assert failure["correlation_id"]


async def test_board_diagnostics_describe_that_board(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
    pi: PiDriver,
    wait_for: WaitFor,
) -> None:
    runtime = loaded_entry.runtime_data
    await wait_for(lambda: runtime.provisioning.stream_connected)
    await pi.start_session()
    await wait_for(lambda: len(runtime.provisioning.data.session_boards) > 0)
    mac = sorted(runtime.provisioning.data.session_boards)[0]
    await hass.async_block_till_done()
    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, mac)})
    assert device is not None

    diagnostics = await get_diagnostics_for_device(hass, hass_client, loaded_entry, device)

    assert diagnostics["board"]["mac"] == mac
    assert diagnostics["in_current_session"] is True
    assert WIFI_PASSWORD not in json.dumps(diagnostics)


async def test_entry_diagnostics_trace_successful_requests_to_the_pi_log(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_entry: MockConfigEntry,
    wait_for: WaitFor,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="simulator.access")
    runtime = loaded_entry.runtime_data
    await wait_for(lambda: runtime.provisioning.stream_connected)
    for _ in range(60):
        await runtime.door.async_refresh()

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, loaded_entry)

    requests = diagnostics["recent_requests"]
    # Bounded: the last 50, oldest first, successes included.
    assert len(requests) == 50
    door = [request for request in requests if request["path"] == "/api/v1/door/status"]
    assert door
    assert all(request["status"] == 200 and request["method"] == "GET" for request in door)
    assert all(request["duration_ms"] >= 0 for request in door)
    # Each correlation ID is the one the Pi logged for that very request.
    logged = {
        record.getMessage().split()[-1]
        for record in caplog.records
        if record.name == "simulator.access" and "/api/v1/door/status 200" in record.getMessage()
    }
    assert {request["correlation_id"] for request in door} <= logged
    assert "?" not in json.dumps([request["path"] for request in requests])
    assert API_KEY not in json.dumps(diagnostics)
