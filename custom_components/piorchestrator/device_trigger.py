"""Device triggers on camera boards: failed, verified, state changed.

They are the bus events of `bus_events.py`, filtered by the board's device, so
the automation editor can offer them under the board's device.
"""

from __future__ import annotations

from typing import Any, Final

from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.components.homeassistant.triggers import event as event_trigger
from homeassistant.const import (
    ATTR_DEVICE_ID,
    CONF_DEVICE_ID,
    CONF_DOMAIN,
    CONF_EVENT,
    CONF_EVENT_DATA,
    CONF_PLATFORM,
    CONF_TYPE,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers import device_registry as dr, selector
from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
from homeassistant.helpers.typing import ConfigType
import voluptuous as vol

from .api.models import BoardState
from .bus_events import EVENT_BOARD_FAILED, EVENT_BOARD_STATE_CHANGED, EVENT_BOARD_VERIFIED
from .const import ATTR_STATE, DOMAIN
from .devices import board_mac

CONF_TO: Final = "to"
TRIGGER_EVENTS: Final = {
    "failed": EVENT_BOARD_FAILED,
    "verified": EVENT_BOARD_VERIFIED,
    "state_changed": EVENT_BOARD_STATE_CHANGED,
}
BOARD_STATES: Final = [state.value for state in BoardState if state is not BoardState.UNKNOWN]

TRIGGER_SCHEMA: Final = DEVICE_TRIGGER_BASE_SCHEMA.extend(
    {
        vol.Required(CONF_TYPE): vol.In(TRIGGER_EVENTS),
        vol.Optional(CONF_TO): vol.In(BOARD_STATES),
    }
)


async def async_get_triggers(hass: HomeAssistant, device_id: str) -> list[dict[str, Any]]:
    """List the triggers of a camera board; the Pi's own device has none."""
    if board_mac(dr.async_get(hass).async_get(device_id)) is None:
        return []
    return [
        {
            CONF_PLATFORM: "device",
            CONF_DOMAIN: DOMAIN,
            CONF_DEVICE_ID: device_id,
            CONF_TYPE: trigger_type,
        }
        for trigger_type in TRIGGER_EVENTS
    ]


async def async_get_trigger_capabilities(
    hass: HomeAssistant, config: ConfigType
) -> dict[str, vol.Schema]:
    """Offer "to" (the new state) on the state-changed trigger."""
    if config[CONF_TYPE] != "state_changed":
        return {}
    return {
        "extra_fields": vol.Schema(
            {
                vol.Optional(CONF_TO): selector.SelectSelector(
                    selector.SelectSelectorConfig(
                        options=BOARD_STATES,
                        translation_key="board_state",
                        mode=selector.SelectSelectorMode.DROPDOWN,
                    )
                )
            }
        )
    }


async def async_attach_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> CALLBACK_TYPE:
    """Listen for the board's event on the bus."""
    event_data: dict[str, Any] = {ATTR_DEVICE_ID: config[CONF_DEVICE_ID]}
    if (to_state := config.get(CONF_TO)) is not None:
        event_data[ATTR_STATE] = to_state
    event_config = event_trigger.TRIGGER_SCHEMA(
        {
            CONF_PLATFORM: CONF_EVENT,
            event_trigger.CONF_EVENT_TYPE: TRIGGER_EVENTS[config[CONF_TYPE]],
            CONF_EVENT_DATA: event_data,
        }
    )
    return await event_trigger.async_attach_trigger(
        hass, event_config, action, trigger_info, platform_type="device"
    )
