"""Both streams end to end against scripted peers: random bytes on the event stream,
random frames on the WebSocket. Iterating never raises and never hangs."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import aiohttp
from hypothesis import HealthCheck, example, given, settings, strategies as st
import pytest

from custom_components.piorchestrator.api.errors import PiOrchestratorConnectionError
from custom_components.piorchestrator.api.event_stream import ProvisioningEventStream
from custom_components.piorchestrator.api.events import ProvisioningEvent
from custom_components.piorchestrator.api.stream import StreamConnected, StreamDisconnected
from tests.loopback import serve
from tests.reliability.results import COLLECTOR, DETERMINISTIC, examples

from .strategies import chunked, sse_streams

pytestmark = pytest.mark.timeout(300)

FUZZ = settings(
    max_examples=examples(150, 10_000),
    derandomize=DETERMINISTIC,
    deadline=3000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ABSURD = (
    b'data: {"version": "1.0", "type": "device.state_changed", "payload": {"mac": '
    b'"24:0A:C4:00:00:01", "new_state": "provisioned", "progress": '
    + str(10**400).encode()
    + b"}}\n\n"
)


class _Content:
    def __init__(self, chunks: Sequence[bytes]) -> None:
        self._chunks = list(chunks)

    async def readany(self) -> bytes:
        await asyncio.sleep(0)
        return self._chunks.pop(0) if self._chunks else b""


class _Response:
    def __init__(self, chunks: Sequence[bytes]) -> None:
        self.content = _Content(chunks)

    def close(self) -> None:
        self.content = _Content(())


class _ScriptedPi:
    """Serves one scripted event stream, then refuses every reconnection."""

    host = "pi.test"

    def __init__(self, chunks: Sequence[bytes]) -> None:
        self._chunks: Sequence[bytes] | None = chunks

    async def open_event_stream(
        self, *, session_id: str | None = None, last_event_id: str | None = None
    ) -> Any:
        if self._chunks is None:
            raise PiOrchestratorConnectionError("gone")
        chunks, self._chunks = self._chunks, None
        return _Response(chunks)


async def _no_wait(_seconds: float) -> None:
    await asyncio.sleep(0)


@FUZZ
@given(data=st.data(), stream=st.one_of(sse_streams(), st.binary(max_size=2000)))
@example(data=None, stream=ABSURD)
async def test_the_event_stream_survives_any_bytes(data: Any, stream: bytes) -> None:
    COLLECTOR.count_example("event stream: scripted peer")
    chunks = data.draw(chunked(stream)) if data is not None else [stream]
    events = ProvisioningEventStream(_ScriptedPi(chunks), sleep=_no_wait, max_message_size=4096)
    seen: list[object] = []
    async with asyncio.timeout(5):  # never hangs: the script ends, the peer goes away
        async for item in events:
            seen.append(item)
            if isinstance(item, StreamDisconnected):
                break
    await events.close()
    assert isinstance(seen[0], StreamConnected)
    assert isinstance(seen[-1], StreamDisconnected)
    assert all(isinstance(item, ProvisioningEvent) for item in seen[1:-1])


@pytest.fixture
async def ws_peer(socket_enabled: None) -> Any:
    """A WebSocket server on 127.0.0.1 that sends what the test queues, then closes."""
    from aiohttp import web

    frames: asyncio.Queue[str | None] = asyncio.Queue()

    async def handler(request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        while (frame := await frames.get()) is not None:
            await socket.send_str(frame)
        await socket.close()
        return socket

    app = web.Application()
    app.router.add_get("/ws/monitor", handler)
    async with serve(app) as port:
        yield port, frames


async def test_the_monitor_survives_garbage_frames_over_a_real_socket(ws_peer: Any) -> None:
    """A scripted peer: garbage between real updates is skipped, the socket kept."""
    from custom_components.piorchestrator.api.client import PiOrchestratorClient
    from custom_components.piorchestrator.api.monitor import HealthUpdate, MonitorStream

    port, frames = ws_peer
    async with aiohttp.ClientSession() as session:
        client = PiOrchestratorClient(session, "127.0.0.1", port)
        monitor = MonitorStream(client, sleep=_no_wait)
        for frame in (
            '{"type": "initial_data", "data": {"system_health": {"cpu_usage": 10}}}',
            "not json",
            "[]",
            '{"type": "monitoring_update"}',
            '{"type": "monitoring_update", "data": []}',
            '{"type": "surprise", "data": {}}',
            '{"type": "monitoring_update", "data": {"system_health": {"cpu_usage": 20}}}',
            None,
        ):
            frames.put_nowait(frame)
        readings: list[float | None] = []
        async with asyncio.timeout(5):
            async for item in monitor:
                if isinstance(item, HealthUpdate):
                    readings.append(item.health.cpu_percent)
                if isinstance(item, StreamDisconnected):
                    break
        await monitor.close()
    COLLECTOR.count_example("monitor: scripted peer")
    assert readings == [10.0, 20.0]
    assert monitor.diagnostics["message_counts"]["invalid"] == 4
