"""A refused API key asks for a new one, once, whichever request the Pi refused.

One test per way a request reaches the Pi: an action, a board's button, the
lock, the recovery repair's fix flow, a coordinator's refresh and a stream's
reconnect. In each, the
simulated Pi answers that request, and only that one, with its 401
(`/_sim/fail-next` with `UNAUTHORIZED`, the answer a changed key gets), so the
reauthentication flow can only have come from the entry point under test. The
last test changes the key on the Pi for real and uses two entry points: still
one flow.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN, SERVICE_UNLOCK
from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ConfigEntryAuthFailed, HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.translation import async_get_translations
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator.const import CONF_POLL_INTERVAL, DOMAIN, MAX_POLL_INTERVAL
from simulator import Simulator, SimulatorConfig

from .conftest import WIFI_PASSWORD, EntityIdOf, PiDriver, WaitFor
from .test_error_messages import translated
from .test_repairs import DONE, WAITING, restart, run_one_board

START_BATCH = {"target_ssid": "CabinetNet", "target_password": WIFI_PASSWORD}


@pytest.fixture
def simulator_config(simulator_config: SimulatorConfig, tmp_path: Path) -> SimulatorConfig:
    """Two allowlisted boards; the Pi keeps its state in a file, to restart it."""
    return replace(
        simulator_config,
        boards=0,
        seed=19,
        allowlist=(DONE, WAITING),
        session_timeout=100_000,
        state_file=tmp_path / "pi-state.json",
    )


@pytest.fixture
def config_entry(config_entry: MockConfigEntry) -> MockConfigEntry:
    """The entry, polling the door as seldom as it can: the tests refresh it themselves."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=config_entry.title,
        unique_id=config_entry.unique_id,
        data=dict(config_entry.data),
        options={CONF_POLL_INTERVAL: MAX_POLL_INTERVAL},
    )


def reauth_flows(hass: HomeAssistant) -> list[dict[str, Any]]:
    return [
        dict(flow)
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == SOURCE_REAUTH
    ]


async def refuse_key(pi: PiDriver, path: str) -> None:
    """Have the Pi answer the next request to `path` as it answers a wrong key."""
    await pi.fault(
        "fail-next", {"code": "UNAUTHORIZED", "message": "Invalid API key", "paths": [path]}
    )


async def assert_one_reauth_and_told(hass: HomeAssistant, err: HomeAssistantError) -> None:
    """One reauthentication flow, and an error saying the key was refused and what to do."""
    await hass.async_block_till_done()
    assert len(reauth_flows(hass)) == 1
    assert err.translation_key == "error_unauthorized"
    text = await translated(hass, err)
    assert text.startswith("The Pi refused the API key: Invalid API key.")
    assert "Enter the current key when Home Assistant asks for it" in text
    assert "(correlation ID none)" not in text


async def test_an_action(hass: HomeAssistant, loaded_entry: MockConfigEntry, pi: PiDriver) -> None:
    await refuse_key(pi, "/api/v1/provisioning/batch/start")
    assert reauth_flows(hass) == []

    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call(
            DOMAIN,
            "start_batch",
            {"config_entry_id": loaded_entry.entry_id, **START_BATCH},
            blocking=True,
            return_response=True,
        )

    await assert_one_reauth_and_told(hass, caught.value)


async def test_a_board_button(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pi: PiDriver,
    entity_id_of: EntityIdOf,
    wait_for: WaitFor,
) -> None:
    session = await pi.start_session()
    button = await entity_id_of(BUTTON_DOMAIN, f"{loaded_entry.entry_id}_{DONE}_provision")
    await wait_for(lambda: hass.states.get(button).state != STATE_UNAVAILABLE, timeout=15)
    await refuse_key(pi, f"/api/v1/provisioning/batch/{session['id']}/devices/{DONE}/provision")

    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call(
            BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: button}, blocking=True
        )

    await assert_one_reauth_and_told(hass, caught.value)


async def test_the_lock(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, pi: PiDriver, entity_id_of: EntityIdOf
) -> None:
    lock = await entity_id_of(LOCK_DOMAIN, f"{loaded_entry.entry_id}_door_lock")
    await refuse_key(pi, "/api/v1/door/open")

    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call(
            LOCK_DOMAIN, SERVICE_UNLOCK, {ATTR_ENTITY_ID: lock}, blocking=True
        )

    await assert_one_reauth_and_told(hass, caught.value)
    assert hass.states.get(lock).state == "locked"


async def test_the_repair_fix_flow(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    wait_for: WaitFor,
) -> None:
    await wait_for(lambda: loaded_entry.runtime_data.provisioning.stream_connected)
    session_id = await run_one_board(pi, simulator, wait_for)
    fresh = await restart(simulator)
    try:
        issue_id = f"recoverable_session_{loaded_entry.entry_id}_{session_id}"
        issues = ir.async_get(hass)
        await wait_for(lambda: issues.async_get_issue(DOMAIN, issue_id) is not None, timeout=20)
        manager = repairs_flow_manager(hass)
        assert manager is not None
        form = await manager.async_init(DOMAIN, data={"issue_id": issue_id})
        await refuse_key(pi, f"/api/v1/provisioning/sessions/{session_id}/resume")

        result = await manager.async_configure(form["flow_id"], {})

        await hass.async_block_till_done()
        assert len(reauth_flows(hass)) == 1
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "reauth_required"
        translations = await async_get_translations(hass, "en", "issues", {DOMAIN})
        template = translations[
            f"component.{DOMAIN}.issues.recoverable_session.fix_flow.abort.reauth_required"
        ]
        text = template.format(**result["description_placeholders"])
        assert text.startswith("The Pi refused the API key: Invalid API key (code UNAUTHORIZED")
        assert "correlation ID" in text
        assert "Enter the current key" in text
        # The session can still be resumed once the key is fixed: its issue stays.
        assert issues.async_get_issue(DOMAIN, issue_id) is not None
        assert fresh.state.sessions[session_id].state != "active"
    finally:
        assert await hass.config_entries.async_unload(loaded_entry.entry_id)
        await fresh.stop()


async def test_a_coordinator_refresh(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, pi: PiDriver, entity_id_of: EntityIdOf
) -> None:
    lock = await entity_id_of(LOCK_DOMAIN, f"{loaded_entry.entry_id}_door_lock")
    door = loaded_entry.runtime_data.door
    await refuse_key(pi, "/api/v1/door/status")

    await door.async_refresh()

    await hass.async_block_till_done()
    assert len(reauth_flows(hass)) == 1
    assert isinstance(door.last_exception, ConfigEntryAuthFailed)
    await assert_one_reauth_and_told(hass, door.last_exception)
    assert hass.states.get(lock).state == STATE_UNAVAILABLE


async def test_a_key_changed_on_the_pi_asks_once_whatever_refuses_it(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, pi: PiDriver, entity_id_of: EntityIdOf
) -> None:
    lock = await entity_id_of(LOCK_DOMAIN, f"{loaded_entry.entry_id}_door_lock")
    await pi.fault("api-key", {"api_key": "rotated-on-the-pi"})

    with pytest.raises(HomeAssistantError) as by_action:
        await hass.services.async_call(
            DOMAIN,
            "start_batch",
            {"config_entry_id": loaded_entry.entry_id, **START_BATCH},
            blocking=True,
            return_response=True,
        )
    await hass.async_block_till_done()
    with pytest.raises(HomeAssistantError) as by_lock:
        await hass.services.async_call(
            LOCK_DOMAIN, SERVICE_UNLOCK, {ATTR_ENTITY_ID: lock}, blocking=True
        )
    await loaded_entry.runtime_data.door.async_refresh()
    await hass.async_block_till_done()

    assert len(reauth_flows(hass)) == 1
    assert by_action.value.translation_key == by_lock.value.translation_key
    assert isinstance(loaded_entry.runtime_data.door.last_exception, ConfigEntryAuthFailed)


async def test_the_event_stream(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, pi: PiDriver, wait_for: WaitFor
) -> None:
    provisioning = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: provisioning.stream_connected)
    await refuse_key(pi, "/api/v1/provisioning/batch/events")

    # The reconnect after a dropped stream is the request the Pi refuses.
    await pi.fault("drop-streams")

    await wait_for(lambda: len(reauth_flows(hass)) == 1)
    await hass.async_block_till_done()
    assert len(reauth_flows(hass)) == 1
    assert not provisioning.stream_connected
