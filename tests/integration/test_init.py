"""Setting up and unloading an entry against the simulated Pi."""

from __future__ import annotations

import asyncio
import socket

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_API_KEY, CONF_HOST, CONF_PORT, CONF_SSL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.piorchestrator.const import CONF_VERIFY_SSL, DOMAIN
from simulator import Simulator

from .conftest import EntityIdOf, PiDriver, WaitFor


async def test_setup_creates_the_pi_and_its_entities(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, loaded_entry.entry_id)})
    assert device is not None
    assert device.name == "127.0.0.1"
    entities = er.async_entries_for_config_entry(er.async_get(hass), loaded_entry.entry_id)
    keys = {entity.translation_key for entity in entities}
    assert {
        "cpu_usage",
        "memory_usage",
        "disk_usage",
        "cpu_temperature",
        "uptime",
        "load_1",
        "connection",
        "mqtt_connected",
        "database_connected",
        "door",
        "door_lock",
        "onboarding_network",
        "session_state",
        "session_progress",
        "allowlist_entries",
    } <= keys


async def test_unload_closes_both_streams_and_leaves_no_task(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    wait_for: WaitFor,
) -> None:
    runtime = loaded_entry.runtime_data
    await wait_for(lambda: runtime.provisioning.stream_connected)
    await wait_for(lambda: runtime.health.monitor.connected)

    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    await hass.async_block_till_done()

    assert loaded_entry.state is ConfigEntryState.NOT_LOADED
    ours = [task for task in asyncio.all_tasks() if DOMAIN in task.get_name() and not task.done()]
    assert ours == []
    await wait_for(lambda: len(simulator.context.events.subscribers) == 0)
    await wait_for(lambda: len(simulator.context.monitor.clients) == 0)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_unreachable_pi_is_retried_later(hass: HomeAssistant, socket_enabled: None) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        data={
            CONF_HOST: "127.0.0.1",
            CONF_PORT: _free_port(),
            CONF_SSL: False,
            CONF_VERIFY_SSL: True,
            CONF_API_KEY: "whatever",
        },
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY


async def test_refused_key_asks_for_a_new_one(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=config_entry.unique_id,
        data={**config_entry.data, CONF_API_KEY: "wrong-key"},
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_key_changed_on_the_pi_starts_exactly_one_reauth(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, pi: PiDriver, wait_for: WaitFor
) -> None:
    await wait_for(lambda: loaded_entry.runtime_data.provisioning.stream_connected)
    await pi.fault("api-key", {"api_key": "rotated-key"})
    await pi.fault("drop-streams", {"streams": ["sse"]})

    await wait_for(lambda: len(hass.config_entries.flow.async_progress_by_handler(DOMAIN)) > 0)
    await asyncio.sleep(0.5)
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_deleting_a_finished_boards_device_takes_it_out_of_the_session_counts(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    loaded_entry: MockConfigEntry,
    pi: PiDriver,
    wait_for: WaitFor,
    entity_id_of: EntityIdOf,
) -> None:
    assert await async_setup_component(hass, "config", {})
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: coordinator.stream_connected)
    session = await pi.start_session()
    await wait_for(lambda: len(coordinator.data.session_boards) == 3)
    await pi.call("POST", f"/api/v1/provisioning/batch/{session['id']}/stop")
    await wait_for(lambda: not coordinator.data.session.state.is_open)
    discovered = await entity_id_of("sensor", f"{loaded_entry.entry_id}_boards_discovered")
    await wait_for(lambda: hass.states.get(discovered).state == "3")
    mac = sorted(coordinator.data.session_boards)[0]
    devices = dr.async_get(hass)
    device = devices.async_get_device(identifiers={(DOMAIN, mac)})
    assert device is not None

    # As a person does it, from the device page.
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "config/device_registry/remove_config_entry",
            "config_entry_id": loaded_entry.entry_id,
            "device_id": device.id,
        }
    )
    assert (await client.receive_json())["success"]

    assert devices.async_get(device.id) is None
    await wait_for(lambda: hass.states.get(discovered).state == "2")
    assert mac not in coordinator.data.boards
