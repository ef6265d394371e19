"""Devices of boards no session has shown for long are removed, with their entities."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.piorchestrator.const import CONF_STALE_BOARD_DAYS, DOMAIN
from custom_components.piorchestrator.stale_devices import storage_key
from simulator import SimulatorConfig
from tests.conftest import SimulatorConfigFactory

from .conftest import PiDriver, WaitFor

ALLOWLISTED = ("24:0A:C4:00:00:01", "24:0A:C4:00:00:02", "24:0A:C4:00:00:03")
GONE = "24:0A:C4:00:00:A1"
RECENT = "24:0A:C4:00:00:A2"


@pytest.fixture
def simulator_config(make_simulator_config: SimulatorConfigFactory) -> SimulatorConfig:
    """Three allowlisted boards waiting on the onboarding network, fast."""
    return make_simulator_config(speed=40, boards=0, seed=3, allowlist=ALLOWLISTED)


def add_board(hass: HomeAssistant, entry: MockConfigEntry, mac: str) -> str:
    """A board's device with one entity, as an earlier session left it; returns the entity."""
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, mac)}, name=f"Camera board {mac}"
    )
    return (
        er.async_get(hass)
        .async_get_or_create(
            "sensor",
            DOMAIN,
            f"{entry.entry_id}_{mac}_provisioning_state",
            config_entry=entry,
            device_id=device.id,
        )
        .entity_id
    )


def has_device(hass: HomeAssistant, identifier: str) -> bool:
    """Whether a device with this identifier of ours exists."""
    return dr.async_get(hass).async_get_device(identifiers={(DOMAIN, identifier)}) is not None


async def test_boards_not_seen_for_longer_than_the_option_are_removed(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(config_entry, options={CONF_STALE_BOARD_DAYS: 30})
    entities = {mac: add_board(hass, config_entry, mac) for mac in (GONE, RECENT, ALLOWLISTED[0])}
    now = dt_util.utcnow()
    hass_storage[storage_key(config_entry.entry_id)] = {
        "version": 1,
        "key": storage_key(config_entry.entry_id),
        "data": {
            "last_seen": {
                GONE: (now - timedelta(days=31)).isoformat(),
                RECENT: (now - timedelta(days=29)).isoformat(),
                ALLOWLISTED[0]: (now - timedelta(days=100)).isoformat(),
            }
        },
    }

    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()

    entity_registry = er.async_get(hass)
    assert not has_device(hass, GONE)
    assert entity_registry.async_get(entities[GONE]) is None
    assert has_device(hass, RECENT)
    assert entity_registry.async_get(entities[RECENT]) is not None
    # On the allowlist: expected back, however long it has been.
    assert has_device(hass, ALLOWLISTED[0])
    assert has_device(hass, config_entry.entry_id)

    # Two days on, the daily check finds the second board stale too.
    freezer.tick(timedelta(days=2))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert not has_device(hass, RECENT)
    assert entity_registry.async_get(entities[RECENT]) is None
    assert has_device(hass, ALLOWLISTED[0])
    assert has_device(hass, config_entry.entry_id)

    assert await hass.config_entries.async_unload(config_entry.entry_id)
    await hass.async_block_till_done()


async def test_a_board_without_a_record_starts_counting_when_first_checked(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(config_entry, options={CONF_STALE_BOARD_DAYS: 3})
    add_board(hass, config_entry, GONE)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert has_device(hass, GONE)

    freezer.tick(timedelta(days=3))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert has_device(hass, GONE)

    freezer.tick(timedelta(days=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert not has_device(hass, GONE)

    assert await hass.config_entries.async_unload(config_entry.entry_id)
    await hass.async_block_till_done()
    # Nothing is kept about a board whose device is gone.
    assert GONE not in hass_storage[storage_key(config_entry.entry_id)]["data"]["last_seen"]


async def test_boards_in_a_session_are_recorded_as_seen(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    pi: PiDriver,
    wait_for: WaitFor,
) -> None:
    provisioning = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: provisioning.stream_connected)
    started = dt_util.utcnow()
    await pi.start_session()
    await wait_for(lambda: len(provisioning.data.session_boards) == len(ALLOWLISTED))

    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    seen = hass_storage[storage_key(loaded_entry.entry_id)]["data"]["last_seen"]
    assert set(seen) == set(ALLOWLISTED)
    assert all(dt_util.parse_datetime(when) >= started for when in seen.values())
