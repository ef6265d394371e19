"""Remove the devices of boards no session has shown for a long time.

Every board seen in a session gets a device, and boards come and go: without
this, devices of boards long gone would pile up for ever. A board counts as
seen whenever it is part of the current session; when it was last seen is kept
per Pi, so a restart of Home Assistant does not reset the count. A board with
no record yet (its device is older than this record) starts counting when it
is first checked, never earlier. Boards on the Pi's allowlist are expected
back and are kept, as is the Pi's own device.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import CONF_STALE_BOARD_DAYS, DEFAULT_STALE_BOARD_DAYS, DOMAIN, LOGGER
from .data import PiOrchestratorConfigEntry
from .devices import board_mac

STORAGE_VERSION: Final = 1
CHECK_INTERVAL: Final = timedelta(days=1)
SEEN_RESOLUTION: Final = timedelta(hours=1)
"""A board seen again within this is not written again: days are what count."""
SAVE_DELAY: Final = 10


def storage_key(entry_id: str) -> str:
    """Where the last sightings of one Pi's boards are kept."""
    return f"{DOMAIN}.{entry_id}.last_seen"


async def async_setup_stale_devices(hass: HomeAssistant, entry: PiOrchestratorConfigEntry) -> None:
    """Check now, then once a day, for as long as the entry is loaded."""
    max_age = timedelta(days=entry.options.get(CONF_STALE_BOARD_DAYS, DEFAULT_STALE_BOARD_DAYS))
    await StaleBoards(hass, entry, max_age).async_start()


class StaleBoards:
    """Records when each board of one Pi was last seen and removes stale ones."""

    def __init__(
        self, hass: HomeAssistant, entry: PiOrchestratorConfigEntry, max_age: timedelta
    ) -> None:
        """Remove boards of `entry` not seen for longer than `max_age`."""
        self.hass = hass
        self.entry = entry
        self.max_age = max_age
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, storage_key(entry.entry_id)
        )
        self.last_seen: dict[str, datetime] = {}

    async def async_start(self) -> None:
        """Load the record, check once, and keep watching."""
        stored = await self._store.async_load() or {}
        for mac, when in stored.get("last_seen", {}).items():
            parsed = dt_util.parse_datetime(when) if isinstance(when, str) else None
            if isinstance(mac, str) and parsed is not None:
                self.last_seen[mac] = parsed
        provisioning = self.entry.runtime_data.provisioning
        self.entry.async_on_unload(provisioning.async_add_listener(self._record_session))
        self.entry.async_on_unload(
            async_track_time_interval(
                self.hass, self._check_on_timer, CHECK_INTERVAL, name=f"{DOMAIN} stale boards"
            )
        )
        # A reload right after a sighting must find it on disk.
        self.entry.async_on_unload(self._async_save_now)
        self._record_session()
        self.async_remove_stale()

    @callback
    def _record_session(self) -> None:
        """The boards of the current session are seen now."""
        now = dt_util.utcnow()
        changed = False
        for mac in self.entry.runtime_data.provisioning.data.session_boards:
            last = self.last_seen.get(mac)
            if last is None or now - last >= SEEN_RESOLUTION:
                self.last_seen[mac] = now
                changed = True
        if changed:
            self._store.async_delay_save(self._data_to_save, SAVE_DELAY)

    @callback
    def _check_on_timer(self, _now: datetime) -> None:
        self._record_session()
        self.async_remove_stale()

    @callback
    def async_remove_stale(self) -> list[str]:
        """Remove the devices of stale boards, with their entities; returns their MACs."""
        now = dt_util.utcnow()
        registry = dr.async_get(self.hass)
        entry_id = self.entry.entry_id
        data = self.entry.runtime_data
        allowlisted = data.allowlist.data.entries.keys()
        in_session = data.provisioning.data.session_boards
        removed: list[str] = []
        for device in dr.async_entries_for_config_entry(registry, entry_id):
            mac = board_mac(device)
            if mac is None or mac in allowlisted or mac in in_session:
                continue
            last = self.last_seen.setdefault(mac, now)
            if now - last <= self.max_age:
                continue
            registry.async_update_device(device.id, remove_config_entry_id=entry_id)
            data.provisioning.forget_board(mac)
            del self.last_seen[mac]
            removed.append(mac)
        if removed:
            LOGGER.info(
                "Removed %d camera boards of %s not seen in a session for %d days",
                len(removed),
                self.entry.title,
                self.max_age.days,
            )
        # Macs without a device any more (deleted by a person) need no record.
        known = {
            board_mac(device) for device in dr.async_entries_for_config_entry(registry, entry_id)
        }
        for mac in [mac for mac in self.last_seen if mac not in known and mac not in in_session]:
            del self.last_seen[mac]
        self._store.async_delay_save(self._data_to_save, SAVE_DELAY)
        return removed

    @callback
    def _data_to_save(self) -> dict[str, Any]:
        return {"last_seen": {mac: when.isoformat() for mac, when in self.last_seen.items()}}

    async def _async_save_now(self) -> None:
        # The coordinator tells its listeners a moment after a board arrives;
        # a board that arrived just before the unload is recorded here.
        self._record_session()
        await self._store.async_save(self._data_to_save())
