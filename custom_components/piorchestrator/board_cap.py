"""Bounded growth: at most `MAX_BOARDS` camera boards per Pi get into memory.

A Pi (or something pretending to be one) could name boards without end; each
would cost a device, entities and memory. Boards past the cap are refused, said
once in the log and as a repair issue, until a person deletes devices to make room.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, issue_registry as ir

from .api.provisioning import ProvisioningTracker
from .compat import get_device
from .const import DOMAIN, ISSUE_TOO_MANY_BOARDS, LOGGER, MAX_BOARDS

if TYPE_CHECKING:
    from .data import PiOrchestratorConfigEntry

BOARD_RECOUNT_INTERVAL = 1.0
"""Seconds between two counts of the registry once the board cap is reached."""


class BoardCap:
    """Admits boards into memory up to the cap, and knows which need entities."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: PiOrchestratorConfigEntry,
        host: str,
        tracker: ProvisioningTracker,
    ) -> None:
        """Count nothing until `async_setup` reads the registry."""
        self._hass = hass
        self._host = host
        self._entry = entry
        self._tracker = tracker
        self._known: set[str] = set()
        """Boards with a device, or in memory: what counts towards `MAX_BOARDS`."""
        self._announced: set[str] = set()
        """Boards whose entities were asked for in this run."""
        self._counted_at = -BOARD_RECOUNT_INTERVAL
        self._warned = False

    @callback
    def async_setup(self) -> None:
        """Count the boards that have a device; drop the issue when the entry unloads."""
        self._known = self._registered()
        # Nobody can act on the cap's issue while the entry is not loaded.
        self._entry.async_on_unload(
            lambda: ir.async_delete_issue(self._hass, DOMAIN, self._issue_id)
        )

    def _registered(self) -> set[str]:
        """The boards of this Pi that have a device."""
        registry = dr.async_get(self._hass)
        entry_id = self._entry.entry_id
        return {
            identifier
            for device in dr.async_entries_for_config_entry(registry, entry_id)
            for domain, identifier in device.identifiers
            if domain == DOMAIN and identifier != entry_id
        }

    def refused(self, mac: str) -> bool:
        """Whether a board is one the cap keeps out (without counting again)."""
        return mac not in self._known and len(self._known) >= MAX_BOARDS

    @callback
    def admit(self, mac: str) -> bool:
        """Let a board in unless `MAX_BOARDS` are known already.

        At the cap, the known boards are counted again (at most once a second), so
        devices a person deleted make room. Refusing is said once, in the log and
        as a repair issue, which goes away once there is room again.
        """
        known = self._known
        if mac in known:
            return True
        now = time.monotonic()
        if len(known) >= MAX_BOARDS and now - self._counted_at >= BOARD_RECOUNT_INTERVAL:
            self._counted_at = now
            known = self._known = self._registered() | set(self._tracker.state.boards)
            if len(known) < MAX_BOARDS and self._warned:
                self._set_warned(False)
                ir.async_delete_issue(self._hass, DOMAIN, self._issue_id)
        if len(known) < MAX_BOARDS:
            known.add(mac)
            return True
        if not self._warned:
            self._set_warned(True)
            self._warn()
        return False

    def _set_warned(self, warned: bool) -> None:
        self._warned = warned
        self._tracker.capped = warned

    def _warn(self) -> None:
        LOGGER.warning(
            "The Pi at %s reports more than %d camera boards; new boards are not added. "
            "Delete the devices of boards you no longer need to make room",
            self._host,
            MAX_BOARDS,
        )
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            self._issue_id,
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_TOO_MANY_BOARDS,
            translation_placeholders={"pi": self._entry.title, "limit": str(MAX_BOARDS)},
        )

    @property
    def _issue_id(self) -> str:
        return f"{ISSUE_TOO_MANY_BOARDS}_{self._entry.entry_id}"

    def needs_entities(self, mac: str) -> bool:
        """Whether a board coming (back) into memory must get its entities, once asked.

        A board forgotten at a session change keeps its device and entities; only
        one never announced in this run, or whose device was deleted, needs them.
        """
        if mac in self._announced and (
            get_device(self._hass, (DOMAIN, mac), self._entry.entry_id) is not None
        ):
            return False
        self._announced.add(mac)
        return True
