"""End to end: event-to-state latency in a real `hass` process, recorder included.

The configuration, the probe and the process are `bench.scenarios.realhass`'s; the
simulator runs in its own process as everywhere else.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
import time
from typing import Any

from ..harness import SimChild, make_entry
from ..profiles import Profile
from ..sampling import sampled
from ..stats import summarise
from .common import match_events, ms_distribution
from .realhass import RealHass, state_entities, write_config

SAMPLED_S = 12
"""Seconds of the session `--profile` samples: discovery, provision-all and most steps."""


async def end_to_end(work: Path, boards: int = 50, speed: float = 1.0) -> dict[str, Any]:
    """One session of `boards` boards at the Pi's pace, seen by a real `hass`."""
    import psutil  # type: ignore[import-untyped]

    sim = await SimChild.start(boards=boards, speed=speed)
    config = work / "realhass"
    hass: RealHass | None = None
    try:
        entry = make_entry(sim)
        write_config(config, [entry])
        started = time.perf_counter()
        hass = await RealHass.launch(config, work / "realhass-probe.json")
        await hass.wait_started()
        start_seconds = time.perf_counter() - started
        # Let the integration's streams connect.
        await asyncio.sleep(3)
        hass_process = psutil.Process(hass.pid)
        rss_before = hass_process.memory_info().rss
        cpu = hass_process.cpu_times()
        cpu_before = cpu.user + cpu.system
        await sim.call("record", on=True)
        async with sampled(hass.pid, work / "profile-e2e.txt", SAMPLED_S) as found:
            done = await sim.call("run_session", within=300)
        await asyncio.sleep(3)
        cpu = hass_process.cpu_times()
        cpu_used = cpu.user + cpu.system - cpu_before
        rss_after = hass_process.memory_info().rss
        recorded = await sim.call("take")
        probe = await hass.stop()
    finally:
        if hass is not None:
            await hass.kill()
        await sim.close()
    changes = [tuple(change) for change in probe["changes"]]
    matched = match_events(recorded["events"], changes, state_entities(probe, entry.entry_id))
    return {
        "boards": done["boards"],
        "start_seconds": start_seconds,
        "events_written": len(recorded["events"]),
        "all": ms_distribution(matched.change_ns + matched.new_ns),
        "state_change": ms_distribution(matched.change_ns),
        "new_board": ms_distribution(matched.new_ns),
        "unmatched": matched.unmatched,
        "hass_cpu_seconds_during_session": cpu_used,
        "hass_rss_before": rss_before,
        "hass_rss_after": rss_after,
        **({"profile": found.figures()} if found.samples else {}),
    }


async def e2e(profile: Profile, work: Path) -> dict[str, Any]:
    """Figure 1 end to end: a real `hass` with the recorder, 50 boards at the Pi's pace."""
    runs = [await end_to_end(work) for _ in range(profile.e2e_runs or 1)]
    return {"runs": runs, "summary": summarise(runs)}
