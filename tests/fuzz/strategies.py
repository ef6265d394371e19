"""Hypothesis strategies for what a Pi could send, well-formed, odd and broken.

Random data alone rarely hits the values that break parsers, so the strategies mix in a
dictionary of interesting ones: numbers no float can hold, NaN and Infinity (which
Python's json reads), states and MACs that are almost right, very long and very nested
values, and the shapes of both event vocabularies.
"""

from __future__ import annotations

import json
from typing import Any, Final

from hypothesis import strategies as st

EDGE_NUMBERS: Final = (
    0,
    -1,
    1,
    100,
    101,
    -0.0,
    0.5,
    2**31,
    2**63,
    -(2**63),
    10**400,
    -(10**400),
    1e308,
    -1e308,
    1e-320,
    float("inf"),
    float("-inf"),
    float("nan"),
)
"""Integers beyond any float, infinities and NaN included: json.loads produces them all."""

BOARD_STATES: Final = (
    "discovered",
    "provisioning",
    "provisioned",
    "verifying",
    "verified",
    "failed",
    "unknown",
    "VERIFIED",
    "",
    "teleported",
)
SESSION_STATES: Final = ("discovering", "active", "paused", "closing", "closed", "", "exploded")
EVENT_TYPES: Final = (
    "session.started",
    "session.state_changed",
    "session.status",
    "session.closed",
    "session.timeout_warning",
    "device.discovered",
    "device.state_changed",
    "device.provisioning_started",
    "device.provisioning_completed",
    "device.provisioning_failed",
    "device.verified",
    "network.started",
    "network.stopped",
    "network.status_changed",
    "error.occurred",
    "error",
    "connection.established",
    "connection.heartbeat",
    "device.teleported",
    "",
)
MAC_LIKE: Final = (
    "24:0A:C4:00:00:01",
    "24-0a-c4-00-00-01",
    "240ac4000001",
    "240a.c400.0001",
    " 24:0A:C4:00:00:01 ",
    "24:0A:C4:00:00",
    "24:0A:C4:00:00:01:02",
    "GG:0A:C4:00:00:01",
    "24:0A-C4:00:00:01",
    "24:0A:C4:00:00:01\n",
    "",
    "٢٤:0A:C4:00:00:01",
)

DIGIT_COUNTS: Final = (10, 11, 19, 309, 400, 4300, 4301, 4400, 5000)
"""Around where things break: 10 digits (the most a retry field may have), 19 (int64),
309 (past a float), 4,300 (int()'s default limit for text)."""
UNICODE_DIGITS: Final = ("\u00b2", "\u0661\u0662", "\U0001d7d7", "\u2460", "\uff11", "\u0969")
"""Characters str.isdigit() accepts that int() refuses or reads as another number
(superscript two, Arabic-Indic, mathematical bold nine, circled one, fullwidth one,
Devanagari three)."""

numbers = st.one_of(
    st.sampled_from(EDGE_NUMBERS),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
)
digit_texts = st.one_of(
    st.sampled_from(DIGIT_COUNTS).map(lambda count: "9" * count),
    st.sampled_from(UNICODE_DIGITS),
    st.lists(st.sampled_from(UNICODE_DIGITS), min_size=1, max_size=3).map("".join),
    st.integers(min_value=0, max_value=2**64).map(str),
)
"""Text of digits: ASCII ones up to past int()'s limit, and Unicode ones."""
huge_number_literals = st.sampled_from(DIGIT_COUNTS).map(
    lambda count: "-" * (count % 2) + "9" * count
)
"""JSON number literals of thousands of digits (json.loads refuses past 4,300)."""
texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(("", " ", "\x00", "\ud7ff", "é", "x" * 5000, "null", "1e400")),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(texts, children, max_size=4)
    ),
    max_leaves=12,
)
"""Any JSON value, odd numbers included."""


def nested(depth: int) -> Any:
    """A value nested `depth` levels deep (objects and arrays alternating)."""
    value: Any = 1
    for level in range(depth):
        value = {"a": value} if level % 2 else [value]
    return value


deep_values = st.integers(min_value=50, max_value=400).map(nested)
"""Nested values json.dumps can still write."""
deep_json_texts = st.integers(min_value=500, max_value=200_000).map(
    lambda depth: "[" * depth + "1" + "]" * depth
)
"""JSON text nested far deeper than any parser's recursion limit."""


def nested_objects(depth: int, key: str, leaf: Any) -> dict[str, Any]:
    """`{key: {key: ... leaf}}`, `depth` objects deep, built without recursion."""
    value: Any = leaf
    for _ in range(depth):
        value = {key: value}
    return value  # type: ignore[no-any-return]


deep_monitor_updates = st.builds(
    lambda depth, key, times: [
        dumps({"type": "monitoring_update", "data": nested_objects(depth, key, {"cpu_usage": 1})})
    ]
    * times,
    st.sampled_from((900, 1000, 2000, 3000)),
    st.sampled_from(("system_health", "network_metrics", "surprise", "camera_status")),
    st.integers(min_value=2, max_value=3),
)
"""The same deep monitoring_update sent again and again: the second merges into the first."""


def _maybe(value: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(value, json_values)


boards = st.fixed_dictionaries(
    {},
    optional={
        "mac": _maybe(st.sampled_from(MAC_LIKE)),
        "ip": _maybe(st.sampled_from(("192.168.4.20", "", "::1", "999.1.1.1"))),
        "state": _maybe(st.sampled_from(BOARD_STATES)),
        "rssi": numbers,
        "firmware_version": texts,
        "discovered_at": _maybe(st.sampled_from(("2025-01-01T00:00:00Z", "yesterday", ""))),
        "retry_count": numbers,
        "error_message": _maybe(texts),
        "in_allowlist": _maybe(st.booleans()),
        "session_id": _maybe(texts),
        "container_id": _maybe(texts),
    },
)
sessions = st.fixed_dictionaries(
    {},
    optional={
        "id": _maybe(st.sampled_from(("sess_1", "", "sess_/../x"))),
        "state": _maybe(st.sampled_from(SESSION_STATES)),
        "target_ssid": texts,
        "created_at": _maybe(st.sampled_from(("2025-01-01T00:00:00Z", "not a date"))),
        "updated_at": _maybe(st.sampled_from(("2025-01-01T00:00:00Z", "not a date"))),
        "expires_at": _maybe(st.sampled_from(("2025-01-01T00:00:00+02:00", ""))),
        "device_count": numbers,
        "verified_count": numbers,
        "failed_count": numbers,
        "provisioned_count": numbers,
    },
)
payloads = st.one_of(
    json_values,
    deep_values,
    st.fixed_dictionaries({"device": boards}),
    boards,
    st.fixed_dictionaries({"session": sessions}),
    sessions,
    st.fixed_dictionaries(
        {},
        optional={
            "mac": _maybe(st.sampled_from(MAC_LIKE)),
            "previous_state": _maybe(st.sampled_from(BOARD_STATES)),
            "new_state": _maybe(st.sampled_from(BOARD_STATES)),
            "progress": numbers,
            "error": _maybe(st.fixed_dictionaries({"message": texts})),
        },
    ),
    st.fixed_dictionaries(
        {},
        optional={
            "status": st.fixed_dictionaries(
                {},
                optional={"ssid": texts, "is_active": json_values, "connected_devices": numbers},
            ),
            "code": json_values,
            "message": json_values,
            "retryable": json_values,
        },
    ),
)
envelopes = st.fixed_dictionaries(
    {},
    optional={
        "version": st.one_of(st.sampled_from(("1.0", "1", "2.0", 1.0, 1)), json_values),
        "type": st.one_of(st.sampled_from(EVENT_TYPES), json_values),
        "timestamp": st.one_of(st.sampled_from(("2025-01-01T00:00:00Z", "", "now")), json_values),
        "session_id": st.one_of(st.sampled_from(("sess_1", "")), json_values),
        "payload": payloads,
    },
)
"""SSE envelopes (API.md §6), of either vocabulary, with every field possibly wrong."""


def dumps(value: Any) -> str:
    """JSON text of `value` (NaN and Infinity written the way Python reads them)."""
    return json.dumps(value, allow_nan=True)


def mutate(text: str, data: st.DataObject) -> str:
    """`text` with a few random edits: truncation, deletion, insertion, duplication."""
    for _ in range(data.draw(st.integers(min_value=0, max_value=3), label="edits")):
        if not text:
            break
        at = data.draw(st.integers(min_value=0, max_value=len(text)), label="at")
        match data.draw(st.sampled_from(("cut", "delete", "insert", "repeat")), label="edit"):
            case "cut":
                text = text[:at]
            case "delete":
                text = text[:at] + text[at + 1 :]
            case "insert":
                text = (
                    text[:at]
                    + data.draw(st.sampled_from('{}[]":,\\\n\r0e-'), label="c")
                    + text[at:]
                )
            case _:
                text = text[:at] + text[at : at + 8] * 2 + text[at + 8 :]
    return text


sse_fields = st.sampled_from(("data", "event", "id", "retry", "", ":", "Data", "data ", "bom"))
line_ends = st.sampled_from(("\n", "\r", "\r\n"))


@st.composite
def sse_streams(draw: st.DrawFn) -> bytes:
    """A byte stream of SSE lines: real fields, odd fields, any line ending, any text."""
    parts: list[str] = []
    if draw(st.booleans()):
        parts.append("\ufeff")
    for _ in range(draw(st.integers(min_value=0, max_value=12))):
        field = draw(sse_fields)
        if field == "bom":
            parts.append("\ufeff")
            continue
        value = draw(
            st.one_of(
                texts,
                envelopes.map(dumps),
                st.sampled_from(("1000", "-1", "99999999999999999999", "0x10")),
                digit_texts,
            )
        )
        separator = draw(st.sampled_from((": ", ":", "")))
        parts.append(f"{field}{separator}{value}{draw(line_ends)}")
        if draw(st.booleans()):
            parts.append(draw(line_ends))
    return "".join(parts).encode("utf-8", "surrogatepass")


@st.composite
def chunked(draw: st.DrawFn, stream: bytes) -> list[bytes]:
    """`stream` cut at random places (inside UTF-8 sequences and line ends too)."""
    cuts = sorted(
        draw(st.lists(st.integers(min_value=0, max_value=len(stream)), max_size=10, unique=True))
    )
    pieces: list[bytes] = []
    previous = 0
    for cut in [*cuts, len(stream)]:
        pieces.append(stream[previous:cut])
        previous = cut
    return pieces


long_ids = st.one_of(
    st.integers(min_value=257, max_value=20_000).map(lambda size: "7" * size),
    st.sampled_from((256, 257, 4400, 20_000)).map(lambda size: "x" * size),
    st.integers(min_value=86, max_value=200).map(lambda count: "\u20ac" * count),
    digit_texts,
)
"""Event ids around and far past the 256-byte limit (the euro sign is 3 bytes of UTF-8)."""


@st.composite
def connections_with_ids(draw: st.DrawFn) -> list[bytes]:
    """The bytes of a few connections in turn, each ending with ids and retries
    that may be long, huge or not ASCII: what the next reconnection must survive."""
    connections: list[bytes] = []
    for index in range(draw(st.integers(min_value=1, max_value=4))):
        lines = [f"id: {index + 1}\ndata: {{}}\n\n"]
        for _ in range(draw(st.integers(min_value=0, max_value=3))):
            field = draw(st.sampled_from(("id", "retry")))
            value = draw(long_ids if field == "id" else digit_texts)
            lines.append(f"{field}: {value}\ndata: {{}}\n\n")
        connections.append("".join(lines).encode())
    return connections
