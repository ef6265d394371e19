"""Figure 1: event-to-state latency at 5, 50 and 500 boards."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from ..harness import SimChild, StateLog, home_assistant, make_entry, setup_entry
from ..profiles import Profile
from ..stats import summarise
from .common import (
    BOARD_STATE_KEY,
    board_states,
    config_dir,
    match_events,
    ms_distribution,
    state_entities,
    wait_until,
)


async def latency(profile: Profile, work: Path) -> dict[str, Any]:
    """Figure 1: simulator writes a board event -> the board's state entity changes.

    The simulator runs at `latency_speed` (1 = the Pi's real pace: boards found over
    0.5-4 s, each step 1-3 s), so events arrive as they would in the field, including
    provision-all's burst of one event per board at once.
    """
    result: dict[str, Any] = {"speed": profile.latency_speed, "sizes": {}}
    for size in profile.latency_sizes:
        runs = [
            await _latency_run(profile, work, size, repeat)
            for repeat in range(profile.latency_repeats)
        ]
        result["sizes"][str(size)] = {"runs": runs, "summary": summarise(runs)}
    return result


async def _latency_run(profile: Profile, work: Path, size: int, repeat: int) -> dict[str, Any]:
    sim = await SimChild.start(boards=size, speed=profile.latency_speed)
    try:
        async with home_assistant(config_dir(work, f"latency-{size}-{repeat}")) as hass:
            entry = make_entry(sim)
            await setup_entry(hass, entry)
            log = StateLog(hass, keep=lambda entity_id: entity_id.endswith(BOARD_STATE_KEY))
            log.start()
            await sim.call("record", on=True)
            done = await sim.call("run_session", within=300)
            truth = done["states"]
            state_of = board_states(hass, entry.entry_id, len(truth))
            await wait_until(lambda: state_of() == truth, 30)
            await asyncio.sleep(0.2)
            log.stop()
            recorded = await sim.call("take")
            matched = match_events(
                recorded["events"], log.changes, state_entities(hass, entry.entry_id)
            )
            every = matched.change_ns + matched.new_ns
            return {
                "boards": size,
                "events_written": len(recorded["events"]),
                "all": ms_distribution(every),
                "state_change": ms_distribution(matched.change_ns),
                "new_board": ms_distribution(matched.new_ns),
                "unmatched": matched.unmatched,
                "final_states_equal": state_of() == truth,
            }
    finally:
        await sim.close()
