"""The measurements of issues 7, 15 and 17, each run against a simulator in its own process.

Every scenario builds a fresh harness Home Assistant (see `bench.harness`), sets the
integration up against a fresh simulator on 127.0.0.1, measures, and returns plain
data: one record per repeated run plus a summary (median, min, max over the runs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .burst import burst
from .cards import cards
from .e2e import e2e
from .fleet import fleet
from .latency import latency
from .polling import polling
from .reconnect import reconnect
from .setup_time import setup_time
from .soak import soak

SCENARIOS: dict[str, Callable[..., Any]] = {
    "latency": latency,
    "e2e": e2e,
    "burst": burst,
    "soak": soak,
    "reconnect": reconnect,
    "setup": setup_time,
    "polling": polling,
    "cards": cards,
    "fleet": fleet,
}

__all__ = ["SCENARIOS", "burst"]
