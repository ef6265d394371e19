"""The SSE parser: any bytes, cut anywhere, never raise anything but its own error,
never hang, never hold more than its limit."""

from __future__ import annotations

import tracemalloc

from hypothesis import HealthCheck, example, given, settings, strategies as st
import pytest

from custom_components.piorchestrator.api.sse import (
    MAX_ID_BYTES,
    MAX_RETRY_DIGITS,
    SseMessage,
    SseParser,
)
from tests.reliability.results import COLLECTOR, DETERMINISTIC, examples

from .strategies import chunked, sse_streams

pytestmark = pytest.mark.timeout(300)

LIMIT = 4096
"""A small size limit, so random streams reach it."""
FUZZ = settings(
    max_examples=examples(200, 20_000),
    derandomize=DETERMINISTIC,
    deadline=2000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _feed_all(parser: SseParser, chunks: list[bytes]) -> tuple[list[SseMessage], int]:
    """Every message, and how many events the parser skipped as oversized."""
    messages: list[SseMessage] = []
    for chunk in chunks:
        messages += parser.feed(chunk)
        # Nothing beyond the limit is ever held, whatever arrives.
        assert len(parser._buffer) <= LIMIT
        assert parser._data_size <= LIMIT
        # What goes back to the Pi, or into a float, stays small.
        assert len((parser.last_event_id or "").encode()) <= MAX_ID_BYTES
        assert parser.retry is None or parser.retry < 10**MAX_RETRY_DIGITS
    return messages, parser.skipped_count


@FUZZ
@given(chunks=st.lists(st.binary(max_size=3 * LIMIT), max_size=8))
@example(chunks=[b"\xef\xbb", b"\xbfdata: x\r", b"\n\n"])
@example(chunks=[b"data: " + b"x" * (LIMIT + 1)])
@example(chunks=[b"\r" * (3 * LIMIT)])
@example(chunks=[b"data:\xff\xfe\n\n", b"id: \x00\n\n"])
@example(chunks=[b"retry: " + b"9" * 400 + b"\n", b"retry: " + b"9" * 5000 + b"\n\n"])
@example(
    chunks=["retry: \u00b2\nid: \u00b2\ndata: x\n\n".encode(), b"id: " + b"1" * 4400 + b"\n\n"]
)
def test_any_bytes_only_ever_raise_the_parsers_own_error(chunks: list[bytes]) -> None:
    COLLECTOR.count_example("sse parser: raw bytes")
    _feed_all(SseParser(max_size=LIMIT), chunks)


@FUZZ
@given(data=st.data(), stream=sse_streams())
def test_where_a_stream_is_cut_changes_nothing(data: st.DataObject, stream: bytes) -> None:
    """TCP may split a stream anywhere; the events read must not depend on where."""
    COLLECTOR.count_example("sse parser: chunking")
    whole, whole_skipped = _feed_all(SseParser(max_size=LIMIT), [stream])
    pieces, pieces_skipped = _feed_all(SseParser(max_size=LIMIT), data.draw(chunked(stream)))
    assert whole_skipped == pieces_skipped
    assert pieces == whole
    for message in whole:
        assert message.event  # "message" when none was given
        assert message.id is None or "\0" not in message.id
        assert message.id is None or len(message.id.encode()) <= MAX_ID_BYTES


def test_an_endless_line_costs_at_most_the_limit() -> None:
    """A frame far larger than any real one: memory stays bounded, the stream goes on."""
    limit = 1024 * 1024
    parser = SseParser(max_size=limit)
    chunk = b"x" * 65536
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        parser.feed(b"id: 9\ndata: ")
        offered = 0
        while offered < 16 * 1024 * 1024:  # 16 MiB offered, in 64 KiB chunks
            offered += len(chunk)
            assert parser.feed(chunk) == []
            assert len(parser._buffer) <= limit
        peak = tracemalloc.get_traced_memory()[1] - before
        after = parser.feed(b"\n\ndata: next\n\n")
    finally:
        tracemalloc.stop()
    COLLECTOR.count_example("sse parser: 16 MiB frame")
    assert peak < 3 * limit, peak
    assert parser.skipped_count == 1
    assert parser.last_event_id == "9"  # not asked for again after a reconnect
    assert [message.data for message in after] == ["next"]


def test_many_real_events_do_not_accumulate() -> None:
    """Four MiB of ordinary events in odd chunks: memory stays that of one chunk."""
    frame = b'id: 1\nevent: device.state_changed\ndata: {"version": "1.0", "payload": {}}\n\n'
    stream = frame * (4 * 1024 * 1024 // len(frame))
    parser = SseParser()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        count = 0
        for start in range(0, len(stream), 50_000):
            count += len(parser.feed(stream[start : start + 50_000]))
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    COLLECTOR.count_example("sse parser: 4 MiB of events")
    assert count == len(stream) // len(frame)
    assert peak < 2 * 1024 * 1024, peak
