"""Event broker for SSE streams: integer ids, a bounded replay buffer, many subscribers.

The broker is content-agnostic: it carries ready-to-send JSON documents. What those
documents say (vocabulary A or B, log lines) is decided by its publishers.
"""

from __future__ import annotations

import asyncio
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass
import json
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from simulator.probes import Probes


@dataclass(frozen=True, slots=True)
class WireEvent:
    """One SSE event: `id:`, `event:` and the JSON of `data:`."""

    id: int
    type: str
    data: Any
    session_id: str | None = None

    def frame(self, *, named: bool = True) -> str:
        """Render as SSE text; unnamed, the frame has no `event:` line (type in the data)."""
        return sse_frame(self.type if named else None, json.dumps(self.data), event_id=self.id)


@dataclass(frozen=True, slots=True)
class RawFrame:
    """Bytes written to the stream as they are (malformed and raw-frame faults)."""

    data: bytes


@dataclass(frozen=True, slots=True)
class Close:
    """Tells a stream to end; `abort` drops the TCP connection instead of ending cleanly."""

    abort: bool = False


type StreamItem = WireEvent | RawFrame | Close

_QUEUE_LIMIT: Final = 10_000


def sse_frame(event: str | None, data: str, *, event_id: int | None = None) -> str:
    """Render one SSE event; multi-line data becomes several `data:` lines."""
    lines: list[str] = []
    if event_id is not None:
        lines.append(f"id: {event_id}")
    if event is not None:
        lines.append(f"event: {event}")
    lines.extend(f"data: {line}" for line in data.split("\n"))
    return "\n".join(lines) + "\n\n"


class Subscriber:
    """One connected stream's mailbox."""

    def __init__(self, session_filter: str | None) -> None:
        """Create a mailbox that only takes events of `session_filter` (None: all)."""
        self.session_filter = session_filter
        self.queue: asyncio.Queue[StreamItem] = asyncio.Queue()
        self.closed = False
        self.greeting_id: int | None = None

    def wants(self, event: WireEvent) -> bool:
        """Tell whether the filter lets the event through.

        Events that belong to no session (e.g. connection events) always pass.
        """
        if self.session_filter is None or event.session_id is None:
            return True
        return event.session_id == self.session_filter

    def offer(self, item: StreamItem) -> bool:
        """Queue an item; a reader that fell hopelessly behind is closed instead."""
        if self.closed:
            return False
        if self.queue.qsize() >= _QUEUE_LIMIT:
            self.close()
            return False
        self.queue.put_nowait(item)
        return True

    def close(self, *, abort: bool = False) -> None:
        """End the stream now: pending events are discarded."""
        if self.closed:
            return
        self.closed = True
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(Close(abort=abort))

    async def next(self, within: float) -> StreamItem | None:
        """Return the next item, or None after `within` seconds."""
        try:
            async with asyncio.timeout(max(0.0, within)):
                return await self.queue.get()
        except TimeoutError:
            return None

    def pending(self) -> list[StreamItem]:
        """Take everything already queued without waiting."""
        items: list[StreamItem] = []
        while not self.queue.empty():
            items.append(self.queue.get_nowait())
        return items


class EventBroker:
    """Assigns ids, keeps the replay buffer and fans events out."""

    def __init__(
        self,
        name: str,
        *,
        buffer_size: int = 1000,
        last_id: int = 0,
        withhold: Callable[[str, Any], bool] | None = None,
        probes: Probes | None = None,
    ) -> None:
        """Create a broker whose ids continue after `last_id`.

        `withhold(type, data)` true makes an event vanish as if the Pi never sent
        it: not delivered, not buffered for replay, and no id spent on it (the
        "stream looks healthy but events stop" fault). `probes.event_published`
        hears of every event that is published.
        """
        self.name = name
        self.last_id = last_id
        self._withhold = withhold
        self._probes = probes
        self.withheld: Counter[str] = Counter()
        self._buffer: deque[WireEvent] = deque(maxlen=buffer_size)
        self.subscribers: set[Subscriber] = set()
        self.published: Counter[str] = Counter()
        self.connections_opened = 0

    def next_id(self) -> int:
        """Allocate an id; ids only ever grow, gaps are allowed."""
        self.last_id += 1
        return self.last_id

    def skip_ids(self, count: int) -> None:
        """Make the next id jump ahead, as after events lost on the Pi's side."""
        self.last_id += count

    def publish(self, event_type: str, data: Any, *, session_id: str | None = None) -> WireEvent:
        """Buffer an event and hand it to every interested subscriber."""
        if self._withhold is not None and self._withhold(event_type, data):
            self.withheld[event_type] += 1
            return WireEvent(self.last_id, event_type, data, session_id)
        event = WireEvent(self.next_id(), event_type, data, session_id)
        self._buffer.append(event)
        self.published[event_type] += 1
        if self._probes is not None and (published := self._probes.event_published) is not None:
            published(event)
        for subscriber in list(self.subscribers):
            if subscriber.wants(event):
                subscriber.offer(event)
        return event

    def subscribe(
        self,
        session_filter: str | None = None,
        last_event_id: int | None = None,
        *,
        greeting: bool = False,
    ) -> tuple[Subscriber, list[WireEvent]]:
        """Register a subscriber and return the events to replay first.

        Registration, the buffer snapshot and the greeting id happen without yielding to
        the loop, so replayed ids < greeting id < every live id: ids stay monotonic.
        """
        subscriber = Subscriber(session_filter)
        replay: list[WireEvent] = []
        if last_event_id is not None:
            replay = [
                event
                for event in self._buffer
                if event.id > last_event_id and subscriber.wants(event)
            ]
        if greeting:
            subscriber.greeting_id = self.next_id()
        self.subscribers.add(subscriber)
        self.connections_opened += 1
        return subscriber, replay

    def unsubscribe(self, subscriber: Subscriber) -> None:
        """Forget a subscriber (idempotent)."""
        self.subscribers.discard(subscriber)

    def close_all(self, *, abort: bool = False) -> int:
        """End every stream; return how many there were."""
        subscribers = list(self.subscribers)
        for subscriber in subscribers:
            subscriber.close(abort=abort)
        return len(subscribers)

    def send_raw(self, frame: str | bytes) -> int:
        """Queue a raw frame to every stream; return how many got it."""
        data = frame.encode() if isinstance(frame, str) else frame
        return sum(subscriber.offer(RawFrame(data)) for subscriber in list(self.subscribers))

    def clear_buffer(self) -> None:
        """Drop the replay buffer (ids keep growing)."""
        self._buffer.clear()
