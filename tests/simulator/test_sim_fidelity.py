"""What real clients of the Pi rely on: SSE framing, the legacy door, an older Pi (API.md §3, §6)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from simulator import Simulator

from .conftest import HEADERS, SseReader

type StartSim = Callable[..., Awaitable[Simulator]]
type OpenSse = Callable[..., Awaitable[SseReader]]

EVENTS = "/api/v1/provisioning/batch/events"
START = "/api/v1/provisioning/batch/start"
A = "24:0A:C4:00:00:0A"


async def _start_session(http: aiohttp.ClientSession, sim: Simulator) -> None:
    body = {"target_ssid": "Shop-WiFi", "target_password": "s3cret-pass"}
    async with http.post(sim.url + START, json=body, headers=HEADERS) as response:
        assert response.status == 201, await response.text()


@pytest.mark.parametrize(
    ("vocabulary", "framing", "named"),
    [
        ("dashboard", "auto", False),
        ("backend", "auto", True),
        ("dashboard", "named", True),
        ("backend", "unnamed", False),
    ],
)
async def test_sse_framing(
    http: aiohttp.ClientSession,
    start_sim: StartSim,
    open_sse: OpenSse,
    vocabulary: str,
    framing: str,
    named: bool,
) -> None:
    sim = await start_sim(
        boards=1, allowlist=(A,), sse_vocabulary=vocabulary, sse_framing=framing, speed=200
    )
    stream = await open_sse(sim.url + EVENTS)
    await _start_session(http, sim)
    events = await stream.until(lambda event: event["kind"] == "device.discovered")
    # Whatever the framing, the envelope's type says what happened.
    assert all(event["kind"] == event["data"]["type"] for event in events)
    assert all(("event" in event) is named for event in events)


async def test_legacy_door_is_open_to_the_dashboard(
    http: aiohttp.ClientSession, start_sim: StartSim
) -> None:
    sim = await start_sim()
    # The official dashboard calls the legacy door without a key.
    async with http.post(sim.url + "/api/door/open", json={"duration": 60}) as response:
        assert response.status == 200
        assert (await response.json())["success"] is True
    async with http.get(sim.url + "/api/door/history") as response:
        assert response.status == 200
        history: Any = await response.json()
    # A bare array, the shape the dashboard's Overview tab indexes.
    assert isinstance(history, list)
    assert history[0]["command"] == "open"
    # The V1 door stays protected, and keeps its object shape.
    async with http.get(sim.url + "/api/v1/door/history") as response:
        assert response.status == 401
    async with http.get(sim.url + "/api/v1/door/history", headers=HEADERS) as response:
        assert isinstance((await response.json())["data"]["history"], list)


async def test_legacy_only_pi_has_no_v1(http: aiohttp.ClientSession, start_sim: StartSim) -> None:
    sim = await start_sim(legacy_only=True)
    async with http.get(sim.url + "/api/v1/system/info") as response:
        assert response.status == 404
    async with http.get(sim.url + "/api/system/info") as response:
        assert response.status == 200
        assert "cpu" in await response.json()
    async with http.get(sim.url + "/api/door/status") as response:
        assert response.status == 200
