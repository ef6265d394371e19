"""Serving one Server-Sent Events stream: headers, replay, keepalives, faults."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
import json
from typing import TYPE_CHECKING, Any, Final

from aiohttp import web

from simulator.envelope import CORRELATION_ID
from simulator.events import (
    Close,
    EventBroker,
    RawFrame,
    StreamItem,
    Subscriber,
    WireEvent,
    sse_frame,
)
from simulator.faults import FaultState
from simulator.stats import Stats

if TYPE_CHECKING:
    from simulator.probes import Probes

RETRY_MS: Final = 1000
# How often an idle stream looks for a vanished client (aiohttp does not cancel handlers).
_POLL: Final = 0.25


@dataclass(slots=True)
class StreamSpec:
    """How one kind of stream behaves."""

    kind: str
    broker: EventBroker
    interval: float
    keepalive: Callable[[], Sequence[str]]
    greeting: tuple[str, Any] | None = None
    named: bool = True
    """Whether frames carry an `event:` line (the log stream's always do)."""
    probes: Probes | None = None
    """Told of each event about to be written (`Probes.event_written`)."""


def last_event_id(request: web.Request) -> int | None:
    """Read Last-Event-ID (header, or ?last_event_id= for EventSource polyfills)."""
    raw = request.headers.get("Last-Event-ID") or request.query.get("last_event_id")
    if raw is None:
        return None
    try:
        return int(raw.strip())
    except ValueError:
        return None


async def serve_stream(
    request: web.Request,
    spec: StreamSpec,
    subscriber: Subscriber,
    replay: Sequence[WireEvent],
    *,
    faults: FaultState,
    stats: Stats,
) -> web.StreamResponse:
    """Run the stream until the client leaves or the simulator ends it."""
    response = web.StreamResponse(
        status=200,
        headers={
            "Content-Type": "text/event-stream",
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",
            "Connection": "keep-alive",
            "X-Correlation-ID": request.get(CORRELATION_ID, ""),
        },
    )
    stats.connections_opened[spec.kind] += 1
    try:
        await response.prepare(request)
        await _Pump(request, response, spec, subscriber, faults, stats).run(replay)
    except ConnectionError:
        pass
    finally:
        spec.broker.unsubscribe(subscriber)
    return response


class _Pump:
    """Writes one stream; every method returns False once the stream is over."""

    def __init__(
        self,
        request: web.Request,
        response: web.StreamResponse,
        spec: StreamSpec,
        subscriber: Subscriber,
        faults: FaultState,
        stats: Stats,
    ) -> None:
        self.request = request
        self.response = response
        self.spec = spec
        self.subscriber = subscriber
        self.faults = faults
        self.stats = stats

    def _gone(self) -> bool:
        transport = self.request.transport
        return transport is None or transport.is_closing()

    async def _write(self, text: str | bytes) -> bool:
        if self._gone():
            return False
        await self.response.write(text.encode() if isinstance(text, str) else text)
        return True

    async def _deliver(self, item: StreamItem) -> bool:
        if isinstance(item, Close):
            if item.abort and self.request.transport is not None:
                self.request.transport.abort()
            return False
        if isinstance(item, RawFrame):
            return await self._write(item.data)
        if self.spec.probes is not None and (written := self.spec.probes.event_written) is not None:
            written(item)
        if not await self._write(item.frame(named=self.spec.named)):
            return False
        self.stats.events_sent[item.type] += 1
        return True

    async def _flush_pending(self) -> bool:
        for item in self.subscriber.pending():
            if not await self._deliver(item):
                return False
        return True

    async def _sit_out_stall(self) -> bool:
        """Wait out a stall; False if the stream was dropped meanwhile."""
        while (stalled := self.faults.stall_remaining("sse")) > 0:
            if self.subscriber.closed:
                return False
            await asyncio.sleep(min(stalled, _POLL))
        return not self.subscriber.closed

    async def run(self, replay: Sequence[WireEvent]) -> None:
        """Send the preamble, then events and keepalives until the end."""
        loop = asyncio.get_running_loop()
        if not await self._write(f"retry: {RETRY_MS}\n\n"):
            return
        for event in replay:
            if not await self._deliver(event):
                return
        greeting, greeting_id = self.spec.greeting, self.subscriber.greeting_id
        if greeting is not None and greeting_id is not None:
            event_type, data = greeting
            name = event_type if self.spec.named else None
            if not await self._write(sse_frame(name, json.dumps(data), event_id=greeting_id)):
                return
            self.stats.events_sent[event_type] += 1
        next_tick = loop.time() + self.spec.interval
        while not self.subscriber.closed:
            if self.faults.stall_remaining("sse") > 0:
                # Silent, keepalives included; still honours drop-streams.
                if not await self._sit_out_stall():
                    break
                next_tick = max(next_tick, loop.time() + self.spec.interval)
                continue
            now = loop.time()
            if now >= next_tick:
                # Queued events go first: a heartbeat's fresh id must not overtake them.
                if not await self._flush_pending():
                    return
                for frame in self.spec.keepalive():
                    if not await self._write(frame):
                        return
                next_tick = now + self.spec.interval
                continue
            item = await self.subscriber.next(min(next_tick - now, _POLL))
            if item is None:
                if self._gone():
                    return
                continue
            if self.faults.stall_remaining("sse") > 0:
                # A stall that began while we waited holds this item too.
                if not await self._sit_out_stall():
                    break
                next_tick = max(next_tick, loop.time() + self.spec.interval)
            if not await self._deliver(item):
                return
        # Dropped: what was queued is discarded; only the Close (maybe an abort) remains.
        await self._flush_pending()
