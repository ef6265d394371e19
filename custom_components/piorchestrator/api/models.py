"""Typed models of what PiOrchestrator sends (API.md §4, §5).

Parsing is liberal: unknown fields are ignored and unknown enum values map to
`UNKNOWN`, so a newer Pi does not break an older client. A missing required field
is an error naming that field.

Numbers have ranges and text is cleaned here, once, so nothing downstream meets a
400-digit RSSI or a name holding a bidi override: a number out of its range reads
as None (a count the model requires reads as 0, not reported), and names and
messages pass `clean_text`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
import re
from typing import Annotated, Any, Final, Self, TypeGuard

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticUseDefault

from .mac import normalize_mac
from .numbers import (
    CELSIUS_RANGE,
    COUNT_RANGE,
    NANOSECONDS_RANGE,
    PERCENT_RANGE,
    RSSI_RANGE,
    in_range,
    is_numeric,
)
from .text import clean_message, clean_text


class _LiberalEnum(StrEnum):
    """A string enum that maps values it does not know to `UNKNOWN`."""

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        if isinstance(value, str):
            lowered = value.lower()
            for member in cls:
                if member.value == lowered:
                    return member
        return cls("unknown")


class SessionState(_LiberalEnum):
    """Lifecycle of a batch provisioning session."""

    DISCOVERING = "discovering"
    ACTIVE = "active"
    PAUSED = "paused"
    CLOSING = "closing"
    CLOSED = "closed"
    UNKNOWN = "unknown"

    @property
    def is_open(self) -> bool:
        """Whether the session can still make progress."""
        return self in (SessionState.DISCOVERING, SessionState.ACTIVE, SessionState.PAUSED)


class BoardState(_LiberalEnum):
    """Where a camera board stands in the provisioning state machine."""

    DISCOVERED = "discovered"
    PROVISIONING = "provisioning"
    PROVISIONED = "provisioned"
    VERIFYING = "verifying"
    VERIFIED = "verified"
    FAILED = "failed"
    UNKNOWN = "unknown"

    @property
    def holds_credentials(self) -> bool:
        """Whether the board has been given the WiFi credentials (what the Pi counts as provisioned)."""
        return self in (BoardState.PROVISIONED, BoardState.VERIFYING, BoardState.VERIFIED)


class DoorState(_LiberalEnum):
    """Contact state of the cabinet door."""

    OPEN = "open"
    CLOSED = "closed"
    UNKNOWN = "unknown"


class LockState(_LiberalEnum):
    """State of the cabinet door's lock relay."""

    LOCKED = "locked"
    UNLOCKED = "unlocked"
    UNKNOWN = "unknown"


class SessionAction(StrEnum):
    """What can be asked of a running session; the value is its path segment (API.md §4)."""

    STOP = "stop"
    PAUSE = "pause"
    RESUME = "resume"


class BoardAction(StrEnum):
    """What can be asked of one board in a session; the value is its path segment (API.md §4)."""

    PROVISION = "provision"
    RETRY = "retry"
    SKIP = "skip"

    @property
    def sends_credentials(self) -> bool:
        """Whether the Pi hands the board the target WiFi credentials; skipping hands out none."""
        return self is not BoardAction.SKIP


def _canonical_mac(value: Any) -> Any:
    return normalize_mac(value) if isinstance(value, str) else value


Mac = Annotated[str, BeforeValidator(_canonical_mac)]
"""A MAC address, normalised to `AA:BB:CC:DD:EE:FF` while parsing."""


def _bounded(bounds: tuple[float, float], field: str, *, integer: bool = False) -> BeforeValidator:
    def validate(value: Any) -> Any:
        if not is_numeric(value) and not isinstance(value, bool):
            return value  # not a number at all: the model's type refuses it, as before
        number = in_range(value, bounds, field)
        if number is None or not integer:
            return number
        return round(number)

    return BeforeValidator(validate)


def _required_count(value: Any) -> Any:
    if not is_numeric(value) and not isinstance(value, bool):
        return value
    number = in_range(value, COUNT_RANGE, "count")
    if number is None:
        raise PydanticUseDefault
    return round(number)


Rssi = Annotated[int | None, _bounded(RSSI_RANGE, "rssi", integer=True)]
"""Signal strength in dBm, -127 to 0."""
Percent = Annotated[float | None, _bounded(PERCENT_RANGE, "percentage")]
"""0 to 100."""
Celsius = Annotated[float | None, _bounded(CELSIUS_RANGE, "temperature")]
"""-60 to 150 °C."""
OptionalCount = Annotated[int | None, _bounded(COUNT_RANGE, "count", integer=True)]
"""0 to a million."""
Count = Annotated[int, BeforeValidator(_required_count)]
"""0 to a million; anything else reads as the field's default (not reported)."""
Magnitude = Annotated[float | None, _bounded((0.0, 1e12), "size")]
"""A size or a load: never negative, never astronomical."""
Nanoseconds = Annotated[int | None, _bounded(NANOSECONDS_RANGE, "uptime", integer=True)]
SESSION_ID_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""What a session ID may be (the Pi's are `sess_` and hex): nothing that can
become `.` or `..` or any other path segment once put into a URL, an issue ID or
a log line."""


def is_session_id(value: object) -> TypeGuard[str]:
    """Whether `value` is a session ID this integration will use."""
    return isinstance(value, str) and SESSION_ID_PATTERN.fullmatch(value) is not None


def _session_id(value: Any) -> Any:
    if value is None or is_session_id(value):
        return value
    raise ValueError("not a session ID")  # the whole session is unreadable without one


def _optional_session_id(value: Any) -> Any:
    if value is None or is_session_id(value):
        return value
    raise PydanticUseDefault  # a board's link to its session is only a hint


SessionId = Annotated[str, BeforeValidator(_session_id)]
"""A session's own ID; one outside `SESSION_ID_PATTERN` makes the session unreadable."""
OptionalSessionId = Annotated[str | None, BeforeValidator(_optional_session_id)]
"""A reference to a session; one outside `SESSION_ID_PATTERN` reads as None."""
Name = Annotated[str | None, BeforeValidator(clean_text)]
"""A name, description or SSID: cleaned, one line, at most 64 characters."""
Message = Annotated[str | None, BeforeValidator(clean_message)]
"""An error message: cleaned, one line, at most 200 characters."""


class ApiModel(BaseModel):
    """Base of every model parsed from the Pi."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class SessionConfig(ApiModel):
    """Timeouts a session was started with, in seconds."""

    discovery_timeout_seconds: Count = 60
    provisioning_timeout_seconds: Count = 120
    verification_timeout_seconds: Count = 90


class Session(ApiModel):
    """A batch provisioning session."""

    id: SessionId
    state: SessionState
    target_ssid: Name = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    expires_at: datetime | None = None
    device_count: Count = 0
    provisioned_count: Count = 0
    verified_count: Count = 0
    failed_count: Count = 0
    config: SessionConfig | None = None


class Board(ApiModel):
    """One ESP32-CAM camera board seen in a session (a "Candidate" in API.md)."""

    mac: Mac
    state: BoardState = BoardState.DISCOVERED
    ip: Name = None
    rssi: Rssi = None
    firmware_version: Name = None
    discovered_at: datetime | None = None
    provisioned_at: datetime | None = None
    verified_at: datetime | None = None
    error_message: Message = None
    retry_count: Count = 0
    container_id: Name = None
    in_allowlist: bool = False
    session_id: OptionalSessionId = None


class NetworkStatus(ApiModel):
    """The temporary onboarding WiFi the boards join first."""

    ssid: Name = None
    is_active: bool = False
    connected_devices: Count = 0


class AllowlistEntry(ApiModel):
    """A board an administrator approved for provisioning."""

    mac: Mac
    description: Name = None
    container_id: Name = None
    added_at: datetime | None = None
    used: bool = False
    used_at: datetime | None = None


class AllowlistStats(ApiModel):
    """Counts of allowlist entries."""

    total: Count = 0
    used: Count = 0
    available: Count = 0


class SessionResult(ApiModel):
    """Answer to starting, stopping, pausing or resuming a session."""

    session: Session
    devices: list[Board] = Field(default_factory=list)
    message: Message = None


class SessionSnapshot(ApiModel):
    """A session with its boards, as `GET /provisioning/batch/:id` returns it."""

    session: Session
    devices: list[Board] = Field(default_factory=list)
    timeout_remaining: str | None = None
    network_status: NetworkStatus | None = None


class ProvisionAllResult(ApiModel):
    """How many boards a provision-all request started and skipped."""

    initiated_count: Count = 0
    skipped_count: Count = 0
    message: Message = None


class BoardActionResult(ApiModel):
    """Answer to provisioning, retrying or skipping one board."""

    mac: Mac
    state: BoardState = BoardState.UNKNOWN
    message: Message = None


class AllowlistEntryResult(ApiModel):
    """Answer to adding or updating an allowlist entry."""

    entry: AllowlistEntry
    message: Message = None


class BulkAddResult(ApiModel):
    """Answer to adding allowlist entries in bulk."""

    added: Count = 0
    skipped: Count = 0
    message: Message = None


class BulkRemoveResult(ApiModel):
    """Answer to removing allowlist entries in bulk."""

    removed: Count = 0
    not_found: Count = 0
    message: Message = None


class ClearResult(ApiModel):
    """Answer to clearing the allowlist."""

    cleared: Count = 0
    message: Message = None


class CpuInfo(ApiModel):
    """CPU figures of `GET /system/info`."""

    usage_percent: Percent = None
    core_count: OptionalCount = None
    per_core: list[Percent] = Field(default_factory=list)


class MemoryInfo(ApiModel):
    """Memory figures of `GET /system/info`."""

    used_mb: Magnitude = None
    total_mb: Magnitude = None
    used_percent: Percent = None
    available_mb: Magnitude = None


class DiskInfo(ApiModel):
    """Disk figures of `GET /system/info`."""

    used_gb: Magnitude = None
    total_gb: Magnitude = None
    used_percent: Percent = None
    path: Name = None


class LoadAverage(ApiModel):
    """Load averages of `GET /system/info`."""

    load_1: Magnitude = None
    load_5: Magnitude = None
    load_15: Magnitude = None


class SystemInfo(ApiModel):
    """The Pi's health as `GET /system/info` reports it."""

    timestamp: datetime | None = None
    cpu: CpuInfo = Field(default_factory=CpuInfo)
    memory: MemoryInfo = Field(default_factory=MemoryInfo)
    disk: DiskInfo = Field(default_factory=DiskInfo)
    temperature_celsius: Celsius = None
    uptime: Nanoseconds = Field(default=None, description="nanoseconds")
    load_average: LoadAverage = Field(default_factory=LoadAverage)
    overall_status: Name = None


class DoorStatus(ApiModel):
    """The cabinet door as the Pi sees it."""

    id: str | None = None
    state: DoorState = DoorState.UNKNOWN
    lock_state: LockState = LockState.UNKNOWN
    relay_pin: int | None = None
    hardware_available: bool | None = None
    dev_mode: bool | None = None
    last_command: str | None = None
    last_command_time: datetime | None = None
    error: Message = None


class DoorCommandResult(ApiModel):
    """Answer to opening or closing the door."""

    success: bool = True
    state: str | None = None
    error: Message = None
    correlation_id: str | None = None


class DoorHistoryEntry(ApiModel):
    """One command the door relay received."""

    id: str | int | None = None
    timestamp: datetime | None = None
    command: str
    result: str | None = None
    testing_mode: bool = False
