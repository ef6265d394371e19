"""Diagnostics: what support needs to trace a problem, with every secret removed."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_API_KEY
from homeassistant.core import HomeAssistant
from homeassistant.helpers.device_registry import DeviceEntry

from .data import PiOrchestratorConfigEntry
from .devices import board_mac

TO_REDACT = {CONF_API_KEY, "api_key", "target_password", "password"}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: PiOrchestratorConfigEntry
) -> dict[str, Any]:
    """Stream states, reconnects, the last requests and failures with their correlation IDs."""
    data = entry.runtime_data
    provisioning = data.provisioning.data
    health = data.health.data
    return async_redact_data(
        {
            "entry": {"data": dict(entry.data), "options": dict(entry.options)},
            "health": {
                "transport": data.health.transport.value,
                "stream": data.health.monitor.diagnostics,
                "last_update_success": data.health.last_update_success,
                "figures": asdict(health) if health is not None else None,
            },
            "provisioning": {
                **data.provisioning.diagnostics(),
                "session": provisioning.session.model_dump(mode="json")
                if provisioning.session
                else None,
                "network": provisioning.network.model_dump(mode="json")
                if provisioning.network
                else None,
                "session_boards": sorted(provisioning.session_boards),
                "boards": {
                    mac: board.model_dump(mode="json") for mac, board in provisioning.boards.items()
                },
            },
            "door": data.door.data.model_dump(mode="json") if data.door.data else None,
            "allowlist": {
                "total": data.allowlist.data.total,
                "used": data.allowlist.data.used,
            }
            if data.allowlist.data
            else None,
            "recent_failures": [asdict(failure) for failure in data.client.recent_failures],
            # Successes too: a correlation ID finds any answer in the Pi's own logs.
            "recent_requests": [asdict(request) for request in data.client.recent_requests],
        },
        TO_REDACT,
    )


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: PiOrchestratorConfigEntry, device: DeviceEntry
) -> dict[str, Any]:
    """One board's record and the failures that concerned it."""
    provisioning = entry.runtime_data.provisioning.data
    mac = board_mac(device)
    if mac is None or mac not in provisioning.boards:
        return await async_get_config_entry_diagnostics(hass, entry)
    board = provisioning.boards[mac]
    return async_redact_data(
        {
            "board": board.model_dump(mode="json"),
            "in_current_session": mac in provisioning.session_boards,
            "progress": provisioning.progress.get(mac),
            "recent_failures": [
                asdict(failure)
                for failure in entry.runtime_data.client.recent_failures
                if mac in failure.path.replace("%3A", ":")
            ],
            "recent_requests": [
                asdict(request)
                for request in entry.runtime_data.client.recent_requests
                if mac in request.path
            ],
        },
        TO_REDACT,
    )
