"""The simulated Pi's data: sessions and their boards, allowlist, board hardware, the door.

`to_api()` gives the wire shape of API.md §5; `to_json()`/`from_json()` give the persisted
shape, which also keeps the bookkeeping the API never shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

SESSION_STATES: Final = ("discovering", "active", "paused", "closing", "closed")
BOARD_STATES: Final = (
    "discovered",
    "provisioning",
    "provisioned",
    "verifying",
    "verified",
    "failed",
)
IN_FLIGHT: Final = frozenset({"provisioning", "provisioned", "verifying"})
# A board counts as provisioned once it holds the credentials, whatever came after.
CREDENTIALED: Final = frozenset({"provisioned", "verifying", "verified"})
ONBOARDING_SSID: Final = "DelicasaOnboard"
STATE_FORMAT: Final = 1


def _from_json[T: DataclassInstance](cls: type[T], data: Mapping[str, Any]) -> T:
    # Unknown keys are ignored so an older simulator can read a newer file.
    names = {f.name for f in fields(cls)}
    return cls(**{key: value for key, value in data.items() if key in names})


def _to_json(instance: DataclassInstance) -> dict[str, Any]:
    # Shallow: nested dataclasses and collections are converted by their owner.
    return {f.name: getattr(instance, f.name) for f in fields(instance)}


def _omit_none(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value is not None}


@dataclass(slots=True)
class SessionConfig:
    """Per-session timeouts, in seconds (API.md §4 defaults)."""

    discovery_timeout_seconds: int = 60
    provisioning_timeout_seconds: int = 120
    verification_timeout_seconds: int = 90

    def to_api(self) -> dict[str, Any]:
        """Return the wire shape."""
        return {
            "discovery_timeout_seconds": self.discovery_timeout_seconds,
            "provisioning_timeout_seconds": self.provisioning_timeout_seconds,
            "verification_timeout_seconds": self.verification_timeout_seconds,
        }


@dataclass(slots=True)
class Board:
    """One ESP32-CAM board seen in a session."""

    mac: str
    ip: str
    state: str
    rssi: int
    firmware_version: str
    discovered_at: str
    session_id: str
    provisioned_at: str | None = None
    verified_at: str | None = None
    error_message: str | None = None
    retry_count: int = 0
    container_id: str | None = None
    in_allowlist: bool = False
    # Set by the skip action: provision-all passes over the board.
    skipped: bool = False

    def to_api(self) -> dict[str, Any]:
        """Return the wire shape; optional fields are omitted when unset, as Go's omitempty."""
        return _omit_none(
            {
                "mac": self.mac,
                "ip": self.ip,
                "state": self.state,
                "rssi": self.rssi,
                "firmware_version": self.firmware_version,
                "discovered_at": self.discovered_at,
                "provisioned_at": self.provisioned_at,
                "verified_at": self.verified_at,
                "error_message": self.error_message,
                "retry_count": self.retry_count,
                "container_id": self.container_id,
                "in_allowlist": self.in_allowlist,
                "session_id": self.session_id,
            }
        )

    def to_json(self) -> dict[str, Any]:
        """Return the persisted shape."""
        return _to_json(self)


@dataclass(slots=True)
class Session:
    """A batch provisioning session; devices are kept in discovery order."""

    id: str
    state: str
    target_ssid: str
    created_at: str
    updated_at: str
    expires_at: str | None = None
    config: SessionConfig = field(default_factory=SessionConfig)
    device_count: int = 0
    provisioned_count: int = 0
    verified_count: int = 0
    failed_count: int = 0
    devices: dict[str, Board] = field(default_factory=dict)
    # Bookkeeping never sent over the wire.
    state_before_pause: str | None = None
    interrupted_state: str | None = None
    recoverable: bool = False
    close_reason: str | None = None
    warned: bool = False

    @property
    def is_open(self) -> bool:
        """Tell whether the session has not been closed."""
        return self.state != "closed"

    def recount(self) -> None:
        """Derive the counters from the boards, so they can never drift."""
        states = [board.state for board in self.devices.values()]
        self.device_count = len(states)
        self.provisioned_count = sum(state in CREDENTIALED for state in states)
        self.verified_count = states.count("verified")
        self.failed_count = states.count("failed")

    def to_api(self) -> dict[str, Any]:
        """Return the wire shape."""
        return _omit_none(
            {
                "id": self.id,
                "state": self.state,
                "target_ssid": self.target_ssid,
                "created_at": self.created_at,
                "updated_at": self.updated_at,
                "expires_at": self.expires_at,
                "device_count": self.device_count,
                "provisioned_count": self.provisioned_count,
                "verified_count": self.verified_count,
                "failed_count": self.failed_count,
                "config": self.config.to_api(),
            }
        )

    def to_json(self) -> dict[str, Any]:
        """Return the persisted shape."""
        data = _to_json(self)
        data["config"] = self.config.to_api()
        data["devices"] = [board.to_json() for board in self.devices.values()]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Session:
        """Rebuild from the persisted shape."""
        plain = dict(data)
        config = _from_json(SessionConfig, plain.pop("config", None) or {})
        devices = [_from_json(Board, item) for item in plain.pop("devices", [])]
        session = _from_json(cls, plain)
        session.config = config
        session.devices = {board.mac: board for board in devices}
        return session


@dataclass(slots=True)
class AllowlistEntry:
    """A pre-approved board."""

    mac: str
    added_at: str
    description: str | None = None
    container_id: str | None = None
    used: bool = False
    used_at: str | None = None

    def to_api(self) -> dict[str, Any]:
        """Return the wire shape."""
        return _omit_none(
            {
                "mac": self.mac,
                "description": self.description,
                "container_id": self.container_id,
                "added_at": self.added_at,
                "used": self.used,
                "used_at": self.used_at,
            }
        )

    def to_json(self) -> dict[str, Any]:
        """Return the persisted shape."""
        return _to_json(self)


@dataclass(slots=True)
class BoardHardware:
    """Simulated hardware: one ESP32-CAM, on the onboarding network until verified."""

    mac: str
    ip: str
    rssi: int
    firmware_version: str
    fail_once: bool = False
    attempts: int = 0
    on_onboarding: bool = True

    def to_json(self) -> dict[str, Any]:
        """Return the persisted shape."""
        return _to_json(self)


@dataclass(slots=True)
class DoorHistoryEntry:
    """One door command."""

    id: int
    timestamp: str
    command: str
    result: str
    testing_mode: bool

    def to_api(self) -> dict[str, Any]:
        """Return the wire shape."""
        return _to_json(self)


@dataclass(slots=True)
class Door:
    """The cabinet door relay and contact."""

    id: str = "cabinet-door"
    state: str = "closed"
    lock_state: str = "locked"
    relay_pin: int = 17
    last_command: str | None = None
    last_command_time: str | None = None
    error: str | None = None
    history: list[DoorHistoryEntry] = field(default_factory=list)
    next_history_id: int = 1

    def to_json(self) -> dict[str, Any]:
        """Return the persisted shape."""
        data = _to_json(self)
        data["history"] = [entry.to_api() for entry in self.history]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Door:
        """Rebuild from the persisted shape."""
        plain = dict(data)
        history = [_from_json(DoorHistoryEntry, item) for item in plain.pop("history", [])]
        door = _from_json(cls, plain)
        door.history = history
        return door


@dataclass(slots=True)
class SimState:
    """Everything that survives a restart when a state file is configured."""

    sessions: dict[str, Session] = field(default_factory=dict)
    allowlist: dict[str, AllowlistEntry] = field(default_factory=dict)
    boards: dict[str, BoardHardware] = field(default_factory=dict)
    door: Door = field(default_factory=Door)
    event_seq: int = 0

    def current_session(self) -> Session | None:
        """Return the one open session that is running (not awaiting recovery)."""
        for session in self.sessions.values():
            if session.is_open and not session.recoverable:
                return session
        return None

    def replace_with(self, other: SimState) -> None:
        """Adopt another state's content in place, so references held elsewhere stay valid."""
        self.sessions = other.sessions
        self.allowlist = other.allowlist
        self.boards = other.boards
        self.door = other.door
        self.event_seq = max(self.event_seq, other.event_seq)

    def to_json(self) -> dict[str, Any]:
        """Return the persisted shape."""
        return {
            "format": STATE_FORMAT,
            "event_seq": self.event_seq,
            "sessions": [session.to_json() for session in self.sessions.values()],
            "allowlist": [entry.to_json() for entry in self.allowlist.values()],
            "boards": [board.to_json() for board in self.boards.values()],
            "door": self.door.to_json(),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SimState:
        """Rebuild from the persisted shape."""
        sessions = [Session.from_json(item) for item in data.get("sessions", [])]
        entries = [_from_json(AllowlistEntry, item) for item in data.get("allowlist", [])]
        boards = [_from_json(BoardHardware, item) for item in data.get("boards", [])]
        return cls(
            sessions={session.id: session for session in sessions},
            allowlist={entry.mac: entry for entry in entries},
            boards={board.mac: board for board in boards},
            door=Door.from_json(data.get("door") or {}),
            event_seq=int(data.get("event_seq", 0)),
        )
