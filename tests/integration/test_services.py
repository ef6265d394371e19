"""Service actions, end to end against the simulator.

Each success path is checked on both sides: what the simulated Pi did, and what
Home Assistant shows. Each validation error is checked to send nothing.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_LOGGING_CHANGED, MATCH_ALL
from homeassistant.core import Context, Event, HomeAssistant
from homeassistant.exceptions import (
    HomeAssistantError,
    ServiceValidationError,
    Unauthorized,
    UnknownUser,
)
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    selector,
    translation,
)
from homeassistant.helpers.service import async_get_all_descriptions
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from custom_components.piorchestrator.const import CONF_ONLY_ALLOWLISTED, DOMAIN
from custom_components.piorchestrator.diagnostics import async_get_config_entry_diagnostics
from custom_components.piorchestrator.services import REDACTED
from simulator import Simulator, SimulatorConfig
from tests.conftest import SimulatorConfigFactory

from .conftest import API_KEY, WIFI_PASSWORD, PiDriver, WaitFor

ALLOWLISTED = ("24:0A:C4:10:00:01", "24:0A:C4:10:00:02")
STRANGER = "30:AE:A4:10:00:09"
SERVICES = (
    "start_batch",
    "stop_batch",
    "pause_batch",
    "resume_batch",
    "resume_session",
    "list_recoverable_sessions",
    "provision_all",
    "provision_device",
    "retry_device",
    "skip_device",
    "allowlist_add",
    "allowlist_update",
    "allowlist_remove",
    "get_allowlist",
)


@pytest.fixture
def simulator_config(make_simulator_config: SimulatorConfigFactory) -> SimulatorConfig:
    """Two allowlisted boards waiting on the onboarding network; sessions never expire here."""
    return make_simulator_config(
        speed=50,
        boards=0,
        seed=11,
        allowlist=ALLOWLISTED,
        session_timeout=100_000,
    )


async def call(
    hass: HomeAssistant,
    service: str,
    data: dict[str, Any],
    *,
    response: bool = True,
    context: Context | None = None,
) -> Any:
    """Call one of our services the way the UI does, blocking."""
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=response, context=context
    )


def state_of(
    hass: HomeAssistant, entry: MockConfigEntry, key: str, platform: str = "sensor"
) -> str:
    """State of one of the entry's entities, by its description key."""
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{entry.entry_id}_{key}")
    assert entity_id is not None, key
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


async def sent(pi: PiDriver, prefix: str = "/api/v1/provisioning/") -> dict[str, int]:
    """Requests the Pi received so far under `prefix`, by path (the stream excluded)."""
    report = await pi.call("GET", "/_sim/report")
    return {
        path: sum(statuses.values())
        for path, statuses in report["requests"].items()
        if path.startswith(prefix) and not path.endswith(("/events", "/network"))
    }


def assert_readable(err: HomeAssistantError) -> None:
    """The error renders as its full English text, every placeholder filled."""
    text = str(err)
    assert text != err.translation_key
    assert "{" not in text
    assert len(text) > 30


async def start(hass: HomeAssistant, entry: MockConfigEntry, **extra: Any) -> dict[str, Any]:
    """Start a batch through the service; return its response."""
    result = await call(
        hass,
        "start_batch",
        {
            "config_entry_id": entry.entry_id,
            "target_ssid": "CabinetNet",
            "target_password": WIFI_PASSWORD,
            **extra,
        },
    )
    assert isinstance(result, dict)
    return result


async def all_discovered(
    hass: HomeAssistant, entry: MockConfigEntry, wait_for: WaitFor, macs: tuple[str, ...]
) -> None:
    """Wait until Home Assistant knows every board of `macs`."""
    boards = entry.runtime_data.provisioning.data.boards
    await wait_for(lambda: all(mac in boards for mac in macs), timeout=15)


# -- Registration and descriptions ------------------------------------------------------


async def test_services_exist_and_validate_without_any_entry(hass: HomeAssistant) -> None:
    assert await async_setup_component(hass, DOMAIN, {})

    for service in SERVICES:
        assert hass.services.has_service(DOMAIN, service), service
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "list_recoverable_sessions", {"config_entry_id": "no-such-entry"})
    assert err.value.translation_key == "entry_not_found"
    assert_readable(err.value)
    assert err.value.translation_placeholders == {"config_entry_id": "no-such-entry"}


async def test_every_service_and_field_is_described_with_a_selector(hass: HomeAssistant) -> None:
    assert await async_setup_component(hass, DOMAIN, {})

    descriptions = (await async_get_all_descriptions(hass))[DOMAIN]
    # The names and descriptions a user reads are the translations the frontend shows
    # (newer releases no longer copy them into the service descriptions).
    texts = await translation.async_get_translations(hass, "en", "services", {DOMAIN})

    def text(*path: str) -> str:
        return texts.get(".".join(("component", DOMAIN, "services", *path)), "")

    assert set(descriptions) == set(SERVICES)
    for service, description in descriptions.items():
        assert text(service, "name") and text(service, "description"), service
        fields = description["fields"]
        assert next(iter(fields)) == "config_entry_id", service
        assert same_selector(fields["config_entry_id"], {"config_entry": {"integration": DOMAIN}})
        for name, field in fields.items():
            assert text(service, "fields", name, "name"), f"{service}.{name}"
            assert text(service, "fields", name, "description"), f"{service}.{name}"
            selector.validate_selector(field["selector"])
    assert same_selector(
        descriptions["start_batch"]["fields"]["target_password"], {"text": {"type": "password"}}
    )
    assert same_selector(
        descriptions["provision_device"]["fields"]["device_id"],
        {"device": {"filter": [{"integration": DOMAIN, "model": "ESP32-CAM"}]}},
    )


def same_selector(field: dict[str, Any], expected: dict[str, Any]) -> bool:
    """Whether a field offers the expected selector, whatever defaults a release fills in."""
    return bool(
        selector.selector(field["selector"]).serialize() == selector.selector(expected).serialize()
    )


async def test_an_entry_that_is_not_loaded_is_refused(
    hass: HomeAssistant, config_entry: MockConfigEntry, pi: PiDriver
) -> None:
    assert await async_setup_component(hass, DOMAIN, {})
    config_entry.add_to_hass(hass)
    before = await sent(pi)

    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "list_recoverable_sessions", {"config_entry_id": config_entry.entry_id})

    assert err.value.translation_key == "entry_not_loaded"

    assert_readable(err.value)
    assert config_entry.state is ConfigEntryState.NOT_LOADED
    assert await sent(pi) == before


# -- Batch sessions -----------------------------------------------------------------


async def test_start_batch_starts_a_session_and_returns_it_without_the_password(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    wait_for: WaitFor,
) -> None:
    result = await start(
        hass,
        loaded_entry,
        discovery_timeout=30,
        provisioning_timeout=100,
        verification_timeout=80,
    )

    session = result["session"]
    assert session["target_ssid"] == "CabinetNet"
    assert session["state"] == "discovering"
    assert session["config"] == {
        "discovery_timeout_seconds": 30,
        "provisioning_timeout_seconds": 100,
        "verification_timeout_seconds": 80,
    }
    assert WIFI_PASSWORD not in json.dumps(result)
    # The Pi got the real password, not the placeholder Home Assistant records.
    on_pi = simulator.state.sessions[session["id"]]
    assert on_pi.config.discovery_timeout_seconds == 30
    assert simulator.context.engine._runtimes[session["id"]].password == WIFI_PASSWORD
    await wait_for(
        lambda: state_of(hass, loaded_entry, "session_state") in ("discovering", "active")
    )


@pytest.mark.parametrize(
    ("changes", "key", "placeholders"),
    [
        ({"target_password": "short"}, "invalid_password", None),
        ({"target_password": "x" * 64}, "invalid_password", None),
        ({"target_password": REDACTED}, "invalid_password", None),
        ({"target_password": None}, "invalid_field", {"field": "target_password"}),
        ({"target_ssid": "N" * 33}, "invalid_ssid", None),
        ({"target_ssid": ""}, "invalid_ssid", None),
        ({"discovery_timeout": 0}, "invalid_field", {"field": "discovery_timeout"}),
        ({"verification_timeout": 3601}, "invalid_field", {"field": "verification_timeout"}),
        ({"provisioning_timeout": "soon"}, "invalid_field", {"field": "provisioning_timeout"}),
        ({"colour": "blue"}, "invalid_field", {"field": "colour"}),
    ],
)
async def test_start_batch_refuses_bad_input_and_sends_nothing(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    caplog: pytest.LogCaptureFixture,
    changes: dict[str, Any],
    key: str,
    placeholders: dict[str, str] | None,
) -> None:
    data = {
        "config_entry_id": loaded_entry.entry_id,
        "target_ssid": "CabinetNet",
        "target_password": WIFI_PASSWORD,
        **changes,
    }
    data = {name: value for name, value in data.items() if value is not None}
    before = await sent(pi)

    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "start_batch", data)

    assert err.value.translation_key == key

    assert_readable(err.value)
    assert err.value.translation_placeholders == placeholders
    assert await sent(pi) == before
    assert simulator.state.sessions == {}
    assert WIFI_PASSWORD not in caplog.text


async def test_a_valid_open_network_and_hex_key_are_accepted(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, simulator: Simulator, pi: PiDriver
) -> None:
    first = await start(hass, loaded_entry, target_password="")
    await call(
        hass,
        "stop_batch",
        {"config_entry_id": loaded_entry.entry_id, "session_id": first["session"]["id"]},
    )
    second = await start(hass, loaded_entry, target_password="0123456789abcdef" * 4)

    assert simulator.context.engine._runtimes[second["session"]["id"]].password == (
        "0123456789abcdef" * 4
    )


async def test_an_all_digit_password_from_yaml_is_sent_as_text(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, simulator: Simulator
) -> None:
    result = await start(hass, loaded_entry, target_password=12345678)

    assert simulator.context.engine._runtimes[result["session"]["id"]].password == "12345678"


async def test_an_unexpected_failure_is_logged_without_the_password(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Home Assistant logs the whole call when a handler fails unexpectedly.
    with patch.object(
        loaded_entry.runtime_data.client, "start_batch", side_effect=RuntimeError("boom")
    ):
        await hass.services.async_call(
            DOMAIN,
            "start_batch",
            {
                "config_entry_id": loaded_entry.entry_id,
                "target_ssid": "CabinetNet",
                "target_password": WIFI_PASSWORD,
            },
        )
        await hass.async_block_till_done()

    assert "Error executing service" in caplog.text
    assert f"target_password={REDACTED}" in caplog.text
    assert WIFI_PASSWORD not in caplog.text
    assert simulator.state.sessions == {}


async def test_pause_resume_and_stop_act_on_the_session_in_progress(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    wait_for: WaitFor,
) -> None:
    session_id = (await start(hass, loaded_entry))["session"]["id"]
    await wait_for(
        lambda: state_of(hass, loaded_entry, "session_state") in ("discovering", "active")
    )
    entry_only = {"config_entry_id": loaded_entry.entry_id}

    paused = await call(hass, "pause_batch", entry_only)
    assert paused["session"]["state"] == "paused"
    assert simulator.state.sessions[session_id].state == "paused"
    await wait_for(lambda: state_of(hass, loaded_entry, "session_state") == "paused")

    resumed = await call(hass, "resume_batch", entry_only)
    assert resumed["session"]["state"] in ("discovering", "active")
    await wait_for(
        lambda: state_of(hass, loaded_entry, "session_state") in ("discovering", "active")
    )

    stopped = await call(hass, "stop_batch", entry_only)
    assert stopped["session"]["id"] == session_id
    assert simulator.state.sessions[session_id].state == "closed"
    await wait_for(lambda: state_of(hass, loaded_entry, "session_state") == "closed")

    # Nothing is in progress any more: a clear error, and nothing is sent.
    before = await sent(pi)
    for service in ("stop_batch", "pause_batch", "resume_batch", "provision_all"):
        with pytest.raises(ServiceValidationError) as err:
            await call(hass, service, entry_only)
        assert err.value.translation_key == "no_active_session"
        assert_readable(err.value)
    assert await sent(pi) == before

    # A session named explicitly goes to the Pi, which refuses it: translated.
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "stop_batch", {**entry_only, "session_id": session_id})
    assert err.value.translation_key == "error_session_already_closed"
    assert_readable(err.value)
    assert err.value.translation_placeholders is not None
    assert err.value.translation_placeholders["correlation_id"] != "none"


# -- Boards -------------------------------------------------------------------------


async def test_provision_all_starts_only_allowlisted_boards_by_default(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    wait_for: WaitFor,
) -> None:
    await pi.fault("boards", {"macs": [STRANGER]})
    session_id = (await start(hass, loaded_entry))["session"]["id"]
    await all_discovered(hass, loaded_entry, wait_for, (*ALLOWLISTED, STRANGER))

    result = await call(hass, "provision_all", {"config_entry_id": loaded_entry.entry_id})

    assert result["initiated_count"] == 2
    assert result["skipped_count"] == 1
    assert result["only_allowlisted"] is True
    devices = simulator.state.sessions[session_id].devices
    assert devices[STRANGER].state == "discovered"
    await wait_for(lambda: all(devices[mac].state == "verified" for mac in ALLOWLISTED), timeout=20)
    await wait_for(lambda: state_of(hass, loaded_entry, "boards_verified") == "2")
    assert state_of(hass, loaded_entry, f"{STRANGER}_provisioning_state") == "discovered"


async def test_provision_all_default_follows_the_option(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    wait_for: WaitFor,
) -> None:
    hass.config_entries.async_update_entry(
        loaded_entry, options={**loaded_entry.options, CONF_ONLY_ALLOWLISTED: False}
    )
    await hass.async_block_till_done()
    await wait_for(lambda: loaded_entry.state is ConfigEntryState.LOADED)
    await wait_for(lambda: loaded_entry.runtime_data.provisioning.stream_connected)
    await pi.fault("boards", {"macs": [STRANGER]})
    session_id = (await start(hass, loaded_entry))["session"]["id"]
    await all_discovered(hass, loaded_entry, wait_for, (*ALLOWLISTED, STRANGER))

    result = await call(hass, "provision_all", {"config_entry_id": loaded_entry.entry_id})

    assert (result["initiated_count"], result["skipped_count"]) == (3, 0)
    assert simulator.state.sessions[session_id].devices[STRANGER].state != "discovered"


async def test_board_actions_take_a_device_or_a_mac(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    wait_for: WaitFor,
) -> None:
    await pi.fault("boards", {"macs": [STRANGER]})
    session_id = (await start(hass, loaded_entry))["session"]["id"]
    await all_discovered(hass, loaded_entry, wait_for, (*ALLOWLISTED, STRANGER))
    await wait_for(
        lambda: dr.async_get(hass).async_get_device(identifiers={(DOMAIN, ALLOWLISTED[0])})
        is not None
    )
    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, ALLOWLISTED[0])})
    assert device is not None
    devices = simulator.state.sessions[session_id].devices

    provisioned = await call(
        hass,
        "provision_device",
        {"config_entry_id": loaded_entry.entry_id, "device_id": device.id},
    )
    assert provisioned["mac"] == ALLOWLISTED[0]
    assert provisioned["state"] == "provisioning"
    await wait_for(lambda: devices[ALLOWLISTED[0]].state == "verified", timeout=20)
    await wait_for(
        lambda: state_of(hass, loaded_entry, f"{ALLOWLISTED[0]}_provisioning_state") == "verified"
    )

    # A MAC in any usual spelling names the same board.
    skipped = await call(
        hass,
        "skip_device",
        {"config_entry_id": loaded_entry.entry_id, "mac": STRANGER.lower().replace(":", "-")},
    )
    assert skipped["mac"] == STRANGER
    assert devices[STRANGER].skipped is True

    # The Pi refuses to retry a board that has not failed: translated, with its words.
    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass,
            "retry_device",
            {"config_entry_id": loaded_entry.entry_id, "mac": ALLOWLISTED[1]},
        )
    assert err.value.translation_key == "error_device_invalid_state"
    assert_readable(err.value)
    assert "only failed devices can be retried" in err.value.translation_placeholders["message"]


@pytest.mark.parametrize(
    ("board", "key", "placeholders"),
    [
        ({}, "board_required", None),
        ({"mac": ALLOWLISTED[0], "device_id": "pi"}, "board_required", None),
        ({"mac": "24:0A:C4:10:00"}, "invalid_mac", {"field": "mac", "value": "24:0A:C4:10:00"}),
        ({"mac": "not-a-mac"}, "invalid_mac", {"field": "mac", "value": "not-a-mac"}),
        ({"device_id": "pi"}, "invalid_device", None),
        ({"device_id": "0123456789abcdef"}, "invalid_device", {"device_id": "0123456789abcdef"}),
    ],
)
@pytest.mark.parametrize("service", ["provision_device", "retry_device", "skip_device"])
async def test_board_actions_refuse_bad_boards_and_send_nothing(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pi: PiDriver,
    wait_for: WaitFor,
    service: str,
    board: dict[str, str],
    key: str,
    placeholders: dict[str, str] | None,
) -> None:
    await start(hass, loaded_entry)
    pi_device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, loaded_entry.entry_id)})
    assert pi_device is not None
    if board.get("device_id") == "pi":
        board = {**board, "device_id": pi_device.id}
        if placeholders is None and key == "invalid_device":
            placeholders = {"device_id": pi_device.id}
    before = await sent(pi)

    with pytest.raises(ServiceValidationError) as err:
        await call(hass, service, {"config_entry_id": loaded_entry.entry_id, **board})

    assert err.value.translation_key == key

    assert_readable(err.value)
    assert err.value.translation_placeholders == placeholders
    assert await sent(pi) == before


# -- Allowlist -----------------------------------------------------------------------


async def test_allowlist_services_change_the_pi_and_the_sensors(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    wait_for: WaitFor,
) -> None:
    entry_only = {"config_entry_id": loaded_entry.entry_id}
    allowlist = simulator.state.allowlist
    assert state_of(hass, loaded_entry, "allowlist_entries") == "2"

    await call(
        hass,
        "allowlist_add",
        {**entry_only, "mac": "30ae.a410.0009", "description": "Shelf 9", "container_id": "c-9"},
        response=False,
    )
    assert allowlist[STRANGER].description == "Shelf 9"
    assert allowlist[STRANGER].container_id == "c-9"
    await wait_for(lambda: state_of(hass, loaded_entry, "allowlist_entries") == "3")

    await call(
        hass,
        "allowlist_update",
        {**entry_only, "mac": STRANGER.lower(), "description": "Shelf 10"},
        response=False,
    )
    assert allowlist[STRANGER].description == "Shelf 10"
    assert allowlist[STRANGER].container_id == "c-9"  # left out, so kept

    listed = await call(hass, "get_allowlist", entry_only)
    assert [entry["mac"] for entry in listed["entries"]] == sorted([*ALLOWLISTED, STRANGER])
    stranger = next(entry for entry in listed["entries"] if entry["mac"] == STRANGER)
    assert stranger["description"] == "Shelf 10"
    assert stranger["used"] is False
    assert stranger["available"] is True
    assert listed["stats"] == {"total": 3, "used": 0, "available": 3}

    await call(hass, "allowlist_remove", {**entry_only, "mac": STRANGER}, response=False)
    assert STRANGER not in allowlist
    before = await sent(pi)
    await call(hass, "allowlist_remove", {**entry_only, "mac": list(ALLOWLISTED)}, response=False)
    assert allowlist == {}
    after = await sent(pi)
    assert after.get("/api/v1/provisioning/allowlist/bulk-remove", 0) == (
        before.get("/api/v1/provisioning/allowlist/bulk-remove", 0) + 1
    )
    await wait_for(lambda: state_of(hass, loaded_entry, "allowlist_entries") == "0", timeout=15)


@pytest.mark.parametrize(
    ("service", "data", "key"),
    [
        ("allowlist_add", {"mac": "24:0A:C4:10:00:0G"}, "invalid_mac"),
        ("allowlist_update", {"mac": "nope", "description": "x"}, "invalid_mac"),
        ("allowlist_update", {"mac": ALLOWLISTED[0]}, "nothing_to_update"),
        ("allowlist_remove", {"mac": [ALLOWLISTED[0], "24:0A:C4"]}, "invalid_mac"),
        ("allowlist_remove", {"mac": []}, "invalid_field"),
    ],
)
async def test_allowlist_services_refuse_bad_input_and_send_nothing(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    service: str,
    data: dict[str, Any],
    key: str,
) -> None:
    before = await sent(pi)

    with pytest.raises(ServiceValidationError) as err:
        await call(
            hass, service, {"config_entry_id": loaded_entry.entry_id, **data}, response=False
        )

    assert err.value.translation_key == key

    assert_readable(err.value)
    assert await sent(pi) == before
    assert set(simulator.state.allowlist) == set(ALLOWLISTED)


@pytest.mark.parametrize(
    ("service", "data", "response"),
    [
        ("allowlist_add", {"mac": STRANGER}, False),
        ("allowlist_update", {"mac": ALLOWLISTED[0], "description": "x"}, False),
        ("allowlist_remove", {"mac": ALLOWLISTED[0]}, False),
        ("get_allowlist", {}, True),
    ],
)
async def test_allowlist_services_are_for_administrators_only(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    hass_read_only_user: MockUser,
    hass_admin_user: MockUser,
    service: str,
    data: dict[str, Any],
    response: bool,
) -> None:
    before = await sent(pi)
    full = {"config_entry_id": loaded_entry.entry_id, **data}

    with pytest.raises(Unauthorized):
        await call(
            hass, service, full, response=response, context=Context(user_id=hass_read_only_user.id)
        )
    assert await sent(pi) == before
    assert set(simulator.state.allowlist) == set(ALLOWLISTED)

    with pytest.raises(UnknownUser):
        await call(hass, service, full, response=response, context=Context(user_id="gone"))
    assert await sent(pi) == before

    await call(hass, service, full, response=response, context=Context(user_id=hass_admin_user.id))
    assert await sent(pi) != before


# -- Session recovery without anything to recover ------------------------------------------


async def test_recovery_services_with_nothing_to_recover(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, pi: PiDriver
) -> None:
    entry_only = {"config_entry_id": loaded_entry.entry_id}

    assert await call(hass, "list_recoverable_sessions", entry_only) == {"sessions": []}
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "resume_session", entry_only)
    assert err.value.translation_key == "no_recoverable_session"
    assert_readable(err.value)
    before = await sent(pi)
    assert "/api/v1/provisioning/sessions/recoverable" in before

    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "resume_session", {**entry_only, "session_id": "sess_000000000000"})
    assert err.value.translation_key == "error_session_not_found"
    assert_readable(err.value)


# -- Secrets ---------------------------------------------------------------------------


async def test_the_wifi_password_and_api_key_never_leak(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    simulator: Simulator,
    wait_for: WaitFor,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    hass.bus.async_fire(EVENT_LOGGING_CHANGED)  # the bus logs every event at DEBUG now
    events: list[Event] = []
    hass.bus.async_listen(MATCH_ALL, events.append)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await wait_for(lambda: config_entry.runtime_data.provisioning.stream_connected)
    entry_only = {"config_entry_id": config_entry.entry_id}
    responses = []

    responses.append(await start(hass, config_entry))
    # Refused by Home Assistant (a bad timeout), then by the Pi (a session is active).
    for extra in ({"discovery_timeout": "soon"}, {}):
        with pytest.raises(HomeAssistantError) as err:
            await start(hass, config_entry, **extra)
        responses.append(repr(err.value))
    # From a script, as people run it.
    assert await async_setup_component(
        hass,
        "script",
        {
            "script": {
                "onboard": {
                    "sequence": [
                        {
                            "action": f"{DOMAIN}.start_batch",
                            "data": {
                                **entry_only,
                                "target_ssid": "CabinetNet",
                                "target_password": WIFI_PASSWORD,
                            },
                            "continue_on_error": True,
                        }
                    ]
                }
            }
        },
    )
    await hass.services.async_call("script", "onboard", blocking=True)
    responses.append(await call(hass, "provision_all", entry_only))
    responses.append(await call(hass, "stop_batch", entry_only))
    await wait_for(lambda: any(e.event_type == f"{DOMAIN}_session_closed" for e in events))
    diagnostics = await async_get_config_entry_diagnostics(hass, config_entry)

    call_events = [
        e for e in events if e.event_type == "call_service" and e.data["service"] == "start_batch"
    ]
    assert len(call_events) == 4
    assert all(e.data["service_data"]["target_password"] == REDACTED for e in call_events)
    states = [(s.state, dict(s.attributes)) for s in hass.states.async_all()]
    for secret in (WIFI_PASSWORD, API_KEY):
        assert secret not in caplog.text
        assert secret not in repr([(e.event_type, e.data) for e in events])
        assert secret not in repr(states)
        assert secret not in json.dumps(responses, default=str)
        assert secret not in json.dumps(diagnostics, default=str)
    assert "Bus:Handling <Event call_service" in caplog.text  # the log was really on
    assert len(simulator.state.sessions) == 1  # and the Pi did get its session
    await hass.config_entries.async_unload(config_entry.entry_id)
