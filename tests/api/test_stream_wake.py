"""A stream waiting to reconnect is woken by the Pi answering, not by a refusal (wire level)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
import dataclasses
from datetime import UTC, datetime, timedelta
import time

import aiohttp
from aiohttp import web
import pytest

from custom_components.piorchestrator.api.backoff import Backoff
from custom_components.piorchestrator.api.client import PiOrchestratorClient
from custom_components.piorchestrator.api.event_stream import ProvisioningEventStream
from custom_components.piorchestrator.api.stream import StreamConnected, StreamDisconnected
from simulator import Simulator
from tests.api.conftest import SIM_API_KEY
from tests.loopback import serve
from tests.waiting import wait_until


@pytest.fixture
def real_client(sim: Simulator, http: aiohttp.ClientSession) -> PiOrchestratorClient:
    """A client that really waits between its retries."""
    return PiOrchestratorClient(http, "127.0.0.1", sim.port, api_key=SIM_API_KEY)


class Recorder:
    """Consumes a stream in the background, noting when it connects and drops."""

    def __init__(self, stream: ProvisioningEventStream) -> None:
        self.stream = stream
        self.connected: list[float] = []
        self.dropped: list[float] = []
        self._task = asyncio.ensure_future(self._consume())

    async def _consume(self) -> None:
        async for item in self.stream:
            if isinstance(item, StreamConnected):
                self.connected.append(time.monotonic())
            elif isinstance(item, StreamDisconnected):
                self.dropped.append(time.monotonic())

    async def until(self, condition: Callable[[], object], timeout: float) -> None:
        await wait_until(condition, timeout=timeout)

    async def close(self) -> None:
        await self.stream.close()
        await asyncio.gather(self._task, return_exceptions=True)


@pytest.fixture
async def recorder(real_client: PiOrchestratorClient) -> AsyncGenerator[Recorder]:
    """The event stream with the probe a coordinator gives it, and a back-off of
    0.2 s, then 30 s: the first attempt after the drop finds the Pi gone."""
    stream = ProvisioningEventStream(
        real_client,
        backoff=Backoff(initial=0.2, factor=150, maximum=30, jitter=0),
        probe=real_client.system_info,
    )
    recording = Recorder(stream)
    yield recording
    await recording.close()


async def test_a_probe_ends_the_wait_once_the_pi_answers(
    sim: Simulator, recorder: Recorder
) -> None:
    await recorder.until(lambda: recorder.connected, 5)
    sim.config = dataclasses.replace(sim.config, port=sim.port)
    await sim.stop()
    await recorder.until(lambda: recorder.dropped, 5)
    far = timedelta(seconds=20)
    await recorder.until(
        lambda: (at := recorder.stream.next_attempt_at) is not None
        and at - datetime.now(UTC) > far,
        5,
    )

    await asyncio.sleep(0.5)
    await sim.start()
    back = time.monotonic()
    # The back-off says 30 s; the probe (at most every 5 s) finds the Pi first.
    await recorder.until(lambda: len(recorder.connected) == 2, 6)
    assert recorder.connected[1] - back < 6
    assert recorder.stream.next_attempt_at is None


async def test_a_refusal_is_waited_out_whatever_answers_meanwhile(
    sim: Simulator, real_client: PiOrchestratorClient, http: aiohttp.ClientSession
) -> None:
    stream = ProvisioningEventStream(
        real_client, backoff=Backoff(initial=0.1, maximum=0.1, jitter=0)
    )
    recording = Recorder(stream)
    try:
        await recording.until(lambda: recording.connected, 5)
        for name, body in (
            (
                "fail-next",
                {
                    "code": "INTERNAL_ERROR",
                    "status": 503,
                    "retryable": True,
                    "retry_after_seconds": 3,
                    "paths": ["/api/v1/provisioning/batch/events"],
                },
            ),
            ("drop-streams", {"streams": ["sse"]}),
        ):
            async with http.post(
                f"{sim.url}/_sim/{name}", json=body, headers=sim.control_headers
            ) as response:
                assert response.status == 200

        def refused() -> bool:
            error = stream.diagnostics["last_error"]
            return error is not None and error["http_status"] == 503

        await recording.until(refused, 5)
        refused_at = time.monotonic()
        # The Pi answers other requests, and says so, again and again.
        while len(recording.connected) < 2 and time.monotonic() - refused_at < 6:
            await real_client.system_info()
            stream.wake()
            await asyncio.sleep(0.1)
        assert len(recording.connected) == 2
        assert recording.connected[1] - refused_at > 2.5, "the Pi's 3 s were cut short"
    finally:
        await recording.close()


async def test_a_stream_that_went_silent_is_not_reopened_by_answers(
    http: aiohttp.ClientSession, socket_enabled: None
) -> None:
    """A Pi that answers requests but sends nothing on its stream is waited for as the
    back-off says: waking at each answer would reopen a silent stream every few seconds."""
    opened: list[float] = []
    hang_up = asyncio.Event()

    async def silent_events(request: web.Request) -> web.StreamResponse:
        opened.append(time.monotonic())
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        await hang_up.wait()  # open, and silent, until the test ends
        return response

    app = web.Application()
    app.router.add_get("/api/v1/provisioning/batch/events", silent_events)
    async with serve(app) as port:
        stream = ProvisioningEventStream(
            PiOrchestratorClient(http, "127.0.0.1", port, api_key=SIM_API_KEY),
            idle_timeout=0.3,
            backoff=Backoff(initial=2.0, maximum=2.0, jitter=0),
        )
        recording = Recorder(stream)
        try:
            await recording.until(lambda: recording.dropped, 5)
            dropped_at = recording.dropped[0]
            while len(opened) < 2 and time.monotonic() - dropped_at < 4:
                stream.wake()  # as every answered health or door poll does
                await asyncio.sleep(0.05)
            assert len(opened) == 2
            assert opened[1] - dropped_at > 1.8, "a silent stream was reopened at once"
        finally:
            await recording.close()
            hang_up.set()
