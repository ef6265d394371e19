"""Fixtures for the simulator's own tests: real sockets on 127.0.0.1, raw aiohttp calls."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
import json
import time
from typing import Any

import aiohttp
import pytest

from simulator import Simulator
from tests.conftest import SimulatorConfigFactory, StartSimulator
from tests.waiting import WaitFor, wait_until

API_KEY = "test-key-0123456789"
HEADERS = {"X-API-Key": API_KEY}


class SseReader:
    """Parses a text/event-stream response into events and comments."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self.response = response
        self.comments: list[str] = []
        self.retry: int | None = None
        self.events: list[dict[str, Any]] = []

    async def next_event(self, timeout: float = 5.0) -> dict[str, Any]:
        """Return the next event: {"id", "event", "data" (parsed JSON or raw text), "kind"}.

        "event" is there only when the frame names itself; "kind" is that name, or the
        envelope's type for an unnamed frame (how the official dashboard reads B).
        """
        async with asyncio.timeout(timeout):
            fields: dict[str, Any] = {}
            data_lines: list[str] = []
            while True:
                raw = await self.response.content.readline()
                if not raw:
                    raise EOFError("stream ended")
                line = raw.decode().rstrip("\n")
                if line == "":
                    if data_lines or "event" in fields:
                        text = "\n".join(data_lines)
                        try:
                            fields["data"] = json.loads(text)
                        except json.JSONDecodeError:
                            fields["data"] = text
                            fields["malformed"] = True
                        data = fields["data"]
                        fields["kind"] = fields.get("event") or (
                            data.get("type") if isinstance(data, dict) else None
                        )
                        self.events.append(fields)
                        return fields
                    continue
                if line.startswith(":"):
                    self.comments.append(line[1:].strip())
                    continue
                name, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if name == "data":
                    data_lines.append(value)
                elif name == "retry":
                    self.retry = int(value)
                elif name == "id":
                    fields["id"] = int(value) if value.isdigit() else value
                else:
                    fields[name] = value

    async def until(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        """Collect events up to and including the first matching `predicate`."""
        seen: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while True:
            event = await self.next_event(max(0.01, deadline - time.monotonic()))
            seen.append(event)
            if predicate(event):
                return seen

    async def ended(self, timeout: float = 5.0) -> bool:
        """Tell whether the stream reaches EOF within `timeout`."""
        try:
            async with asyncio.timeout(timeout):
                while await self.response.content.readline():
                    pass
        except (TimeoutError, aiohttp.ClientPayloadError, aiohttp.ClientConnectionError):
            return False
        return True


@pytest.fixture
async def http(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    """Return a plain aiohttp session."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def start_sim(
    start_simulator: StartSimulator, make_simulator_config: SimulatorConfigFactory
) -> Callable[..., Awaitable[Simulator]]:
    """Return a factory starting simulators on a free port; all are stopped afterwards."""

    async def start(**overrides: Any) -> Simulator:
        settings: dict[str, Any] = {"api_key": API_KEY, "speed": 100.0, "seed": 7, "boards": 5}
        return await start_simulator(make_simulator_config(**{**settings, **overrides}))

    return start


@pytest.fixture
async def sim(start_sim: Callable[..., Awaitable[Simulator]]) -> Simulator:
    """Return a running simulator with default test settings."""
    return await start_sim()


@pytest.fixture
async def open_sse(
    http: aiohttp.ClientSession,
) -> AsyncIterator[Callable[..., Awaitable[SseReader]]]:
    """Return a factory opening SSE streams; all are closed afterwards."""
    responses: list[aiohttp.ClientResponse] = []

    async def open_stream(
        url: str, *, headers: dict[str, str] | None = None, params: dict[str, str] | None = None
    ) -> SseReader:
        response = await http.get(url, headers=headers or HEADERS, params=params)
        responses.append(response)
        return SseReader(response)

    yield open_stream
    for response in responses:
        response.close()


@pytest.fixture
def poll() -> WaitFor:
    """`tests.waiting.wait_until`, for conditions on the simulator alone (no Home Assistant)."""
    return wait_until
