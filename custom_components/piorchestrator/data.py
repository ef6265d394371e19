"""Runtime data of a config entry, and the client built from its settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_API_KEY, CONF_HOST, CONF_PORT, CONF_SSL
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .api.client import PiOrchestratorClient
from .const import CONF_VERIFY_SSL, DEFAULT_PORT

if TYPE_CHECKING:
    from .coordinator import AllowlistCoordinator, DoorCoordinator
    from .health_coordinator import HealthCoordinator
    from .provisioning_coordinator import ProvisioningCoordinator


@dataclass(slots=True)
class PiOrchestratorData:
    """Everything a loaded entry needs: one client and its coordinators."""

    client: PiOrchestratorClient
    health: HealthCoordinator
    provisioning: ProvisioningCoordinator
    door: DoorCoordinator
    allowlist: AllowlistCoordinator


type PiOrchestratorConfigEntry = ConfigEntry[PiOrchestratorData]


def create_client(hass: HomeAssistant, config: Mapping[str, Any]) -> PiOrchestratorClient:
    """Build a client on Home Assistant's shared HTTP session."""
    verify_ssl = bool(config.get(CONF_VERIFY_SSL, True))
    return PiOrchestratorClient(
        async_get_clientsession(hass, verify_ssl=verify_ssl),
        config[CONF_HOST],
        int(config.get(CONF_PORT, DEFAULT_PORT)),
        api_key=config.get(CONF_API_KEY) or None,
        ssl=bool(config.get(CONF_SSL, False)),
        verify_ssl=verify_ssl,
    )
