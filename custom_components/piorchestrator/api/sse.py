"""Incremental parser for Server-Sent Events (the WHATWG `text/event-stream` format).

Bytes go in as they arrive from the socket, in chunks of any size; complete messages
come out. Lines are split on bytes (CR and LF never occur inside a multi-byte UTF-8
sequence), so a character split across two chunks is decoded only once its line is
complete, and invalid UTF-8 becomes U+FFFD as the standard requires.

Memory is bounded: a line that grows beyond `max_size` bytes, or an event whose data
grows beyond it, is dropped as it arrives and the rest of its event is skipped up to
the blank line that ends it. The event's `id:` still counts, so a reconnection does
not ask the Pi to replay the very frame that could not be read: dropping the
connection instead would meet the same frame again after every reconnect, and
keep the stream down for as long as the Pi keeps it. `skipped_count` tells the
caller; the event is lost as one missed on the network is, and the same gap checks
catch it.
"""

from __future__ import annotations

from dataclasses import dataclass
import re
from typing import Final

DEFAULT_MAX_SIZE: Final = 1024 * 1024
"""Largest line, and largest data of one event, in bytes (1 MiB)."""
MAX_ID_BYTES: Final = 256
"""Longest event ID kept, in UTF-8 bytes; it goes back to the Pi as a header."""
MAX_RETRY_DIGITS: Final = 10
"""Most digits of a `retry:` field; a longer one is not a time anyone meant."""

_BOM: Final = b"\xef\xbb\xbf"
_LINE_END: Final = re.compile(rb"\r\n?|\n")


@dataclass(frozen=True, slots=True)
class SseMessage:
    """One dispatched event of an event stream."""

    data: str
    """The data lines, joined with "\\n"."""
    event: str = "message"
    """The event type (`event:` field), "message" when none was given."""
    id: str | None = None
    """The last event ID in force when the event was dispatched; None when unset."""
    retry: int | None = None
    """The reconnection time in ms from a `retry:` field inside this event, if any."""


class SseParser:
    """Turns the bytes of one event-stream connection into `SseMessage`s.

    Use one parser per connection: a new connection starts a new stream (with its
    own optional BOM). Pass the previous connection's `last_event_id` on so that
    events without an `id:` field carry it, as an EventSource does.
    """

    def __init__(
        self, *, last_event_id: str | None = None, max_size: int = DEFAULT_MAX_SIZE
    ) -> None:
        """Start a stream; `max_size` bounds a line and an event's data, in bytes."""
        self._max_size = max_size
        self._buffer = bytearray()
        self._at_start = True
        self._skip_lf = False
        self._data: list[str] = []
        self._data_size = 0
        self._event_type = ""
        self._id_buffer = last_event_id or ""
        self._last_event_id = self._id_buffer
        self._event_retry: int | None = None
        self.retry: int | None = None
        """The latest reconnection time in ms the server asked for, if any."""
        self.comment_count = 0
        """How many comment lines arrived; keepalives are comments."""
        self.skipped_count = 0
        """How many events were skipped for a line or data over `max_size` bytes."""
        self._skipping_event = False
        self._discarding_line = False

    @property
    def last_event_id(self) -> str | None:
        """The ID of the last dispatched event block, None when unset or reset."""
        return self._last_event_id or None

    def feed(self, chunk: bytes) -> list[SseMessage]:
        """Add bytes received from the stream; return the messages they complete.

        An event with a line or data over the size limit is not among them; it
        adds one to `skipped_count` once its blank line arrives.
        """
        buffer = self._buffer
        # What is left of earlier chunks holds no line end: scan only the new bytes,
        # so a long line trickling in is not scanned over and over.
        scan = len(buffer)
        buffer += chunk
        if self._at_start:
            if len(buffer) < len(_BOM) and _BOM.startswith(buffer):
                return []  # may still become a BOM
            if buffer.startswith(_BOM):
                del buffer[: len(_BOM)]
                scan = max(scan - len(_BOM), 0)
            self._at_start = False
        start = 0
        if self._skip_lf and buffer:
            # The previous chunk ended in CR: an LF here belongs to that line end.
            self._skip_lf = False
            if buffer[0] == 0x0A:
                start = 1
        messages: list[SseMessage] = []
        for match in _LINE_END.finditer(buffer, max(start, scan)):
            size = match.start() - start
            if self._discarding_line or size > self._max_size:
                # The end of a line already too long: nothing of it is read.
                self._discarding_line = False
                self._skip_event()
            else:
                line = buffer[start : match.start()].decode("utf-8", "replace")
                message = self._process_line(line, size)
                if message is not None:
                    messages.append(message)
            start = match.end()
            if start == len(buffer) and match.group() == b"\r":
                self._skip_lf = True
        del buffer[:start]
        if len(buffer) > self._max_size:
            # A line still growing past the limit: forget what came of it so far,
            # and the rest of it up to its line end. (A new buffer, as the line
            # scanner may still hold a view of the old one.)
            self._buffer = bytearray()
            self._discarding_line = True
            self._skip_event()
        return messages

    def _process_line(self, line: str, size: int) -> SseMessage | None:
        if not line:
            return self._dispatch()
        if line[0] == ":":
            self.comment_count += 1
            return None
        field, colon, value = line.partition(":")
        if colon and value[:1] == " ":
            value = value[1:]
        if field == "data":
            # Counting the whole line's bytes overestimates a little and is cheap.
            self._data_size += size
            if self._data_size > self._max_size:
                self._skip_event()
            elif not self._skipping_event:
                self._data.append(value)
        elif field == "event":
            self._event_type = value
        elif field == "id":
            # A longer ID is not kept: sent back as `Last-Event-ID`, it would have
            # every reconnection refused. The previous one stays in force.
            if (
                len(value) <= MAX_ID_BYTES
                and len(value.encode()) <= MAX_ID_BYTES
                and "\0" not in value
            ):
                self._id_buffer = value
        elif field == "retry":
            # isdigit() alone accepts "²" and other digits int() refuses.
            if 0 < len(value) <= MAX_RETRY_DIGITS and value.isascii() and value.isdigit():
                self.retry = self._event_retry = int(value)
        return None

    def _dispatch(self) -> SseMessage | None:
        self._last_event_id = self._id_buffer
        message = None
        if self._skipping_event:
            self._skipping_event = False
            self.skipped_count += 1
        elif self._data:
            message = SseMessage(
                data="\n".join(self._data),
                event=self._event_type or "message",
                id=self._last_event_id or None,
                retry=self._event_retry,
            )
        self._dispatch_reset()
        return message

    def _dispatch_reset(self) -> None:
        self._data = []
        self._data_size = 0
        self._event_type = ""
        self._event_retry = None

    def _skip_event(self) -> None:
        # Free what the event gathered so far; later data lines of it are ignored.
        self._skipping_event = True
        self._data = []
        self._data_size = 0
