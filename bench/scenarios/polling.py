"""Figure 6: push versus Home Assistant's generic `rest` sensor."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
import time
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component

from ..harness import SimChild, StateLog, entity_id_for, home_assistant, make_entry, setup_entry
from ..profiles import Profile
from ..stats import distribution, summarise
from .common import config_dir


async def polling(profile: Profile, work: Path) -> dict[str, Any]:
    """Figure 6: the CPU value's staleness and requests per hour, push versus polling.

    One Home Assistant runs the integration (CPU pushed over the WebSocket) and two
    generic `rest` sensors reading `/api/v1/system/info` every 30 s and every 5 s,
    against one simulated Pi, all in the same run. Time is compressed by
    `polling_compression` = c: the Pi's figures change every 5 s / c and the
    rest sensors poll every 30 s / c and 5 s / c. The integration's own polls (door,
    allowlist) keep their real intervals: Home Assistant's coordinators round their
    schedule to whole seconds and cannot be compressed; they are counted over real
    time. See `docs/performance.md`.
    """
    runs = [await _polling_run(profile, work, repeat) for repeat in range(profile.polling_runs)]
    return {
        "compression": profile.polling_compression,
        "simulated_minutes": profile.polling_simulated_minutes,
        "runs": runs,
        "summary": summarise(runs),
    }


async def _polling_run(profile: Profile, work: Path, repeat: int) -> dict[str, Any]:
    from homeassistant.components.rest.data import RestData

    c = profile.polling_compression
    sim = await SimChild.start(boards=0, speed=c)
    try:
        async with home_assistant(config_dir(work, f"polling-{repeat}")) as hass:
            entry = make_entry(sim)
            rest_calls: Counter[str] = Counter()
            original = RestData.async_update

            async def counted(self: RestData, log_errors: bool = True) -> None:
                rest_calls[self._resource] += 1
                await original(self, log_errors)

            RestData.async_update = counted  # type: ignore[method-assign]
            try:
                return await _polling_measure(hass, sim, entry, profile, rest_calls)
            finally:
                RestData.async_update = original  # type: ignore[method-assign]
    finally:
        await sim.close()


async def _polling_measure(
    hass: HomeAssistant, sim: SimChild, entry: Any, profile: Profile, rest_calls: Counter[str]
) -> dict[str, Any]:
    c = profile.polling_compression
    # The rest sensors first: once the integration has set the sensor platform up,
    # a second `sensor:` configuration would be ignored.
    template = "{{ value_json.data.cpu.usage_percent }}"
    sensors = {"rest_30s": 30.0, "rest_5s": 5.0}
    if not await async_setup_component(
        hass,
        "sensor",
        {
            "sensor": [
                {
                    "platform": "rest",
                    "name": name,
                    "resource": f"{sim.url}/api/v1/system/info?via={name}",
                    "value_template": template,
                    "scan_interval": interval / c,
                }
                for name, interval in sensors.items()
            ]
        },
    ):
        raise RuntimeError("the rest sensors did not set up")
    await hass.async_block_till_done()
    await setup_entry(hass, entry)
    client = entry.runtime_data.client
    integration_calls: Counter[str] = Counter()
    original_request = client._request  # noqa: SLF001

    async def counted_request(method: str, path: str, **kwargs: Any) -> Any:
        integration_calls[f"{method} {path}"] += 1
        return await original_request(method, path, **kwargs)

    client._request = counted_request  # noqa: SLF001
    push_entity = entity_id_for(hass, entry.entry_id, "cpu_usage")
    watched = {push_entity: "push", **{f"sensor.{name}": name for name in sensors}}
    log = StateLog(hass, keep=lambda entity_id: entity_id in watched)
    # Settle: every source has shown one value before the window opens.
    await asyncio.sleep(30.0 / c * 1.5)
    rest_calls.clear()
    integration_calls.clear()
    log.start()
    await sim.call("record", on=True)
    window = profile.polling_simulated_minutes * 60 / c
    opened = time.perf_counter_ns()
    await asyncio.sleep(window)
    closed = time.perf_counter_ns()
    log.stop()
    recorded = await sim.call("take")
    real_hours = (closed - opened) / 1e9 / 3600
    per_hour = 1 / (real_hours * c)
    ticks = [(t, float(value)) for t, value in recorded["ticks"]]
    result: dict[str, Any] = {
        "ticks": len(ticks),
        "window_s": (closed - opened) / 1e9,
        "requests_per_hour": {
            "rest_30s": sum(v for k, v in rest_calls.items() if "via=rest_30s" in k) * per_hour,
            "rest_5s": sum(v for k, v in rest_calls.items() if "via=rest_5s" in k) * per_hour,
            "push_health": integration_calls.get("GET /system/info", 0) / real_hours,
            "integration_total": sum(integration_calls.values()) / real_hours,
        },
        # Home Assistant's coordinators cannot poll faster than about once a second
        # (they round to whole seconds), so the integration's own polls (door, 5 s;
        # allowlist, 60 s) run at their real pace and are counted over real time.
        "integration_requests": dict(sorted(integration_calls.items())),
        "integration_requests_per_hour": {
            key: count / real_hours for key, count in sorted(integration_calls.items())
        },
        "sources": {},
    }
    for entity_id, source in watched.items():
        shown = [
            (t, float(state))
            for t, entity, state, _c in log.changes
            if entity == entity_id and state is not None and _is_number(state)
        ]
        scale = 1.0 if source == "push" else c
        result["sources"][source] = _staleness(ticks, shown, scale)
    return result


def _is_number(value: str | None) -> bool:
    try:
        float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return True


def _staleness(
    ticks: Sequence[tuple[int, float]],
    shown: Sequence[tuple[int, float]],
    scale: float,
) -> dict[str, Any]:
    """How late Home Assistant shows each of the Pi's CPU values.

    For every tick of the Pi (its CPU value changed), the delay until Home Assistant
    shows that value or a later one; a value superseded before it was ever shown
    counts as missed, and its delay is that of the next value shown. Delays are
    multiplied by `scale` to undo the time compression for polled sources.
    """
    # A tick that repeats the previous value is no change (the walk sits at a bound).
    changes: list[tuple[int, float]] = []
    for t_tick, value in ticks:
        if not changes or changes[-1][1] != value:
            changes.append((t_tick, value))
    ticks = changes
    delays: list[float] = []
    missed = 0
    # The index of the tick whose value each display change shows: the latest tick
    # at or before the change with the same value.
    shown_ticks: list[tuple[int, int]] = []
    for t_shown, value in shown:
        index = None
        for position in range(len(ticks) - 1, -1, -1):
            t_tick, tick_value = ticks[position]
            if t_tick <= t_shown and tick_value == value:
                index = position
                break
        if index is not None:
            shown_ticks.append((t_shown, index))
    pointer = 0
    for index, (t_tick, _value) in enumerate(ticks[:-1]):
        # First display of this tick or a later one.
        while pointer < len(shown_ticks) and shown_ticks[pointer][1] < index:
            pointer += 1
        if pointer == len(shown_ticks):
            break
        t_display, shown_index = shown_ticks[pointer]
        if shown_index != index:
            missed += 1
        delays.append((t_display - t_tick) / 1e9 * scale)
    stats = distribution(delays)
    return {
        "delay_s": stats,
        "updates": len(delays),
        "missed_share": missed / len(delays) if delays else None,
        "scale": scale,
    }
