"""A redirecting "Pi" and a second listener that must receive nothing.

The listener is a raw TCP server on another loopback address (127.0.0.2), so
it records every byte that arrives, whatever the protocol; it answers each
request with an empty V1 success, so a client that does reach it gets on.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from aiohttp import web
import pytest_socket

OTHER_HOST = "127.0.0.2"
_OK = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 30\r\n"
    b"Connection: close\r\n\r\n"
    b'{"success": true, "data": {} }'
)


class Listener:
    """Records everything sent to it: connections, then each request's bytes."""

    def __init__(self) -> None:
        """Nothing received yet."""
        self.connections = 0
        self.requests: list[bytes] = []
        self.port = 0
        self._server: asyncio.Server | None = None

    @property
    def received(self) -> bytes:
        """Every byte of every request, in order."""
        return b"".join(self.requests)

    def header_values(self, name: str) -> list[str]:
        """The values of header `name` in each request that carried it."""
        prefix = name.lower().encode() + b":"
        return [
            line[len(prefix) :].strip().decode()
            for request in self.requests
            for line in request.split(b"\r\n")
            if line.lower().startswith(prefix)
        ]

    async def start(self) -> None:
        """Listen on an ephemeral port of the other loopback address."""
        self._server = await asyncio.start_server(self._handle, OTHER_HOST, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            body = await reader.readexactly(length) if length else b""
            self.requests.append(head + body)
            writer.write(_OK)
            await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        finally:
            writer.close()


class Redirector:
    """Answers every request on 127.0.0.1 with a redirect to the listener."""

    def __init__(self, listener: Listener, status: int) -> None:
        """Redirect with `status` to the listener, keeping the path."""
        self.listener = listener
        self.status = status
        self.requests: list[tuple[str, str]] = []
        self.port = 0
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        """Listen on an ephemeral port of 127.0.0.1."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._redirect)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    async def _redirect(self, request: web.Request) -> web.Response:
        self.requests.append((request.method, request.path))
        # The query is where a thief would put a token; the error must not show it.
        location = f"http://{OTHER_HOST}:{self.listener.port}{request.path}?token=steal-me"
        return web.Response(status=self.status, headers={"Location": location})


@asynccontextmanager
async def redirecting_pi(status: int) -> AsyncGenerator[tuple[Redirector, Listener]]:
    """A redirector on 127.0.0.1 pointing at a recording listener on 127.0.0.2.

    The test plugins allow connections to 127.0.0.1 only; the listener's address is
    opened too, so a client that followed the redirect would really reach it.
    """
    pytest_socket.socket_allow_hosts(["127.0.0.1", OTHER_HOST], allow_unix_socket=True)
    listener = Listener()
    await listener.start()
    redirector = Redirector(listener, status)
    await redirector.start()
    try:
        yield redirector, listener
    finally:
        await redirector.stop()
        await listener.stop()
