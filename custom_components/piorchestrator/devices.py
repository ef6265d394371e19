"""Device identity: the Pi and its camera boards in Home Assistant's device registry.

The Pi's device is identified by its config entry's ID, a board's by its MAC
(canonical form, see `api/mac.py`). Everything that needs to tell them apart,
name a board or register a device asks here, so the rules cannot drift apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from homeassistant.const import CONF_HOST
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import CONNECTION_NETWORK_MAC, DeviceInfo

from . import compat
from .api.errors import PiOrchestratorValidationError
from .api.mac import normalize_mac
from .const import DOMAIN, MANUFACTURER
from .data import PiOrchestratorConfigEntry

if TYPE_CHECKING:
    from .provisioning_coordinator import ProvisioningState

BOARD_MODEL: Final = "ESP32-CAM"
BOARD_MANUFACTURER: Final = "Espressif"


def board_fallback_name(mac: str) -> str:
    """A board's name while neither the allowlist nor a person has given it one."""
    return f"Camera board {mac}"


def pi_device_info(entry: PiOrchestratorConfigEntry) -> DeviceInfo:
    """The Pi as a device; boards hang off it."""
    return DeviceInfo(
        identifiers={(DOMAIN, entry.entry_id)},
        name=entry.title or entry.data[CONF_HOST],
        manufacturer=MANUFACTURER,
        model="Cabinet controller",
        configuration_url=str(entry.runtime_data.client.url),
    )


def board_device_info(entry: PiOrchestratorConfigEntry, mac: str) -> DeviceInfo:
    """A camera board as a device under the Pi, named from its allowlist entry."""
    allowlist = entry.runtime_data.allowlist.data
    approved = allowlist.entries.get(mac) if allowlist is not None else None
    provisioning = entry.runtime_data.provisioning
    board = provisioning.data.boards.get(mac)
    info = DeviceInfo(
        identifiers={(DOMAIN, mac)},
        connections={(CONNECTION_NETWORK_MAC, mac.lower())},
        manufacturer=BOARD_MANUFACTURER,
        model=BOARD_MODEL,
        name=(approved.description if approved else None) or board_fallback_name(mac),
        sw_version=board.firmware_version if board is not None else None,
    )
    return compat.link_to_parent(provisioning.hass, info, (DOMAIN, entry.entry_id), entry.entry_id)


def _is_canonical_mac(identifier: str) -> bool:
    try:
        return normalize_mac(identifier) == identifier
    except PiOrchestratorValidationError:
        return False


def board_mac(device: dr.DeviceEntry | None) -> str | None:
    """The MAC of a camera board's device; None for the Pi or another device."""
    if device is None:
        return None
    for domain, identifier in device.identifiers:
        if domain == DOMAIN and _is_canonical_mac(identifier):
            return identifier
    return None


def is_pi_device(entry: PiOrchestratorConfigEntry, device: dr.DeviceEntry) -> bool:
    """Whether `device` is the entry's Pi itself."""
    return (DOMAIN, entry.entry_id) in device.identifiers


@callback
def async_get_or_create_pi_device(
    hass: HomeAssistant, entry: PiOrchestratorConfigEntry
) -> dr.DeviceEntry:
    """Register the Pi's device, or return it if it exists."""
    return dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, **pi_device_info(entry)
    )


@callback
def async_get_or_create_board_device(
    hass: HomeAssistant, entry: PiOrchestratorConfigEntry, mac: str
) -> dr.DeviceEntry:
    """Register a board's device, or return it if it exists.

    A board's entities register its device too (from `board_device_info`), but a
    moment later than its first event, which must already name the device.
    """
    device = compat.get_device(hass, (DOMAIN, mac), entry.entry_id)
    if device is not None:
        return device
    return dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, **board_device_info(entry, mac)
    )


def open_session_id(state: ProvisioningState) -> str | None:
    """The session boards can be acted on in: the current one, while it is open."""
    session = state.session
    if session is None or not session.state.is_open:
        return None
    return session.id
