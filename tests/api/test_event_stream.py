"""The provisioning event stream against a scripted SSE server on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import aclosing
import json
import logging
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.piorchestrator.api.backoff import Backoff
from custom_components.piorchestrator.api.client import PiOrchestratorClient
from custom_components.piorchestrator.api.errors import (
    PiOrchestratorAuthenticationError,
    PiOrchestratorConnectionError,
    PiOrchestratorResponseError,
    PiOrchestratorServerError,
    PiOrchestratorTimeoutError,
)
from custom_components.piorchestrator.api.event_stream import ProvisioningEventStream
from custom_components.piorchestrator.api.events import EventKind, ProvisioningEvent
from custom_components.piorchestrator.api.models import BoardState
from custom_components.piorchestrator.api.sse import SseMessage, SseParser
from custom_components.piorchestrator.api.stream import StreamConnected, StreamDisconnected
from simulator import Simulator, SimulatorConfig
from tests.api.conftest import SIM_API_KEY, RecordedSleeps
from tests.conftest import SimulatorConfigFactory

API_KEY = "s3cret-key"
EVENTS_PATH = "/api/v1/provisioning/batch/events"

type Script = Callable[[web.Request], Awaitable[web.StreamResponse]]


def sse(event_type: str, payload: Any, *, event_id: str | None = None, **extra: Any) -> bytes:
    envelope = {"version": "1.0", "type": event_type, "timestamp": "2025-01-15T10:30:00Z"}
    envelope |= {"payload": payload, **extra}
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event_type}\ndata: {json.dumps(envelope)}\n\n".encode()


SESSION = {"id": "sess_1", "state": "active", "target_ssid": "VendingNet"}
STARTED = sse("session.started", {"session": SESSION}, event_id="1")
DISCOVERED = sse(
    "device.discovered",
    {"mac": "aa:bb:cc:dd:ee:01", "ip": "192.168.4.10", "rssi": -50, "in_allowlist": True},
    event_id="2",
    session_id="sess_1",
)


class SseServer:
    """Answers each connection with the next script; records what the client sent."""

    def __init__(self) -> None:
        self.scripts: list[Script] = []
        self.requests: list[web.Request] = []
        self.disconnected = asyncio.Event()
        self.port = 0

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(request)
        script = self.scripts.pop(0) if self.scripts else hang()
        try:
            return await script(request)
        except asyncio.CancelledError:
            # aiohttp cancels the handler when the client goes away.
            self.disconnected.set()
            raise


async def _open(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    )
    await response.prepare(request)
    return response


def stream_then(*chunks: bytes, end: str = "close", pause: float = 0.0) -> Script:
    """Send `chunks`, then close cleanly, hang, or drop the connection."""

    async def script(request: web.Request) -> web.StreamResponse:
        response = await _open(request)
        for chunk in chunks:
            await response.write(chunk)
            if pause:
                await asyncio.sleep(pause)
        if end == "hang":
            await asyncio.Event().wait()
        if end == "drop":
            assert request.transport is not None
            request.transport.close()
            await asyncio.sleep(0.05)
        return response

    return script


def hang(*chunks: bytes) -> Script:
    return stream_then(*chunks, end="hang")


def status(code: int, body: dict[str, Any]) -> Script:
    async def script(request: web.Request) -> web.StreamResponse:
        return web.json_response(body, status=code)

    return script


@pytest.fixture
async def server(socket_enabled: None) -> AsyncIterator[SseServer]:
    sse_server = SseServer()
    app = web.Application()
    app.router.add_get(EVENTS_PATH, sse_server.handle)
    test_server = TestServer(app, host="127.0.0.1")
    await test_server.start_server()
    assert test_server.port is not None
    sse_server.port = test_server.port
    yield sse_server
    await test_server.close()


@pytest.fixture
def pi_client(
    server: SseServer, http: aiohttp.ClientSession, sleeps: RecordedSleeps
) -> PiOrchestratorClient:
    # The client holds requests back after a 429 by its clock; let it follow the
    # recorded sleeps, so waiting out the limit takes no real time.
    return PiOrchestratorClient(http, "127.0.0.1", server.port, api_key=API_KEY, clock=sleeps.clock)


type Item = StreamConnected | StreamDisconnected | ProvisioningEvent


async def take(stream: ProvisioningEventStream, count: int, timeout: float = 5) -> list[Item]:
    items: list[Item] = []
    async with asyncio.timeout(timeout), aclosing(aiter(stream)) as iterator:
        async for item in iterator:
            items.append(item)
            if len(items) == count:
                break
    return items


def make_stream(
    client: Any, sleeps: RecordedSleeps, *, idle_timeout: float = 5.0, **kwargs: Any
) -> ProvisioningEventStream:
    return ProvisioningEventStream(
        client, idle_timeout=idle_timeout, backoff=Backoff(jitter=0), sleep=sleeps, **kwargs
    )


async def test_events_keepalives_and_reconnect_with_last_event_id(
    server: SseServer, pi_client: PiOrchestratorClient, sleeps: RecordedSleeps
) -> None:
    server.scripts = [
        stream_then(b": keepalive\n\n", b"retry: 2500\n\n", STARTED, DISCOVERED),
        hang(sse("connection.heartbeat", None)),
    ]
    stream = make_stream(pi_client, sleeps, session_id="sess_1")
    items = await take(stream, 6)

    assert items[0] == StreamConnected(reconnected=False, gap=None)
    started, discovered = items[1], items[2]
    assert isinstance(started, ProvisioningEvent)
    assert started.kind is EventKind.SESSION_STARTED
    assert started.event_id == "1"
    assert isinstance(discovered, ProvisioningEvent)
    assert discovered.kind is EventKind.BOARD_DISCOVERED
    assert discovered.board is not None
    assert discovered.board.mac == "AA:BB:CC:DD:EE:01"
    assert items[3] == StreamDisconnected(error=None)  # the Pi closed the stream
    reconnected = items[4]
    assert isinstance(reconnected, StreamConnected)
    assert reconnected.reconnected
    assert reconnected.gap is not None
    assert reconnected.gap >= 0
    heartbeat = items[5]
    assert isinstance(heartbeat, ProvisioningEvent)
    assert heartbeat.kind is EventKind.HEARTBEAT
    assert heartbeat.event_id == "2"  # the last event ID carries over

    # `retry:` is the floor of the back-off.
    assert sleeps == [2.5]
    first, second = server.requests
    for request in (first, second):
        assert request.headers["X-API-Key"] == API_KEY
        assert request.headers["Accept"] == "text/event-stream"
        assert request.query["session_id"] == "sess_1"
        assert "api_key" not in request.query
    assert "Last-Event-ID" not in first.headers
    assert second.headers["Last-Event-ID"] == "2"
    assert stream.last_event_id == "2"
    diagnostics = stream.diagnostics
    assert diagnostics["reconnect_count"] == 1
    assert diagnostics["last_event_id"] == "2"
    assert diagnostics["session_id"] == "sess_1"
    assert diagnostics["backoff_floor"] == 2.5
    assert diagnostics["last_message"] is not None
    assert diagnostics["connected"] is False  # the iterator was closed
    assert API_KEY not in repr(diagnostics)


async def test_drop_mid_event_reconnects_without_the_partial_event(
    server: SseServer, pi_client: PiOrchestratorClient, sleeps: RecordedSleeps
) -> None:
    server.scripts = [
        stream_then(STARTED, DISCOVERED[:40], end="drop"),
        hang(DISCOVERED),
    ]
    stream = make_stream(pi_client, sleeps)
    items = await take(stream, 5)

    assert isinstance(items[1], ProvisioningEvent)
    lost = items[2]
    assert isinstance(lost, StreamDisconnected)
    assert isinstance(lost.error, PiOrchestratorConnectionError)
    assert items[3] == StreamConnected(reconnected=True, gap=items[3].gap)  # type: ignore[union-attr]
    discovered = items[4]
    assert isinstance(discovered, ProvisioningEvent)
    assert discovered.kind is EventKind.BOARD_DISCOVERED
    assert server.requests[1].headers["Last-Event-ID"] == "1"
    # The connection delivered an event, so the back-off started again from 1 s.
    assert sleeps == [1.0]
    assert stream.diagnostics["last_error"]["type"] == "PiOrchestratorConnectionError"


async def test_silence_beyond_idle_timeout_is_a_dead_connection(
    server: SseServer, pi_client: PiOrchestratorClient, sleeps: RecordedSleeps
) -> None:
    server.scripts = [hang(b": hello\n\n"), hang(STARTED)]
    stream = make_stream(pi_client, sleeps, idle_timeout=0.3)
    items = await take(stream, 4)

    lost = items[1]
    assert isinstance(lost, StreamDisconnected)
    assert isinstance(lost.error, PiOrchestratorTimeoutError)
    assert "No event or keepalive" in str(lost.error)
    assert isinstance(items[2], StreamConnected)
    assert isinstance(items[3], ProvisioningEvent)
    # A comment is a sign of life: the back-off was reset.
    assert sleeps == [1.0]
    await asyncio.wait_for(server.disconnected.wait(), 2)


async def test_keepalive_comments_keep_the_connection(
    server: SseServer, pi_client: PiOrchestratorClient, sleeps: RecordedSleeps
) -> None:
    server.scripts = [stream_then(*([b": keepalive\n\n"] * 6), STARTED, end="hang", pause=0.1)]
    stream = make_stream(pi_client, sleeps, idle_timeout=0.35)
    items = await take(stream, 2)
    assert isinstance(items[1], ProvisioningEvent)
    assert sleeps == []


async def test_partial_data_is_not_a_sign_of_life(
    server: SseServer, pi_client: PiOrchestratorClient, sleeps: RecordedSleeps
) -> None:
    # Bytes that never complete a line do not keep a connection alive.
    server.scripts = [stream_then(*([b"data: x"] * 10), end="hang", pause=0.1)]
    stream = make_stream(pi_client, sleeps, idle_timeout=0.35)
    items = await take(stream, 2)
    assert isinstance(items[1], StreamDisconnected)
    assert isinstance(items[1].error, PiOrchestratorTimeoutError)


async def test_unauthorized_is_not_retried(
    server: SseServer, pi_client: PiOrchestratorClient, sleeps: RecordedSleeps
) -> None:
    server.scripts = [
        status(
            401,
            {
                "success": False,
                "error": "API key required",
                "code": "UNAUTHORIZED",
                "retryable": False,
                "correlation_id": "corr-401",
                "timestamp": "2025-01-15T10:30:00Z",
            },
        )
    ]
    stream = make_stream(pi_client, sleeps)
    with pytest.raises(PiOrchestratorAuthenticationError):
        await take(stream, 1)
    assert sleeps == []
    assert len(server.requests) == 1
    last_error = stream.diagnostics["last_error"]
    assert last_error["correlation_id"] == "corr-401"
    assert last_error["code"] == "UNAUTHORIZED"


async def test_server_errors_back_off_and_log_once(
    server: SseServer,
    pi_client: PiOrchestratorClient,
    sleeps: RecordedSleeps,
    caplog: pytest.LogCaptureFixture,
) -> None:
    unavailable = status(
        500,
        {
            "success": False,
            "error": {"code": "INTERNAL_ERROR", "message": "starting up", "retryable": False},
            "correlation_id": "corr-500",
        },
    )
    server.scripts = [unavailable, unavailable, unavailable, hang(STARTED)]
    caplog.set_level(logging.DEBUG, logger="custom_components.piorchestrator.api")
    stream = make_stream(pi_client, sleeps)
    items = await take(stream, 3)

    lost = items[0]
    assert isinstance(lost, StreamDisconnected)  # once, not once per attempt
    assert isinstance(lost.error, PiOrchestratorServerError)
    assert lost.error.correlation_id == "corr-500"
    assert isinstance(items[1], StreamConnected)
    assert items[1].reconnected
    assert isinstance(items[2], ProvisioningEvent)
    assert sleeps == [1.0, 2.0, 4.0]

    stream_records = [r for r in caplog.records if r.name.endswith(".stream")]
    assert [r.levelno for r in stream_records if r.levelno > logging.DEBUG] == [
        logging.WARNING,
        logging.INFO,
    ]
    assert "corr-500" in stream_records[0].getMessage()
    for record in caplog.records:
        assert API_KEY not in record.getMessage()
        assert "http://" not in record.getMessage()


async def test_retry_after_of_an_error_is_honoured(
    server: SseServer, pi_client: PiOrchestratorClient, sleeps: RecordedSleeps
) -> None:
    server.scripts = [
        status(
            429,
            {
                "success": False,
                "error": {
                    "code": "RATE_LIMITED",
                    "message": "too many requests; wait",
                    "retryable": True,
                    "retry_after_seconds": 12,
                },
            },
        ),
        hang(STARTED),
    ]
    stream = make_stream(pi_client, sleeps)
    items = await take(stream, 3)
    assert isinstance(items[2], ProvisioningEvent)
    assert sleeps == [12.0]


async def test_empty_connections_do_not_reset_the_back_off(
    server: SseServer, pi_client: PiOrchestratorClient, sleeps: RecordedSleeps
) -> None:
    server.scripts = [stream_then(), stream_then(), stream_then(), hang(STARTED)]
    stream = make_stream(pi_client, sleeps)
    items = await take(stream, 8)
    assert [type(item).__name__ for item in items] == [
        "StreamConnected",
        "StreamDisconnected",
        "StreamConnected",
        "StreamDisconnected",
        "StreamConnected",
        "StreamDisconnected",
        "StreamConnected",
        "ProvisioningEvent",
    ]
    assert sleeps == [1.0, 2.0, 4.0]
    assert stream.diagnostics["reconnect_count"] == 3


async def test_oversized_event_is_skipped_and_the_stream_goes_on(
    server: SseServer,
    pi_client: PiOrchestratorClient,
    sleeps: RecordedSleeps,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Dropping the connection would only meet the same frame again in the replay."""
    oversized = b"id: 41\ndata: " + b"x" * 2000 + b"\n\n"
    server.scripts = [hang(oversized, oversized, STARTED)]
    stream = make_stream(pi_client, sleeps, max_message_size=1024)
    items = await take(stream, 2)
    assert isinstance(items[0], StreamConnected)
    assert isinstance(items[1], ProvisioningEvent)
    assert sleeps == []
    assert stream.diagnostics["reconnect_count"] == 0
    skipped = [r for r in caplog.records if "more than 1024 bytes" in r.getMessage()]
    assert len(skipped) == 1
    assert skipped[0].levelname == "WARNING"


async def test_unreadable_events_are_skipped(
    server: SseServer, pi_client: PiOrchestratorClient, sleeps: RecordedSleeps
) -> None:
    server.scripts = [
        hang(
            b"data: not json\n\n",
            sse("door.opened", {}),
            sse("session.started", {"session": SESSION}, version="2.0"),
            STARTED,
        )
    ]
    stream = make_stream(pi_client, sleeps)
    items = await take(stream, 2)
    assert isinstance(items[1], ProvisioningEvent)
    assert items[1].kind is EventKind.SESSION_STARTED


async def test_close_ends_iteration_and_closes_the_connection(
    server: SseServer, pi_client: PiOrchestratorClient, sleeps: RecordedSleeps
) -> None:
    server.scripts = [hang(STARTED)]
    stream = make_stream(pi_client, sleeps)
    received: list[Item] = []
    got_event = asyncio.Event()

    async def consume() -> None:
        async for item in stream:
            received.append(item)
            if isinstance(item, ProvisioningEvent):
                got_event.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(got_event.wait(), 5)
    assert stream.connected
    await stream.close()
    await asyncio.wait_for(task, 2)
    await asyncio.wait_for(server.disconnected.wait(), 2)
    assert not stream.connected
    # A closed stream stays closed.
    assert await take(stream, 1) == []


async def test_cancelling_the_consumer_closes_the_connection(
    server: SseServer, pi_client: PiOrchestratorClient, sleeps: RecordedSleeps
) -> None:
    server.scripts = [hang(STARTED)]
    stream = make_stream(pi_client, sleeps)
    got_event = asyncio.Event()

    async def consume() -> None:
        async for item in stream:
            if isinstance(item, ProvisioningEvent):
                got_event.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(got_event.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.wait_for(server.disconnected.wait(), 2)
    assert not stream.connected


async def test_close_during_back_off_is_prompt(
    server: SseServer, pi_client: PiOrchestratorClient
) -> None:
    server.scripts = [stream_then()]
    # The real sleep, with a long delay: close() must not wait for it.
    stream = ProvisioningEventStream(pi_client, backoff=Backoff(initial=60, maximum=60, jitter=0))
    items: list[Item] = []

    async def consume() -> None:
        async for item in stream:
            items.append(item)  # noqa: PERF401 - watched while it grows

    task = asyncio.create_task(consume())
    async with asyncio.timeout(5):
        while len(items) < 2:
            await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    await stream.close()
    await asyncio.wait_for(task, 1)
    assert items == [StreamConnected(reconnected=False), StreamDisconnected(None)]


async def test_only_one_consumer(
    server: SseServer, pi_client: PiOrchestratorClient, sleeps: RecordedSleeps
) -> None:
    server.scripts = [hang(STARTED)]
    stream = make_stream(pi_client, sleeps)
    async with aclosing(aiter(stream)) as first:
        await anext(first)
        with pytest.raises(RuntimeError, match="already has a consumer"):
            await anext(aiter(stream))


class FlakyClient:
    """Fails to open in the ways aiohttp can, then delegates to a real pi_client."""

    def __init__(self, real: PiOrchestratorClient, failures: list[BaseException]) -> None:
        self.host = real.host
        self._real = real
        self._failures = failures

    async def open_event_stream(
        self, *, session_id: str | None = None, last_event_id: str | None = None
    ) -> aiohttp.ClientResponse:
        if self._failures:
            raise self._failures.pop(0)
        return await self._real.open_event_stream(
            session_id=session_id, last_event_id=last_event_id
        )


async def test_raw_transport_errors_are_wrapped(
    server: SseServer, pi_client: PiOrchestratorClient, sleeps: RecordedSleeps
) -> None:
    server.scripts = [hang(STARTED)]
    flaky = FlakyClient(pi_client, [aiohttp.ClientConnectionError("refused"), TimeoutError()])
    stream = make_stream(flaky, sleeps)
    items = await take(stream, 3)
    lost = items[0]
    assert isinstance(lost, StreamDisconnected)
    assert type(lost.error) is PiOrchestratorConnectionError
    assert "ClientConnectionError" in str(lost.error)
    assert isinstance(stream.diagnostics["last_error"], dict)
    assert stream.diagnostics["last_error"]["type"] == "PiOrchestratorTimeoutError"
    assert sleeps == [1.0, 2.0]
    assert isinstance(items[2], ProvisioningEvent)


async def test_close_while_opening_closes_the_new_response(
    server: SseServer, pi_client: PiOrchestratorClient, sleeps: RecordedSleeps
) -> None:
    server.scripts = [hang(STARTED)]

    class ClosingClient:
        host = pi_client.host
        stream: ProvisioningEventStream

        async def open_event_stream(self, **kwargs: Any) -> aiohttp.ClientResponse:
            response = await pi_client.open_event_stream(**kwargs)
            await self.stream.close()
            return response

    closing = ClosingClient()
    closing.stream = stream = make_stream(closing, sleeps)
    assert await take(stream, 1) == []
    await asyncio.wait_for(server.disconnected.wait(), 2)


async def test_close_from_the_consumer_between_items(
    server: SseServer, pi_client: PiOrchestratorClient, sleeps: RecordedSleeps
) -> None:
    server.scripts = [hang(STARTED)]
    stream = make_stream(pi_client, sleeps)
    received: list[Item] = []
    async with asyncio.timeout(5):
        async for item in stream:
            received.append(item)
            await stream.close()
    assert received == [StreamConnected(reconnected=False)]
    await asyncio.wait_for(server.disconnected.wait(), 2)


@pytest.fixture(
    params=[
        ("backend", "auto"),
        ("dashboard", "auto"),
        # Each vocabulary in the other's framing: API.md §6 has clients accept both.
        ("backend", "unnamed"),
        ("dashboard", "named"),
    ],
    ids=lambda param: "-".join(param),
)
def sim_config(
    make_simulator_config: SimulatorConfigFactory, request: pytest.FixtureRequest
) -> SimulatorConfig:
    """The shared simulator, speaking each vocabulary in turn, framed either way."""
    vocabulary, framing = request.param
    return make_simulator_config(
        api_key=SIM_API_KEY,
        speed=100.0,
        seed=7,
        boards=2,
        sse_vocabulary=vocabulary,
        sse_framing=framing,
    )


async def test_both_vocabularies_of_the_simulator_tell_the_same_story(
    sim: Simulator, client: PiOrchestratorClient
) -> None:
    kinds: set[EventKind] = set()
    session_id = ""
    provisioning = False
    stream = ProvisioningEventStream(client)
    async with asyncio.timeout(20), aclosing(aiter(stream)) as items:
        async for item in items:
            if isinstance(item, StreamConnected):
                session_id = (await client.start_batch("VendingNet", "password123")).session.id
                continue
            assert isinstance(item, ProvisioningEvent), item
            kinds.add(item.kind)
            if item.board is None:
                continue
            assert item.session_id == session_id
            if not provisioning and item.kind is EventKind.BOARD_DISCOVERED:
                provisioning = True
                await client.provision_all(session_id, only_allowlisted=False)
            if item.board.state is BoardState.VERIFIED:
                break
    assert EventKind.BOARD_DISCOVERED in kinds
    assert kinds & {EventKind.SESSION_STARTED, EventKind.SESSION_STATE_CHANGED}
    assert EventKind.NETWORK_STATUS in kinds


# -- A hostile or broken peer (issue 12) -------------------------------------------


async def test_a_long_id_is_not_sent_back_on_reconnection(
    server: SseServer, pi_client: PiOrchestratorClient, sleeps: RecordedSleeps
) -> None:
    """A 20 kB id once went back as Last-Event-ID, refused (400) on every retry for ever."""
    long_id = "9" * 20_000
    server.scripts = [
        stream_then(STARTED, sse("connection.heartbeat", None, event_id=long_id)),
        hang(DISCOVERED),
    ]
    stream = make_stream(pi_client, sleeps)
    items = await take(stream, 6)
    assert [type(item).__name__ for item in items] == [
        "StreamConnected",
        "ProvisioningEvent",
        "ProvisioningEvent",
        "StreamDisconnected",
        "StreamConnected",
        "ProvisioningEvent",
    ]
    assert server.requests[1].headers["Last-Event-ID"] == "1"
    assert stream.last_event_id == "2"


async def test_a_4xx_on_opening_drops_the_last_event_id(
    server: SseServer, pi_client: PiOrchestratorClient, sleeps: RecordedSleeps
) -> None:
    """Whatever made the Pi refuse the request, the next one goes without the header."""
    refused = status(
        400,
        {"success": False, "error": {"code": "VALIDATION_FAILED", "message": "bad header"}},
    )
    server.scripts = [stream_then(STARTED), refused, hang(DISCOVERED)]
    stream = make_stream(pi_client, sleeps)
    items = await take(stream, 5)
    assert isinstance(items[-1], ProvisioningEvent)
    assert items[-1].kind is EventKind.BOARD_DISCOVERED
    first, second, third = server.requests
    assert "Last-Event-ID" not in first.headers
    assert second.headers["Last-Event-ID"] == "1"
    assert "Last-Event-ID" not in third.headers


async def test_a_5xx_on_opening_keeps_the_last_event_id(
    server: SseServer, pi_client: PiOrchestratorClient, sleeps: RecordedSleeps
) -> None:
    """A Pi that is starting up refused nothing we sent: the replay is still wanted."""
    unavailable = status(503, {"success": False, "error": {"code": "SERVICE_UNAVAILABLE"}})
    server.scripts = [stream_then(STARTED), unavailable, hang(DISCOVERED)]
    stream = make_stream(pi_client, sleeps)
    await take(stream, 5)
    assert server.requests[2].headers["Last-Event-ID"] == "1"


@pytest.mark.parametrize(
    ("retry", "floor"),
    [
        (b"9" * 400, 0.0),
        (b"9" * 5000, 0.0),
        ("\u00b2".encode(), 0.0),
        (b"0", 1.0),
        (b"9999999999", 300.0),
    ],
    ids=["400 digits", "5000 digits", "superscript two", "zero", "ten digits"],
)
async def test_an_absurd_retry_does_not_stop_the_stream(
    server: SseServer,
    pi_client: PiOrchestratorClient,
    sleeps: RecordedSleeps,
    retry: bytes,
    floor: float,
) -> None:
    """400 digits raised OverflowError, 5,000 ValueError: each ended the task for good."""
    server.scripts = [hang(b"retry: " + retry + b"\n\n", STARTED, DISCOVERED)]
    stream = make_stream(pi_client, sleeps)
    items = await take(stream, 3)
    assert [type(item).__name__ for item in items] == [
        "StreamConnected",
        "ProvisioningEvent",
        "ProvisioningEvent",
    ]
    assert stream.diagnostics["backoff_floor"] == floor


async def test_a_frame_that_cannot_be_read_is_skipped_and_logged_once(
    server: SseServer,
    pi_client: PiOrchestratorClient,
    sleeps: RecordedSleeps,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Whatever the reading of one frame raises, only that frame is lost."""
    server.scripts = [hang(STARTED, b"data: boom\n\n", b"data: boom\n\n", DISCOVERED)]
    stream = make_stream(pi_client, sleeps)
    read = stream._events.parse

    def parse(message: Any) -> ProvisioningEvent | None:
        if message.data == "boom":
            raise OverflowError("int too large to convert to float")
        return read(message)

    stream._events.parse = parse  # type: ignore[method-assign]
    items = await take(stream, 3)
    assert [item.kind for item in items[1:]] == [  # type: ignore[union-attr]
        EventKind.SESSION_STARTED,
        EventKind.BOARD_DISCOVERED,
    ]
    assert len(server.requests) == 1  # the connection was kept
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, warnings
    assert "OverflowError" in warnings[0].getMessage()
    assert not any(r.exc_info for r in warnings)


async def test_an_unexpected_error_outside_a_frame_reconnects(
    server: SseServer,
    pi_client: PiOrchestratorClient,
    sleeps: RecordedSleeps,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Not a frame but the connection broke: it is replaced, with back-off, and goes on."""
    server.scripts = [hang(STARTED), hang(DISCOVERED)]
    calls = 0
    real_feed = SseParser.feed

    def feed(self: SseParser, chunk: bytes) -> list[SseMessage]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ValueError("parser state broken")
        return real_feed(self, chunk)

    monkeypatch.setattr(SseParser, "feed", feed)
    stream = make_stream(pi_client, sleeps)
    items = await take(stream, 4)
    lost = items[1]
    assert isinstance(lost, StreamDisconnected)
    assert isinstance(lost.error, PiOrchestratorResponseError)
    assert "ValueError" in str(lost.error)
    assert isinstance(items[2], StreamConnected)
    assert isinstance(items[3], ProvisioningEvent)
    assert sleeps == [1.0]
