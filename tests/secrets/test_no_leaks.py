"""The API key and the WiFi passwords never show up where people or other programs can see them.

One journey through everything that handles a secret (setup, a batch started from a
service with its WiFi password, refusals, a key rotated on the Pi and entered through
the reauth flow, diagnostics) with every logger at DEBUG, every bus event recorded and
every request the Pi receives logged; then each place is searched.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
from homeassistant.config_entries import SOURCE_REAUTH, SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_API_KEY, CONF_HOST, CONF_PORT, MATCH_ALL
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator.const import DOMAIN
from custom_components.piorchestrator.diagnostics import (
    async_get_config_entry_diagnostics,
    async_get_device_diagnostics,
)
from simulator import Simulator, SimulatorConfig
from tests.conftest import SimulatorConfigFactory
from tests.integration.conftest import API_KEY, WIFI_PASSWORD
from tests.reliability.request_log import RequestLog
from tests.waiting import wait_until

from .scanner import SecretScanner

SERVICE_PASSWORD = "svc-wifi-Pk63-do-not-leak"
"""The WiFi password given to the start_batch service."""
BAD_PASSWORD = "Jx4-bad"
"""Too short to be a WiFi password: refused, and not repeated in the refusal."""
ROTATED_KEY = "rotated-key-Vb52-do-not-leak"
WRONG_KEY = "wrong-key-Rr55-do-not-leak"
SECRETS = {
    "API key": API_KEY,
    "WiFi password (Pi dashboard)": WIFI_PASSWORD,
    "WiFi password (service)": SERVICE_PASSWORD,
    "refused WiFi password": BAD_PASSWORD,
    "rotated API key": ROTATED_KEY,
    "wrong API key": WRONG_KEY,
}
BOARDS = ("24:0A:C4:5E:00:01", "24:0A:C4:5E:00:02")
LOGGERS = (
    "",
    "homeassistant",
    "custom_components.piorchestrator",
    "aiohttp",
    "aiohttp.access",
    "aiohttp.client",
    "aiohttp.server",
    "aiohttp.web",
    "aiohttp.websocket",
    "simulator",
    "simulator.access",
    "asyncio",
)


@pytest.fixture
def simulator_config(make_simulator_config: SimulatorConfigFactory) -> SimulatorConfig:
    """Two allowlisted boards; fast enough to provision both during the journey."""
    return make_simulator_config(
        speed=20, boards=0, seed=31, allowlist=BOARDS, fail_once=BOARDS[1:]
    )


def test_the_scanner_finds_secrets_in_every_disguise() -> None:
    """The search below would pass if it never matched: it does, in every form."""
    scanner = SecretScanner({"key": API_KEY})
    for disguise in (
        f"header X-API-Key={API_KEY}",
        f"/events?api_key={API_KEY.replace('-', '%2D')}",
        repr({"api_key": API_KEY}),
        f"key {API_KEY[:12]}... (truncated)",
        __import__("base64").b64encode(API_KEY.encode()).decode(),
    ):
        assert scanner.find(disguise) == ["key"], disguise
    assert scanner.find("sim-key ... a different one") == []


async def test_secrets_never_leak(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    simulator: Simulator,
    request_log: RequestLog,
    caplog: pytest.LogCaptureFixture,
    hass_storage: dict[str, Any],
) -> None:
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    events: list[Event] = []
    responses: list[Any] = []
    errors: list[BaseException] = []
    flows: list[Any] = []

    @callback
    def record(event: Event) -> None:
        events.append(event)

    hass.bus.async_listen(MATCH_ALL, record)

    # Set up, with every logger at DEBUG.
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    runtime = config_entry.runtime_data
    await wait_until(lambda: runtime.provisioning.stream_connected, hass)

    async def call(service: str, data: dict[str, Any], *, response: bool = True) -> None:
        try:
            result = await hass.services.async_call(
                DOMAIN,
                service,
                {"config_entry_id": config_entry.entry_id, **data},
                blocking=True,
                return_response=response,
            )
        except HomeAssistantError as err:
            errors.append(err)
        else:
            responses.append(result)

    # A batch started from Home Assistant, with its WiFi password.
    await call("start_batch", {"target_ssid": "CabinetNet", "target_password": SERVICE_PASSWORD})
    assert responses, errors
    # Refusals: a second batch (the Pi says no), a password too short, a bad field.
    await call("start_batch", {"target_ssid": "CabinetNet", "target_password": SERVICE_PASSWORD})
    await call("start_batch", {"target_ssid": "CabinetNet", "target_password": BAD_PASSWORD})
    await call(
        "start_batch",
        {"target_ssid": "x" * 40, "target_password": SERVICE_PASSWORD, "discovery_timeout": "x"},
    )
    await call("start_batch", {"target_ssid": "CabinetNet", "target_password": [SERVICE_PASSWORD]})
    assert len(errors) == 4, errors
    session = runtime.provisioning.data.session
    await wait_until(lambda: set(BOARDS) <= runtime.provisioning.data.session_boards, hass)
    await call("provision_all", {})
    await wait_until(
        lambda: {runtime.provisioning.data.boards[mac].state.value for mac in BOARDS}
        <= {"verified", "failed"},
        hass,
    )
    await call("list_recoverable_sessions", {})
    await call("get_allowlist", {})
    await call("stop_batch", {})
    assert session is not None

    # A session started from the Pi's own dashboard, with its own password.
    await asyncio.sleep(0.2)
    await _raw(
        simulator,
        "POST",
        "/api/v1/provisioning/batch/start",
        {"target_ssid": "CabinetNet", "target_password": WIFI_PASSWORD},
    )

    # The key changes on the Pi; Home Assistant asks for it; a wrong one, then the right one.
    await _raw(simulator, "POST", "/_sim/api-key", {"api_key": ROTATED_KEY})
    await _raw(simulator, "POST", "/_sim/drop-streams", {"streams": ["sse"]})
    await wait_until(
        lambda: any(
            flow["context"]["source"] == SOURCE_REAUTH
            for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        ),
        hass,
    )
    flow_id = next(
        flow["flow_id"]
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == SOURCE_REAUTH
    )
    flows.append(await hass.config_entries.flow.async_configure(flow_id, {CONF_API_KEY: WRONG_KEY}))
    flows.append(
        await hass.config_entries.flow.async_configure(flow_id, {CONF_API_KEY: ROTATED_KEY})
    )
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED
    runtime = config_entry.runtime_data
    await wait_until(lambda: runtime.provisioning.stream_connected, hass)
    # Someone adds the same Pi again, then the Pi under another name with a wrong key.
    for host, key in (("127.0.0.1", ROTATED_KEY), ("localhost", WRONG_KEY)):
        result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
        flows.append(
            await hass.config_entries.flow.async_configure(
                result["flow_id"], {CONF_HOST: host, CONF_PORT: simulator.port, CONF_API_KEY: key}
            )
        )
    # The client's own errors and representation.
    try:
        await runtime.client.start_batch("CabinetNet", SERVICE_PASSWORD)
    except Exception as err:  # noqa: BLE001 - any error is searched
        errors.append(err)
    diagnostics = [await async_get_config_entry_diagnostics(hass, config_entry)]
    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, BOARDS[0])})
    assert device is not None
    diagnostics.append(await async_get_device_diagnostics(hass, config_entry, device))
    await hass.async_block_till_done()
    states = [
        {"entity_id": state.entity_id, "state": state.state, "attributes": dict(state.attributes)}
        for state in hass.states.async_all()
    ]
    assert await hass.config_entries.async_unload(config_entry.entry_id)
    await hass.async_block_till_done()

    scanner = SecretScanner(SECRETS)
    records = caplog.records
    ours = [r for r in records if r.name.startswith("custom_components.piorchestrator")]
    access = [r for r in records if r.name == "simulator.access"]
    # The search must have something to search: DEBUG lines of ours and the Pi's access log.
    assert any(r.levelno == logging.DEBUG for r in ours)
    assert len(access) > 20
    scanner.scan(
        "log records (every logger, DEBUG)",
        [
            f"{r.name} {r.levelname} {r.getMessage()} {r.exc_text or ''} {r.stack_info or ''}"
            for r in records
        ],
    )
    scanner.scan("log output (formatted, with tracebacks)", [caplog.text])
    scanner.scan("simulator access log", [r.getMessage() for r in access])
    scanner.scan("bus events (all types)", [(e.event_type, e.data) for e in events])
    scanner.scan("service responses", responses)
    scanner.scan(
        "exceptions (str, repr, placeholders, cause)",
        [
            (
                str(err),
                repr(err),
                getattr(err, "translation_placeholders", None),
                repr(err.__cause__),
                str(err.__cause__),
            )
            for err in errors
        ],
    )
    scanner.scan("diagnostics", diagnostics)
    scanner.scan("entity states and attributes", states)
    scanner.scan("config flow results", [{**flow, "data_schema": None} for flow in flows])
    scanner.scan("client repr", [repr(runtime.client)])
    scanner.scan(
        "URLs requested from the Pi",
        [entry.raw_url for entry in request_log.entries],
    )
    scanner.scan(
        "Home Assistant storage (config entries aside)",
        [value for key, value in hass_storage.items() if key != "core.config_entries"],
    )
    # The key travels in its header only, never in a query string.
    assert not [e.raw_url for e in request_log.entries if "api_key=" in e.raw_url.lower()]
    # Routes that need no key (health, the monitor WebSocket) are not given it.
    unprotected = [
        e
        for e in request_log.api()
        if e.path == "/ws/monitor" or e.path.startswith("/api/v1/system/")
    ]
    assert unprotected
    assert [e.path for e in unprotected if "X-API-Key" in e.headers] == []
    assert any(event.event_type == "call_service" for event in events)
    assert scanner.leaks == [], "\n".join(scanner.leaks)


async def _raw(simulator: Simulator, method: str, path: str, body: dict[str, Any]) -> Any:
    """A request of the Pi's own dashboard, or a fault, over plain HTTP."""
    headers = {"X-API-Key": simulator.context.auth.api_key or ""}
    if path.startswith("/_sim/"):
        headers.update(simulator.control_headers)
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, f"{simulator.url}{path}", json=body, headers=headers) as response,
    ):
        return await response.json()
