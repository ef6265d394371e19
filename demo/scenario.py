"""What the demo shows: its Pis, their boards, its people and its ports."""

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
VIEWER_USERNAME: Final = "viewer"
"""A user who is not an administrator: the browser test checks what such a user sees."""
VIEWER_NAME: Final = "Demo viewer"

TARGET_SSID: Final = "CabinetNet"
TARGET_PASSWORD: Final = "cabinet-wifi-demo"  # noqa: S105 - the demo's make-believe WiFi


@dataclass(frozen=True, slots=True)
class PiSpec:
    """One simulated Pi of the demo's fleet."""

    name: str
    """Its device is renamed to this (entity IDs follow), and its config entry titled so."""
    boards: int
    allowlist: dict[str, str]
    """Allowlisted boards and their descriptions, which become their device names."""
    fail_once: str | None
    """This board's first attempt fails (credentials rejected); a retry succeeds."""
    seed: int
    port_offset: int
    """Its port is DEMO_SIM_PORT plus this."""


FLEET: Final = (
    PiSpec(
        name="Cabinet Pi",
        boards=8,
        allowlist={
            "24:0A:C4:D0:00:01": "Shelf 1 camera",
            "24:0A:C4:D0:00:02": "Shelf 2 camera",
            "24:0A:C4:D0:00:03": "Door camera",
        },
        fail_once="24:0A:C4:D0:00:02",
        seed=42,
        port_offset=0,
    ),
    PiSpec(
        name="Hallway Pi",
        boards=4,
        allowlist={
            "24:0A:C4:D0:01:01": "Hallway top camera",
            "24:0A:C4:D0:01:02": "Hallway bottom camera",
        },
        fail_once=None,
        seed=7,
        port_offset=1,
    ),
)
"""Two cabinets: different board counts (their other boards have random MACs, distinct
between the two seeds), and a failing board in the first."""

PI_NAME: Final = FLEET[0].name
"""The first Pi: the blueprint automation the demo installs watches its door."""
BOARD_COUNT: Final = FLEET[0].boards
ALLOWLIST: Final = FLEET[0].allowlist
FAIL_ONCE: Final = "24:0A:C4:D0:00:02"


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
        """Where the first simulated Pi answers."""
        return self.sim_url_of(FLEET[0])

    def sim_port_of(self, pi: PiSpec) -> int:
        """Where one simulated Pi listens."""
        return self.sim_port + pi.port_offset

    def sim_url_of(self, pi: PiSpec) -> str:
        """Where one simulated Pi answers."""
        return f"http://127.0.0.1:{self.sim_port_of(pi)}"

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
