"""Configuration of one simulator run, mirroring the command-line flags."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from simulator.macs import normalize_mac

type Vocabulary = Literal["backend", "dashboard"]
VOCABULARIES: tuple[Vocabulary, ...] = ("backend", "dashboard")
type Framing = Literal["auto", "named", "unnamed"]
FRAMINGS: tuple[Framing, ...] = ("auto", "named", "unnamed")
"""`auto`: as each vocabulary's server does it (A names its frames, B does not, API.md §6)."""


@dataclass(frozen=True, slots=True)
class SimulatorConfig:
    """Everything that shapes a run; a CLI flag sets the field of the same name.

    `control_token` has no flag: on the command line it would show in the process list, so
    it comes from `PIORCHESTRATOR_SIM_CONTROL_TOKEN`. `keepalive_interval`,
    `monitor_interval` and `event_buffer` have none either: only tests and the bench tune them.

    Durations are given in simulated seconds; `speed` divides every one of them.
    """

    host: str = "127.0.0.1"
    port: int = 8082
    api_key: str | None = None
    dev_mode: bool = False
    state_file: Path | None = None
    seed: int | None = None
    boards: int = 5
    fail_rate: float = 0.0
    speed: float = 1.0
    sse_vocabulary: Vocabulary = "backend"
    sse_framing: Framing = "auto"
    legacy_only: bool = False
    """An older Pi: only the legacy /api routes answer, /api/v1 is unknown (404)."""
    rate_limit: int = 0
    allowlist: tuple[str, ...] = ()
    fail_once: tuple[str, ...] = ()
    session_timeout: float = 1800.0
    keepalive_interval: float = 15.0
    monitor_interval: float = 5.0
    event_buffer: int = 1000
    control_token: str | None = None
    """The `X-Sim-Control` value the /_sim routes demand; None: a random one per run."""

    def __post_init__(self) -> None:
        """Validate and normalise, so a bad config fails at construction, not mid-run."""
        if self.speed <= 0:
            raise ValueError("speed must be > 0")
        if not 0.0 <= self.fail_rate <= 1.0:
            raise ValueError("fail_rate must be within [0, 1]")
        if self.boards < 0:
            raise ValueError("boards must be >= 0")
        if self.rate_limit < 0:
            raise ValueError("rate_limit must be >= 0")
        if not 0 <= self.port <= 65535:
            raise ValueError("port must be within [0, 65535]")
        if self.sse_vocabulary not in VOCABULARIES:
            raise ValueError(f"sse_vocabulary must be one of {VOCABULARIES}")
        if self.sse_framing not in FRAMINGS:
            raise ValueError(f"sse_framing must be one of {FRAMINGS}")
        for name in ("session_timeout", "keepalive_interval", "monitor_interval"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be > 0")
        if self.event_buffer < 1:
            raise ValueError("event_buffer must be >= 1")
        # Frozen dataclass: normalising needs object.__setattr__.
        object.__setattr__(self, "allowlist", _macs(self.allowlist))
        object.__setattr__(self, "fail_once", _macs(self.fail_once))
        if self.state_file is not None:
            # Callers may pass a str despite the annotation.
            object.__setattr__(self, "state_file", Path(self.state_file))
        if self.api_key == "":
            object.__setattr__(self, "api_key", None)
        if self.control_token == "":
            object.__setattr__(self, "control_token", None)

    def scaled(self, seconds: float) -> float:
        """Real seconds for a simulated duration."""
        return seconds / self.speed


def _macs(values: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in values:
        seen[normalize_mac(value)] = None
    return tuple(seen)
