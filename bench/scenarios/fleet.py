"""Issue 17: a fleet of Pis in one real `hass`, one config entry per Pi.

Each Pi is a simulator in its own process (`bench.simproc`: own port, own state
file, own streams). Home Assistant is a real `hass` process with the recorder
(`bench.scenarios.realhass`). For each fleet size N, one configuration directory
holding N entries is started three times:

1. **cold start**, every Pi online: set-up time of all entries, then the sessions
   (staggered, then a burst), then the steady state (CPU, RSS, requests);
2. **restart** on the same configuration: until every Pi is back;
3. **offline start**: a share of the simulators stopped; until the online entries
   are loaded and Home Assistant has started.

A baseline `hass` with no entry, started once, gives the RSS and idle CPU every
per-Pi figure is net of.
"""

from __future__ import annotations

import asyncio
from collections import Counter
import contextlib
from pathlib import Path
import time
from typing import Any

from ..harness import SimChild, child_cpu_seconds, make_entry
from ..profiles import Profile
from ..sampling import Sampled, profiling, sampled
from .common import fast_config, match_events, ms_distribution
from .realhass import RealHass, state_entities, write_config

SECONDS = 1e9
SIM_STARTS_AT_ONCE = 4
"""Simulator processes started together: 50 imports at once on 2 cores would time out."""
STEADY_AFTER_S = 3.0
"""Seconds after the last session stopped before the steady-state window opens."""
DISCOVERY_S = 4.5
"""Simulated seconds within which a Pi has found every waiting board (0.5-4 s)."""
SIM_NICENESS = 19
"""Real Pis are other machines: fifty simulated ones must not take `hass`'s two cores.

At the default priority, during a burst the simulators are runnable together and
the scheduler shares the cores among 51 processes, so a state is late because
`hass` waits for a core, not because of its own work. At the lowest priority they
run in what `hass` leaves; each event's timestamp is taken by its simulator just
before the socket write, so their own slowness is not counted as `hass`'s.
"""
RECORDER_CATCH_UP_S = 600
MEMORY_PROFILE_PIS = 10
"""The fleet size whose heap `--profile` traces: tracing slows `hass` several times over."""
"""At most this long for the recorder to write the sessions' backlog before the steady window."""


async def fleet(profile: Profile, work: Path) -> dict[str, Any]:
    """Issue 17's fleet figures for each of `profile.fleet_sizes`."""
    baseline = await _baseline(profile, work)
    sizes = {}
    for n in profile.fleet_sizes:
        started = time.perf_counter()
        sizes[str(n)] = await _fleet(profile, work, n, baseline)
        sizes[str(n)]["wall_s"] = time.perf_counter() - started
    return {
        "boards": profile.fleet_boards,
        "speed": profile.fleet_speed,
        "stagger_s": profile.fleet_stagger_seconds,
        "steady_s": profile.fleet_steady_seconds,
        "baseline": baseline,
        "sizes": sizes,
    }


def _rss(pid: int) -> int:
    import psutil  # type: ignore[import-untyped]

    return int(psutil.Process(pid).memory_info().rss)


async def _baseline(profile: Profile, work: Path) -> dict[str, Any]:
    """A `hass` with the same configuration and no entry: its RSS and idle CPU."""
    config = work / "fleet" / "hass-0"
    write_config(config, [])
    hass = await RealHass.launch(config, work / "fleet" / "probe-0.json")
    try:
        started_ns = await hass.wait_started()
        await asyncio.sleep(1)
        cpu_before = child_cpu_seconds(hass.pid)
        await asyncio.sleep(profile.fleet_steady_seconds)
        cpu = child_cpu_seconds(hass.pid) - cpu_before
        rss = _rss(hass.pid)
        await hass.stop()
    finally:
        await hass.kill()
    return {
        "started_s": (started_ns - hass.launched_ns) / SECONDS,
        "rss": rss,
        "cpu_seconds_per_hour": cpu * 3600 / profile.fleet_steady_seconds,
    }


async def _start_sims(profile: Profile, work: Path, n: int) -> list[SimChild]:
    gate = asyncio.Semaphore(SIM_STARTS_AT_ONCE)
    states = work / "fleet" / f"pis-{n}"
    states.mkdir(parents=True, exist_ok=True)

    async def start(index: int) -> SimChild:
        state_file = states / f"pi-{index}.json"
        state_file.unlink(missing_ok=True)
        async with gate:
            return await SimChild.start(
                niceness=SIM_NICENESS,
                **fast_config(
                    profile.fleet_speed,
                    boards=profile.fleet_boards,
                    seed=index + 1,
                    state_file=str(state_file),
                ),
            )

    results = await asyncio.gather(*(start(i) for i in range(n)), return_exceptions=True)
    sims = [result for result in results if isinstance(result, SimChild)]
    if len(sims) < n:
        await asyncio.gather(*(sim.close() for sim in sims))
        failed = next(result for result in results if isinstance(result, BaseException))
        raise RuntimeError(f"a simulator did not start: {failed}")
    return sims


async def _until_back(hass: RealHass, ids: set[str], within: float) -> dict[str, float]:
    """Seconds from launch: started, every entry loaded, every stream and push back."""
    started = await hass.wait_started(within)
    loaded = await hass.wait_for("every entry loaded", lambda s: s.entries_in(ids), within)
    stream = await hass.wait_for(
        "every event stream connected",
        lambda s: s.back(ids, "event_stream", "connected"),
        within,
    )
    push = await hass.wait_for(
        "every Connection sensor at push", lambda s: s.back(ids, "connection", "push"), within
    )
    return {
        "started_s": (started - hass.launched_ns) / SECONDS,
        "loaded_s": (loaded - hass.launched_ns) / SECONDS,
        "streams_s": (stream - hass.launched_ns) / SECONDS,
        "push_s": (push - hass.launched_ns) / SECONDS,
    }


async def _sessions(
    sims: list[SimChild], within: float, *, stagger: float = 0.0, at_ns: int | None = None
) -> list[dict[str, Any]]:
    """One session per Pi, each started `stagger` s after the previous (or all at `at_ns`)."""
    await asyncio.gather(*(sim.call("record", on=True) for sim in sims))

    async def one(index: int, sim: SimChild) -> dict[str, Any]:
        await asyncio.sleep(index * stagger)
        return dict(await sim.call("run_session", stop=True, within=within, provision_at_ns=at_ns))

    done = await asyncio.gather(*(one(i, sim) for i, sim in enumerate(sims)))
    recorded = await asyncio.gather(*(sim.call("take") for sim in sims))
    await asyncio.gather(*(sim.call("record", on=False) for sim in sims))
    await asyncio.gather(*(sim.call("recycle") for sim in sims))
    return [
        {**session, "events": taken["events"]}
        for session, taken in zip(done, recorded, strict=True)
    ]


def _latency(
    probe: dict[str, Any], entry_ids: list[str], sessions: list[dict[str, Any]]
) -> dict[str, Any]:
    """Event-to-state latencies of every Pi's session, pooled."""
    changes = [tuple(change) for change in probe["changes"]]
    pooled: list[int] = []
    new: list[int] = []
    unmatched = 0
    events = 0
    for entry_id, session in zip(entry_ids, sessions, strict=True):
        matched = match_events(session["events"], changes, state_entities(probe, entry_id))
        pooled += matched.change_ns + matched.new_ns
        new += matched.new_ns
        unmatched += matched.unmatched
        events += len(session["events"])
    provisioned = [session["provisioned_ns"] for session in sessions]
    return {
        "events_written": events,
        "all": ms_distribution(pooled),
        "new_board": ms_distribution(new),
        "unmatched": unmatched,
        "provision_all_spread_s": (max(provisioned) - min(provisioned)) / SECONDS,
        "boards_verified": sum(
            state == "verified" for session in sessions for state in session["states"].values()
        ),
    }


async def _steady(
    profile: Profile, hass: RealHass, sims: list[SimChild], baseline: dict[str, Any]
) -> dict[str, Any]:
    """CPU, RSS and requests over the steady-state window: idle Pis, health pushed."""
    n = len(sims)
    window = profile.fleet_steady_seconds
    # Let the sessions' stop settle first: the integration looks for recoverable sessions
    # after a session transition, debounced by 2 s; that is the session's, not steady state.
    await asyncio.sleep(STEADY_AFTER_S)
    # The recorder writes in its own thread and may still be writing the sessions'
    # states: that is the sessions' cost, and it would be counted as steady state.
    sessions_ended = time.perf_counter_ns() - int(STEADY_AFTER_S * SECONDS)
    caught_up = await hass.wait_for(
        "the recorder caught up", lambda s: s.recorder_caught_up, RECORDER_CATCH_UP_S
    )
    await asyncio.gather(*(sim.call("reset_stats") for sim in sims))
    cpu_before = child_cpu_seconds(hass.pid)
    began = time.perf_counter()
    async with sampled(hass.pid, hass.out.parent / f"profile-{n}-steady.txt", window) as found:
        await asyncio.sleep(window)
    cpu = child_cpu_seconds(hass.pid) - cpu_before
    stats = await asyncio.gather(*(sim.call("stats") for sim in sims))
    elapsed = time.perf_counter() - began
    rss = _rss(hass.pid)
    requests: Counter[str] = Counter()
    for one in stats:
        for path, by_status in one["requests"].items():
            requests[path] += sum(by_status.values())
    per_hour = 3600 / elapsed
    cpu_per_hour = cpu * per_hour
    return {
        "recorder_caught_up_s": max(0.0, (caught_up - sessions_ended) / SECONDS),
        "window_s": elapsed,
        "cpu_seconds": cpu,
        "cpu_share_of_one_core": cpu / elapsed,
        "cpu_seconds_per_pi_hour": cpu_per_hour / n,
        "cpu_seconds_per_pi_hour_net": (cpu_per_hour - baseline["cpu_seconds_per_hour"]) / n,
        "rss": rss,
        "rss_per_pi": (rss - baseline["rss"]) / n,
        "requests_per_pi_hour": sum(requests.values()) * per_hour / n,
        "requests_per_pi_hour_by_path": {
            path: count * per_hour / n for path, count in sorted(requests.items())
        },
        **_profiled(found),
    }


async def _memory(
    config: Path,
    work: Path,
    n: int,
    sims: list[SimChild],
    ids: set[str],
    within: float,
    session_within: float,
) -> dict[str, Any] | None:
    """What `hass`'s heap holds after a session on every Pi, traced (`--profile` only)."""
    hass = await RealHass.launch(
        config, work / "fleet" / f"probe-{n}-memory.json", trace_memory=True
    )
    try:
        await _until_back(hass, ids, within * 3)
        await _sessions(sims, session_within, stagger=0.5)
        memory: dict[str, Any] | None = (await hass.stop()).get("memory")
    finally:
        await hass.kill()
    return memory


def _profiled(found: Sampled) -> dict[str, Any]:
    return {"profile": found.figures()} if found.samples else {}


async def _offline_start(hass: RealHass, online: set[str], offline: set[str]) -> dict[str, Any]:
    """Seconds from launch: online entries loaded, started, offline entries retrying."""
    within = 120 + 2 * len(online)
    loaded = await hass.wait_for(
        "every online entry loaded", lambda s: s.entries_in(online), within
    )
    started = await hass.wait_started(within)
    at_started = Counter(
        hass.status().entries.get(entry_id, (0, "unknown"))[1] for entry_id in offline
    )
    retrying = None
    with contextlib.suppress(RuntimeError):
        retrying = await hass.wait_for(
            "every offline entry retrying", lambda s: s.entries_in(offline, "setup_retry"), 30
        )
    return {
        "offline": len(offline),
        "online_loaded_s": (loaded - hass.launched_ns) / SECONDS,
        "started_s": (started - hass.launched_ns) / SECONDS,
        "offline_states_at_started": dict(at_started),
        "offline_retrying_s": None if retrying is None else (retrying - hass.launched_ns) / SECONDS,
    }


async def _fleet(profile: Profile, work: Path, n: int, baseline: dict[str, Any]) -> dict[str, Any]:
    sims = await _start_sims(profile, work, n)
    hass: RealHass | None = None
    try:
        entries = [make_entry(sim) for sim in sims]
        ids = [entry.entry_id for entry in entries]
        config = work / "fleet" / f"hass-{n}"
        write_config(config, entries)
        within = 120 + 2 * n

        hass = await RealHass.launch(config, work / "fleet" / f"probe-{n}-cold.json")
        cold = await _until_back(hass, set(ids), within)
        session_within = 60 + 300 / profile.fleet_speed
        profiles = work / "fleet"
        async with sampled(hass.pid, profiles / f"profile-{n}-staggered.txt", 20) as staggered_cpu:
            staggered = await _sessions(sims, session_within, stagger=profile.fleet_stagger_seconds)
        at_ns = time.perf_counter_ns() + int((DISCOVERY_S / profile.fleet_speed + 1) * SECONDS)
        async with sampled(hass.pid, profiles / f"profile-{n}-burst.txt", 10) as burst_cpu:
            burst = await _sessions(sims, session_within, at_ns=at_ns)
        steady = await _steady(profile, hass, sims, baseline)
        probe = await hass.stop()

        hass = await RealHass.launch(config, work / "fleet" / f"probe-{n}-restart.json")
        restart = await _until_back(hass, set(ids), within)
        await hass.stop()

        memory = None
        if profiling() and n == MEMORY_PROFILE_PIS:
            memory = await _memory(config, work, n, sims, set(ids), within, session_within)

        offline = max(1, round(n * profile.fleet_offline_share)) if n > 1 else 0
        offline_start = None
        if offline:
            await asyncio.gather(*(sim.close() for sim in sims[:offline]))
            hass = await RealHass.launch(config, work / "fleet" / f"probe-{n}-offline.json")
            offline_start = await _offline_start(hass, set(ids[offline:]), set(ids[:offline]))
            await hass.stop()
    finally:
        if hass is not None:
            await hass.kill()
        await asyncio.gather(*(sim.close() for sim in sims))
    return {
        "pis": n,
        "cold_start": cold,
        "staggered": _latency(probe, ids, staggered) | _profiled(staggered_cpu),
        "burst": _latency(probe, ids, burst) | _profiled(burst_cpu),
        "steady": steady,
        "restart": restart,
        "offline_start": offline_start,
        **({"memory": memory} if memory else {}),
    }
