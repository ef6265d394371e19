"""Events on Home Assistant's bus for what people automate on.

Every live transition the provisioning coordinator observes (never the state
found at start-up) becomes events named `piorchestrator_*`:

- a board: `board_state_changed` for every transition, plus `board_discovered`,
  `board_provisioning_started`, `board_provisioned`, `board_verified` or
  `board_failed` when it entered that state;
- a session: `session_state_changed` for every change of state, plus
  `session_started` when a session starts, `session_closed` when it
  closes, and `session_timeout_warning` 5 minutes before it expires (or when the
  Pi warns first), once per session, whichever event vocabulary the Pi speaks.

All events of one transition carry the same data, always with the config
entry's ID and the Home Assistant device the event is about: the board's device
for board events, the Pi's device for session events.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from . import compat
from .api.events import EventKind
from .api.models import BoardState, SessionState
from .const import (
    ATTR_CAN_RETRY,
    ATTR_CONFIG_ENTRY_ID,
    ATTR_DEVICE_COUNT,
    ATTR_ERROR_MESSAGE,
    ATTR_FAILED_COUNT,
    ATTR_MAC,
    ATTR_PREVIOUS_STATE,
    ATTR_PROVISIONED_COUNT,
    ATTR_RETRY_COUNT,
    ATTR_SESSION_ID,
    ATTR_STATE,
    ATTR_TARGET_SSID,
    ATTR_VERIFIED_COUNT,
    CONF_BOARD_ENTITIES,
    DEFAULT_BOARD_ENTITIES,
    DOMAIN,
)
from .data import PiOrchestratorConfigEntry
from .devices import async_get_or_create_board_device, board_fallback_name
from .provisioning_coordinator import BoardTransition, SessionTransition, Transition

EVENT_BOARD_DISCOVERED: Final = f"{DOMAIN}_board_discovered"
EVENT_BOARD_PROVISIONING_STARTED: Final = f"{DOMAIN}_board_provisioning_started"
EVENT_BOARD_PROVISIONED: Final = f"{DOMAIN}_board_provisioned"
EVENT_BOARD_VERIFIED: Final = f"{DOMAIN}_board_verified"
EVENT_BOARD_FAILED: Final = f"{DOMAIN}_board_failed"
EVENT_BOARD_STATE_CHANGED: Final = f"{DOMAIN}_board_state_changed"
EVENT_SESSION_STARTED: Final = f"{DOMAIN}_session_started"
EVENT_SESSION_STATE_CHANGED: Final = f"{DOMAIN}_session_state_changed"
EVENT_SESSION_TIMEOUT_WARNING: Final = f"{DOMAIN}_session_timeout_warning"
EVENT_SESSION_CLOSED: Final = f"{DOMAIN}_session_closed"

ALL_EVENTS: Final = (
    EVENT_BOARD_DISCOVERED,
    EVENT_BOARD_PROVISIONING_STARTED,
    EVENT_BOARD_PROVISIONED,
    EVENT_BOARD_VERIFIED,
    EVENT_BOARD_FAILED,
    EVENT_BOARD_STATE_CHANGED,
    EVENT_SESSION_STARTED,
    EVENT_SESSION_STATE_CHANGED,
    EVENT_SESSION_TIMEOUT_WARNING,
    EVENT_SESSION_CLOSED,
)

MAX_RETRIES: Final = 3
"""Retries the Pi allows a failed board (MAX_RETRIES_EXCEEDED beyond)."""


_BOARD_EVENT_BY_STATE: Final = {
    BoardState.DISCOVERED: EVENT_BOARD_DISCOVERED,
    BoardState.PROVISIONING: EVENT_BOARD_PROVISIONING_STARTED,
    BoardState.PROVISIONED: EVENT_BOARD_PROVISIONED,
    BoardState.VERIFIED: EVENT_BOARD_VERIFIED,
    BoardState.FAILED: EVENT_BOARD_FAILED,
}


@dataclass(frozen=True, slots=True)
class DescribedTransition:
    """The events one transition fires, and the data they share."""

    event_types: tuple[str, ...]
    """Full event types, the generic `*_state_changed` one first when fired."""
    specific: str | None
    """The most telling event type, for the event entity; None when only generic."""
    data: dict[str, Any]
    """Event data without the config entry and device, which the forwarder adds."""
    mac: str | None = None


def describe_transition(transition: Transition) -> DescribedTransition:
    """Name the events a transition fires and build their data."""
    if isinstance(transition, BoardTransition):
        return _describe_board(transition)
    return _describe_session(transition)


def _describe_board(transition: BoardTransition) -> DescribedTransition:
    board = transition.board
    previous = transition.previous_state
    failed = board.state is BoardState.FAILED
    data: dict[str, Any] = {
        ATTR_MAC: board.mac,
        ATTR_SESSION_ID: transition.session_id or board.session_id,
        ATTR_STATE: board.state.value,
        ATTR_PREVIOUS_STATE: previous.value if previous is not None else None,
        ATTR_RETRY_COUNT: board.retry_count,
        ATTR_ERROR_MESSAGE: board.error_message if failed else None,
        ATTR_CAN_RETRY: failed and board.retry_count < MAX_RETRIES,
    }
    specific = _BOARD_EVENT_BY_STATE.get(board.state)
    types = (
        (EVENT_BOARD_STATE_CHANGED,) if specific is None else (EVENT_BOARD_STATE_CHANGED, specific)
    )
    return DescribedTransition(types, specific, data, mac=board.mac)


def _describe_session(transition: SessionTransition) -> DescribedTransition:
    session = transition.session
    previous = transition.previous_state
    data: dict[str, Any] = {
        ATTR_SESSION_ID: session.id,
        ATTR_STATE: session.state.value,
        ATTR_PREVIOUS_STATE: previous,
        ATTR_TARGET_SSID: session.target_ssid,
        ATTR_DEVICE_COUNT: session.device_count,
        ATTR_PROVISIONED_COUNT: session.provisioned_count,
        ATTR_VERIFIED_COUNT: session.verified_count,
        ATTR_FAILED_COUNT: session.failed_count,
    }
    types: list[str] = []
    specific: str | None = None
    if previous != session.state.value:
        types.append(EVENT_SESSION_STATE_CHANGED)
        if transition.kind is EventKind.SESSION_STARTED or (
            previous is None and session.state is SessionState.DISCOVERING
        ):
            # A session first seen later in its life (started while Home
            # Assistant was away) is not reported as starting now.
            specific = EVENT_SESSION_STARTED
        elif session.state is SessionState.CLOSED:
            specific = EVENT_SESSION_CLOSED
    if transition.kind is EventKind.SESSION_TIMEOUT_WARNING:
        specific = EVENT_SESSION_TIMEOUT_WARNING
    if specific is not None:
        types.append(specific)
    return DescribedTransition(
        tuple(types), specific or (EVENT_SESSION_STATE_CHANGED if types else None), data
    )


@callback
def async_forward_bus_events(
    hass: HomeAssistant, entry: PiOrchestratorConfigEntry
) -> CALLBACK_TYPE:
    """Fire bus events for the entry's live transitions; returns the unsubscribe."""
    create_board_devices = entry.options.get(CONF_BOARD_ENTITIES, DEFAULT_BOARD_ENTITIES)

    @callback
    def device_id_for(mac: str | None) -> str | None:
        if mac is None:
            pi = compat.get_device(hass, (DOMAIN, entry.entry_id), entry.entry_id)
            return pi.id if pi is not None else None
        if create_board_devices:
            # Its first event must already name the device, or a device trigger
            # or the logbook would miss it.
            return async_get_or_create_board_device(hass, entry, mac).id
        device = compat.get_device(hass, (DOMAIN, mac), entry.entry_id)
        return device.id if device is not None else None

    @callback
    def observed(transition: Transition) -> None:
        described = describe_transition(transition)
        data = {
            ATTR_CONFIG_ENTRY_ID: entry.entry_id,
            ATTR_DEVICE_ID: device_id_for(described.mac),
            **described.data,
        }
        for event_type in described.event_types:
            hass.bus.async_fire(event_type, dict(data))

    return entry.runtime_data.provisioning.async_add_transition_listener(observed)


def event_name(event_type: str) -> str:
    """The short name of one of our event types, e.g. `board_failed`."""
    return event_type.removeprefix(f"{DOMAIN}_")


def board_display_name(hass: HomeAssistant, data: Mapping[str, Any]) -> str:
    """How a board is called in messages: its device's name, else its MAC."""
    device_id = data.get(ATTR_DEVICE_ID)
    device = dr.async_get(hass).async_get(device_id) if isinstance(device_id, str) else None
    if device is not None and (name := device.name_by_user or device.name):
        return name
    return board_fallback_name(str(data.get(ATTR_MAC)))
