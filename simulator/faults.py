"""Fault injection: the /_sim admin routes (not part of the real API).

They let a test break the simulator on purpose: fail the next requests, add latency,
drop, stall or corrupt the streams, add boards, rotate the API key, reset everything.

They answer only requests carrying the run's `X-Sim-Control` token, and POSTs only with
`Content-Type: application/json`: a web page open on the developer's machine can send
neither without a CORS preflight, which the simulator never grants, so it cannot reset the
simulator or change its key.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
import hmac
import json
from typing import Any, Final

from aiohttp import web

from simulator.context import CONTEXT, Context
from simulator.envelope import ERRORS, ApiError, json_response
from simulator.events import EventBroker, sse_frame
from simulator.macs import InvalidMacError, normalize_mac
from simulator.vocabulary import make_narrator

SIM_PREFIX: Final = "/_sim"
CONTROL_HEADER: Final = "X-Sim-Control"
STREAMS: Final = ("sse", "ws")
DEFAULT_SSE_GARBAGE: Final = (
    'id: x\nevent: device.state_changed\ndata: {"version": "1.0", "type": \n\n'
)
DEFAULT_WS_GARBAGE: Final = '{"type": "monitoring_update", "data": {'


def _path_matches(prefixes: tuple[str, ...], path: str) -> bool:
    """Match the given prefixes, or every API request when none were given."""
    if not prefixes:
        return path.startswith("/api")
    return any(path.startswith(prefix) for prefix in prefixes)


@dataclass(slots=True)
class FailRule:
    """Answer the next `remaining` matching requests with an error."""

    remaining: int
    error: ApiError
    prefixes: tuple[str, ...]

    def matches(self, path: str) -> bool:
        """Whether the rule applies to a request for `path`."""
        return _path_matches(self.prefixes, path)


@dataclass(slots=True)
class OversizeRule:
    """Answer the next `remaining` matching requests with a body of `size` bytes."""

    remaining: int
    size: int
    status: int
    chunked: bool
    """Sent without a Content-Length, so only counting the bytes read reveals the size."""
    prefixes: tuple[str, ...]

    def matches(self, path: str) -> bool:
        """Whether the rule applies to a request for `path`."""
        return _path_matches(self.prefixes, path)


REDIRECT_STATUSES: Final = (301, 302, 303, 307, 308)


@dataclass(slots=True)
class RedirectRule:
    """Answer matching requests with a redirect to `location`."""

    remaining: int | None
    """None: every matching request until the rule is disarmed."""
    status: int
    location: str
    keep_path: bool
    """Append the request's own path and query to `location`."""
    prefixes: tuple[str, ...]

    def matches(self, path: str) -> bool:
        """Whether the rule applies to a request for `path` (by default: API and WebSocket)."""
        return any(path.startswith(prefix) for prefix in self.prefixes or ("/api", "/ws"))

    def target(self, path_qs: str) -> str:
        """The Location for a request to `path_qs`."""
        return self.location.rstrip("/") + path_qs if self.keep_path else self.location


def _take[Rule: (FailRule, OversizeRule)](rules: list[Rule], path: str) -> Rule | None:
    """Use up one application of the first armed rule matching `path`."""
    for rule in rules:
        if rule.remaining > 0 and rule.matches(path):
            rule.remaining -= 1
            if rule.remaining == 0:
                rules.remove(rule)
            return rule
    return None


class FaultState:
    """The faults currently armed."""

    def __init__(self) -> None:
        """Start with no fault armed."""
        self.rules: list[FailRule] = []
        self.oversize_rules: list[OversizeRule] = []
        self.latency = 0.0
        self.latency_prefixes: tuple[str, ...] = ()
        self.latency_after_answer = False
        """Whether the delay holds back an answer already made (it then arrives stale)."""
        self._stall_until: dict[str, float] = {}
        self._mute_events_until: float | None = None
        self.muted_macs: frozenset[str] = frozenset()
        self.mute_session_events = False
        self._mute_monitor_until: float | None = None
        self.redirects: list[RedirectRule] = []

    def take_redirect(self, path: str) -> RedirectRule | None:
        """Use up one application of the first armed redirect matching `path`."""
        for rule in self.redirects:
            if rule.matches(path):
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining <= 0:
                        self.redirects.remove(rule)
                return rule
        return None

    def take_failure(self, path: str) -> ApiError | None:
        """Consume one armed failure matching `path`, if any."""
        rule = _take(self.rules, path)
        return rule.error if rule is not None else None

    def take_oversize(self, path: str) -> OversizeRule | None:
        """Consume one armed oversized answer matching `path`, if any."""
        return _take(self.oversize_rules, path)

    def latency_for(self, path: str) -> float:
        """Return the delay to add before answering `path`."""
        if self.latency <= 0:
            return 0.0
        if self.latency_prefixes and not any(path.startswith(p) for p in self.latency_prefixes):
            return 0.0
        return self.latency

    def stall(self, stream: str, seconds: float) -> None:
        """Silence a stream kind for `seconds` real seconds (stall seconds are not scaled)."""
        self._stall_until[stream] = asyncio.get_running_loop().time() + seconds

    def stall_remaining(self, stream: str) -> float:
        """Return how long the stream kind stays silent."""
        until = self._stall_until.get(stream)
        if until is None:
            return 0.0
        return max(0.0, until - asyncio.get_running_loop().time())

    def mute_device_events(
        self, seconds: float, macs: frozenset[str], *, sessions: bool = False
    ) -> None:
        """Withhold device events (of `macs`, or all when empty) for `seconds`.

        With `sessions`, the session's own events vanish too.
        """
        self._mute_events_until = asyncio.get_running_loop().time() + seconds
        self.muted_macs = macs
        self.mute_session_events = sessions

    def withholds(self, event_type: str, data: Any) -> bool:
        """Whether a provisioning event is to vanish under the mute fault."""
        until = self._mute_events_until
        if until is None or asyncio.get_running_loop().time() >= until:
            return False
        if event_type.startswith("session."):
            return self.mute_session_events
        if not event_type.startswith("device."):
            return False
        return not self.muted_macs or _event_mac(data) in self.muted_macs

    def mute_monitor(self, seconds: float) -> None:
        """Stop monitoring updates for `seconds`; the socket keeps answering pings."""
        self._mute_monitor_until = asyncio.get_running_loop().time() + seconds

    def monitor_muted(self) -> bool:
        """Whether monitoring updates are being held back."""
        until = self._mute_monitor_until
        return until is not None and asyncio.get_running_loop().time() < until

    def pending_failures(self) -> int:
        """Return how many failures are still armed."""
        return sum(rule.remaining for rule in self.rules)

    def clear(self) -> None:
        """Disarm everything."""
        self._mute_events_until = None
        self.muted_macs = frozenset()
        self.mute_session_events = False
        self._mute_monitor_until = None
        self.rules.clear()
        self.oversize_rules.clear()
        self.redirects.clear()
        self.latency = 0.0
        self.latency_prefixes = ()
        self.latency_after_answer = False
        self._stall_until.clear()


class _BadFaultRequestError(Exception):
    """A /_sim body that does not make sense."""


def _fault_mac(raw: object) -> str:
    try:
        return normalize_mac(raw)
    except InvalidMacError as err:
        raise _BadFaultRequestError(str(err)) from err


def _fault_macs(body: dict[str, Any]) -> list[str]:
    """The optional `macs` list of a /_sim body, each canonical."""
    raw_macs = body.get("macs", [])
    if not isinstance(raw_macs, list):
        raise _BadFaultRequestError("macs must be a list")
    return [_fault_mac(mac) for mac in raw_macs]


type _SimHandler = Callable[[Context, dict[str, Any]], Awaitable[dict[str, Any]]]


def _prefixes(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise _BadFaultRequestError("paths must be a string or a list of strings")


def _number(body: dict[str, Any], key: str, default: float | None = None) -> float:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise _BadFaultRequestError(f"{key} must be a non-negative number")
    return float(value)


def _stream(body: dict[str, Any]) -> str:
    stream = body.get("stream")
    if stream not in STREAMS:
        raise _BadFaultRequestError(f"stream must be one of {list(STREAMS)}")
    return str(stream)


async def _drop_streams(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    streams = body.get("streams", list(STREAMS))
    if not isinstance(streams, list) or not set(streams) <= set(STREAMS):
        raise _BadFaultRequestError(f"streams must be a subset of {list(STREAMS)}")
    abort = bool(body.get("abort", False))
    dropped = {"sse": 0, "ws": 0}
    if "sse" in streams:
        dropped["sse"] = ctx.events.close_all(abort=abort) + ctx.log_events.close_all(abort=abort)
    if "ws" in streams:
        dropped["ws"] = ctx.monitor.close_all(abort=abort)
    ctx.stats.faults_triggered["drop-streams"] += 1
    return {"dropped": dropped}


async def _fail_next(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    count = int(_number(body, "count", 1))
    code = body.get("code", "INTERNAL_ERROR")
    if not isinstance(code, str) or not code:
        raise _BadFaultRequestError("code must be a non-empty string")
    spec = ERRORS.get(code)
    status = int(_number(body, "status", spec.status if spec else 500))
    if not 400 <= status <= 599:
        raise _BadFaultRequestError("status must be an HTTP error status (400-599)")
    retry_after = body.get("retry_after_seconds")
    if retry_after is not None:
        retry_after = int(_number(body, "retry_after_seconds"))
    retryable = body.get("retryable")
    if retryable is not None and not isinstance(retryable, bool):
        raise _BadFaultRequestError("retryable must be a boolean")
    message = body.get("message")
    error = ApiError(
        code,
        message if isinstance(message, str) else None,
        status=status,
        retryable=retryable,
        retry_after=retry_after,
    )
    if count > 0:
        ctx.faults.rules.append(FailRule(count, error, _prefixes(body.get("paths"))))
    return {"armed": count, "pending": ctx.faults.pending_failures()}


MAX_OVERSIZE_BYTES: Final = 256 * 1024 * 1024
"""The largest padded answer the fault builds (held in the simulator's own memory)."""


async def _oversize_next(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    count = int(_number(body, "count", 1))
    size = int(_number(body, "bytes", 16 * 1024 * 1024))
    if not 64 <= size <= MAX_OVERSIZE_BYTES:
        raise _BadFaultRequestError(f"bytes must be between 64 and {MAX_OVERSIZE_BYTES}")
    status = int(_number(body, "status", 200))
    if not 200 <= status <= 599:
        raise _BadFaultRequestError("status must be an HTTP status (200-599)")
    chunked = body.get("chunked", False)
    if not isinstance(chunked, bool):
        raise _BadFaultRequestError("chunked must be a boolean")
    if count > 0:
        ctx.faults.oversize_rules.append(
            OversizeRule(count, size, status, chunked, _prefixes(body.get("paths")))
        )
    return {"armed": count, "bytes": size}


async def _latency(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    after_answer = body.get("after_answer", False)
    if not isinstance(after_answer, bool):
        raise _BadFaultRequestError("after_answer must be a boolean")
    ctx.faults.latency = _number(body, "seconds", 0)
    ctx.faults.latency_prefixes = _prefixes(body.get("paths"))
    ctx.faults.latency_after_answer = after_answer
    return {"latency_seconds": ctx.faults.latency, "after_answer": after_answer}


async def _stall(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    stream = _stream(body)
    seconds = _number(body, "seconds", 5)
    ctx.faults.stall(stream, seconds)
    ctx.stats.faults_triggered[f"stall-{stream}"] += 1
    return {"stream": stream, "seconds": seconds}


async def _malformed(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    stream = _stream(body)
    frame = body.get("frame")
    if frame is not None and not isinstance(frame, str):
        raise _BadFaultRequestError("frame must be a string")
    if stream == "sse":
        sent = ctx.events.send_raw(frame if frame is not None else DEFAULT_SSE_GARBAGE)
    else:
        sent = ctx.monitor.send_raw(frame if frame is not None else DEFAULT_WS_GARBAGE)
    ctx.stats.faults_triggered[f"malformed-{stream}"] += 1
    return {"stream": stream, "sent": sent}


MAX_RAW_BYTES: Final = 1024 * 1024
"""What one raw frame may hold (the /_sim request itself is limited to 1 MiB)."""
MAX_REPEAT: Final = 1000
RAW_SSE_STREAMS: Final = ("events", "logs")


def _raw_frame(body: dict[str, Any]) -> str | bytes:
    """The exact frame: `text` (sent as UTF-8) or `base64` (any bytes)."""
    text, encoded = body.get("text"), body.get("base64")
    if (text is None) == (encoded is None):
        raise _BadFaultRequestError("give exactly one of text or base64")
    if text is not None:
        if not isinstance(text, str) or not text:
            raise _BadFaultRequestError("text must be a non-empty string")
        frame: str | bytes = text
        size = len(text.encode(errors="surrogatepass"))
    else:
        if not isinstance(encoded, str):
            raise _BadFaultRequestError("base64 must be a string")
        try:
            frame = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as err:
            raise _BadFaultRequestError("base64 is not valid base64") from err
        if not frame:
            raise _BadFaultRequestError("base64 must decode to at least one byte")
        size = len(frame)
    if size > MAX_RAW_BYTES:
        raise _BadFaultRequestError(f"a raw frame holds at most {MAX_RAW_BYTES} bytes")
    return frame


def _bounded_int(body: dict[str, Any], key: str, default: int, high: int) -> int:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= high:
        raise _BadFaultRequestError(f"{key} must be an integer from 1 to {high}")
    return int(value)


def _repeat(body: dict[str, Any]) -> int:
    return _bounded_int(body, "repeat", 1, MAX_REPEAT)


async def _raw_sse(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    stream = body.get("stream", "events")
    if stream not in RAW_SSE_STREAMS:
        raise _BadFaultRequestError(f"stream must be one of {list(RAW_SSE_STREAMS)}")
    frame = _raw_frame(body)
    data = frame.encode(errors="surrogatepass") if isinstance(frame, str) else frame
    broker = ctx.events if stream == "events" else ctx.log_events
    repeat = _repeat(body)
    reached = 0
    for _ in range(repeat):
        reached = broker.send_raw(data)
    ctx.stats.faults_triggered["raw-sse"] += 1
    return {"stream": stream, "connections": reached, "bytes": len(data), "repeat": repeat}


async def _raw_ws(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    frame = _raw_frame(body)
    if isinstance(frame, str):
        try:
            frame.encode()
        except UnicodeEncodeError as err:
            raise _BadFaultRequestError("a text frame must be valid Unicode") from err
    repeat = _repeat(body)
    reached = 0
    for _ in range(repeat):
        reached = ctx.monitor.send_raw(frame)
    ctx.stats.faults_triggered["raw-ws"] += 1
    kind = "text" if isinstance(frame, str) else "binary"
    return {"connections": reached, "kind": kind, "repeat": repeat}


async def _redirect(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    count = body.get("count", 1)
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
        raise _BadFaultRequestError("count must be a non-negative integer or null")
    if count == 0:
        disarmed = len(ctx.faults.redirects)
        ctx.faults.redirects.clear()
        return {"armed": 0, "disarmed": disarmed}
    location = body.get("location")
    if (
        not isinstance(location, str)
        or not location
        or any(ord(char) < 0x20 or ord(char) == 0x7F for char in location)
    ):
        raise _BadFaultRequestError(
            "location must be a non-empty string without control characters"
        )
    status = body.get("status", 307)
    if status not in REDIRECT_STATUSES:
        raise _BadFaultRequestError(f"status must be one of {list(REDIRECT_STATUSES)}")
    keep_path = body.get("keep_path", True)
    if not isinstance(keep_path, bool):
        raise _BadFaultRequestError("keep_path must be a boolean")
    rule = RedirectRule(count, int(status), location, keep_path, _prefixes(body.get("paths")))
    ctx.faults.redirects.append(rule)
    return {"armed": "until disarmed" if count is None else count, "status": rule.status}


TAMPER_KINDS: Final = ("discovered", "changed")


def _raw_fields(body: dict[str, Any]) -> dict[str, str]:
    fields = body.get("fields", {})
    if not isinstance(fields, dict) or not all(
        isinstance(value, str) and value for value in fields.values()
    ):
        raise _BadFaultRequestError("fields must map names to raw JSON text")
    return fields


def _tampered_frame(ctx: Context, body: dict[str, Any]) -> tuple[str, str]:
    """An event the running narrator would send now, with raw text spliced in: (type, frame)."""
    raw_mac, kind = body.get("mac"), body.get("kind", "changed")
    if not isinstance(raw_mac, str) or kind not in TAMPER_KINDS:
        raise _BadFaultRequestError(f"give mac and a kind from {list(TAMPER_KINDS)}")
    raw_id = body.get("id")
    if raw_id is not None and (not isinstance(raw_id, str) or "\n" in raw_id or "\r" in raw_id):
        raise _BadFaultRequestError("id must be one line of text")
    fields = _raw_fields(body)
    current = ctx.engine.current_session()
    session_id = body.get("session_id", current.id if current is not None else None)
    if not isinstance(session_id, str):
        raise _BadFaultRequestError("no running session: give session_id")
    board = ctx.engine.get_session(session_id).devices.get(_fault_mac(raw_mac))
    if board is None:
        raise _BadFaultRequestError(f"the session has no board {raw_mac}")
    # The narrator of the run, on a broker of its own: the event is built, not published.
    capture = EventBroker("tampered", buffer_size=4)
    narrator = make_narrator(ctx.config.sse_vocabulary, capture, ctx.config.sse_framing)
    if kind == "discovered":
        narrator.device_discovered(board)
    else:
        narrator.device_changed(board, board.state)
    _, built = capture.subscribe(last_event_id=0)
    event = built[-1]
    data = event.data
    device = data["payload"].get("device", data["payload"])
    marks = {name: f"\u0000raw{index}\u0000" for index, name in enumerate(fields)}
    device.update(marks)
    text = json.dumps(data)
    for name, mark in marks.items():
        text = text.replace(json.dumps(mark), fields[name])
    frame = sse_frame(event.type if narrator.named_frames else None, text)
    if raw_id is not None:
        frame = f"id: {raw_id}\n{frame}"
    return event.type, frame


async def _tampered_event(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    event_type, frame = _tampered_frame(ctx, body)
    repeat = _repeat(body)
    reached = 0
    for _ in range(repeat):
        reached = ctx.events.send_raw(frame)
    ctx.stats.faults_triggered["tampered-event"] += 1
    return {"type": event_type, "connections": reached, "repeat": repeat, "frame": frame}


MAX_BLOAT_BYTES: Final = 3 * 1024 * 1024
"""Under the 4 MiB a WebSocket client takes in one message by default (aiohttp)."""


async def _monitor_bloat(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    count = _bounded_int(body, "count", 1, MAX_REPEAT)
    size = _bounded_int(body, "bytes", 1024 * 1024, MAX_BLOAT_BYTES)
    keys = _bounded_int(body, "keys", 64, 10_000)
    if count * size > MAX_OVERSIZE_BYTES:
        raise _BadFaultRequestError(f"count x bytes is at most {MAX_OVERSIZE_BYTES}")
    reached = 0
    sizes: list[int] = []
    for _ in range(count):
        message = ctx.monitor.bloated_update(size, keys)
        sizes.append(len(message))
        reached = ctx.monitor.send_raw(message)
    ctx.stats.faults_triggered["monitor-bloat"] += count
    return {"connections": reached, "sent": count, "bytes": sizes}


MAX_FLOOD: Final = 5000


async def _flood(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    count = _bounded_int(body, "count", 300, MAX_FLOOD)
    added, discovered = ctx.engine.flood(count)
    session = ctx.engine.current_session()
    ctx.journal.info("simulator", f"{len(added)} board(s) flooded the onboarding network")
    ctx.stats.faults_triggered["flood"] += 1
    return {
        "added": [board.mac for board in added],
        "discovered": discovered,
        "session_id": session.id if session is not None else None,
        "boards": len(ctx.state.boards),
    }


MAX_ERROR_MESSAGE_BYTES: Final = 16 * 1024 * 1024
_ERROR_LINE: Final = "The Pi reports a failure in step {n}: the board did not answer.\n"


def _long_message(size: int) -> str:
    """An ASCII message of exactly `size` bytes, in many lines as a chatty backend writes."""
    parts: list[str] = []
    length = 0
    n = 0
    while length < size:
        n += 1
        line = _ERROR_LINE.format(n=n)
        parts.append(line)
        length += len(line)
    return "".join(parts)[:size]


async def _error_event(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    code = body.get("code", "INTERNAL_ERROR")
    if not isinstance(code, str) or not code or len(code) > MAX_RAW_BYTES:
        raise _BadFaultRequestError("code must be a non-empty string")
    message = body.get("message")
    if message is not None and "message_bytes" in body:
        raise _BadFaultRequestError("give message or message_bytes, not both")
    if message is None:
        size = int(_number(body, "message_bytes", 64))
        if size > MAX_ERROR_MESSAGE_BYTES:
            raise _BadFaultRequestError(f"message_bytes is at most {MAX_ERROR_MESSAGE_BYTES}")
        message = _long_message(size)
    elif not isinstance(message, str):
        raise _BadFaultRequestError("message must be a string")
    retryable = body.get("retryable", False)
    if not isinstance(retryable, bool):
        raise _BadFaultRequestError("retryable must be a boolean")
    current = ctx.engine.current_session()
    session_id = body.get("session_id", current.id if current is not None else None)
    if session_id is not None and not isinstance(session_id, str):
        raise _BadFaultRequestError("session_id must be a string or null")
    count = _bounded_int(body, "count", 1, MAX_REPEAT)
    for _ in range(count):
        ctx.narrator.error(code, message, retryable, session_id)
    ctx.stats.faults_triggered["error-event"] += count
    return {
        "sent": count,
        "code": code,
        "message_bytes": len(message.encode(errors="surrogatepass")),
        "session_id": session_id,
    }


async def _report(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    stats = ctx.stats
    return {
        "requests": {path: dict(statuses) for path, statuses in stats.requests.items()},
        "requests_total": sum(sum(s.values()) for s in stats.requests.values()),
        "events_published": dict(ctx.events.published),
        "events_sent": dict(stats.events_sent),
        "events_withheld": dict(ctx.events.withheld),
        "last_event_id": ctx.events.last_id,
        "connections_opened": {
            "sse": stats.connections_opened["sse"],
            "logs": stats.connections_opened["logs"],
            "ws": stats.connections_opened["ws"],
        },
        "subscribers": {
            "sse": len(ctx.events.subscribers),
            "logs": len(ctx.log_events.subscribers),
            "ws": len(ctx.monitor.clients),
        },
        "faults": {
            "fail_next_pending": ctx.faults.pending_failures(),
            "oversize_pending": sum(rule.remaining for rule in ctx.faults.oversize_rules),
            "latency_seconds": ctx.faults.latency,
            "redirects_armed": len(ctx.faults.redirects),
            "stalled": {stream: ctx.faults.stall_remaining(stream) for stream in STREAMS},
            "triggered": dict(stats.faults_triggered),
        },
        "state_writes": ctx.store.writes,
    }


async def _boards(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    macs = _fault_macs(body)
    count = int(_number(body, "count", 0))
    if not macs and count == 0:
        raise _BadFaultRequestError("give count > 0 or a list of macs")
    added = ctx.engine.add_boards(
        count=count, macs=macs, fail_once=bool(body.get("fail_once", False))
    )
    ctx.journal.info("simulator", f"{len(added)} board(s) joined the onboarding network")
    return {"added": [board.mac for board in added], "boards": len(ctx.state.boards)}


async def _forget_board(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    session_id, raw_mac = body.get("session_id"), body.get("mac")
    if not isinstance(session_id, str) or not isinstance(raw_mac, str):
        raise _BadFaultRequestError("give session_id and mac")
    mac = _fault_mac(raw_mac)
    ctx.engine.forget_device(session_id, mac)
    ctx.stats.faults_triggered["forget-board"] += 1
    return {"forgotten": mac}


async def _api_key(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    key = body.get("api_key")
    if key is not None and (not isinstance(key, str) or not key):
        raise _BadFaultRequestError("api_key must be a non-empty string or null")
    ctx.auth.api_key = key
    # The key itself is never echoed or logged.
    return {"message": "API key changed" if key else "API key removed"}


async def _reset(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    from simulator.seeding import initial_state

    ctx.rng.seed(ctx.config.seed)
    await ctx.door.shutdown()
    await ctx.engine.reset(initial_state(ctx.config, ctx.rng))
    ctx.faults.clear()
    ctx.limiter.reset()
    ctx.stats.reset()
    ctx.events.clear_buffer()
    ctx.log_events.clear_buffer()
    ctx.journal.clear()
    ctx.auth.api_key = ctx.config.api_key
    ctx.settings.clear()
    ctx.journal.info("simulator", "state reset")
    return {"message": "simulator reset", "boards": len(ctx.state.boards)}


async def _expire(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    session_id = body.get("session_id")
    if session_id is not None and not isinstance(session_id, str):
        raise _BadFaultRequestError("session_id must be a string")
    session = await ctx.engine.expire_now(
        session_id, warning_only=bool(body.get("warning_only", False))
    )
    return {"session": session.to_api()}


async def _door(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    try:
        return ctx.door.force(
            state=body.get("state"), lock_state=body.get("lock_state"), error=body.get("error")
        )
    except ValueError as err:
        raise _BadFaultRequestError(str(err)) from err


def _event_mac(data: Any) -> str | None:
    """The board a provisioning event is about, in either vocabulary."""
    payload = data.get("payload") if isinstance(data, dict) else None
    if not isinstance(payload, dict):
        return None
    device = payload.get("device", payload)
    mac = device.get("mac") if isinstance(device, dict) else None
    return mac if isinstance(mac, str) else None


async def _mute_events(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    macs = frozenset(_fault_macs(body))
    sessions = body.get("sessions", False)
    if not isinstance(sessions, bool):
        raise _BadFaultRequestError("sessions must be a boolean")
    seconds = _number(body, "seconds", 3600)
    ctx.faults.mute_device_events(seconds, macs, sessions=sessions)
    ctx.stats.faults_triggered["mute-events"] += 1
    return {"muted_macs": sorted(macs) or "all", "sessions": sessions, "seconds": seconds}


async def _mute_monitor(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    seconds = _number(body, "seconds", 3600)
    ctx.faults.mute_monitor(seconds)
    ctx.stats.faults_triggered["mute-monitor"] += 1
    return {"seconds": seconds}


async def _skip_ids(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    count = int(_number(body, "count", 10))
    ctx.events.skip_ids(count)
    ctx.stats.faults_triggered["skip-ids"] += 1
    return {"next_id": ctx.events.last_id + 1}


async def _state(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    return ctx.state.to_json()


_ROUTES: Final[dict[tuple[str, str], _SimHandler]] = {
    ("POST", "/drop-streams"): _drop_streams,
    ("POST", "/fail-next"): _fail_next,
    ("POST", "/latency"): _latency,
    ("POST", "/oversize-next"): _oversize_next,
    ("POST", "/stall"): _stall,
    ("POST", "/malformed"): _malformed,
    ("GET", "/report"): _report,
    ("POST", "/boards"): _boards,
    ("POST", "/forget-board"): _forget_board,
    ("POST", "/api-key"): _api_key,
    ("POST", "/reset"): _reset,
    ("POST", "/expire"): _expire,
    ("POST", "/door"): _door,
    ("GET", "/state"): _state,
    ("POST", "/mute-events"): _mute_events,
    ("POST", "/mute-monitor"): _mute_monitor,
    ("POST", "/skip-ids"): _skip_ids,
    ("POST", "/raw-sse"): _raw_sse,
    ("POST", "/raw-ws"): _raw_ws,
    ("POST", "/tampered-event"): _tampered_event,
    ("POST", "/monitor-bloat"): _monitor_bloat,
    ("POST", "/redirect"): _redirect,
    ("POST", "/flood"): _flood,
    ("POST", "/error-event"): _error_event,
}


def _refusal(request: web.Request) -> web.Response | None:
    """Refuse a /_sim request without the run's token, or a POST that is not JSON."""
    token = request.app[CONTEXT].config.control_token or ""
    offered = request.headers.get(CONTROL_HEADER, "")
    if not token or not hmac.compare_digest(
        offered.encode(errors="surrogateescape"), token.encode()
    ):
        message = f"the {CONTROL_HEADER} header the simulator printed at start is required"
        return json_response({"error": message}, status=403)
    if request.method == "POST" and request.content_type != "application/json":
        return json_response({"error": "Content-Type must be application/json"}, status=415)
    return None


def _wrap(handler: _SimHandler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def route(request: web.Request) -> web.StreamResponse:
        if (refused := _refusal(request)) is not None:
            return refused
        body: dict[str, Any] = {}
        raw = await request.read()
        if raw.strip():
            try:
                parsed = json.loads(raw)
            except (UnicodeDecodeError, json.JSONDecodeError):
                return json_response({"error": "body must be JSON"}, status=400)
            if not isinstance(parsed, dict):
                return json_response({"error": "body must be a JSON object"}, status=400)
            body = parsed
        try:
            result = await handler(request.app[CONTEXT], body)
        except _BadFaultRequestError as err:
            return json_response({"error": str(err)}, status=400)
        except ApiError as err:
            return json_response({"error": err.message, "code": err.code}, status=err.status)
        return json_response(result)

    return route


def add_fault_routes(app: web.Application) -> None:
    """Register every /_sim route."""
    for (method, path), handler in _ROUTES.items():
        app.router.add_route(method, SIM_PREFIX + path, _wrap(handler))


@web.middleware
async def fault_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Apply armed latency and failures to API requests (never to /_sim)."""
    if request.path.startswith(SIM_PREFIX):
        return await handler(request)
    faults = request.app[CONTEXT].faults
    if (redirect := faults.take_redirect(request.path)) is not None:
        # Before the key check and before reading the body: what a hostile peer does.
        request.app[CONTEXT].stats.faults_triggered["redirect"] += 1
        return web.Response(
            status=redirect.status, headers={"Location": redirect.target(request.path_qs)}
        )
    delay = faults.latency_for(request.path)
    hold_answer = faults.latency_after_answer
    if delay > 0 and not hold_answer:
        await asyncio.sleep(delay)
    error = faults.take_failure(request.path)
    if error is not None:
        request.app[CONTEXT].stats.faults_triggered["fail-next"] += 1
        raise error
    if (oversize := faults.take_oversize(request.path)) is not None:
        request.app[CONTEXT].stats.faults_triggered["oversize-next"] += 1
        return await _oversized_answer(request, oversize)
    response = await handler(request)
    if delay > 0 and hold_answer:
        # The answer describes the moment it was made; it arrives later.
        await asyncio.sleep(delay)
    return response


async def _oversized_answer(request: web.Request, rule: OversizeRule) -> web.StreamResponse:
    """A well-formed success envelope padded out to `rule.size` bytes."""
    head = b'{"success": true, "data": {"padding": "'
    tail = b'"}}'
    padding = max(0, rule.size - len(head) - len(tail))
    if not rule.chunked:
        body = head + b"x" * padding + tail
        return web.Response(body=body, status=rule.status, content_type="application/json")
    response = web.StreamResponse(status=rule.status)
    response.content_type = "application/json"
    response.enable_chunked_encoding()
    await response.prepare(request)
    piece = b"x" * (64 * 1024)
    try:
        await response.write(head)
        for _ in range(padding // len(piece)):
            await response.write(piece)
        await response.write(b"x" * (padding % len(piece)) + tail)
        await response.write_eof()
    except ConnectionError:
        pass  # the client stopped reading: that is the point
    return response
