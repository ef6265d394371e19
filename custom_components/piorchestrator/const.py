"""Constants of the PiOrchestrator integration."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "piorchestrator"
LOGGER = logging.getLogger(__package__)

DEFAULT_PORT: Final = 8082
MANUFACTURER: Final = "PiOrchestrator"

CONF_VERIFY_SSL: Final = "verify_ssl"

# Options
CONF_POLL_INTERVAL: Final = "poll_interval"
CONF_BOARD_ENTITIES: Final = "board_entities"
CONF_ONLY_ALLOWLISTED: Final = "only_allowlisted"
CONF_RECONCILE_INTERVAL: Final = "reconcile_interval"
CONF_STALE_BOARD_DAYS: Final = "stale_board_days"

DEFAULT_POLL_INTERVAL: Final = 5
"""Seconds between polls of the door, and of health while the WebSocket is down."""
MIN_POLL_INTERVAL: Final = 2
MAX_POLL_INTERVAL: Final = 300
DEFAULT_RECONCILE_INTERVAL: Final = 60
"""Seconds between REST checks of an open session, however healthy the stream looks."""
MIN_RECONCILE_INTERVAL: Final = 10
MAX_RECONCILE_INTERVAL: Final = 600
DEFAULT_STALE_BOARD_DAYS: Final = 30
"""Days a board's device stays once no session has shown it (unless allowlisted)."""
MIN_STALE_BOARD_DAYS: Final = 1
MAX_STALE_BOARD_DAYS: Final = 365
DEFAULT_BOARD_ENTITIES: Final = True
DEFAULT_ONLY_ALLOWLISTED: Final = True

ALLOWLIST_POLL_INTERVAL: Final = timedelta(minutes=1)
"""No stream carries allowlist changes; our own changes refresh it at once."""
ALLOWLIST_REFRESH_COOLDOWN: Final = 2.0

MAX_BOARDS: Final = 1000
"""Most camera boards one Pi may bring into Home Assistant, as devices.

Whatever answers at the Pi's address could name a new board in every event; each
costs a device and several entities. Beyond this, new boards are not added and a
repair issue says so. More than any cabinet holds.
"""
ISSUE_TOO_MANY_BOARDS: Final = "too_many_boards"

# Field names shared by the actions' data and the bus events' data
ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_SESSION_ID: Final = "session_id"
ATTR_MAC: Final = "mac"
ATTR_TARGET_SSID: Final = "target_ssid"
ATTR_STATE: Final = "state"
ATTR_PREVIOUS_STATE: Final = "previous_state"
ATTR_RETRY_COUNT: Final = "retry_count"
ATTR_ERROR_MESSAGE: Final = "error_message"
ATTR_CAN_RETRY: Final = "can_retry"
ATTR_DEVICE_COUNT: Final = "device_count"
ATTR_PROVISIONED_COUNT: Final = "provisioned_count"
ATTR_VERIFIED_COUNT: Final = "verified_count"
ATTR_FAILED_COUNT: Final = "failed_count"
