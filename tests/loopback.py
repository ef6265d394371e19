"""A scripted peer for tests: an aiohttp application served on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
import contextlib

from aiohttp import web


@contextlib.asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[int]:
    """Serve `app` on a free port of 127.0.0.1 and yield the port; stop it afterwards."""
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        yield runner.addresses[0][1]
    finally:
        await runner.cleanup()
