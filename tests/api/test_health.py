"""Health readings from REST and from the monitor WebSocket become one shape."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from custom_components.piorchestrator.api.health import (
    Health,
    HealthSource,
    health_from_monitoring,
    health_from_system_info,
    parse_load_average,
    parse_uptime,
)
from custom_components.piorchestrator.api.models import SystemInfo

MONITORING_DATA: dict[str, Any] = {
    "timestamp": "2025-01-15T10:30:00Z",
    "system_health": {
        "cpu_usage": 23.5,
        "memory_usage": 41.2,
        "disk_usage": 67,
        "temperature": 52.3,
        "uptime": "72h3m0.5s",
        "load_average": "0.5 0.3 0.2",
    },
    "security_metrics": {
        "failed_ssh_attempts": 0,
        "last_security_check": "2025-01-15T10:00:00Z",
        "certificate_expiry": "2026-01-01T00:00:00Z",
        "mqtt_secure_connections": 2,
        "encryption_level": "TLS1.3",
        "threat_level": "low",
    },
    "service_status": {
        "mqtt_connected": True,
        "mqtt_secure": True,
        "api_responding": True,
        "database_connected": False,
        "last_health_check": "2025-01-15T10:29:55Z",
        "service_uptime": "72h",
    },
    "network_metrics": {
        "active_connections": 4,
        "bytes_received": 1,
        "bytes_sent": 2,
        "packet_loss": 0,
        "latency": 3,
    },
    "camera_status": {"cam1": {"online": True}},
    "alerts_count": 0,
    "connected_clients": 1,
}


def test_health_from_monitoring() -> None:
    assert health_from_monitoring(MONITORING_DATA) == Health(
        source=HealthSource.WEBSOCKET,
        cpu_percent=23.5,
        memory_percent=41.2,
        disk_percent=67.0,
        temperature_c=52.3,
        uptime_seconds=72 * 3600 + 180.5,
        load_1=0.5,
        load_5=0.3,
        load_15=0.2,
        mqtt_connected=True,
        database_connected=False,
        api_responding=True,
        threat_level="LOW",
        certificate_expiry=datetime(2026, 1, 1, tzinfo=UTC),
        failed_ssh_attempts=0,
        alerts_count=0,
        active_connections=4,
        packet_loss_percent=0.0,
        latency_ms=3.0,
    )


def test_monitor_only_figures_that_make_no_sense_read_as_unknown() -> None:
    odd = {
        "security_metrics": {
            "threat_level": "SEVERE",
            "certificate_expiry": "next year",
            "failed_ssh_attempts": -1,
        },
        "network_metrics": {"active_connections": 2.5, "packet_loss": 140, "latency": "fast"},
        "alerts_count": True,
    }
    assert health_from_monitoring(odd) == Health(source=HealthSource.WEBSOCKET)
    # A time with a zone is converted to UTC.
    zoned = {"security_metrics": {"certificate_expiry": "2026-03-01T12:00:00+02:00"}}
    assert health_from_monitoring(zoned).certificate_expiry == datetime(2026, 3, 1, 10, tzinfo=UTC)
    # In UTC these fall outside the years a datetime holds: unknown, not a crash.
    for edge in ("9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59"):
        edgy = {"security_metrics": {"certificate_expiry": edge}}
        assert health_from_monitoring(edgy).certificate_expiry is None


def test_health_from_empty_or_wrongly_typed_monitoring() -> None:
    assert health_from_monitoring({}) == Health(source=HealthSource.WEBSOCKET)
    odd = {
        "system_health": {
            "cpu_usage": "12.5",
            "memory_usage": True,
            "disk_usage": "full",
            "temperature": float("nan"),
            "uptime": ["1h"],
            "load_average": 3,
        },
        "service_status": {"mqtt_connected": "yes", "api_responding": 1},
        "security_metrics": {"threat_level": "  "},
    }
    assert health_from_monitoring(odd) == Health(source=HealthSource.WEBSOCKET, cpu_percent=12.5)
    assert health_from_monitoring({"system_health": "broken", "service_status": None}) == Health(
        source=HealthSource.WEBSOCKET
    )
    assert health_from_monitoring({"security_metrics": {"threat_level": 3}}).threat_level is None


def test_health_from_system_info() -> None:
    info = SystemInfo.model_validate(
        {
            "timestamp": "2025-01-15T10:30:00Z",
            "cpu": {"usage_percent": 12.5, "core_count": 4, "per_core": [10, 15]},
            "memory": {"used_mb": 400, "total_mb": 1000, "used_percent": 40.0},
            "disk": {"used_gb": 10, "total_gb": 32, "used_percent": 31.25, "path": "/"},
            "temperature_celsius": 48.1,
            "uptime": 90_000_000_000_000,
            "load_average": {"load_1": 0.4, "load_5": 0.3, "load_15": 0.1},
            "overall_status": "healthy",
        }
    )
    assert health_from_system_info(info) == Health(
        source=HealthSource.REST,
        cpu_percent=12.5,
        memory_percent=40.0,
        disk_percent=31.25,
        temperature_c=48.1,
        uptime_seconds=90_000.0,
        load_1=0.4,
        load_5=0.3,
        load_15=0.1,
    )


def test_health_from_sparse_system_info() -> None:
    assert health_from_system_info(SystemInfo()) == Health(source=HealthSource.REST)
    assert health_from_system_info(SystemInfo(uptime=-5)).uptime_seconds is None


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("72h3m0.5s", 72 * 3600 + 180.5),
        ("1h30m", 5400),
        ("1.5h", 5400),
        ("300ms", 0.3),
        ("2µs", 2e-6),
        ("0s", 0),
        ("3d 4h 5m", 3 * 86400 + 4 * 3600 + 300),
        ("3d4h5m6s", 3 * 86400 + 4 * 3600 + 306),
        ("3 days, 4:05:06", 3 * 86400 + 4 * 3600 + 306),
        ("1 day, 4:05", 86400 + 4 * 3600 + 300),
        ("up 2 weeks, 1 day", 15 * 86400),
        ("4:05:06", 4 * 3600 + 306),
        ("4:05:06.5", 4 * 3600 + 306.5),
        ("3 days 4 hours and 5 minutes", 3 * 86400 + 4 * 3600 + 300),
        ("5 min 3 sec", 303),
        ("  12345  ", 12345),
        ("12.5", 12.5),
        (3600, 3600.0),
        (1.5, 1.5),
    ],
)
def test_parse_uptime(text: Any, seconds: float) -> None:
    assert parse_uptime(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "soon", "3 fortnights", "3d x", "-5", "nan", "inf", ":", "4:", None, True, -1, []],
)
def test_parse_uptime_unparseable(text: Any) -> None:
    assert parse_uptime(text) is None


@pytest.mark.parametrize(
    ("value", "loads"),
    [
        ("0.5 0.3 0.2", (0.5, 0.3, 0.2)),
        ("0.5, 0.3, 0.2", (0.5, 0.3, 0.2)),
        ("1.0", (1.0, None, None)),
        ("a b c", (None, None, None)),
        ([1, 2, 3, 4], (1.0, 2.0, 3.0)),
        ((0.1, "x"), (0.1, None, None)),
        ("", (None, None, None)),
        (None, (None, None, None)),
    ],
)
def test_parse_load_average(value: Any, loads: tuple[float | None, ...]) -> None:
    assert parse_load_average(value) == loads
