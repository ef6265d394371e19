"""What the demo shows: its Pi, its boards, its people and its ports."""

from __future__ import annotations

from dataclasses import dataclass
import os
from pathlib import Path
import secrets
from typing import Final

REPO: Final = Path(__file__).resolve().parent.parent

API_KEY: Final = "demo-api-key"
"""The simulated Pi's API key: a demo runs on 127.0.0.1 only."""

USERNAME: Final = "demo"
PERSON_NAME: Final = "Demo technician"
PI_NAME: Final = "Cabinet Pi"
"""The Pi's device is renamed to this, so entity IDs match the example dashboard."""

TARGET_SSID: Final = "CabinetNet"
TARGET_PASSWORD: Final = "cabinet-wifi-demo"  # noqa: S105 - the demo's make-believe WiFi

BOARD_COUNT: Final = 8
ALLOWLIST: Final = {
    "24:0A:C4:D0:00:01": "Shelf 1 camera",
    "24:0A:C4:D0:00:02": "Shelf 2 camera",
    "24:0A:C4:D0:00:03": "Door camera",
}
"""Allowlisted boards and their descriptions, which become their device names."""
FAIL_ONCE: Final = "24:0A:C4:D0:00:02"
"""This board's first attempt fails (credentials rejected); a retry succeeds."""
SEED: Final = 42


@dataclass(frozen=True, slots=True)
class Settings:
    """Where the demo lives and listens; from the environment."""

    directory: Path
    ha_port: int
    sim_port: int
    ha_host: str
    speed: float
    password: str

    @property
    def config_dir(self) -> Path:
        """Home Assistant's configuration directory."""
        return self.directory / "config"

    @property
    def ha_url(self) -> str:
        """Where Home Assistant answers, from this machine."""
        host = "127.0.0.1" if self.ha_host in ("0.0.0.0", "::") else self.ha_host  # noqa: S104
        return f"http://{host}:{self.ha_port}"

    @property
    def sim_url(self) -> str:
        """Where the simulated Pi answers."""
        return f"http://127.0.0.1:{self.sim_port}"

    @property
    def token_file(self) -> Path:
        """The long-lived access token for scripts."""
        return self.directory / "access_token"

    @property
    def screenshots(self) -> Path:
        """Where the browser test saves its screenshots."""
        return self.directory / "screenshots"

    @classmethod
    def from_environment(cls, default_speed: float = 1.0) -> Settings:
        """Read `DEMO_*` variables, with the documented defaults."""
        return cls(
            directory=Path(os.environ.get("DEMO_DIR", REPO / ".demo")).resolve(),
            ha_port=_port("DEMO_HA_PORT", 8123),
            sim_port=_port("DEMO_SIM_PORT", 8082),
            ha_host=os.environ.get("DEMO_HA_HOST", "127.0.0.1"),
            speed=float(os.environ.get("DEMO_SPEED", str(default_speed))),
            password=os.environ.get("DEMO_PASSWORD") or secrets.token_urlsafe(9),
        )


def _port(name: str, default: int) -> int:
    value = os.environ.get(name, str(default))
    try:
        port = int(value)
    except ValueError:
        raise SystemExit(f"{name} must be a port number, not {value!r}") from None
    if not 1 <= port <= 65535:
        raise SystemExit(f"{name} must be between 1 and 65535, not {port}")
    return port
