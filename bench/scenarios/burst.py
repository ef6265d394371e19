"""Figure 2: 500 boards through the whole state machine as fast as the Pi emits."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path
from typing import Any

from ..harness import (
    LoopWatch,
    SimChild,
    StateLog,
    child_cpu_seconds,
    home_assistant,
    make_entry,
    process_figures,
    setup_entry,
)
from ..profiles import Profile
from ..stats import summarise
from .common import (
    FAST,
    board_states,
    config_dir,
    fast_config,
    is_subsequence,
    match_events,
    ms_distribution,
    state_entities,
    wait_until,
)


async def burst(profile: Profile, work: Path, *, profiler: Any = None) -> dict[str, Any]:
    """Figure 2: 500 boards through the whole state machine as fast as the Pi emits."""
    runs = [
        await _burst_run(work, repeat, profiler if repeat == 0 else None)
        for repeat in range(profile.burst_repeats)
    ]
    return {"runs": runs, "summary": summarise(runs)}


async def _burst_run(work: Path, repeat: int, profiler: Any) -> dict[str, Any]:
    boards = 500
    sim = await SimChild.start(**fast_config(FAST, boards=boards, fail_rate=0.15))
    try:
        async with home_assistant(config_dir(work, f"burst-{repeat}")) as hass:
            entry = make_entry(sim)
            await setup_entry(hass, entry)
            log = StateLog(hass, keep=lambda entity_id: "camera_board" in entity_id).start()
            await sim.call("record", on=True)
            await sim.call("reset_stats")
            gc.collect()
            before = process_figures()
            sim_cpu_before = child_cpu_seconds(sim.pid)
            if profiler is not None:
                profiler.start()
            with LoopWatch() as watch:
                done = await sim.call("run_session", stop=True, within=300)
                truth = done["states"]
                state_of = board_states(hass, entry.entry_id, len(truth))
                caught_up = await wait_until(lambda: state_of() == truth, 60)
                await asyncio.sleep(0.3)
            if profiler is not None:
                profiler.stop()
            after = process_figures()
            sim_cpu = child_cpu_seconds(sim.pid) - sim_cpu_before
            log.stop()
            recorded = await sim.call("take")
            stats = await sim.call("stats")
            events = recorded["events"]
            matched = match_events(events, log.changes, state_entities(hass, entry.entry_id))
            shown_final = state_of()
            lost = sum(shown_final.get(mac) != state for mac, state in truth.items())
            misordered = sum(
                not is_subsequence(shown, matched.sim_boards.get(mac, []))
                for mac, shown in matched.boards.items()
            )
            board_changes = [t for t, _e, _s, _c in log.changes]
            first_write = events[0][0]
            last_change = max(board_changes)
            span = (last_change - first_write) / 1e9
            created = [t for t, entity_id, _s, new in log.changes if new]
            discovered = [t for t, _i, kind, _m, _s in events if kind == "device.discovered"]
            rest_requests = {
                path: sum(counts.values())
                for path, counts in stats["requests"].items()
                if not path.startswith("/_sim")
            }
            return {
                "boards": boards,
                "events_written": len(events),
                "board_events": sum(1 for event in events if event[3] is not None),
                "caught_up": caught_up,
                "lost_final_states": lost,
                "misordered_boards": misordered,
                "unmatched_events": matched.unmatched,
                "seconds": span,
                "events_per_second": len(events) / span,
                "ha_cpu_seconds": after["cpu_seconds"] - before["cpu_seconds"],
                "sim_cpu_seconds": sim_cpu,
                "largest_stall_ms": watch.max_seconds * 1000,
                "callbacks_over_10ms": watch.over_10ms,
                "largest_gc_pause_ms": watch.gc_longest * 1000,
                "gc_seconds": watch.gc_total,
                "longest_callbacks": [
                    {"ms": round(took * 1000, 2), "what": what} for took, what in watch.longest
                ],
                "latency": ms_distribution(matched.change_ns),
                "requests_during_burst": rest_requests,
                "entities_created": len(created),
                "discovery_to_last_entity_s": (max(created) - min(discovered)) / 1e9
                if created and discovered
                else None,
            }
    finally:
        await sim.close()
