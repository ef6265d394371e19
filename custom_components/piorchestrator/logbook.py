"""Logbook lines for provisioning events.

One line per transition: the generic `*_state_changed` events cover every step
of a board or session, so the specific events fired alongside them
(`board_verified`, `session_closed`, ...) are not described again; only the
timeout warning, which is not a change of state, gets its own line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.components.logbook.const import LOGBOOK_ENTRY_MESSAGE, LOGBOOK_ENTRY_NAME
from homeassistant.core import Event, HomeAssistant, callback

from .bus_events import (
    EVENT_BOARD_STATE_CHANGED,
    EVENT_SESSION_STATE_CHANGED,
    EVENT_SESSION_TIMEOUT_WARNING,
    board_display_name,
)
from .const import (
    ATTR_CAN_RETRY,
    ATTR_DEVICE_COUNT,
    ATTR_ERROR_MESSAGE,
    ATTR_FAILED_COUNT,
    ATTR_PREVIOUS_STATE,
    ATTR_RETRY_COUNT,
    ATTR_SESSION_ID,
    ATTR_STATE,
    ATTR_TARGET_SSID,
    ATTR_VERIFIED_COUNT,
    DOMAIN,
)


def board_message(data: Mapping[str, Any]) -> str:
    """What a board's transition means, in words."""
    state = data.get(ATTR_STATE)
    match state:
        case "discovered":
            return f"was discovered in session {data.get(ATTR_SESSION_ID)}"
        case "provisioning" if data.get(ATTR_PREVIOUS_STATE) == "failed":
            return f"is being provisioned again (retry {data.get(ATTR_RETRY_COUNT)})"
        case "provisioning":
            return "started provisioning"
        case "provisioned":
            return "received the WiFi credentials"
        case "verifying":
            return "is joining the target network"
        case "verified":
            return "joined the target network and is verified"
        case "failed":
            outcome = "it can be retried" if data.get(ATTR_CAN_RETRY) else "no retry is left"
            return f"failed: {data.get(ATTR_ERROR_MESSAGE) or 'no reason given'}; {outcome}"
    return f"changed to {state}"


def session_message(data: Mapping[str, Any]) -> str:
    """What a session's transition means, in words."""
    match data.get(ATTR_STATE):
        case "discovering" if data.get(ATTR_PREVIOUS_STATE) is None:
            return f"started for network {data.get(ATTR_TARGET_SSID)}"
        case "active" if data.get(ATTR_PREVIOUS_STATE) == "paused":
            return "resumed"
        case "active":
            return "is active"
        case "paused":
            return "was paused"
        case "closing":
            return "is closing"
        case "closed":
            return (
                f"closed: {data.get(ATTR_VERIFIED_COUNT)} of {data.get(ATTR_DEVICE_COUNT)} boards "
                f"verified, {data.get(ATTR_FAILED_COUNT)} failed"
            )
    return f"changed to {data.get(ATTR_STATE)}"


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe the bus events in the logbook."""

    @callback
    def describe_board(event: Event) -> dict[str, str]:
        return {
            LOGBOOK_ENTRY_NAME: board_display_name(hass, event.data),
            LOGBOOK_ENTRY_MESSAGE: board_message(event.data),
        }

    @callback
    def describe_session(event: Event) -> dict[str, str]:
        return {
            LOGBOOK_ENTRY_NAME: f"Batch session {event.data.get(ATTR_SESSION_ID)}",
            LOGBOOK_ENTRY_MESSAGE: session_message(event.data),
        }

    @callback
    def describe_timeout_warning(event: Event) -> dict[str, str]:
        return {
            LOGBOOK_ENTRY_NAME: f"Batch session {event.data.get(ATTR_SESSION_ID)}",
            LOGBOOK_ENTRY_MESSAGE: "will expire soon; boards not yet verified will be left out",
        }

    async_describe_event(DOMAIN, EVENT_BOARD_STATE_CHANGED, describe_board)
    async_describe_event(DOMAIN, EVENT_SESSION_STATE_CHANGED, describe_session)
    async_describe_event(DOMAIN, EVENT_SESSION_TIMEOUT_WARNING, describe_timeout_warning)
