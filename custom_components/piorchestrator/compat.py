"""Where Home Assistant's API changed between 2025.4 and the newest release.

Each choice is made once, when this module is imported, by looking for the newer
API itself, never by comparing version strings: a backport or a removal then
needs no change here. The rest of the integration calls these names only, so
the older path can be deleted in one place when the minimum version moves past it.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from functools import partial
from typing import TYPE_CHECKING, Any, Final, cast

from homeassistant import config_entries
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

# -- Reloading the entry after a change of options -----------------------------------

OPTIONS_FLOW_RELOADS: Final = hasattr(config_entries, "OptionsFlowWithReload")
"""The options flow reloads the entry itself (2025.8+); the entry has no update listener.

Home Assistant refuses the two together, and from 2026.11 reports an update
listener on an entry whose reauth or reconfigure reloads it.
"""

if TYPE_CHECKING:
    # Typed as the older base, the one every supported release has.
    OptionsFlowBase = config_entries.OptionsFlow
else:
    OptionsFlowBase = getattr(config_entries, "OptionsFlowWithReload", config_entries.OptionsFlow)


def async_reload_on_new_options(entry: config_entries.ConfigEntry) -> None:
    """Reload the set-up `entry` when its options change, where the options flow does not.

    Only a change of options: reauthentication and reconfiguration change the
    entry too, and reload it themselves, so reloading here as well would set the
    entry up twice.
    """
    if OPTIONS_FLOW_RELOADS:
        return  # the options flow reloads it, and Home Assistant refuses a listener as well
    entry.async_on_unload(
        entry.add_update_listener(partial(_async_reload_if_changed, dict(entry.options)))
    )


async def _async_reload_if_changed(
    options_at_setup: dict[str, Any], hass: HomeAssistant, entry: config_entries.ConfigEntry
) -> None:
    if entry.options != options_at_setup:
        await hass.config_entries.async_reload(entry.entry_id)


# -- Linking a device to its parent ---------------------------------------------------

VIA_DEVICE_ID: Final = "via_device_id" in getattr(dr.DeviceInfo, "__annotations__", {})
"""DeviceInfo links a parent by its registry id; the identifier form is deprecated."""


def link_to_parent(
    hass: HomeAssistant,
    info: dr.DeviceInfo,
    parent: tuple[str, str],
    config_entry_id: str,
) -> dr.DeviceInfo:
    """Return `info` naming the device with identifier `parent` as the one it is reached via.

    The parent must be registered first where the link is by id; an unregistered
    parent leaves the device without one rather than failing its entities.
    """
    fields = cast(MutableMapping[str, Any], info)
    if VIA_DEVICE_ID:
        device = get_device(hass, parent, config_entry_id)
        if device is not None:
            fields["via_device_id"] = device.id
    else:
        fields["via_device"] = parent
    return info


# -- Finding a device -----------------------------------------------------------------

DEVICE_HAS_ONE_ENTRY: Final = hasattr(dr.DeviceEntry, "config_entry_id")
"""A device belongs to exactly one config entry; `config_entries` is deprecated."""


def device_belongs_to(device: dr.DeviceEntry, config_entry_id: str) -> bool:
    """Whether `device` is one of the config entry's devices."""
    if DEVICE_HAS_ONE_ENTRY:
        return cast(str, getattr(device, "config_entry_id")) == config_entry_id  # noqa: B009
    return config_entry_id in device.config_entries


GET_DEVICE_BY_IDENTIFIER: Final = hasattr(dr.DeviceRegistry, "async_get_device_by_identifier")
"""Identifiers are unique per config entry, so lookups name the entry."""


def get_device(
    hass: HomeAssistant, identifier: tuple[str, str], config_entry_id: str
) -> dr.DeviceEntry | None:
    """The device of `config_entry_id` with `identifier`, if registered."""
    registry = dr.async_get(hass)
    if GET_DEVICE_BY_IDENTIFIER:
        lookup = cast(
            "Callable[[tuple[str, str], str], dr.DeviceEntry | None]",
            registry.async_get_device_by_identifier,  # type: ignore[attr-defined,unused-ignore]
        )
        return lookup(identifier, config_entry_id)
    device = registry.async_get_device(identifiers={identifier})
    if device is None or not device_belongs_to(device, config_entry_id):
        return None
    return device
