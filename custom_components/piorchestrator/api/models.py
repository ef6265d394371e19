"""Typed models of what PiOrchestrator sends (API.md §4, §5).

Parsing is liberal: unknown fields are ignored and unknown enum values map to
`UNKNOWN`, so a newer Pi does not break an older client. A missing required field
is an error naming that field.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from .mac import normalize_mac


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


def _canonical_mac(value: Any) -> Any:
    return normalize_mac(value) if isinstance(value, str) else value


Mac = Annotated[str, BeforeValidator(_canonical_mac)]
"""A MAC address, normalised to `AA:BB:CC:DD:EE:FF` while parsing."""


class ApiModel(BaseModel):
    """Base of every model parsed from the Pi."""

    model_config = ConfigDict(extra="ignore", frozen=True)


class SessionConfig(ApiModel):
    """Timeouts a session was started with, in seconds."""

    discovery_timeout_seconds: int = 60
    provisioning_timeout_seconds: int = 120
    verification_timeout_seconds: int = 90


class Session(ApiModel):
    """A batch provisioning session."""

    id: str
    state: SessionState
    target_ssid: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    expires_at: datetime | None = None
    device_count: int = 0
    provisioned_count: int = 0
    verified_count: int = 0
    failed_count: int = 0
    config: SessionConfig | None = None


class Board(ApiModel):
    """One ESP32-CAM camera board seen in a session (a "Candidate" in API.md)."""

    mac: Mac
    state: BoardState = BoardState.DISCOVERED
    ip: str | None = None
    rssi: int | None = None
    firmware_version: str | None = None
    discovered_at: datetime | None = None
    provisioned_at: datetime | None = None
    verified_at: datetime | None = None
    error_message: str | None = None
    retry_count: int = 0
    container_id: str | None = None
    in_allowlist: bool = False
    session_id: str | None = None


class NetworkStatus(ApiModel):
    """The temporary onboarding WiFi the boards join first."""

    ssid: str | None = None
    is_active: bool = False
    connected_devices: int = 0


class AllowlistEntry(ApiModel):
    """A board an administrator approved for provisioning."""

    mac: Mac
    description: str | None = None
    container_id: str | None = None
    added_at: datetime | None = None
    used: bool = False
    used_at: datetime | None = None


class AllowlistStats(ApiModel):
    """Counts of allowlist entries."""

    total: int = 0
    used: int = 0
    available: int = 0


class SessionResult(ApiModel):
    """Answer to starting, stopping, pausing or resuming a session."""

    session: Session
    devices: list[Board] = Field(default_factory=list)
    message: str | None = None


class SessionSnapshot(ApiModel):
    """A session with its boards, as `GET /provisioning/batch/:id` returns it."""

    session: Session
    devices: list[Board] = Field(default_factory=list)
    timeout_remaining: str | None = None
    network_status: NetworkStatus | None = None


class ProvisionAllResult(ApiModel):
    """How many boards a provision-all request started and skipped."""

    initiated_count: int = 0
    skipped_count: int = 0
    message: str | None = None


class BoardActionResult(ApiModel):
    """Answer to provisioning, retrying or skipping one board."""

    mac: Mac
    state: BoardState = BoardState.UNKNOWN
    message: str | None = None


class AllowlistEntryResult(ApiModel):
    """Answer to adding or updating an allowlist entry."""

    entry: AllowlistEntry
    message: str | None = None


class BulkAddResult(ApiModel):
    """Answer to adding allowlist entries in bulk."""

    added: int = 0
    skipped: int = 0
    message: str | None = None


class BulkRemoveResult(ApiModel):
    """Answer to removing allowlist entries in bulk."""

    removed: int = 0
    not_found: int = 0
    message: str | None = None


class ClearResult(ApiModel):
    """Answer to clearing the allowlist."""

    cleared: int = 0
    message: str | None = None


class CpuInfo(ApiModel):
    """CPU figures of `GET /system/info`."""

    usage_percent: float | None = None
    core_count: int | None = None
    per_core: list[float] = Field(default_factory=list)


class MemoryInfo(ApiModel):
    """Memory figures of `GET /system/info`."""

    used_mb: float | None = None
    total_mb: float | None = None
    used_percent: float | None = None
    available_mb: float | None = None


class DiskInfo(ApiModel):
    """Disk figures of `GET /system/info`."""

    used_gb: float | None = None
    total_gb: float | None = None
    used_percent: float | None = None
    path: str | None = None


class LoadAverage(ApiModel):
    """Load averages of `GET /system/info`."""

    load_1: float | None = None
    load_5: float | None = None
    load_15: float | None = None


class SystemInfo(ApiModel):
    """The Pi's health as `GET /system/info` reports it."""

    timestamp: datetime | None = None
    cpu: CpuInfo = Field(default_factory=CpuInfo)
    memory: MemoryInfo = Field(default_factory=MemoryInfo)
    disk: DiskInfo = Field(default_factory=DiskInfo)
    temperature_celsius: float | None = None
    uptime: int | None = Field(default=None, description="nanoseconds")
    load_average: LoadAverage = Field(default_factory=LoadAverage)
    overall_status: str | None = None


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
    error: str | None = None


class DoorCommandResult(ApiModel):
    """Answer to opening or closing the door."""

    success: bool = True
    state: str | None = None
    error: str | None = None
    correlation_id: str | None = None


class DoorHistoryEntry(ApiModel):
    """One command the door relay received."""

    id: str | int | None = None
    timestamp: datetime | None = None
    command: str
    result: str | None = None
    testing_mode: bool = False
