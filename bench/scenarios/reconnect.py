"""Figure 4: from the Pi accepting connections again to push data flowing."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
import time
from typing import Any

from homeassistant.core import HomeAssistant

from ..harness import SimChild, StateLog, entity_id_for, home_assistant, make_entry, setup_entry
from ..profiles import LONG_OUTAGE, Profile
from ..stats import summarise
from .common import config_dir, wait_until


async def reconnect(profile: Profile, work: Path) -> dict[str, Any]:
    """Figure 4: the Pi accepts connections again -> push data flows in Home Assistant.

    The simulator process stops serving (its streams end, its port closes), stays
    down for the outage, and binds the same port again. Measured from the moment it
    accepts connections: SSE reconnected (the event stream is open again) and SSE
    reconciled (the REST snapshot taken after a reconnect is applied); the
    WebSocket's snapshot applied (`initial_data`: the health sensors show pushed
    figures again) and the Connection sensor back to `push` (the integration waits
    for the first periodic `monitoring_update` for that, up to one monitor interval).
    An outage longer than the first back-off steps is bridged by the wake-up: the
    first request the Pi answers (a poll, or the event stream's probe) ends the wait.
    """
    sim = await SimChild.start(boards=3, speed=1)
    trials: list[dict[str, Any]] = []
    try:
        async with home_assistant(config_dir(work, "reconnect")) as hass:
            entry = make_entry(sim)
            await setup_entry(hass, entry)
            provisioning = entry.runtime_data.provisioning
            connected_at: list[int] = []
            refreshed_at: list[int] = []
            _wrap_connected(provisioning, connected_at)
            _wrap_refreshed(provisioning, refreshed_at)
            pushed_at: list[int] = []
            _wrap_pushed(entry.runtime_data.health, pushed_at)
            connection = entity_id_for(hass, entry.entry_id, "connection")
            log = StateLog(hass, keep=lambda entity_id: entity_id == connection).start()
            await wait_until(lambda: _live(hass, connection, provisioning), 15)
            for outage in profile.reconnect_outages:
                repeats = profile.reconnect_repeats if outage <= LONG_OUTAGE else 1
                for _ in range(repeats):
                    # An event after every reconnect, so the stream has delivered
                    # something and the next outage starts its back-off afresh.
                    await sim.call("start_session")
                    await asyncio.sleep(1.5)
                    times = await sim.call("outage", seconds=outage)
                    accepting = times["accepting_ns"]
                    live = await wait_until(lambda: _live(hass, connection, provisioning), 30)
                    await asyncio.sleep(0.3)
                    sse = _first_after(connected_at, accepting)
                    reconciled = _first_after(refreshed_at, accepting)
                    ws_data = _first_after(pushed_at, accepting)
                    ws = _first_after(
                        [t for t, _e, state, _c in log.changes if state == "push"], accepting
                    )
                    trials.append(
                        {
                            "outage_requested_s": outage,
                            "outage_s": (accepting - times["down_ns"]) / 1e9,
                            "recovered": live,
                            "sse_reconnected_s": _seconds(sse, accepting),
                            "sse_reconciled_s": _seconds(reconciled, accepting),
                            "ws_snapshot_s": _seconds(ws_data, accepting),
                            "ws_push_s": _seconds(ws, accepting),
                        }
                    )
            log.stop()
    finally:
        await sim.close()
    by_outage: dict[str, Any] = {}
    for outage in profile.reconnect_outages:
        runs = [trial for trial in trials if trial["outage_requested_s"] == outage]
        by_outage[str(outage)] = {"runs": runs, "summary": summarise(runs)}
    return {"outages": by_outage}


def _live(hass: HomeAssistant, connection: str, provisioning: Any) -> bool:
    state = hass.states.get(connection)
    return bool(provisioning.stream_connected) and state is not None and state.state == "push"


def _wrap_connected(coordinator: Any, times: list[int]) -> None:
    original = coordinator._set_stream_connected  # noqa: SLF001 - timing probe

    def set_connected(connected: bool) -> None:
        if connected:
            times.append(time.perf_counter_ns())
        original(connected)

    coordinator._set_stream_connected = set_connected  # noqa: SLF001


def _wrap_refreshed(coordinator: Any, times: list[int]) -> None:
    original = coordinator._async_update_data  # noqa: SLF001 - timing probe

    async def update() -> Any:
        data = await original()
        times.append(time.perf_counter_ns())
        return data

    coordinator._async_update_data = update  # noqa: SLF001


def _wrap_pushed(coordinator: Any, times: list[int]) -> None:
    original = coordinator.async_set_updated_data

    def set_updated(data: Any) -> None:
        times.append(time.perf_counter_ns())
        original(data)

    coordinator.async_set_updated_data = set_updated


def _first_after(times: Sequence[int], moment: int) -> int | None:
    return next((t for t in times if t >= moment), None)


def _seconds(t_ns: int | None, since: int) -> float | None:
    return None if t_ns is None else (t_ns - since) / 1e9
