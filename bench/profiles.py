"""How much of each measurement a run does: the smoke profile for CI, the full one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

LONG_OUTAGE: Final = 10.0
"""Outages longer than this (a reboot, a power cut) run once: each takes minutes."""


@dataclass(frozen=True, slots=True)
class Profile:
    """How much of each measurement to run."""

    name: str
    latency_sizes: tuple[int, ...]
    latency_repeats: int
    latency_speed: float
    burst_repeats: int
    soak_seconds: float
    soak_boards: int
    reconnect_outages: tuple[float, ...]
    reconnect_repeats: int
    """Trials per outage up to `LONG_OUTAGE` seconds; longer outages are measured once."""
    setup_repeats: int
    setup_boards: int
    polling_runs: int
    polling_simulated_minutes: float
    polling_compression: float
    e2e_runs: int
    cards_boards: int
    """Boards of the session whose changes the card's latency is measured on."""
    cards_speed: float
    cards_render_boards: int
    """Boards of the session the card's render time is measured on."""
    cards_single_updates: int
    """Boards provisioned one at a time to count what each changes in the DOM."""
    cards_render_repeats: int
    fleet_sizes: tuple[int, ...]
    """Pis (config entries) in one real `hass`, one fleet run each."""
    fleet_boards: int
    """Boards in each Pi's session."""
    fleet_speed: float
    """Simulator speed of the provisioning steps (health and keepalives at the Pi's pace)."""
    fleet_stagger_seconds: float
    """Between one Pi's session start and the next one's, in the staggered phase."""
    fleet_steady_seconds: float
    """The steady-state window over which CPU and requests are counted."""
    fleet_offline_share: float
    """Share of the Pis whose simulator is down for the offline start-up (at least one)."""


SMOKE = Profile(
    name="smoke",
    latency_sizes=(5, 50),
    latency_repeats=1,
    latency_speed=4,
    burst_repeats=1,
    soak_seconds=10,
    soak_boards=50,
    reconnect_outages=(0.2,),
    reconnect_repeats=1,
    setup_repeats=2,
    setup_boards=100,
    polling_runs=1,
    polling_simulated_minutes=5,
    polling_compression=60,
    e2e_runs=0,
    cards_boards=10,
    cards_speed=4,
    cards_render_boards=100,
    cards_single_updates=2,
    cards_render_repeats=1,
    fleet_sizes=(3,),
    fleet_boards=20,
    fleet_speed=6,
    fleet_stagger_seconds=0.3,
    fleet_steady_seconds=5.5,
    fleet_offline_share=0.2,
)
FULL = Profile(
    name="full",
    latency_sizes=(5, 50, 500),
    latency_repeats=3,
    latency_speed=1,
    burst_repeats=3,
    soak_seconds=150,
    soak_boards=100,
    reconnect_outages=(0.2, 1.0, 3.0, 10.0, 60.0, 300.0),
    reconnect_repeats=3,
    setup_repeats=3,
    setup_boards=500,
    polling_runs=3,
    polling_simulated_minutes=20,
    polling_compression=60,
    e2e_runs=2,
    cards_boards=50,
    cards_speed=1,
    cards_render_boards=500,
    cards_single_updates=5,
    cards_render_repeats=3,
    fleet_sizes=(1, 10, 50),
    fleet_boards=20,
    fleet_speed=1,
    fleet_stagger_seconds=0.5,
    fleet_steady_seconds=60,
    fleet_offline_share=0.2,
)
