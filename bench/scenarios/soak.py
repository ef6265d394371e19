"""Figure 3: an hour of streaming compressed in time; memory and resource growth."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import timedelta
import gc
from pathlib import Path
import time
import tracemalloc
from typing import Any

from ..harness import SimChild, home_assistant, make_entry, process_figures, setup_entry
from ..profiles import Profile
from .common import config_dir, wait_until


async def soak(profile: Profile, work: Path) -> dict[str, Any]:
    """Figure 3: an hour of streaming compressed in time; memory and resource growth.

    Every timer of both sides is divided by `compression` = 3600 s / run time: the
    Pi's monitor pushes, its keepalives, the door poll and the allowlist poll. The
    same boards go through session after session, as fast as Home Assistant keeps
    up (the next session starts once Home Assistant has shown the last one closed).
    """
    seconds = profile.soak_seconds
    compression = 3600.0 / seconds
    engine_speed = 200.0
    sim = await SimChild.start(
        boards=profile.soak_boards,
        speed=engine_speed,
        fail_rate=0.05,
        keepalive_interval=15.0 / compression * engine_speed,
        monitor_interval=5.0 / compression * engine_speed,
        session_timeout=4 * 3600.0 * engine_speed,
    )
    try:
        async with home_assistant(config_dir(work, "soak")) as hass:
            # Coordinators round their schedule to whole seconds: 1 s is the
            # fastest door poll that works; the allowlist poll is compressed fully.
            entry = make_entry(sim, options={"poll_interval": max(1.0, 5.0 / compression)})
            await setup_entry(hass, entry)
            data = entry.runtime_data
            data.allowlist.update_interval = timedelta(seconds=max(1.0, 60.0 / compression))
            monitor_updates = _count_updates(data.health)
            samples: list[dict[str, Any]] = []
            stuck: list[dict[str, Any]] = []
            # Traced from the start, so that the difference between two snapshots is
            # net growth: what the warm-up allocated and later freed is subtracted.
            tracemalloc.start(1)
            started = time.monotonic()
            warm_until = started + seconds * 0.2
            baseline: dict[str, Any] | None = None
            baseline_snapshot: tracemalloc.Snapshot | None = None
            traced_from = started
            cycles = 0
            events = 0
            next_sample = started
            while time.monotonic() - started < seconds:
                done = await sim.call("run_session", stop=True, within=120)
                events += done["published"]
                session_id = done["session_id"]
                if not await wait_until(_closed_check(entry, session_id), 30, 0.002):
                    stuck.append(_stuck(entry, session_id, cycles, time.monotonic() - started))
                await sim.call("recycle")
                cycles += 1
                now = time.monotonic()
                if baseline is None and now >= warm_until:
                    gc.collect()
                    baseline = process_figures()
                    baseline["traced"] = tracemalloc.get_traced_memory()[0]
                    baseline_snapshot = tracemalloc.take_snapshot()
                    traced_from = now
                    samples.append({"t": now - started, **baseline})
                    next_sample = now + 5
                elif baseline is not None and now >= next_sample:
                    gc.collect()
                    samples.append(
                        {
                            "t": now - started,
                            **process_figures(),
                            "traced": tracemalloc.get_traced_memory()[0],
                        }
                    )
                    next_sample = now + 5
            # Let the last pushes and polls land, then measure once more.
            await asyncio.sleep(1)
            gc.collect()
            end = process_figures()
            end["traced"] = tracemalloc.get_traced_memory()[0]
            end_snapshot = tracemalloc.take_snapshot()
            tracemalloc.stop()
            elapsed = time.monotonic() - started
            if baseline is None or baseline_snapshot is None:
                raise RuntimeError("the soak ended before its warm-up")
            samples.append({"t": elapsed, **end})
            simulated_hours = (elapsed - (traced_from - started)) * compression / 3600
            middle = samples[len(samples) // 2]
            return {
                "seconds": elapsed,
                "compression": compression,
                "boards": profile.soak_boards,
                "cycles": cycles,
                "events": events,
                "monitor_updates": monitor_updates(),
                "events_per_simulated_hour": events / (elapsed * compression / 3600),
                "measured_simulated_hours": simulated_hours,
                "rss_growth_bytes": end["rss"] - baseline["rss"],
                "rss_slope_bytes_per_simulated_hour": _slope(samples, "rss") * 3600 / compression,
                "python_heap_growth_bytes": end["traced"] - baseline["traced"],
                "python_heap_slope_bytes_per_simulated_hour": _slope(samples, "traced")
                * 3600
                / compression,
                **{
                    key: {"start": baseline[key], "middle": middle[key], "end": end[key]}
                    for key in ("tasks", "timers", "sockets", "fds")
                },
                "max": {
                    key: max(sample[key] for sample in samples)
                    for key in ("tasks", "timers", "sockets", "fds")
                },
                "top_growth": _top_growth(end_snapshot, baseline_snapshot),
                "stuck_sessions": stuck,
                "samples": samples,
            }
    finally:
        await sim.close()


def _count_updates(health: Any) -> Callable[[], int]:
    counter = [0]
    health.async_add_listener(lambda: counter.__setitem__(0, counter[0] + 1))
    return lambda: counter[0]


def _closed_check(entry: Any, session_id: str) -> Callable[[], bool]:
    return lambda: _session_closed(entry, session_id)


def _session_closed(entry: Any, session_id: str) -> bool:
    session = entry.runtime_data.provisioning.data.session
    return session is not None and session.id == session_id and session.state.value == "closed"


def _slope(samples: Sequence[dict[str, Any]], key: str) -> float:
    """Least-squares growth of `key` per second."""
    if len(samples) < 2:
        return 0.0
    times = [sample["t"] for sample in samples]
    values = [sample[key] for sample in samples]
    mean_t = sum(times) / len(times)
    mean_v = sum(values) / len(values)
    spread = sum((t - mean_t) ** 2 for t in times)
    if spread == 0:
        return 0.0
    return float(
        sum((t - mean_t) * (v - mean_v) for t, v in zip(times, values, strict=True)) / spread
    )


def _top_growth(
    end: tracemalloc.Snapshot, start: tracemalloc.Snapshot, count: int = 8
) -> list[dict[str, Any]]:
    """The source lines whose live allocations grew most between two snapshots."""
    ignore = [
        tracemalloc.Filter(inclusive=False, filename_pattern=tracemalloc.__file__),
        tracemalloc.Filter(inclusive=False, filename_pattern="<frozen importlib._bootstrap>"),
    ]
    differences = end.filter_traces(ignore).compare_to(start.filter_traces(ignore), "lineno")
    return [
        {"where": str(stat.traceback), "bytes": stat.size_diff, "blocks": stat.count_diff}
        for stat in differences[:count]
    ]


def _stuck(entry: Any, session_id: str, cycle: int, at: float) -> dict[str, Any]:
    """What Home Assistant showed when a closed session did not show as closed."""
    provisioning = entry.runtime_data.provisioning
    session = provisioning.data.session
    return {
        "cycle": cycle,
        "at_s": round(at, 1),
        "session_id": session_id,
        "shown_session": session.id if session is not None else None,
        "shown_state": session.state.value if session is not None else None,
        "stream_connected": provisioning.stream_connected,
        "reconcile_count": provisioning.reconcile_count,
    }
