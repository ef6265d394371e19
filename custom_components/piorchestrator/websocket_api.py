"""WebSocket commands that feed the session and fleet cards.

A card subscribes once and then only listens: a snapshot first, then only what
changed, pushed from the coordinators' listeners. Every listener belongs to one
subscription and goes with it, and the frontend subscribes again (and gets a
fresh snapshot) after every reconnect, so no state outlives a connection.

Changes are coalesced: however many listeners fire in one pass of the event
loop, one message goes out, built by comparing what the card would see now
with what this subscription last sent.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

from homeassistant.components.websocket_api import async_register_command
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.const import ERR_NOT_FOUND
from homeassistant.components.websocket_api.decorators import websocket_command
from homeassistant.components.websocket_api.messages import event_message
from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntry,
    ConfigEntryChange,
    ConfigEntryState,
)
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.dispatcher import async_dispatcher_connect
import voluptuous as vol

from .api.models import AllowlistEntry, Board, BoardState
from .api.stream import StreamStatus
from .compat import get_device
from .const import ATTR_DEVICE_COUNT, ATTR_SESSION_ID, DOMAIN
from .data import PiOrchestratorConfigEntry, PiOrchestratorData
from .devices import board_fallback_name
from .provisioning_coordinator import ProvisioningState
from .repairs import issue_id_for

type Json = dict[str, Any]
type Send = Callable[[Json], None]

OFFLINE: Final = "offline"
NO_HEALTH: Final[Json] = {
    "cpu_percent": None,
    "memory_percent": None,
    "temperature": None,
    "disk_percent": None,
}
NO_DOOR: Final[Json] = {"door": "unknown", "lock": "unknown"}
NO_STREAMS: Final[Json] = {"events": OFFLINE, "monitor": OFFLINE}


@callback
def async_setup_websocket_api(hass: HomeAssistant) -> None:
    """Register the cards' commands (once per Home Assistant run)."""
    async_register_command(hass, websocket_entries)
    async_register_command(hass, websocket_subscribe)
    async_register_command(hass, websocket_subscribe_fleet)


# -- Commands ------------------------------------------------------------------------


@websocket_command({vol.Required("type"): f"{DOMAIN}/entries"})
@callback
def websocket_entries(hass: HomeAssistant, connection: ActiveConnection, msg: Json) -> None:
    """List the configured Pis, for the card editor's picker."""
    connection.send_result(
        msg["id"],
        [
            {"entry_id": entry.entry_id, "title": entry.title, "state": entry.state.value}
            for entry in hass.config_entries.async_entries(DOMAIN)
        ],
    )


@websocket_command({vol.Required("type"): f"{DOMAIN}/subscribe", vol.Required("entry_id"): str})
@callback
def websocket_subscribe(hass: HomeAssistant, connection: ActiveConnection, msg: Json) -> None:
    """Follow one Pi: a snapshot, then its changes."""
    entry = hass.config_entries.async_get_entry(msg["entry_id"])
    if entry is None or entry.domain != DOMAIN or entry.state is not ConfigEntryState.LOADED:
        connection.send_error(
            msg["id"],
            ERR_NOT_FOUND,
            "This Pi is not set up in Home Assistant; choose another one in the card's settings",
        )
        return
    subscription = PiSubscription(
        hass, entry, is_admin=connection.user.is_admin, send=_sender(connection, msg["id"])
    )
    connection.subscriptions[msg["id"]] = subscription.async_stop
    connection.send_result(msg["id"])
    subscription.async_start()


@websocket_command({vol.Required("type"): f"{DOMAIN}/subscribe_fleet"})
@callback
def websocket_subscribe_fleet(hass: HomeAssistant, connection: ActiveConnection, msg: Json) -> None:
    """Follow every Pi at once, one summary each."""
    subscription = FleetSubscription(hass, send=_sender(connection, msg["id"]))
    connection.subscriptions[msg["id"]] = subscription.async_stop
    connection.send_result(msg["id"])
    subscription.async_start()


def _sender(connection: ActiveConnection, msg_id: int) -> Send:
    @callback
    def send(payload: Json) -> None:
        connection.send_message(event_message(msg_id, payload))

    return send


# -- Listening to one entry ----------------------------------------------------------


class EntryWatch:
    """Calls `changed` whenever anything a card shows of one entry may have changed.

    Attached to the coordinators of the entry while it is loaded; a reload gives
    new coordinators, so the watch lets go of the old ones and takes the new.
    """

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, changed: CALLBACK_TYPE) -> None:
        """Watch `entry`; nothing is attached before `async_attach`."""
        self.hass = hass
        self.entry = entry
        self._changed = changed
        self._unsubs: list[CALLBACK_TYPE] = []

    @callback
    def async_attach(self) -> None:
        """Listen to the entry's coordinators and recovery issues, if it is loaded."""
        self.async_detach()
        if self.entry.state is not ConfigEntryState.LOADED:
            return
        data = _runtime(self.entry)
        for coordinator in (data.provisioning, data.health, data.door, data.allowlist):
            self._unsubs.append(coordinator.async_add_listener(self._changed))
        prefix = issue_id_for(self.entry.entry_id, "")

        @callback
        def ours(event_data: ir.EventIssueRegistryUpdatedData) -> bool:
            return event_data["domain"] == DOMAIN and event_data["issue_id"].startswith(prefix)

        @callback
        def issue_changed(_event: Event[ir.EventIssueRegistryUpdatedData]) -> None:
            self._changed()

        self._unsubs.append(
            self.hass.bus.async_listen(
                ir.EVENT_REPAIRS_ISSUE_REGISTRY_UPDATED, issue_changed, event_filter=ours
            )
        )

    @callback
    def async_detach(self) -> None:
        """Remove every listener this watch added."""
        while self._unsubs:
            self._unsubs.pop()()


class _Coalescing(ABC):
    """One flush per pass of the event loop, however many listeners fired."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.hass = hass
        self._flush_pending = False
        self._stopped = False

    @callback
    def _schedule(self) -> None:
        if self._flush_pending or self._stopped:
            return
        self._flush_pending = True
        self.hass.loop.call_soon(self._run_flush)

    @callback
    def _run_flush(self) -> None:
        self._flush_pending = False
        if not self._stopped:
            self._flush()

    @abstractmethod
    def _flush(self) -> None:
        """Send what changed since the last flush."""


class PiSubscription(_Coalescing):
    """One card following one Pi; owns its listeners and what it last sent."""

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry, *, is_admin: bool, send: Send
    ) -> None:
        """Follow `entry` for a user who is, or is not, an administrator."""
        super().__init__(hass)
        self.entry = entry
        self.is_admin = is_admin
        self._send = send
        self._watch = EntryWatch(hass, entry, self._schedule)
        self._unsub_entry: CALLBACK_TYPE | None = None
        self._sent: Json = {}
        self._sent_boards: dict[str, Json] = {}

    @callback
    def async_start(self) -> None:
        """Send the snapshot, then listen."""
        self._unsub_entry = async_dispatcher_connect(
            self.hass, SIGNAL_CONFIG_ENTRY_CHANGED, self._entry_changed
        )
        self._watch.async_attach()
        snapshot = pi_snapshot(self.hass, self.entry, is_admin=self.is_admin)
        self._remember(snapshot)
        self._send({"kind": "snapshot", "pi": snapshot})

    @callback
    def async_stop(self) -> None:
        """Remove every listener: the card left the page or the socket closed."""
        self._stopped = True
        self._watch.async_detach()
        if self._unsub_entry is not None:
            self._unsub_entry()
            self._unsub_entry = None

    @callback
    def _entry_changed(self, change: ConfigEntryChange, entry: ConfigEntry) -> None:
        if entry.entry_id != self.entry.entry_id:
            return
        if change is ConfigEntryChange.REMOVED:
            self._watch.async_detach()
        else:
            # A reload: new coordinators, or none while it is not loaded.
            self._watch.async_attach()
        self._schedule()

    def _flush(self) -> None:
        current = pi_snapshot(self.hass, self.entry, is_admin=self.is_admin)
        changes: Json = {
            key: value
            for key, value in current.items()
            if key != "boards" and self._sent.get(key) != value
        }
        boards = {board["mac"]: board for board in current["boards"]}
        changed_boards = [
            board for mac, board in boards.items() if self._sent_boards.get(mac) != board
        ]
        removed = [mac for mac in self._sent_boards if mac not in boards]
        if changed_boards:
            changes["boards"] = changed_boards
        if removed:
            changes["removed_boards"] = removed
        self._remember(current)
        if changes:
            self._send({"kind": "changes", **changes})

    def _remember(self, snapshot: Json) -> None:
        self._sent = snapshot
        self._sent_boards = {board["mac"]: board for board in snapshot["boards"]}


class FleetSubscription(_Coalescing):
    """One card following every Pi; sends a whole summary for each Pi that changed."""

    def __init__(self, hass: HomeAssistant, *, send: Send) -> None:
        """Follow every entry of the integration, as they come and go."""
        super().__init__(hass)
        self._send = send
        self._watches: dict[str, EntryWatch] = {}
        self._unsub_entries: CALLBACK_TYPE | None = None
        self._sent: dict[str, Json] = {}

    @callback
    def async_start(self) -> None:
        """Send one summary per Pi, then listen."""
        self._unsub_entries = async_dispatcher_connect(
            self.hass, SIGNAL_CONFIG_ENTRY_CHANGED, self._entry_changed
        )
        for entry in self.hass.config_entries.async_entries(DOMAIN):
            self._watch(entry)
        self._sent = self._summaries()
        self._send({"kind": "snapshot", "pis": list(self._sent.values())})

    @callback
    def async_stop(self) -> None:
        """Remove every listener of every Pi."""
        self._stopped = True
        for watch in self._watches.values():
            watch.async_detach()
        self._watches.clear()
        if self._unsub_entries is not None:
            self._unsub_entries()
            self._unsub_entries = None

    @callback
    def _watch(self, entry: ConfigEntry) -> None:
        watch = self._watches.get(entry.entry_id)
        if watch is None:
            watch = self._watches[entry.entry_id] = EntryWatch(self.hass, entry, self._schedule)
        watch.async_attach()

    @callback
    def _entry_changed(self, change: ConfigEntryChange, entry: ConfigEntry) -> None:
        if entry.domain != DOMAIN:
            return
        if change is ConfigEntryChange.REMOVED:
            if (watch := self._watches.pop(entry.entry_id, None)) is not None:
                watch.async_detach()
        else:
            self._watch(entry)
        self._schedule()

    def _summaries(self) -> dict[str, Json]:
        return {
            entry_id: fleet_summary(self.hass, watch.entry)
            for entry_id, watch in self._watches.items()
        }

    def _flush(self) -> None:
        current = self._summaries()
        changed = [
            summary for entry_id, summary in current.items() if self._sent.get(entry_id) != summary
        ]
        removed = [entry_id for entry_id in self._sent if entry_id not in current]
        self._sent = current
        if changed or removed:
            self._send({"kind": "changes", "pis": changed, "removed": removed})


# -- What the cards see ----------------------------------------------------------------


def _runtime(entry: ConfigEntry) -> PiOrchestratorData:
    """The runtime data of a loaded entry of ours."""
    ours: PiOrchestratorConfigEntry = entry
    return ours.runtime_data


def _loaded(entry: ConfigEntry) -> bool:
    return entry.state is ConfigEntryState.LOADED


def pi_snapshot(hass: HomeAssistant, entry: ConfigEntry, *, is_admin: bool) -> Json:
    """Everything the session card shows of one Pi, as JSON."""
    snapshot: Json = {
        "entry_id": entry.entry_id,
        "title": entry.title,
        "is_admin": is_admin,
        "streams": _streams(entry),
        "health": _health(entry),
        "door": _door(entry),
        "session": None,
        "boards": [],
        "allowlist_counts": {"total": 0, "used": 0, "available": 0},
        "recoverable": _recoverable(hass, entry),
    }
    if is_admin:
        snapshot["allowlist"] = []
    if not _loaded(entry):
        return snapshot
    data = _runtime(entry)
    state = data.provisioning.data
    snapshot["session"] = _session(state)
    allowlist = data.allowlist.data
    entries = allowlist.entries
    snapshot["boards"] = [
        _board(hass, entry.entry_id, entries, state.boards[mac])
        for mac in sorted(state.session_boards)
        if mac in state.boards
    ]
    snapshot["allowlist_counts"] = {
        "total": allowlist.total,
        "used": allowlist.used,
        "available": allowlist.available,
    }
    if is_admin:
        snapshot["allowlist"] = [_allowlist_entry(entries[mac]) for mac in sorted(entries)]
    return snapshot


def fleet_summary(hass: HomeAssistant, entry: ConfigEntry) -> Json:
    """One row of the fleet card."""
    summary: Json = {
        "entry_id": entry.entry_id,
        "title": entry.title,
        "streams": _streams(entry),
        "health": _health(entry),
        "door": _door(entry),
        "session": None,
        "failed_boards": [],
        "board_count": 0,
    }
    if not _loaded(entry):
        return summary
    data = _runtime(entry)
    state = data.provisioning.data
    entries = data.allowlist.data.entries
    summary["session"] = _session(state)
    summary["board_count"] = len(state.session_boards)
    summary["failed_boards"] = [
        {"mac": board["mac"], "name": board["name"], "error": board["error"]}
        for board in (
            _board(hass, entry.entry_id, entries, state.boards[mac])
            for mac in sorted(state.session_boards)
            if mac in state.boards
        )
        if board["state"] == "failed"
    ]
    return summary


def _streams(entry: ConfigEntry) -> Json:
    if not _loaded(entry):
        return dict(NO_STREAMS)
    data = _runtime(entry)
    return {
        "events": _shown(data.provisioning.stream_status),
        "monitor": _shown(data.health.stream_status),
    }


def _shown(status: StreamStatus) -> str:
    """A stream's status as the cards name it: the entities' words, `offline` for down."""
    return OFFLINE if status is StreamStatus.DISCONNECTED else status.value


def _health(entry: ConfigEntry) -> Json:
    if not _loaded(entry):
        return dict(NO_HEALTH)
    health = _runtime(entry).health.data
    return {
        "cpu_percent": health.cpu_percent,
        "memory_percent": health.memory_percent,
        "temperature": health.temperature_c,
        "disk_percent": health.disk_percent,
    }


def _door(entry: ConfigEntry) -> Json:
    if not _loaded(entry):
        return dict(NO_DOOR)
    door = _runtime(entry).door.data
    return {"door": door.state.value, "lock": door.lock_state.value}


def _session(state: ProvisioningState) -> Json | None:
    """The current session, its counts tallied from the boards Home Assistant shows.

    The Pi's own counters move only with session events, so between two of them
    they lag behind the boards; the sensors and the session card count the boards,
    and the fleet row must agree with them.
    """
    session = state.session
    if session is None:
        return None
    counts = state.counts
    return {
        "id": session.id,
        "state": session.state.value,
        "target_ssid": session.target_ssid,
        "created_at": _iso(session.created_at),
        "expires_at": _iso(session.expires_at),
        "device_count": state.session_board_count,
        "provisioned_count": sum(
            count for board_state, count in counts.items() if board_state.holds_credentials
        ),
        "verified_count": counts[BoardState.VERIFIED],
        "failed_count": counts[BoardState.FAILED],
    }


def _board(
    hass: HomeAssistant, entry_id: str, entries: dict[str, AllowlistEntry], board: Board
) -> Json:
    device = get_device(hass, (DOMAIN, board.mac), entry_id)
    approved = entries.get(board.mac)
    name = (
        (device.name_by_user if device is not None else None)
        or (approved.description if approved is not None else None)
        or board_fallback_name(board.mac)
    )
    return {
        "mac": board.mac,
        "name": name,
        "state": board.state.value,
        "rssi": board.rssi,
        "ip": board.ip,
        "retry_count": board.retry_count,
        "error": board.error_message,
        "in_allowlist": board.in_allowlist or approved is not None,
    }


def _allowlist_entry(entry: AllowlistEntry) -> Json:
    return {
        "mac": entry.mac,
        "description": entry.description,
        "container_id": entry.container_id,
        "used": entry.used,
        "added_at": _iso(entry.added_at),
        "used_at": _iso(entry.used_at),
    }


def _recoverable(hass: HomeAssistant, entry: ConfigEntry) -> list[Json]:
    """The interrupted sessions the Pi offers, as their repair issues record them.

    The recovery watcher already asks the Pi whenever that can change and keeps
    one issue per session; reading the issues costs no request.
    """
    prefix = issue_id_for(entry.entry_id, "")
    found: list[Json] = []
    for (domain, issue_id), issue in sorted(ir.async_get(hass).issues.items()):
        if domain != DOMAIN or not issue_id.startswith(prefix) or issue.data is None:
            continue
        placeholders = issue.translation_placeholders or {}
        ssid = placeholders.get("ssid")
        count = placeholders.get(ATTR_DEVICE_COUNT, "0")
        found.append(
            {
                "id": issue.data.get(ATTR_SESSION_ID),
                "target_ssid": None if ssid in (None, "?") else ssid,
                # The issue does not record the session's state; the Pi lists
                # only sessions interrupted while open.
                "state": "interrupted",
                "device_count": int(count) if count.isdigit() else 0,
            }
        )
    return found


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
