"""A Pi in development mode (API.md §3: any or no key is accepted), over the wire.

The config flow and a whole batch, with and without a key typed; and a Pi that does
require a key when none was typed.
"""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_API_KEY, CONF_HOST, CONF_SSL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.translation import async_get_translations
import pytest

from custom_components.piorchestrator.const import CONF_VERIFY_SSL, DOMAIN
from simulator import Simulator, SimulatorConfig
from tests.conftest import SimulatorConfigFactory

from .conftest import API_KEY, WIFI_PASSWORD, WaitFor

BOARDS = 3


def _user_input(simulator: Simulator, api_key: str | None) -> dict[str, Any]:
    user_input: dict[str, Any] = {
        CONF_HOST: f"http://127.0.0.1:{simulator.port}",
        CONF_SSL: False,
        CONF_VERIFY_SSL: True,
    }
    if api_key is not None:
        user_input[CONF_API_KEY] = api_key
    return user_input


def _sensor(hass: HomeAssistant, entry_id: str, key: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id("sensor", DOMAIN, f"{entry_id}_{key}")
    assert entity_id is not None, key
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


@pytest.fixture
def simulator_config(make_simulator_config: SimulatorConfigFactory) -> SimulatorConfig:
    """A Pi in development mode: it has no key and checks none."""
    return make_simulator_config(api_key=None, dev_mode=True, speed=50, boards=BOARDS, seed=7)


@pytest.mark.parametrize("typed_key", [None, "any-key-at-all"], ids=["no_key", "a_key"])
async def test_a_whole_batch_on_a_dev_mode_pi(
    hass: HomeAssistant, simulator: Simulator, wait_for: WaitFor, typed_key: str | None
) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(simulator, typed_key)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("errors")
    assert result["data"].get(CONF_API_KEY) == typed_key
    entry = result["result"]
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    runtime = entry.runtime_data
    await wait_for(lambda: runtime.provisioning.stream_connected)

    started = await hass.services.async_call(
        DOMAIN,
        "start_batch",
        {
            "config_entry_id": entry.entry_id,
            "target_ssid": "CabinetNet",
            "target_password": WIFI_PASSWORD,
        },
        blocking=True,
        return_response=True,
    )
    assert isinstance(started, dict)
    session_id = started["session"]["id"]
    boards = runtime.provisioning.data.boards
    await wait_for(lambda: len(runtime.provisioning.data.session_boards) == BOARDS, timeout=15)
    provisioned = await hass.services.async_call(
        DOMAIN,
        "provision_all",
        {"config_entry_id": entry.entry_id, "only_allowlisted": False},
        blocking=True,
        return_response=True,
    )
    assert isinstance(provisioned, dict)
    assert provisioned["initiated_count"] == BOARDS

    # The whole batch, as the user follows it: every board verified, on the Pi and here.
    devices = simulator.state.sessions[session_id].devices
    await wait_for(lambda: all(d.state == "verified" for d in devices.values()), timeout=20)
    await wait_for(lambda: _sensor(hass, entry.entry_id, "boards_verified") == str(BOARDS))
    assert all(boards[mac].state == "verified" for mac in devices)
    await hass.services.async_call(
        DOMAIN,
        "stop_batch",
        {"config_entry_id": entry.entry_id},
        blocking=True,
        return_response=True,
    )
    await wait_for(lambda: _sensor(hass, entry.entry_id, "session_state") == "closed")
    assert not runtime.client.recent_failures

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


@pytest.mark.parametrize(
    "simulator_config",
    [SimulatorConfig(port=0, api_key=API_KEY, speed=50, boards=1, seed=7)],
)
async def test_a_pi_that_requires_a_key_asks_for_one(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(simulator, None)
    )

    assert result["type"] is FlowResultType.FORM
    # Not "refused this key": no key was typed, and the Pi wants one.
    assert result["errors"] == {CONF_API_KEY: "api_key_required"}
    translations = await async_get_translations(hass, "en", "config", {DOMAIN})
    assert (
        "requires an API key" in translations[f"component.{DOMAIN}.config.error.api_key_required"]
    )

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(simulator, "not-the-key")
    )
    assert result["errors"] == {CONF_API_KEY: "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(simulator, API_KEY)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(result["result"].entry_id)
    await hass.async_block_till_done()
