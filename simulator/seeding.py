"""The state a run starts from: generated boards and the pre-seeded allowlist."""

from __future__ import annotations

from random import Random

from simulator.boards import add_boards, initial_boards
from simulator.clock import rfc3339
from simulator.config import SimulatorConfig
from simulator.state import AllowlistEntry, SimState


def initial_state(config: SimulatorConfig, rng: Random) -> SimState:
    """Build a fresh state from the config."""
    state = SimState()
    state.boards = initial_boards(
        rng, count=config.boards, named=config.allowlist, fail_once=config.fail_once
    )
    seed_allowlist(state, config)
    return state


def merge_config(state: SimState, config: SimulatorConfig, rng: Random) -> None:
    """Apply --allowlist/--fail-once to a state loaded from a file, adding what is missing."""
    add_boards(
        state.boards, rng, macs=[*config.allowlist, *config.fail_once], fail_once=config.fail_once
    )
    seed_allowlist(state, config)


def seed_allowlist(state: SimState, config: SimulatorConfig) -> None:
    """Add the --allowlist entries that are not there yet."""
    now = rfc3339()
    for mac in config.allowlist:
        if mac not in state.allowlist:
            state.allowlist[mac] = AllowlistEntry(mac=mac, added_at=now, description="pre-seeded")
