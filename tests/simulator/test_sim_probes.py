"""The probes a measuring harness sets (`simulator.probes`), observed over real sockets."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from simulator import Simulator
from simulator.events import WireEvent
from simulator.metrics import Snapshot
from tests.simulator.test_sim_monitor_door import receive_type
from tests.simulator.test_sim_provisioning import EVENTS, of_type, start_session

type StartSim = Callable[..., Awaitable[Simulator]]
type OpenSse = Callable[..., Awaitable[Any]]
type Poll = Callable[..., Awaitable[None]]


class Heard:
    """What the probes reported, in order."""

    def __init__(self, sim: Simulator) -> None:
        self.published: list[tuple[int, str]] = []
        self.written: list[tuple[int, str]] = []
        self.ticks: list[Snapshot] = []
        sim.probes.event_published = self._published
        sim.probes.event_written = self._written
        sim.probes.metrics_ticked = self.ticks.append

    def _published(self, event: WireEvent) -> None:
        self.published.append((event.id, event.type))

    def _written(self, event: WireEvent) -> None:
        self.written.append((event.id, event.type))


async def test_each_event_is_heard_once_published_and_once_per_stream_written(
    http: aiohttp.ClientSession, start_sim: StartSim, open_sse: OpenSse
) -> None:
    sim = await start_sim()
    heard = Heard(sim)
    first = await open_sse(sim.url + EVENTS)
    second = await open_sse(sim.url + EVENTS)
    await start_session(http, sim)

    read = [await stream.until(of_type("session.started")) for stream in (first, second)]

    started = [(event["id"], event["kind"]) for event in read[0][-1:]]
    assert [(event["id"], event["kind"]) for event in read[1][-1:]] == started
    assert heard.published.count(started[0]) == 1
    # Written just before each stream's write: both clients have read it, so both were heard.
    assert heard.written.count(started[0]) == 2


async def test_the_figures_pushed_are_the_ticks_heard(
    http: aiohttp.ClientSession, start_sim: StartSim
) -> None:
    sim = await start_sim(monitor_interval=1)
    heard = Heard(sim)
    async with http.ws_connect(sim.url + "/ws/monitor") as ws:
        pushed = [
            (await receive_type(ws, "monitoring_update"))["data"]["system_health"]["cpu_usage"]
            for _ in range(3)
        ]
    assert len(heard.ticks) >= 3
    assert set(pushed) <= {tick.cpu_usage for tick in heard.ticks}


async def test_probes_outlive_a_restart(
    http: aiohttp.ClientSession, start_sim: StartSim, open_sse: OpenSse, poll: Poll
) -> None:
    sim = await start_sim()
    heard = Heard(sim)
    await sim.stop()
    await sim.start()

    stream = await open_sse(sim.url + EVENTS)
    await start_session(http, sim)
    started = await stream.until(of_type("session.started"))

    assert (started[-1]["id"], "session.started") in heard.published
    assert (started[-1]["id"], "session.started") in heard.written
    await poll(lambda: heard.ticks)
