"""A changed entry is set up again exactly once, and newer releases see nothing deprecated.

Reauthentication and reconfiguration reload the entry themselves, and changed
options reload it through the options flow where Home Assistant offers that, an
update listener elsewhere. Reloading through both would connect to the Pi twice
and, from Home Assistant 2026.11, log a deprecation that becomes an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
import logging
from typing import Any
from unittest.mock import AsyncMock, patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_API_KEY
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

import custom_components.piorchestrator as integration
from custom_components.piorchestrator.const import (
    CONF_BOARD_ENTITIES,
    CONF_ONLY_ALLOWLISTED,
    CONF_POLL_INTERVAL,
    CONF_RECONCILE_INTERVAL,
    CONF_VERIFY_SSL,
    DEFAULT_BOARD_ENTITIES,
    DEFAULT_ONLY_ALLOWLISTED,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_RECONCILE_INTERVAL,
    DOMAIN,
)

from .conftest import PiDriver, WaitFor

ROTATED_KEY = "rotated-key-Rl40-do-not-leak"


@pytest.fixture
def setups() -> Iterator[AsyncMock]:
    """Counts the entry's setups from now on, each still done for real."""
    with patch.object(
        integration, "async_setup_entry", wraps=integration.async_setup_entry
    ) as counter:
        yield counter


def _deprecations(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What Home Assistant reported about our use of its API."""
    return [
        record.getMessage()
        for record in caplog.records
        if "Detected that custom integration" in record.getMessage()
        and DOMAIN in record.getMessage()
    ]


async def _settled(hass: HomeAssistant, entry: MockConfigEntry, wait_for: WaitFor) -> None:
    await hass.async_block_till_done()
    await wait_for(lambda: entry.state is ConfigEntryState.LOADED)
    await hass.async_block_till_done()


async def test_reauth_with_a_new_key_sets_the_entry_up_once(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pi: PiDriver,
    wait_for: WaitFor,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    await pi.fault("api-key", {"api_key": ROTATED_KEY})
    loaded_entry.async_start_reauth(hass)
    await hass.async_block_till_done()
    [flow] = hass.config_entries.flow.async_progress_by_handler(DOMAIN)

    with patch.object(
        integration, "async_setup_entry", wraps=integration.async_setup_entry
    ) as setups:
        result = await hass.config_entries.flow.async_configure(
            flow["flow_id"], {CONF_API_KEY: ROTATED_KEY}
        )
        await _settled(hass, loaded_entry, wait_for)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert loaded_entry.data[CONF_API_KEY] == ROTATED_KEY
    assert setups.await_count == 1
    assert _deprecations(caplog) == []


async def test_reconfigure_sets_the_entry_up_once(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    setups: AsyncMock,
    wait_for: WaitFor,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    result = await loaded_entry.start_reconfigure_flow(hass)
    # Whatever the form asks, answered as stored, with one change that sticks.
    answer: dict[str, Any] = {
        str(key): loaded_entry.data[str(key)]
        for key in result["data_schema"].schema
        if str(key) in loaded_entry.data
    }
    answer[CONF_VERIFY_SSL] = not loaded_entry.data[CONF_VERIFY_SSL]

    result = await hass.config_entries.flow.async_configure(result["flow_id"], answer)
    await _settled(hass, loaded_entry, wait_for)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert loaded_entry.data[CONF_VERIFY_SSL] is answer[CONF_VERIFY_SSL]
    assert setups.await_count == 1
    assert _deprecations(caplog) == []


def _options(poll_interval: int) -> dict[str, Any]:
    return {
        CONF_POLL_INTERVAL: poll_interval,
        CONF_RECONCILE_INTERVAL: DEFAULT_RECONCILE_INTERVAL,
        CONF_BOARD_ENTITIES: DEFAULT_BOARD_ENTITIES,
        CONF_ONLY_ALLOWLISTED: DEFAULT_ONLY_ALLOWLISTED,
    }


async def _change_options(
    hass: HomeAssistant, entry: MockConfigEntry, options: dict[str, Any]
) -> None:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(result["flow_id"], options)
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_changed_options_apply_after_one_setup(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    setups: AsyncMock,
    wait_for: WaitFor,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    new_interval = DEFAULT_POLL_INTERVAL + 7

    await _change_options(hass, loaded_entry, _options(new_interval))
    await _settled(hass, loaded_entry, wait_for)

    assert setups.await_count == 1
    assert loaded_entry.runtime_data.health.poll_interval == timedelta(seconds=new_interval)
    assert _deprecations(caplog) == []


async def test_options_saved_unchanged_do_not_reconnect(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, setups: AsyncMock, wait_for: WaitFor
) -> None:
    await _change_options(hass, loaded_entry, _options(DEFAULT_POLL_INTERVAL + 7))
    await _settled(hass, loaded_entry, wait_for)
    setups.reset_mock()

    await _change_options(hass, loaded_entry, _options(DEFAULT_POLL_INTERVAL + 7))
    await _settled(hass, loaded_entry, wait_for)

    assert setups.await_count == 0
