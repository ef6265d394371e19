"""Device triggers on camera boards, listed and firing automations."""

from __future__ import annotations

from homeassistant.components import automation
from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_get_device_automation_capabilities,
    async_get_device_automations,
    async_mock_service,
)

from custom_components.piorchestrator.const import DOMAIN
from simulator import Simulator, SimulatorConfig
from tests.conftest import SimulatorConfigFactory

from .conftest import PiDriver, WaitFor

GOOD = "24:0A:C4:40:00:01"
FLAKY = "24:0A:C4:40:00:02"


@pytest.fixture
def simulator_config(make_simulator_config: SimulatorConfigFactory) -> SimulatorConfig:
    """Two allowlisted boards; the second fails its first attempt."""
    return make_simulator_config(
        speed=50,
        boards=0,
        seed=13,
        allowlist=(GOOD, FLAKY),
        fail_once=(FLAKY,),
        session_timeout=100_000,
    )


async def board_device(hass: HomeAssistant, wait_for: WaitFor, mac: str) -> dr.DeviceEntry:
    registry = dr.async_get(hass)
    await wait_for(lambda: registry.async_get_device(identifiers={(DOMAIN, mac)}) is not None)
    device = registry.async_get_device(identifiers={(DOMAIN, mac)})
    assert device is not None
    return device


async def test_boards_list_three_triggers_and_the_pi_none(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pi: PiDriver,
    wait_for: WaitFor,
) -> None:
    await wait_for(lambda: loaded_entry.runtime_data.provisioning.stream_connected)
    await pi.start_session()
    device = await board_device(hass, wait_for, GOOD)

    triggers = await async_get_device_automations(hass, DeviceAutomationType.TRIGGER, device.id)

    ours = [trigger for trigger in triggers if trigger["domain"] == DOMAIN]
    assert sorted(trigger["type"] for trigger in ours) == ["failed", "state_changed", "verified"]
    for trigger in ours:
        assert trigger["device_id"] == device.id
        assert trigger["platform"] == "device"
    pi_device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, loaded_entry.entry_id)})
    assert pi_device is not None
    pi_triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, pi_device.id
    )
    assert [trigger for trigger in pi_triggers if trigger["domain"] == DOMAIN] == []

    state_changed = next(trigger for trigger in ours if trigger["type"] == "state_changed")
    capabilities = await async_get_device_automation_capabilities(
        hass, DeviceAutomationType.TRIGGER, state_changed
    )
    serialized = capabilities["extra_fields"]
    assert serialized[0]["name"] == "to"
    assert serialized[0]["selector"]["select"]["options"] == [
        "discovered",
        "provisioning",
        "provisioned",
        "verifying",
        "verified",
        "failed",
    ]
    failed = next(trigger for trigger in ours if trigger["type"] == "failed")
    assert await async_get_device_automation_capabilities(
        hass, DeviceAutomationType.TRIGGER, failed
    ) == {"extra_fields": []}


async def test_device_triggers_fire_automations_for_their_board_only(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    wait_for: WaitFor,
) -> None:
    calls: list[ServiceCall] = async_mock_service(hass, "test", "automation")
    await wait_for(lambda: loaded_entry.runtime_data.provisioning.stream_connected)
    session = await pi.start_session()
    flaky = await board_device(hass, wait_for, FLAKY)
    good = await board_device(hass, wait_for, GOOD)

    def automation_for(device: dr.DeviceEntry, trigger: dict[str, str], label: str) -> dict:
        return {
            "alias": label,
            "triggers": {
                "platform": "device",
                "domain": DOMAIN,
                "device_id": device.id,
                **trigger,
            },
            "actions": {
                "action": "test.automation",
                "data": {
                    "label": label,
                    "mac": "{{ trigger.event.data.mac }}",
                    "error": "{{ trigger.event.data.error_message }}",
                    "can_retry": "{{ trigger.event.data.can_retry }}",
                },
            },
        }

    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: [
                automation_for(flaky, {"type": "failed"}, "flaky failed"),
                automation_for(good, {"type": "failed"}, "good failed"),
                automation_for(flaky, {"type": "verified"}, "flaky verified"),
                automation_for(good, {"type": "state_changed"}, "good changed"),
                automation_for(
                    good, {"type": "state_changed", "to": "verifying"}, "good verifying"
                ),
            ]
        },
    )
    devices = simulator.state.sessions[session["id"]].devices
    path = f"/api/v1/provisioning/batch/{session['id']}"
    await pi.call("POST", f"{path}/provision-all", {"only_allowlisted": True})
    await wait_for(lambda: devices[FLAKY].state == "failed", timeout=15)
    await wait_for(lambda: any(call.data["label"] == "flaky failed" for call in calls))
    await pi.call("POST", f"{path}/devices/{FLAKY}/retry")
    await wait_for(
        lambda: all(device.state == "verified" for device in devices.values()), timeout=15
    )
    await wait_for(lambda: any(call.data["label"] == "flaky verified" for call in calls))
    await wait_for(
        lambda: sum(call.data["label"] == "good changed" for call in calls) == 4  # after discovery
    )

    labels = [call.data["label"] for call in calls]
    assert labels.count("flaky failed") == 1
    assert labels.count("good failed") == 0
    assert labels.count("flaky verified") == 1
    assert labels.count("good verifying") == 1
    failed = next(call for call in calls if call.data["label"] == "flaky failed")
    assert failed.data == {
        "label": "flaky failed",
        "mac": FLAKY,
        "error": "device rejected credentials",
        "can_retry": True,
    }
