"""Acting through entities: the door lock and each board's buttons."""

from __future__ import annotations

from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.components.lock import DOMAIN as LOCK_DOMAIN, SERVICE_LOCK, SERVICE_UNLOCK
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import SimulatorConfig
from tests.conftest import SimulatorConfigFactory

from .conftest import EntityIdOf, PiDriver, WaitFor

FLAKY = "24:0A:C4:00:00:0F"
STEADY = "24:0A:C4:00:00:01"


@pytest.fixture
def simulator_config(make_simulator_config: SimulatorConfigFactory) -> SimulatorConfig:
    """One allowlisted board that fails its first attempt, one that does not."""
    return make_simulator_config(
        speed=40,
        boards=0,
        seed=5,
        allowlist=(FLAKY, STEADY),
        fail_once=(FLAKY,),
    )


async def test_lock_opens_and_closes_the_cabinet_door(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pi: PiDriver,
    wait_for: WaitFor,
    entity_id_of: EntityIdOf,
) -> None:
    lock = await entity_id_of("lock", f"{loaded_entry.entry_id}_door_lock")
    door = await entity_id_of("binary_sensor", f"{loaded_entry.entry_id}_door")
    assert hass.states.get(lock).state == "locked"
    assert hass.states.get(door).state == "off"

    await hass.services.async_call(
        LOCK_DOMAIN, SERVICE_UNLOCK, {ATTR_ENTITY_ID: lock}, blocking=True
    )
    await wait_for(lambda: hass.states.get(lock).state == "unlocked")
    status = await pi.call("GET", "/api/v1/door/status")
    assert status["lock_state"] == "unlocked"

    await hass.services.async_call(LOCK_DOMAIN, SERVICE_LOCK, {ATTR_ENTITY_ID: lock}, blocking=True)
    await wait_for(lambda: hass.states.get(lock).state == "locked")
    history = await pi.call("GET", "/api/v1/door/history?limit=5")
    assert [entry["command"] for entry in history["history"]][:2] in (
        ["close", "open"],
        ["open", "close"],
    )


async def test_lock_failure_shows_a_translated_error_with_the_correlation_id(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, pi: PiDriver, entity_id_of: EntityIdOf
) -> None:
    lock = await entity_id_of("lock", f"{loaded_entry.entry_id}_door_lock")
    await pi.fault(
        "fail-next",
        {"count": 1, "status": 500, "code": "INTERNAL_ERROR", "paths": ["/api/v1/door/open"]},
    )
    with pytest.raises(HomeAssistantError) as caught:
        await hass.services.async_call(
            LOCK_DOMAIN, SERVICE_UNLOCK, {ATTR_ENTITY_ID: lock}, blocking=True
        )
    assert caught.value.translation_key == "error_internal_error"
    correlation_id = caught.value.translation_placeholders["correlation_id"]
    assert len(correlation_id) >= 8
    assert correlation_id in str(caught.value)


async def test_board_buttons_follow_the_state_and_retry_a_failed_board(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pi: PiDriver,
    wait_for: WaitFor,
    entity_id_of: EntityIdOf,
) -> None:
    entry_id = loaded_entry.entry_id
    await wait_for(lambda: loaded_entry.runtime_data.provisioning.stream_connected)
    await pi.start_session()
    provision = await entity_id_of("button", f"{entry_id}_{FLAKY}_provision")
    retry = await entity_id_of("button", f"{entry_id}_{FLAKY}_retry")
    state = await entity_id_of("sensor", f"{entry_id}_{FLAKY}_provisioning_state")
    await wait_for(lambda: hass.states.get(provision).state != "unavailable")
    assert hass.states.get(retry).state == "unavailable"

    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: provision}, blocking=True
    )
    await wait_for(lambda: hass.states.get(state).state == "failed", timeout=20)
    assert hass.states.get(state).attributes["error_message"]
    await wait_for(lambda: hass.states.get(retry).state != "unavailable")
    assert hass.states.get(provision).state == "unavailable"

    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: retry}, blocking=True
    )
    await wait_for(lambda: hass.states.get(state).state == "verified", timeout=20)
    assert hass.states.get(state).attributes["retry_count"] == 1
    assert hass.states.get(state).attributes["error_message"] is None


async def test_pressing_a_button_the_pi_refuses_explains_why(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pi: PiDriver,
    wait_for: WaitFor,
    entity_id_of: EntityIdOf,
) -> None:
    entry_id = loaded_entry.entry_id
    await wait_for(lambda: loaded_entry.runtime_data.provisioning.stream_connected)
    await pi.start_session()
    provision = await entity_id_of("button", f"{entry_id}_{STEADY}_provision")
    await wait_for(lambda: hass.states.get(provision).state != "unavailable")
    # Someone else provisions it first, from the Pi's own dashboard.
    await pi.fault(
        "fail-next",
        {
            "count": 1,
            "status": 409,
            "code": "DEVICE_ALREADY_PROVISIONING",
            "paths": ["/api/v1/provisioning/batch"],
        },
    )
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: provision}, blocking=True
        )
    assert caught.value.translation_key == "error_device_already_provisioning"


async def test_board_buttons_follow_the_session_not_only_the_board(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pi: PiDriver,
    wait_for: WaitFor,
    entity_id_of: EntityIdOf,
) -> None:
    entry_id = loaded_entry.entry_id
    await wait_for(lambda: loaded_entry.runtime_data.provisioning.stream_connected)
    session = await pi.start_session()
    retry = await entity_id_of("button", f"{entry_id}_{FLAKY}_retry")
    state = await entity_id_of("sensor", f"{entry_id}_{FLAKY}_provisioning_state")
    await pi.call("POST", f"/api/v1/provisioning/batch/{session['id']}/devices/{FLAKY}/provision")
    await wait_for(lambda: hass.states.get(state).state == "failed", timeout=20)
    await wait_for(lambda: hass.states.get(retry).state != "unavailable")

    # Closing the session changes nothing about the failed board itself, yet
    # there is no longer anything to retry it in.
    await pi.call("POST", f"/api/v1/provisioning/batch/{session['id']}/stop")
    await wait_for(lambda: hass.states.get(retry).state == "unavailable")
    assert hass.states.get(state).state == "failed"
