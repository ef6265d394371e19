"""The Pi's health in one shape, from the monitor WebSocket or from REST.

The two sources name and format the same figures differently (API.md §4 and §7):
REST sends uptime in nanoseconds and load as numbers; the WebSocket sends uptime
as text and load as one string. `Health` is what both become. A figure that is
missing or not what it should be becomes None: a sensor shows "unknown" rather
than the integration failing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
import math
import re
from typing import Any, Final

from .models import SystemInfo
from .numbers import CELSIUS_RANGE, COUNT_RANGE, PERCENT_RANGE, finite_number, in_range

THREAT_LEVELS: Final = ("LOW", "MEDIUM", "HIGH")
"""The threat levels API.md §7 names; any other reads as unknown."""
LATENCY_RANGE_MS: Final = (0.0, 600_000.0)
"""Ten minutes: a round trip longer than that is no measurement."""


class HealthSource(StrEnum):
    """Where a health reading came from."""

    WEBSOCKET = "websocket"
    REST = "rest"


@dataclass(frozen=True, slots=True)
class Health:
    """One reading of the Pi's health; None means not reported."""

    source: HealthSource
    cpu_percent: float | None = None
    memory_percent: float | None = None
    disk_percent: float | None = None
    temperature_c: float | None = None
    uptime_seconds: float | None = None
    load_1: float | None = None
    load_5: float | None = None
    load_15: float | None = None
    mqtt_connected: bool | None = None
    database_connected: bool | None = None
    api_responding: bool | None = None
    threat_level: str | None = None
    """One of `THREAT_LEVELS`."""
    # Only the monitor WebSocket reports these (API.md §7); `/system/info` has none.
    certificate_expiry: datetime | None = None
    failed_ssh_attempts: int | None = None
    alerts_count: int | None = None
    active_connections: int | None = None
    packet_loss_percent: float | None = None
    latency_ms: float | None = None


def health_from_system_info(info: SystemInfo) -> Health:
    """Read health from `GET /system/info`."""
    return Health(
        source=HealthSource.REST,
        cpu_percent=_number(info.cpu.usage_percent),
        memory_percent=_number(info.memory.used_percent),
        disk_percent=_number(info.disk.used_percent),
        temperature_c=_number(info.temperature_celsius),
        uptime_seconds=info.uptime / 1e9 if info.uptime is not None and info.uptime >= 0 else None,
        load_1=_number(info.load_average.load_1),
        load_5=_number(info.load_average.load_5),
        load_15=_number(info.load_average.load_15),
    )


def health_from_monitoring(data: Mapping[str, Any]) -> Health:
    """Read health from the WebSocket's MonitoringData (merged from its updates)."""
    system = _section(data, "system_health")
    services = _section(data, "service_status")
    security = _section(data, "security_metrics")
    load_1, load_5, load_15 = parse_load_average(system.get("load_average"))
    network = _section(data, "network_metrics")
    threat = security.get("threat_level")
    threat_level = threat.strip().upper() if isinstance(threat, str) else None
    return Health(
        source=HealthSource.WEBSOCKET,
        # The same ranges as the REST models: a figure out of range shows as unknown.
        cpu_percent=in_range(system.get("cpu_usage"), PERCENT_RANGE, "percentage"),
        memory_percent=in_range(system.get("memory_usage"), PERCENT_RANGE, "percentage"),
        disk_percent=in_range(system.get("disk_usage"), PERCENT_RANGE, "percentage"),
        temperature_c=in_range(system.get("temperature"), CELSIUS_RANGE, "temperature"),
        uptime_seconds=parse_uptime(system.get("uptime")),
        load_1=load_1,
        load_5=load_5,
        load_15=load_15,
        mqtt_connected=_flag(services.get("mqtt_connected")),
        database_connected=_flag(services.get("database_connected")),
        api_responding=_flag(services.get("api_responding")),
        threat_level=threat_level if threat_level in THREAT_LEVELS else None,
        certificate_expiry=parse_timestamp(security.get("certificate_expiry")),
        failed_ssh_attempts=_count(security.get("failed_ssh_attempts"), "failed SSH attempts"),
        alerts_count=_count(data.get("alerts_count"), "alert count"),
        active_connections=_count(network.get("active_connections"), "connection count"),
        packet_loss_percent=in_range(network.get("packet_loss"), PERCENT_RANGE, "packet loss"),
        latency_ms=in_range(network.get("latency"), LATENCY_RANGE_MS, "latency"),
    )


def parse_timestamp(value: Any) -> datetime | None:
    """Read an RFC 3339 time; one without a zone is taken as UTC. Anything else is None."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (ValueError, OverflowError):  # year 9999 a minute west of UTC is past year 9999
        return None


def _count(value: Any, field: str) -> int | None:
    number = in_range(value, COUNT_RANGE, field)
    return int(number) if number is not None and number.is_integer() else None


_UNIT_SECONDS: Final = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,  # Go writes the micro sign
    "μs": 1e-6,  # and sometimes the Greek mu
    "ms": 1e-3,
    "s": 1.0,
    "sec": 1.0,
    "secs": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "m": 60.0,
    "min": 60.0,
    "mins": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
    "h": 3600.0,
    "hr": 3600.0,
    "hrs": 3600.0,
    "hour": 3600.0,
    "hours": 3600.0,
    "d": 86400.0,
    "day": 86400.0,
    "days": 86400.0,
    "w": 604800.0,
    "week": 604800.0,
    "weeks": 604800.0,
}
_UPTIME_PART: Final = re.compile(
    r"""
    (?P<hours>\d+):(?P<minutes>\d{1,2})(?::(?P<seconds>\d{1,2}(?:\.\d+)?))?  # 4:05[:06]
    | (?P<number>\d+(?:\.\d*)?|\.\d+)\s*(?P<unit>[a-zµμ]+)                   # 3d, 72h, 0.5s
    """,
    re.VERBOSE,
)
_UPTIME_SEPARATOR: Final = re.compile(r"(?:[\s,]|and\b)*")


def parse_uptime(value: Any) -> float | None:
    """Read an uptime in seconds from whatever text the Pi sends.

    Accepts Go durations ("72h3m0.5s"), unit lists ("3d 4h 5m", "3 days, 4 hours"),
    `uptime`-style clocks ("3 days, 4:05:06", "4:05:06", "4:05" as hours and
    minutes) and plain numbers of seconds. Anything else gives None.
    """
    if not isinstance(value, str):
        number = finite_number(value)
        return number if number is not None and number >= 0 else None
    text = value.strip().lower().removeprefix("up ")
    if (number := finite_number(text)) is not None:
        return number if number >= 0 else None
    total = 0.0
    position = _skip_separators(text, 0)
    if position == len(text):
        return None
    while position < len(text):
        part = _UPTIME_PART.match(text, position)
        if part is None:
            return None
        if part["unit"] is not None:
            factor = _UNIT_SECONDS.get(part["unit"])
            if factor is None:
                return None
            total += float(part["number"]) * factor
        else:
            # Digits can run longer than a float holds: go through float, not int.
            total += float(part["hours"]) * 3600 + float(part["minutes"]) * 60
            total += float(part["seconds"] or 0)
        position = _skip_separators(text, part.end())
    return _nonnegative(total)


def _skip_separators(text: str, position: int) -> int:
    match = _UPTIME_SEPARATOR.match(text, position)
    return match.end() if match else position


def parse_load_average(value: Any) -> tuple[float | None, float | None, float | None]:
    """Read the 1, 5 and 15 minute load from "0.5 0.3 0.2" (or a list of numbers)."""
    parts: list[Any]
    if isinstance(value, str):
        parts = [part for part in re.split(r"[\s,]+", value.strip()) if part]
    elif isinstance(value, list | tuple):
        parts = list(value)
    else:
        parts = []
    loads = [_number(part) for part in parts[:3]]
    loads += [None] * (3 - len(loads))
    return loads[0], loads[1], loads[2]


def _section(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    section = data.get(key) if isinstance(data, Mapping) else None
    return section if isinstance(section, Mapping) else {}


def _number(value: Any) -> float | None:
    return finite_number(value)


def _nonnegative(value: float) -> float | None:
    return value if math.isfinite(value) and value >= 0 else None


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None
