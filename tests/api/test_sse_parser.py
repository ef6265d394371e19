"""The SSE parser follows the WHATWG event-stream rules, chunk boundaries included."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.piorchestrator.api.sse import SseMessage, SseParser


def parse(stream: bytes, **kwargs: object) -> list[SseMessage]:
    return SseParser(**kwargs).feed(stream)  # type: ignore[arg-type]


def parse_bytewise(stream: bytes) -> list[SseMessage]:
    parser = SseParser()
    messages: list[SseMessage] = []
    for index in range(len(stream)):
        messages += parser.feed(stream[index : index + 1])
    return messages


def test_simple_event() -> None:
    assert parse(b"data: hello\n\n") == [SseMessage(data="hello")]


def test_event_type_id_and_retry() -> None:
    parser = SseParser()
    messages = parser.feed(b"event: device.discovered\nid: 42\nretry: 5000\ndata: {}\n\n")
    assert messages == [SseMessage(data="{}", event="device.discovered", id="42", retry=5000)]
    assert parser.last_event_id == "42"
    assert parser.retry == 5000


def test_multiline_data_joined_with_lf() -> None:
    assert parse(b"data: one\ndata:two\ndata:  three\n\n") == [SseMessage(data="one\ntwo\n three")]


def test_only_one_leading_space_is_stripped() -> None:
    assert parse(b"data:  x \n\n")[0].data == " x "


def test_field_without_colon_has_empty_value() -> None:
    # `data` alone appends an empty line: the event is dispatched with empty data.
    assert parse(b"data\n\n") == [SseMessage(data="")]
    assert parse(b"data\ndata\n\n") == [SseMessage(data="\n")]


def test_block_without_data_dispatches_nothing() -> None:
    parser = SseParser()
    assert parser.feed(b"event: ping\nid: 7\n\n") == []
    # ...but its id still becomes the last event ID, and its type does not leak.
    assert parser.last_event_id == "7"
    assert parser.feed(b"data: x\n\n") == [SseMessage(data="x", id="7")]


@pytest.mark.parametrize("ending", [b"\n", b"\r", b"\r\n"])
def test_line_endings(ending: bytes) -> None:
    stream = b"data: a" + ending + b"data: b" + ending + ending + b"data: c" + ending + ending
    assert parse(stream) == [SseMessage(data="a\nb"), SseMessage(data="c")]


def test_mixed_line_endings() -> None:
    stream = b"data: a\rdata: b\r\ndata: c\n\r\n"
    assert parse(stream) == [SseMessage(data="a\nb\nc")]


def test_cr_at_end_of_chunk_and_lf_at_start_of_next() -> None:
    parser = SseParser()
    assert parser.feed(b"data: a\r") == []
    # The LF completes the CRLF; it must not count as the empty line that dispatches.
    assert parser.feed(b"\ndata: b\r") == []
    assert parser.feed(b"\n\r") == [SseMessage(data="a\nb")]
    assert parser.feed(b"\n") == []


def test_cr_then_cr_dispatches() -> None:
    parser = SseParser()
    assert parser.feed(b"data: a\r") == []
    assert parser.feed(b"\r") == [SseMessage(data="a")]


def test_comments_are_counted_not_dispatched() -> None:
    parser = SseParser()
    assert parser.feed(b": keepalive\n\n:\n") == []
    assert parser.comment_count == 2
    assert parser.feed(b"data: x\n: inside\n\n") == [SseMessage(data="x")]
    assert parser.comment_count == 3


def test_id_with_nul_is_ignored() -> None:
    parser = SseParser()
    messages = parser.feed(b"id: 1\n\nid: 2\x003\ndata: x\n\n")
    assert messages == [SseMessage(data="x", id="1")]
    assert parser.last_event_id == "1"


def test_id_persists_and_empty_id_resets() -> None:
    parser = SseParser(last_event_id="5")
    assert parser.feed(b"data: a\n\n") == [SseMessage(data="a", id="5")]
    assert parser.feed(b"id\ndata: b\n\n") == [SseMessage(data="b", id=None)]
    assert parser.last_event_id is None


def test_id_of_an_unfinished_block_is_not_committed() -> None:
    parser = SseParser()
    parser.feed(b"id: 1\ndata: a\n\nid: 2\ndata: b\n")
    assert parser.last_event_id == "1"


@pytest.mark.parametrize("value", [b"", b"abc", b"12a", b"-5", b"  5", b"1.5", "\u0661".encode()])
def test_retry_accepts_only_ascii_digits(value: bytes) -> None:
    parser = SseParser()
    assert parser.feed(b"retry:" + value + b"\ndata: x\n\n") == [SseMessage(data="x")]
    assert parser.retry is None


@pytest.mark.parametrize(
    "value",
    [b"9" * 400, b"9" * 5000, "\u00b2".encode(), b"1" * 11],
    ids=["400 digits", "5000 digits", "superscript two", "11 digits"],
)
def test_retry_beyond_ten_ascii_digits_is_ignored(value: bytes) -> None:
    """400 digits overflowed a float, 5,000 passed int()'s limit: both once killed the stream."""
    parser = SseParser()
    assert parser.feed(b"retry: 2000\n\nretry: " + value + b"\ndata: x\n\n") == [
        SseMessage(data="x")
    ]
    assert parser.retry == 2000  # the last sensible value stays in force


def test_retry_of_ten_digits_is_read() -> None:
    parser = SseParser()
    parser.feed(b"retry: 9999999999\n\n")
    assert parser.retry == 9_999_999_999


@pytest.mark.parametrize(
    "value",
    ["1" * 4400, "x" * 20_000, "\u00e9" * 129],
    ids=["4400 digits", "20 kB", "258 bytes of UTF-8"],
)
def test_an_id_too_long_is_not_kept(value: str) -> None:
    """Sent back as Last-Event-ID, a 20 kB id had every reconnection refused for ever."""
    parser = SseParser()
    messages = parser.feed(f"id: 7\ndata: a\n\nid: {value}\ndata: b\n\n".encode())
    assert messages == [SseMessage(data="a", id="7"), SseMessage(data="b", id="7")]
    assert parser.last_event_id == "7"


def test_an_id_of_unicode_digits_is_text_not_a_number() -> None:
    """An id is any short text; whoever reads it as a number checks its digits (ASCII only)."""
    parser = SseParser()
    assert parser.feed("id: \u00b2\ndata: a\n\n".encode()) == [SseMessage(data="a", id="\u00b2")]


def test_an_id_of_exactly_256_bytes_is_kept() -> None:
    parser = SseParser()
    value = "\u00e9" * 128  # 256 bytes in UTF-8
    assert parser.feed(f"id: {value}\ndata: a\n\n".encode()) == [SseMessage(data="a", id=value)]


def test_retry_without_data_still_sets_reconnection_time() -> None:
    parser = SseParser()
    assert parser.feed(b"retry: 3000\n\n") == []
    assert parser.retry == 3000
    assert parser.feed(b"data: x\n\n") == [SseMessage(data="x")]


def test_unknown_fields_are_ignored() -> None:
    assert parse(b"foo: bar\ndata: x\nData: y\n\n") == [SseMessage(data="x")]


def test_value_may_contain_colons() -> None:
    assert parse(b'data: {"a": "b:c"}\n\n')[0].data == '{"a": "b:c"}'


def test_bom_at_start_is_stripped() -> None:
    assert parse(b"\xef\xbb\xbfdata: x\n\n") == [SseMessage(data="x")]


def test_bom_split_across_chunks() -> None:
    parser = SseParser()
    assert parser.feed(b"\xef") == []
    assert parser.feed(b"\xbb") == []
    assert parser.feed(b"\xbfdata: x\n\n") == [SseMessage(data="x")]


def test_only_the_first_bom_is_stripped() -> None:
    # A second BOM is part of the first field name, which is then unknown.
    assert parse(b"\xef\xbb\xbf\xef\xbb\xbfdata: x\n\ndata: y\n\n") == [SseMessage(data="y")]


def test_bom_later_in_stream_is_not_stripped() -> None:
    parser = SseParser()
    parser.feed(b"data: a\n\n")
    assert parser.feed(b"\xef\xbb\xbfdata: x\n\n") == []


def test_short_stream_that_is_not_a_bom() -> None:
    parser = SseParser()
    assert parser.feed(b"d") == []
    assert parser.feed(b"ata: x\n\n") == [SseMessage(data="x")]


def test_utf8_character_split_across_chunks() -> None:
    stream = "data: café ☕ 🚀\n\n".encode()
    assert parse_bytewise(stream) == [SseMessage(data="café ☕ 🚀")]


def test_invalid_utf8_becomes_replacement_character() -> None:
    assert parse(b"data: a\xffb\n\n") == [SseMessage(data="a\ufffdb")]


def test_unfinished_event_is_not_dispatched() -> None:
    assert parse(b"data: a\n") == []
    assert parse(b"data: a") == []


def test_empty_chunk() -> None:
    parser = SseParser()
    assert parser.feed(b"") == []
    assert parser.feed(b"data: x\n\n") == [SseMessage(data="x")]


def test_events_split_anywhere() -> None:
    stream = (
        b"\xef\xbb\xbf: hi\r\nevent: e\rid: 9\ndata: \xe2\x98\x95\r\ndata: b\r\n\r\nretry: 10\n\n"
    )
    assert parse_bytewise(stream) == parse(stream)
    assert parse(stream) == [SseMessage(data="\u2615\nb", event="e", id="9")]


def test_line_too_long_skips_its_event() -> None:
    parser = SseParser(max_size=16)
    assert parser.feed(b"id: 1\ndata: " + b"x" * 32 + b"\n\n") == []
    assert parser.skipped_count == 1
    # The skipped event's id counts: a reconnection does not ask for it again.
    assert parser.last_event_id == "1"
    assert parser.feed(b"id: 2\ndata: ok\n\n") == [SseMessage(data="ok", id="2")]


def test_unterminated_line_growing_over_chunks_is_dropped_as_it_grows() -> None:
    parser = SseParser(max_size=16)
    parser.feed(b"data: 123456789")
    assert parser.feed(b"0123456789") == []
    # What was read of the line is forgotten at once, not kept until it ends.
    assert len(parser._buffer) == 0
    assert parser.feed(b"more of the same line" * 4) == []
    assert len(parser._buffer) == 0
    assert parser.feed(b"\n\ndata: next\n\n") == [SseMessage(data="next")]
    assert parser.skipped_count == 1


def test_complete_line_too_long_is_not_read() -> None:
    parser = SseParser(max_size=16)
    assert parser.feed(b"data: a\n: " + b"x" * 32 + b"\ndata: b\n\n") == []
    assert parser.skipped_count == 1
    assert parser.feed(b"data: c\n\n") == [SseMessage(data="c")]


def test_event_too_large_is_skipped_and_what_follows_parses() -> None:
    parser = SseParser(max_size=32)
    assert parser.feed(b"id: 7\n" + b"data: 0123456789\n" * 4 + b"\n") == []
    assert parser.skipped_count == 1
    assert parser.last_event_id == "7"
    assert parser.feed(b"data: ok\n\n") == [SseMessage(data="ok", id="7")]


def test_many_small_events_do_not_count_towards_the_limit() -> None:
    parser = SseParser(max_size=32)
    messages = parser.feed(b"data: 0123456789\n\n" * 20)
    assert len(messages) == 20


# -- Properties -------------------------------------------------------------------

_FIELD_LINES = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_characters="\r\n\x00"), max_size=20).map(
        lambda t: "data: " + t
    ),
    st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=10).map(
        lambda t: "id: " + t
    ),
    st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=10).map(
        lambda t: "event:" + t
    ),
    st.integers(min_value=0, max_value=99999).map(lambda n: f"retry: {n}"),
    st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=10).map(
        lambda t: ":" + t
    ),
    st.just(""),
)


@st.composite
def streams(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(_FIELD_LINES, max_size=30))
    endings = draw(
        st.lists(st.sampled_from(["\n", "\r", "\r\n"]), min_size=len(lines), max_size=len(lines))
    )
    bom = "\ufeff" if draw(st.booleans()) else ""
    return (bom + "".join(line + end for line, end in zip(lines, endings, strict=True))).encode()


def _split(stream: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({cut % (len(stream) + 1) for cut in cuts})
    edges = [0, *points, len(stream)]
    return [stream[start:end] for start, end in pairwise(edges)]


@settings(max_examples=200, deadline=None)
@given(stream=streams(), cuts=st.lists(st.integers(min_value=0), max_size=12))
def test_any_chunking_gives_the_same_messages(stream: bytes, cuts: list[int]) -> None:
    whole = SseParser()
    expected = whole.feed(stream)
    chunked = SseParser()
    got: list[SseMessage] = []
    for chunk in _split(stream, cuts):
        got += chunked.feed(chunk)
    assert got == expected
    assert chunked.last_event_id == whole.last_event_id
    assert chunked.retry == whole.retry
    assert chunked.comment_count == whole.comment_count


@settings(max_examples=200, deadline=None)
@given(stream=st.binary(max_size=400), cuts=st.lists(st.integers(min_value=0), max_size=8))
def test_random_bytes_never_crash(stream: bytes, cuts: list[int]) -> None:
    parser = SseParser(max_size=64)
    for chunk in _split(stream, cuts):
        messages = parser.feed(chunk)
        assert all(isinstance(message.data, str) for message in messages)
        assert all(len(message.data) <= 64 for message in messages)
        assert len(parser._buffer) <= 64
