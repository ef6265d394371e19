"""The API key changed on the Pi mid-run: one reauth flow, no storm, recovery with the new key."""

from __future__ import annotations

import time

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_API_KEY
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator.const import DOMAIN
from tests.integration.conftest import WIFI_PASSWORD
from tests.waiting import wait_until

from .conftest import ScenarioFactory

ROTATED_KEY = "rotated-key-Vb52-do-not-leak"
OBSERVE = 3.0
"""Seconds the integration is watched after the first refusal, before the key is entered:
longer than the door's polling interval (2 s here), so every poller had its chance to retry."""


async def test_key_changed_on_the_pi_asks_once_and_recovers_with_the_new_key(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, make_scenario: ScenarioFactory
) -> None:
    scenario = await make_scenario(
        "api_key_rotated",
        "API key changed on the Pi mid-session; the new key entered through the reauth flow",
    )
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_until(lambda: coordinator.stream_connected, hass)
    await scenario.start_session(password=WIFI_PASSWORD)
    await scenario.provision_all()
    await scenario.wait_in_flight()
    log = scenario.log
    mark = log.mark()
    await scenario.fault("api-key", api_key=ROTATED_KEY)
    scenario.checker.api_key = ROTATED_KEY
    # The open stream was authenticated before; its next connection is not.
    await scenario.fault("drop-streams", streams=["sse"])

    def reauth_flows() -> list[str]:
        return [
            flow["flow_id"]
            for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
            if flow["context"]["source"] == SOURCE_REAUTH
        ]

    await wait_until(lambda: bool(reauth_flows()), hass)
    first_refusal = min(entry.at for entry in log.since(mark) if entry.status == 401)
    await wait_until(lambda: time.monotonic() - first_refusal > OBSERVE, hass, timeout=OBSERVE + 1)
    # Exactly one flow, however many parts of the integration were refused.
    flows = reauth_flows()
    assert len(flows) == 1, flows
    refused = [entry.path for entry in log.since(mark) if entry.status == 401]
    scenario.record.window("401s after the first refusal", OBSERVE, len(refused) - 1, 3)
    scenario.record.notes["refused_requests"] = refused
    # No retry storm with a key the Pi refuses: each part of the integration that
    # needs the key is refused once, then stops asking (stream, door polling...).
    assert len(refused) == len(set(refused)), refused
    assert len(refused) <= 4, refused

    # A wrong key is refused in the form, and the flow stays.
    wrong = await hass.config_entries.flow.async_configure(flows[0], {CONF_API_KEY: "nope"})
    assert wrong["type"] is FlowResultType.FORM
    assert wrong["errors"] == {CONF_API_KEY: "invalid_auth"}
    entered = time.monotonic()
    done = await hass.config_entries.flow.async_configure(flows[0], {CONF_API_KEY: ROTATED_KEY})
    assert done["type"] is FlowResultType.ABORT
    assert done["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert loaded_entry.state is ConfigEntryState.LOADED
    assert loaded_entry.data[CONF_API_KEY] == ROTATED_KEY
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_until(lambda: coordinator.stream_connected, hass)
    scenario.record.reconnect("sse after the new key", time.monotonic() - entered)
    await scenario.complete()
    assert reauth_flows() == []
    await scenario.unload()
