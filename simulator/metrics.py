"""The Pi's health figures, shared by GET /system/info and the /ws/monitor push.

Figures change only at monitor ticks, so both transports report the very same numbers
between two ticks and a test can compare them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from random import Random
from typing import Any, Final

from simulator.clock import Clock, rfc3339, utcnow

CORE_COUNT: Final = 4
MEMORY_TOTAL_MB: Final = 3796
DISK_TOTAL_GB: Final = 29.1
CERTIFICATE_DAYS_LEFT: Final = 287


@dataclass(slots=True)
class Snapshot:
    """One tick's figures."""

    timestamp: str
    cpu_usage: float
    per_core: list[float]
    memory_percent: float
    disk_percent: float
    temperature: float
    uptime_seconds: float
    load: tuple[float, float, float]
    bytes_received: int
    bytes_sent: int
    packet_loss: float
    latency: float
    failed_ssh_attempts: int


def _walk(rng: Random, value: float, low: float, high: float, step: float) -> float:
    return round(min(high, max(low, value + rng.uniform(-step, step))), 1)


def uptime_text(seconds: float) -> str:
    """Render an uptime like `3d 4h 12m 5s`."""
    total = int(seconds)
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{days}d {hours}h {minutes}m {secs}s"


class Metrics:
    """Random-walk health figures within plausible Pi ranges."""

    def __init__(self, rng: Random, clock: Clock) -> None:
        """Draw a starting point from `rng`."""
        self.rng = rng
        self.clock = clock
        self._boot_uptime = rng.uniform(3600, 20 * 86_400)
        self.snapshot = Snapshot(
            timestamp=rfc3339(),
            cpu_usage=round(rng.uniform(8, 30), 1),
            per_core=[],
            memory_percent=round(rng.uniform(25, 45), 1),
            disk_percent=round(rng.uniform(30, 45), 1),
            temperature=round(rng.uniform(45, 55), 1),
            uptime_seconds=self._boot_uptime,
            load=(0.5, 0.3, 0.2),
            bytes_received=rng.randrange(10**6, 10**8),
            bytes_sent=rng.randrange(10**6, 10**8),
            packet_loss=0.0,
            latency=round(rng.uniform(4, 12), 1),
            failed_ssh_attempts=0,
        )
        self.snapshot.per_core = self._spread(self.snapshot.cpu_usage)
        self.started_at = utcnow()

    def _spread(self, usage: float) -> list[float]:
        # Cores scatter around the total, and average back to it.
        offsets = [self.rng.uniform(-5, 5) for _ in range(CORE_COUNT)]
        mean = sum(offsets) / CORE_COUNT
        return [round(min(100.0, max(0.0, usage + o - mean)), 1) for o in offsets]

    def tick(self) -> Snapshot:
        """Advance the figures one step."""
        rng, old = self.rng, self.snapshot
        cpu = _walk(rng, old.cpu_usage, 5, 60, 8)
        load_1 = round(max(0.05, cpu / 100 * CORE_COUNT * rng.uniform(0.6, 1.1)), 2)
        self.snapshot = Snapshot(
            timestamp=rfc3339(),
            cpu_usage=cpu,
            per_core=self._spread(cpu),
            memory_percent=_walk(rng, old.memory_percent, 20, 70, 3),
            disk_percent=_walk(rng, old.disk_percent, 30, 50, 0.2),
            temperature=_walk(rng, old.temperature, 40, 70, 1.5),
            uptime_seconds=self._boot_uptime + self.clock.simulated_elapsed(),
            load=(
                load_1,
                round((old.load[1] * 4 + load_1) / 5, 2),
                round((old.load[2] * 14 + load_1) / 15, 2),
            ),
            bytes_received=old.bytes_received + rng.randrange(2_000, 90_000),
            bytes_sent=old.bytes_sent + rng.randrange(2_000, 60_000),
            packet_loss=round(max(0.0, rng.uniform(-0.3, 0.5)), 2),
            latency=_walk(rng, old.latency, 2, 25, 2),
            failed_ssh_attempts=old.failed_ssh_attempts + (rng.random() < 0.02),
        )
        return self.snapshot

    def overall_status(self) -> str:
        """Summarise like the Pi: warning when hot or busy."""
        snap = self.snapshot
        if snap.temperature >= 80 or snap.memory_percent >= 90:
            return "critical"
        if snap.temperature >= 65 or snap.cpu_usage >= 55 or snap.memory_percent >= 65:
            return "warning"
        return "healthy"

    def system_info(self) -> dict[str, Any]:
        """Return GET /system/info's data (§4 field names)."""
        snap = self.snapshot
        used_mb = round(MEMORY_TOTAL_MB * snap.memory_percent / 100)
        return {
            "timestamp": snap.timestamp,
            "cpu": {
                "usage_percent": snap.cpu_usage,
                "core_count": CORE_COUNT,
                "per_core": list(snap.per_core),
            },
            "memory": {
                "used_mb": used_mb,
                "total_mb": MEMORY_TOTAL_MB,
                "used_percent": snap.memory_percent,
                "available_mb": MEMORY_TOTAL_MB - used_mb,
            },
            "disk": {
                "used_gb": round(DISK_TOTAL_GB * snap.disk_percent / 100, 1),
                "total_gb": DISK_TOTAL_GB,
                "used_percent": snap.disk_percent,
                "path": "/",
            },
            "temperature_celsius": snap.temperature,
            "uptime": int(snap.uptime_seconds * 1_000_000_000),
            "load_average": {
                "load_1": snap.load[0],
                "load_5": snap.load[1],
                "load_15": snap.load[2],
            },
            "overall_status": self.overall_status(),
        }

    def system_health(self) -> dict[str, Any]:
        """Return MonitoringData.system_health (§7 field names)."""
        snap = self.snapshot
        return {
            "cpu_usage": snap.cpu_usage,
            "memory_usage": snap.memory_percent,
            "disk_usage": snap.disk_percent,
            "temperature": snap.temperature,
            "uptime": uptime_text(snap.uptime_seconds),
            "load_average": " ".join(f"{value:g}" for value in snap.load),
        }

    def network_metrics(self, active_connections: int) -> dict[str, Any]:
        """Return MonitoringData.network_metrics."""
        snap = self.snapshot
        return {
            "active_connections": active_connections,
            "bytes_received": snap.bytes_received,
            "bytes_sent": snap.bytes_sent,
            "packet_loss": snap.packet_loss,
            "latency": snap.latency,
        }

    def service_status(self) -> dict[str, Any]:
        """Return MonitoringData.service_status."""
        elapsed = (utcnow() - self.started_at).total_seconds() * self.clock.speed
        return {
            "mqtt_connected": True,
            "mqtt_secure": True,
            "api_responding": True,
            "database_connected": True,
            "last_health_check": self.snapshot.timestamp,
            "service_uptime": uptime_text(elapsed),
        }

    def security_metrics(self) -> dict[str, Any]:
        """Return MonitoringData.security_metrics."""
        attempts = self.snapshot.failed_ssh_attempts
        return {
            "failed_ssh_attempts": attempts,
            "last_security_check": self.snapshot.timestamp,
            "certificate_expiry": rfc3339(self.started_at + timedelta(days=CERTIFICATE_DAYS_LEFT)),
            "mqtt_secure_connections": 1,
            "encryption_level": "TLS1.3",
            "threat_level": "LOW" if attempts < 5 else "MEDIUM",
        }
