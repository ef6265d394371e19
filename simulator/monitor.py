"""WebSocket /ws/monitor (API.md §7): initial_data, periodic monitoring_update, pong."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
import json
import logging
from typing import Any, Final

from aiohttp import WSMsgType, web

from simulator.clock import rfc3339
from simulator.faults import FaultState
from simulator.metrics import Metrics
from simulator.probes import Probes
from simulator.state import SimState
from simulator.stats import Stats

_LOGGER = logging.getLogger(__name__)

_CLOSE: Final = object()


class MonitorClient:
    """One socket; a single writer task keeps frames from interleaving."""

    def __init__(self, request: web.Request, socket: web.WebSocketResponse) -> None:
        """Wrap an accepted socket."""
        self.request = request
        self.socket = socket
        self.queue: asyncio.Queue[str | object] = asyncio.Queue(maxsize=1000)
        # Set to make the handler run the closing handshake itself: aiohttp cuts the TCP
        # connection early when close() races a receive() in another task.
        self.dropped = asyncio.Event()
        self.finished = asyncio.Event()

    def send(self, frame: str | bytes) -> None:
        """Queue a frame (bytes: a binary one); a slow client just misses updates."""
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(frame)

    def send_json(self, message: dict[str, Any]) -> None:
        """Queue a JSON message."""
        self.send(json.dumps(message))

    async def pump(self, faults: FaultState) -> None:
        """Write queued frames; during a stall, frames are discarded unsent."""
        while True:
            item = await self.queue.get()
            if item is _CLOSE:
                return
            if faults.stall_remaining("ws") > 0 or self.socket.closed:
                continue
            try:
                if isinstance(item, bytes):
                    await self.socket.send_bytes(item)
                else:
                    await self.socket.send_str(str(item))
            except ConnectionError:
                return


class MonitorHub:
    """Every /ws/monitor client, and the ticker that moves the figures."""

    def __init__(
        self,
        *,
        metrics: Metrics,
        state: SimState,
        faults: FaultState,
        stats: Stats,
        interval: float,
        active_streams: Callable[[], int],
        probes: Probes | None = None,
    ) -> None:
        """Push every `interval` real seconds; `active_streams()` counts open streams.

        `probes.metrics_ticked` hears of every tick.
        """
        self.metrics = metrics
        self.state = state
        self.faults = faults
        self.stats = stats
        self.interval = interval
        self._active_streams = active_streams
        self._probes = probes
        self.clients: set[MonitorClient] = set()
        self._bloat_serial = 0

    def cameras(self) -> dict[str, Any]:
        """Return camera_status: every verified board, as the Pi's camera registry would."""
        cameras: dict[str, Any] = {}
        for session in self.state.sessions.values():
            for board in session.devices.values():
                if board.state != "verified":
                    continue
                camera_id = "espcam-" + board.mac.replace(":", "")[-6:].lower()
                cameras[camera_id] = {
                    "id": camera_id,
                    "mac": board.mac,
                    "status": "online",
                    "last_seen": self.metrics.snapshot.timestamp,
                    "rssi": board.rssi,
                    "container_id": board.container_id,
                }
        return cameras

    def _connections(self) -> int:
        return self._active_streams() + len(self.clients)

    def full_data(self) -> dict[str, Any]:
        """Return a complete MonitoringData."""
        return {
            "timestamp": self.metrics.snapshot.timestamp,
            "system_health": self.metrics.system_health(),
            "security_metrics": self.metrics.security_metrics(),
            "service_status": self.metrics.service_status(),
            "network_metrics": self.metrics.network_metrics(self._connections()),
            "camera_status": self.cameras(),
            "alerts_count": 1 if self.metrics.overall_status() != "healthy" else 0,
            "connected_clients": len(self.clients),
        }

    def partial_data(self) -> dict[str, Any]:
        """Return the part of MonitoringData that moves between ticks."""
        return {
            "timestamp": self.metrics.snapshot.timestamp,
            "system_health": self.metrics.system_health(),
            "network_metrics": self.metrics.network_metrics(self._connections()),
            "alerts_count": 1 if self.metrics.overall_status() != "healthy" else 0,
            "connected_clients": len(self.clients),
        }

    def bloated_update(self, size: int, keys: int) -> str:
        """A monitoring_update of about `size` bytes, padded with `keys` never-seen names.

        Half are sections API.md §7 does not name, half unnamed fields of `system_health`;
        every call invents new names, so a client that keeps what it is sent keeps growing.
        """
        self._bloat_serial += 1
        serial = self._bloat_serial
        data = self.partial_data()
        filler = "x" * max(1, (size - len(json.dumps(data)) - 64) // keys - 32)
        health = data["system_health"]
        for key in range(keys):
            if key % 2:
                health[f"unknown_field_{serial}_{key}"] = filler
            else:
                data[f"unknown_section_{serial}_{key}"] = filler
        return json.dumps({"type": "monitoring_update", "data": data, "timestamp": rfc3339()})

    async def run(self) -> None:
        """Tick the figures forever, pushing each tick to every client."""
        while True:
            await asyncio.sleep(self.interval)
            snapshot = self.metrics.tick()
            if self._probes is not None and (ticked := self._probes.metrics_ticked) is not None:
                ticked(snapshot)
            if not self.clients or self.faults.monitor_muted():
                continue
            message = json.dumps(
                {"type": "monitoring_update", "data": self.partial_data(), "timestamp": rfc3339()}
            )
            for client in list(self.clients):
                client.send(message)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """Serve one /ws/monitor connection."""
        # A client that never answers our close frame must not hold up a shutdown for long.
        socket = web.WebSocketResponse(autoping=True, timeout=2.0)
        await socket.prepare(request)
        client = MonitorClient(request, socket)
        self.clients.add(client)
        self.stats.connections_opened["ws"] += 1
        writer = asyncio.get_running_loop().create_task(client.pump(self.faults))
        client.send_json({"type": "initial_data", "data": self.full_data(), "timestamp": rfc3339()})
        try:
            await self._serve(client)
        finally:
            self.clients.discard(client)
            try:
                client.queue.put_nowait(_CLOSE)
            except asyncio.QueueFull:
                writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
            client.finished.set()
        return socket

    async def _serve(self, client: MonitorClient) -> None:
        socket = client.socket
        loop = asyncio.get_running_loop()
        dropped = loop.create_task(client.dropped.wait())
        try:
            while True:
                receiving = loop.create_task(socket.receive())
                await asyncio.wait({receiving, dropped}, return_when=asyncio.FIRST_COMPLETED)
                if not receiving.done():
                    receiving.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await receiving
                    await socket.close(code=1001, message=b"stream dropped")
                    return
                message = receiving.result()
                if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
                    return
                if message.type == WSMsgType.ERROR:
                    return
                if message.type == WSMsgType.TEXT:
                    self._on_text(client, message.data)
        finally:
            dropped.cancel()

    @staticmethod
    def _on_text(client: MonitorClient, text: str) -> None:
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            return
        if isinstance(parsed, dict) and parsed.get("type") == "ping":
            client.send_json({"type": "pong", "timestamp": rfc3339()})

    def close_all(self, *, abort: bool = False) -> int:
        """Close every socket (1001), or drop the TCP connections when aborting.

        Returns at once: the handshake needs the client to read, and the client may well
        be waiting for the very request that asked for the drop.
        """
        clients = list(self.clients)
        for client in clients:
            if abort:
                transport = client.request.transport
                if transport is not None:
                    transport.abort()
            else:
                client.dropped.set()
        return len(clients)

    async def shutdown(self, grace: float) -> None:
        """Close every socket, waiting up to `grace` seconds for handshakes, then abort."""
        clients = list(self.clients)
        self.close_all()
        if clients:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(grace):
                    await asyncio.gather(*(client.finished.wait() for client in clients))
        self.close_all(abort=True)

    def send_raw(self, frame: str | bytes) -> int:
        """Queue a raw frame (text, or binary for bytes) to every client."""
        for client in list(self.clients):
            client.send(frame)
        return len(self.clients)
