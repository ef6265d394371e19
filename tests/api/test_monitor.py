"""The monitor WebSocket stream against a scripted server on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import aclosing
import json
import logging
import tracemalloc
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.piorchestrator.api import monitor as monitor_module
from custom_components.piorchestrator.api.backoff import Backoff
from custom_components.piorchestrator.api.client import PiOrchestratorClient
from custom_components.piorchestrator.api.errors import (
    PiOrchestratorConnectionError,
    PiOrchestratorTimeoutError,
)
from custom_components.piorchestrator.api.health import (
    HealthSource,
    health_from_monitoring,
    health_from_system_info,
)
from custom_components.piorchestrator.api.monitor import (
    HealthUpdate,
    MonitorConnected,
    MonitorDisconnected,
    MonitorStream,
    merge_monitoring,
)
from simulator import Simulator
from tests.api.conftest import RecordedSleeps

type Script = Callable[[web.WebSocketResponse], Awaitable[None]]

INITIAL = {
    "timestamp": "2025-01-15T10:30:00Z",
    "system_health": {
        "cpu_usage": 20.0,
        "memory_usage": 40.0,
        "disk_usage": 60.0,
        "temperature": 50.0,
        "uptime": "3 days, 4:05:06",
        "load_average": "0.5 0.3 0.2",
    },
    "security_metrics": {"threat_level": "LOW", "failed_ssh_attempts": 0},
    "service_status": {"mqtt_connected": True, "api_responding": True, "database_connected": True},
    "camera_status": {},
    "alerts_count": 0,
}


def initial_data(data: dict[str, Any] = INITIAL) -> dict[str, Any]:
    return {"type": "initial_data", "data": data, "timestamp": "2025-01-15T10:30:00Z"}


def update(data: dict[str, Any]) -> dict[str, Any]:
    return {"type": "monitoring_update", "data": data}


class MonitorServer:
    """Runs the next script for each WebSocket; counts the pings it gets."""

    def __init__(self) -> None:
        self.scripts: list[Script] = []
        self.connections = 0
        self.pings = 0
        self.disconnected = asyncio.Event()
        self.port = 0

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.connections += 1
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        script = self.scripts.pop(0) if self.scripts else self.serve()
        await script(ws)
        self.disconnected.set()
        return ws

    def serve(self, *messages: Any, pong: bool = True, then_close: bool = False) -> Script:
        """Send `messages` (dicts as JSON, str/bytes as they are), then read and answer pings."""

        async def script(ws: web.WebSocketResponse) -> None:
            for message in messages:
                if isinstance(message, bytes):
                    await ws.send_bytes(message)
                elif isinstance(message, str):
                    await ws.send_str(message)
                else:
                    await ws.send_json(message)
            if then_close:
                await ws.close()
                return
            async for incoming in ws:
                if json.loads(incoming.data) == {"type": "ping"}:
                    self.pings += 1
                    if pong:
                        await ws.send_json({"type": "pong"})

        return script


@pytest.fixture
async def server(socket_enabled: None) -> AsyncIterator[MonitorServer]:
    monitor_server = MonitorServer()
    app = web.Application()
    app.router.add_get("/ws/monitor", monitor_server.handle)
    test_server = TestServer(app, host="127.0.0.1")
    await test_server.start_server()
    assert test_server.port is not None
    monitor_server.port = test_server.port
    yield monitor_server
    await test_server.close()


@pytest.fixture
def pi_client(server: MonitorServer, http: aiohttp.ClientSession) -> PiOrchestratorClient:
    return PiOrchestratorClient(http, "127.0.0.1", server.port)


type Item = MonitorConnected | MonitorDisconnected | HealthUpdate


async def take(stream: MonitorStream, count: int, timeout: float = 5) -> list[Item]:
    items: list[Item] = []
    async with asyncio.timeout(timeout), aclosing(aiter(stream)) as iterator:
        async for item in iterator:
            items.append(item)
            if len(items) == count:
                break
    return items


def make_stream(client: Any, sleeps: RecordedSleeps, **kwargs: Any) -> MonitorStream:
    return MonitorStream(client, backoff=Backoff(jitter=0), sleep=sleeps, **kwargs)


async def test_initial_data_and_partial_updates_merge(
    server: MonitorServer,
    pi_client: PiOrchestratorClient,
    caplog: pytest.LogCaptureFixture,
    sleeps: RecordedSleeps,
) -> None:
    caplog.set_level(logging.DEBUG)
    server.scripts = [
        server.serve(
            initial_data(),
            update({"system_health": {"cpu_usage": 75.5}}),
            "not json",
            {"type": "alert", "data": {}},
            {"type": "monitoring_update"},
            ["a", "list"],
            b'{"type": "pong"}',
            update({"service_status": {"mqtt_connected": False}, "alerts_count": 2}),
        )
    ]
    stream = make_stream(pi_client, sleeps)
    items = await take(stream, 4)

    assert items[0] == MonitorConnected(reconnected=False)
    first, second, third = items[1:]
    assert isinstance(first, HealthUpdate)
    assert first.health.source is HealthSource.WEBSOCKET
    assert first.health.cpu_percent == 20.0
    assert first.health.uptime_seconds == 3 * 86400 + 4 * 3600 + 5 * 60 + 6
    assert first.health.threat_level == "LOW"
    assert isinstance(second, HealthUpdate)
    assert second.health.cpu_percent == 75.5
    assert second.health.memory_percent == 40.0  # kept from initial_data
    assert second.health.mqtt_connected is True
    assert isinstance(third, HealthUpdate)
    assert third.health.cpu_percent == 75.5
    assert third.health.mqtt_connected is False
    assert third.health.api_responding is True
    assert third.raw["alerts_count"] == 2
    assert third.raw["system_health"]["load_average"] == "0.5 0.3 0.2"
    # Earlier snapshots are not changed by later updates.
    assert first.raw["system_health"]["cpu_usage"] == 20.0

    diagnostics = stream.diagnostics
    assert diagnostics["message_counts"] == {
        "initial_data": 1,
        "monitoring_update": 2,
        "invalid": 3,
        "other": 1,
        "pong": 1,
    }
    assert diagnostics["last_update"] is not None
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2  # not JSON (twice, logged once) and an update without data
    assert sleeps == []


async def test_pings_answered_keep_the_connection(
    server: MonitorServer, pi_client: PiOrchestratorClient, sleeps: RecordedSleeps
) -> None:
    server.scripts = [server.serve(initial_data())]
    stream = make_stream(pi_client, sleeps, ping_interval=0.05, pong_timeout=0.1)
    async with aclosing(aiter(stream)) as iterator:
        assert isinstance(await anext(iterator), MonitorConnected)
        assert isinstance(await anext(iterator), HealthUpdate)
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.5):
                await anext(iterator)
    assert server.pings >= 4
    assert stream.diagnostics["message_counts"]["pong"] >= 4
    assert stream.diagnostics["message_counts"]["ping_sent"] >= 4
    assert sleeps == []
    assert server.connections == 1


async def test_missing_pong_reconnects(
    server: MonitorServer,
    pi_client: PiOrchestratorClient,
    caplog: pytest.LogCaptureFixture,
    sleeps: RecordedSleeps,
) -> None:
    server.scripts = [
        server.serve(initial_data(), pong=False),
        server.serve(initial_data({"system_health": {"cpu_usage": 5}})),
    ]
    stream = make_stream(pi_client, sleeps, ping_interval=0.1, pong_timeout=0.2)
    items = await take(stream, 5)

    assert isinstance(items[1], HealthUpdate)
    lost = items[2]
    assert isinstance(lost, MonitorDisconnected)
    assert isinstance(lost.error, PiOrchestratorTimeoutError)
    reconnected = items[3]
    assert isinstance(reconnected, MonitorConnected)
    assert reconnected.reconnected
    fresh = items[4]
    assert isinstance(fresh, HealthUpdate)
    # initial_data replaces the previous connection's snapshot entirely.
    assert fresh.health.cpu_percent == 5
    assert fresh.health.memory_percent is None
    assert server.pings >= 1
    assert sleeps == [1.0]  # the first connection delivered data: back-off reset
    assert server.connections == 2
    assert [r.levelno for r in caplog.records if r.name.endswith(".stream")].count(
        logging.WARNING
    ) == 1


async def test_server_close_and_connect_failure(
    server: MonitorServer, pi_client: PiOrchestratorClient, sleeps: RecordedSleeps
) -> None:
    server.scripts = [server.serve(initial_data(), then_close=True), server.serve(initial_data())]

    class Flaky:
        host = pi_client.host
        calls = 0

        async def connect_monitor(self) -> aiohttp.ClientWebSocketResponse:
            self.calls += 1
            if self.calls == 2:
                raise aiohttp.ClientConnectionError("refused")
            return await pi_client.connect_monitor()

    stream = make_stream(Flaky(), sleeps)
    items = await take(stream, 5)
    assert isinstance(items[1], HealthUpdate)
    assert items[2] == MonitorDisconnected(None)  # closed cleanly by the Pi
    assert isinstance(items[3], MonitorConnected)  # the failed attempt yields nothing more
    assert isinstance(items[4], HealthUpdate)
    assert sleeps == [1.0, 2.0]
    assert stream.diagnostics["last_error"]["type"] == "PiOrchestratorConnectionError"


async def test_unreachable_pi(
    socket_enabled: None, http: aiohttp.ClientSession, sleeps: RecordedSleeps
) -> None:
    # Port 9 on loopback: nothing listens there.
    stream = make_stream(PiOrchestratorClient(http, "127.0.0.1", 9), sleeps)
    items: list[Item] = []

    async def consume() -> None:
        async for item in stream:
            items.append(item)  # noqa: PERF401 - watched while it grows

    task = asyncio.create_task(consume())
    async with asyncio.timeout(5):
        while len(sleeps) < 3:
            await asyncio.sleep(0.01)
    await stream.close()
    await asyncio.wait_for(task, 1)
    assert len(items) == 1
    assert isinstance(items[0], MonitorDisconnected)
    assert isinstance(items[0].error, PiOrchestratorConnectionError)
    assert sleeps[:3] == [1.0, 2.0, 4.0]
    assert stream.diagnostics["consecutive_failures"] == len(sleeps)


async def test_close_while_connected(
    server: MonitorServer, pi_client: PiOrchestratorClient, sleeps: RecordedSleeps
) -> None:
    server.scripts = [server.serve(initial_data())]
    stream = make_stream(pi_client, sleeps)
    got_update = asyncio.Event()

    async def consume() -> None:
        async for item in stream:
            if isinstance(item, HealthUpdate):
                got_update.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(got_update.wait(), 5)
    assert stream.connected
    await asyncio.wait_for(stream.close(), 3)
    await asyncio.wait_for(task, 2)
    await asyncio.wait_for(server.disconnected.wait(), 2)
    assert not stream.connected


class FakeWebSocket:
    """Plays back messages, for what a real server does not easily produce."""

    def __init__(self, messages: list[aiohttp.WSMessage]) -> None:
        self._messages = messages
        self.closed = False

    async def receive(self) -> aiohttp.WSMessage:
        await asyncio.sleep(0)
        return self._messages.pop(0)

    async def send_json(self, data: Any) -> None:
        raise AssertionError("no ping expected")

    async def close(self) -> bool:
        self.closed = True
        return True


async def test_websocket_error_message_is_a_loss(sleeps: RecordedSleeps) -> None:
    sockets = [
        FakeWebSocket(
            [
                aiohttp.WSMessage(aiohttp.WSMsgType.TEXT, json.dumps(initial_data()), None),
                aiohttp.WSMessage(aiohttp.WSMsgType.ERROR, ConnectionResetError(), None),
            ]
        ),
        FakeWebSocket(
            [aiohttp.WSMessage(aiohttp.WSMsgType.BINARY, json.dumps(initial_data()).encode(), None)]
        ),
    ]
    used = list(sockets)

    class Client:
        host = "pi.local"

        async def connect_monitor(self) -> Any:
            return sockets.pop(0)

    stream = make_stream(Client(), sleeps)
    items = await take(stream, 5)
    lost = items[2]
    assert isinstance(lost, MonitorDisconnected)
    assert isinstance(lost.error, PiOrchestratorConnectionError)
    assert "ConnectionResetError" in str(lost.error)
    assert isinstance(items[4], HealthUpdate)
    assert all(ws.closed for ws in used)


def test_merge_monitoring_keeps_the_named_fields_only() -> None:
    base = merge_monitoring({}, INITIAL)
    merged = merge_monitoring(
        base,
        {
            "system_health": {"cpu_usage": 80.0, "fan_speed": 3000},
            "security_metrics": "not a section",
            "network_metrics": {"latency": 12.5, "extra": [1, 2]},
            "alerts_count": 2,
            "camera_status": {"cam1": {"online": True}},
            "surprise": {"a": 1},
        },
    )
    assert merged == {
        "timestamp": "2025-01-15T10:30:00Z",
        "system_health": {
            "cpu_usage": 80.0,
            "memory_usage": 40.0,
            "disk_usage": 60.0,
            "temperature": 50.0,
            "uptime": "3 days, 4:05:06",
            "load_average": "0.5 0.3 0.2",
        },
        "security_metrics": {"threat_level": "LOW", "failed_ssh_attempts": 0},
        "service_status": INITIAL["service_status"],
        "network_metrics": {"latency": 12.5},
        "alerts_count": 2,
    }
    # Neither input is changed.
    assert base["system_health"]["cpu_usage"] == 20.0
    assert INITIAL["camera_status"] == {}


@pytest.mark.parametrize(
    "value",
    [{"deep": 1}, ["0.5", "0.3", "0.2", "0.1"], [[1]], "x" * 257],
    ids=["object", "long list", "nested list", "long text"],
)
def test_a_field_that_is_no_figure_becomes_none(value: Any) -> None:
    merged = merge_monitoring({}, {"system_health": {"load_average": value}})
    assert merged == {"system_health": {"load_average": None}}


def test_a_load_average_as_a_list_is_kept() -> None:
    merged = merge_monitoring({}, {"system_health": {"load_average": [0.5, 0.3, 0.2]}})
    assert merged["system_health"]["load_average"] == [0.5, 0.3, 0.2]


def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"cpu_usage": 1}
    for _ in range(depth):
        value = {"system_health": value}
    return value


def test_deep_nesting_sent_twice_does_not_exhaust_the_stack() -> None:
    """Merging 2,000 levels into 2,000 levels raised RecursionError and killed the monitor."""
    stream = MonitorStream(_Offline())
    raw = json.dumps({"type": "monitoring_update", "data": _nested(2000)})
    assert stream._handle(json.dumps(initial_data())) is not None
    for _ in range(2):
        reading = stream._handle(raw)
        assert reading is not None
        assert reading.health.cpu_percent == 20.0  # the nested junk changed nothing
    assert reading is not None
    assert reading.raw["system_health"] == INITIAL["system_health"]


def test_a_flood_of_new_keys_does_not_grow_the_snapshot() -> None:
    """40 updates of 1 MiB with new keys once kept 66 MiB."""
    stream = MonitorStream(_Offline())
    stream._handle(json.dumps(initial_data()))
    tracemalloc.start()
    try:
        for index in range(40):
            junk = {f"key{index}_{n}": "x" * 1000 for n in range(1000)}
            message = {
                "type": "monitoring_update",
                "data": {**junk, "system_health": {**junk, "cpu_usage": index}},
            }
            stream._handle(json.dumps(message))
            del junk, message
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert held < 256 * 1024, held
    assert stream._snapshot["system_health"]["cpu_usage"] == 39
    assert set(stream._snapshot) == {
        "timestamp",
        "system_health",
        "security_metrics",
        "service_status",
        "alerts_count",
    }


class _Offline:
    """A client the stream never connects through: these tests feed it messages directly."""

    host = "pi.test"

    async def connect_monitor(self) -> Any:
        raise AssertionError("the stream was not meant to connect")


async def test_deep_updates_over_the_wire_leave_the_stream_running(
    server: MonitorServer,
    pi_client: PiOrchestratorClient,
    sleeps: RecordedSleeps,
) -> None:
    deep = update(_nested(2000))
    server.scripts = [
        server.serve(initial_data(), deep, deep, update({"system_health": {"cpu_usage": 42.0}}))
    ]
    stream = make_stream(pi_client, sleeps)
    items = await take(stream, 5)
    last = items[-1]
    assert isinstance(last, HealthUpdate)
    assert last.health.cpu_percent == 42.0
    assert server.connections == 1


async def test_a_message_that_cannot_be_read_is_skipped_and_logged_once(
    server: MonitorServer,
    pi_client: PiOrchestratorClient,
    sleeps: RecordedSleeps,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whatever reading one message raises, the readings before and after it count."""
    read = health_from_monitoring

    def health(data: Any) -> Any:
        if data["system_health"].get("cpu_usage") == 13:
            raise OverflowError("int too large to convert to float")
        return read(data)

    monkeypatch.setattr(monitor_module, "health_from_monitoring", health)
    bad = update({"system_health": {"cpu_usage": 13}})
    server.scripts = [
        server.serve(initial_data(), bad, bad, update({"system_health": {"memory_usage": 7}}))
    ]
    stream = make_stream(pi_client, sleeps)
    items = await take(stream, 3)
    last = items[-1]
    assert isinstance(last, HealthUpdate)
    # The bad value was not kept to spoil the next update.
    assert last.health.cpu_percent == 20.0
    assert last.health.memory_percent == 7
    assert stream.diagnostics["message_counts"]["invalid"] == 2
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, warnings
    assert "OverflowError" in warnings[0].getMessage()
    assert server.connections == 1


async def test_close_from_the_consumer_between_items(
    server: MonitorServer, pi_client: PiOrchestratorClient, sleeps: RecordedSleeps
) -> None:
    server.scripts = [server.serve(initial_data())]
    stream = make_stream(pi_client, sleeps)
    received: list[Item] = []
    async with asyncio.timeout(5):
        async for item in stream:
            received.append(item)
            await stream.close()
    assert received == [MonitorConnected(reconnected=False)]
    await asyncio.wait_for(server.disconnected.wait(), 2)


async def test_against_the_simulator(sim: Simulator, client: PiOrchestratorClient) -> None:
    stream = MonitorStream(client, ping_interval=0.05, pong_timeout=1.0)
    items = await take(stream, 4)
    rest = health_from_system_info(await client.system_info())
    assert isinstance(items[0], MonitorConnected)
    updates = [item for item in items if isinstance(item, HealthUpdate)]
    assert len(updates) == 3
    for update_ in updates:
        health = update_.health
        assert health.cpu_percent is not None
        assert health.memory_percent is not None
        assert health.uptime_seconds is not None
        assert health.load_1 is not None
        assert health.mqtt_connected is not None
        assert health.threat_level in ("LOW", "MEDIUM", "HIGH")
    # Both sources describe the same Pi in the same units.
    assert rest.uptime_seconds is not None
    assert abs(rest.uptime_seconds - updates[-1].health.uptime_seconds) < 60  # type: ignore[operator]
    assert stream.diagnostics["message_counts"]["initial_data"] == 1
