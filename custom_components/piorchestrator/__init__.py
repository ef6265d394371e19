"""The PiOrchestrator integration: batch provisioning of camera boards from a Pi."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.device_registry import DeviceEntry
from homeassistant.helpers.typing import ConfigType

from . import compat
from .api.models import BoardState
from .bus_events import async_forward_bus_events
from .const import (
    CONF_POLL_INTERVAL,
    CONF_RECONCILE_INTERVAL,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_RECONCILE_INTERVAL,
    DOMAIN,
)
from .coordinator import AllowlistCoordinator, DoorCoordinator
from .data import PiOrchestratorConfigEntry, PiOrchestratorData, create_client
from .devices import async_get_or_create_pi_device, board_mac, is_pi_device, open_session_id
from .frontend import async_register_frontend
from .health_coordinator import HealthCoordinator
from .provisioning_coordinator import BoardTransition, ProvisioningCoordinator, Transition
from .repairs import RecoveryWatcher
from .services import async_setup_services
from .stale_devices import async_setup_stale_devices
from .websocket_api import async_setup_websocket_api

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.EVENT,
    Platform.LOCK,
    Platform.SENSOR,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Set up what exists without any entry: the actions, the cards and their data."""
    async_setup_services(hass)
    async_setup_websocket_api(hass)
    await async_register_frontend(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: PiOrchestratorConfigEntry) -> bool:
    """Connect to the Pi, take a first picture, then start both streams."""
    client = create_client(hass, entry.data)
    poll_interval = timedelta(seconds=entry.options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL))
    health = HealthCoordinator(hass, entry, client, poll_interval)
    provisioning = ProvisioningCoordinator(
        hass,
        entry,
        client,
        timedelta(seconds=entry.options.get(CONF_RECONCILE_INTERVAL, DEFAULT_RECONCILE_INTERVAL)),
    )
    door = DoorCoordinator(hass, entry, client, poll_interval)
    allowlist = AllowlistCoordinator(hass, entry, client)

    # Reachability first: an unreachable Pi raises ConfigEntryNotReady here, a
    # refused key ConfigEntryAuthFailed on the first protected read.
    await health.async_config_entry_first_refresh()
    await allowlist.async_config_entry_first_refresh()
    await door.async_config_entry_first_refresh()
    await provisioning.async_config_entry_first_refresh()

    entry.runtime_data = PiOrchestratorData(
        client=client, health=health, provisioning=provisioning, door=door, allowlist=allowlist
    )
    compat.async_reload_on_new_options(entry)
    # Boards name the Pi's device as their parent by its registry id on newer
    # releases, so it must exist before any board entity or bus event does.
    async_get_or_create_pi_device(hass, entry)
    entry.async_on_unload(
        provisioning.async_add_transition_listener(
            partial(_refresh_allowlist_when_used, hass, entry, allowlist)
        )
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    entry.async_on_unload(async_forward_bus_events(hass, entry))
    await RecoveryWatcher(hass, entry).async_start()
    await async_setup_stale_devices(hass, entry)
    health.start_push()
    provisioning.start_stream()
    return True


@callback
def _refresh_allowlist_when_used(
    hass: HomeAssistant,
    entry: PiOrchestratorConfigEntry,
    allowlist: AllowlistCoordinator,
    transition: Transition,
) -> None:
    """The Pi marks an allowlist entry used once its board holds the credentials.

    No stream says so; refreshing on that transition keeps the used and
    available counts current instead of up to a minute late. The coordinator's
    debouncer turns a burst of boards into one request.
    """
    if (
        isinstance(transition, BoardTransition)
        and transition.board.in_allowlist
        and transition.board.state is BoardState.PROVISIONED
    ):
        entry.async_create_background_task(
            hass,
            allowlist.async_request_refresh(),
            name=f"{DOMAIN} allowlist refresh",
        )


async def async_unload_entry(hass: HomeAssistant, entry: PiOrchestratorConfigEntry) -> bool:
    """Unload platforms; the streams are background tasks of the entry and stop with it."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: PiOrchestratorConfigEntry, device: DeviceEntry
) -> bool:
    """Let a person delete a board that is no longer part of the current session.

    The Pi itself, and boards of the session in progress, cannot be deleted: they
    would come back with the next event.
    """
    if is_pi_device(entry, device):
        return False
    if (mac := board_mac(device)) is None:
        return True
    coordinator = entry.runtime_data.provisioning
    state = coordinator.data
    if mac in state.session_boards and open_session_id(state) is not None:
        return False
    coordinator.forget_board(mac)
    return True
