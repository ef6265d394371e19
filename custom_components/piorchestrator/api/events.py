"""Provisioning events of the SSE stream, normalised across both vocabularies.

API.md §6 documents two sets of event types for envelope version 1.0: the
backend's ("A": `session.started`, `device.*` with a full board, ...) and the web
dashboard's ("B": `session.status`, flat `device.discovered`, `device.state_changed`
with previous and new state, ...). Both become one `ProvisioningEvent`, so a
consumer handles a board state change the same way whichever the Pi sends.

Bad input never raises: an unknown type, another envelope version, data that is
not JSON or a payload that does not validate is logged and skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
import json
import logging
from typing import Any, Final

from pydantic import ValidationError

from .errors import PiOrchestratorError, PiOrchestratorResponseError
from .mac import normalize_mac
from .models import Board, BoardState, NetworkStatus, Session, is_session_id
from .numbers import finite_number
from .sse import SseMessage
from .stream import OnceLogger
from .text import clean_message, clean_text

_LOGGER = logging.getLogger(__name__)

SUPPORTED_VERSION: Final = "1.0"
"""The envelope version this library reads; others are skipped."""


class EventKind(StrEnum):
    """What a provisioning event is about, whichever vocabulary carried it."""

    SESSION_STARTED = "session_started"
    SESSION_STATE_CHANGED = "session_state_changed"
    SESSION_CLOSED = "session_closed"
    SESSION_TIMEOUT_WARNING = "session_timeout_warning"
    BOARD_DISCOVERED = "board_discovered"
    BOARD_STATE_CHANGED = "board_state_changed"
    BOARD_PROVISIONING_STARTED = "board_provisioning_started"
    BOARD_PROVISIONING_COMPLETED = "board_provisioning_completed"
    BOARD_PROVISIONING_FAILED = "board_provisioning_failed"
    BOARD_VERIFIED = "board_verified"
    NETWORK_STATUS = "network_status"
    ERROR = "error"
    CONNECTION_ESTABLISHED = "connection_established"
    HEARTBEAT = "heartbeat"
    """Liveness only; carries nothing to act on."""


@dataclass(frozen=True, slots=True)
class BoardChange:
    """What an event says about one board."""

    mac: str
    """Canonical `AA:BB:CC:DD:EE:FF`."""
    state: BoardState | None
    previous_state: BoardState | None = None
    progress: int | None = None
    """Percent, 0-100, when the Pi reports it."""
    error_message: str | None = None
    """Cleaned: one line, at most 200 characters."""
    board: Board | None = None
    """The full board record, when the event carried one."""


@dataclass(frozen=True, slots=True)
class EventError:
    """An error the Pi reported on the stream."""

    code: str | None
    """Cleaned like a name: one line, at most 64 characters."""
    message: str
    """Cleaned: one line, at most 200 characters."""
    retryable: bool = False


@dataclass(frozen=True, slots=True)
class ProvisioningEvent:
    """One provisioning event, normalised."""

    kind: EventKind
    type: str
    """The type string as the Pi sent it, e.g. `device.state_changed`."""
    event_id: str | None = None
    timestamp: datetime | None = None
    session_id: str | None = None
    session: Session | None = None
    board: BoardChange | None = None
    network: NetworkStatus | None = None
    error: EventError | None = None


@dataclass(frozen=True, slots=True)
class _Content:
    session: Session | None = None
    board: BoardChange | None = None
    network: NetworkStatus | None = None
    error: EventError | None = None


def _session(payload: Mapping[str, Any]) -> _Content:
    raw = payload.get("session", payload)
    return _Content(session=Session.model_validate(raw))


def _board(payload: Mapping[str, Any]) -> _Content:
    device = payload.get("device")
    if isinstance(device, Mapping):
        # Vocabulary A: the full board record.
        board = Board.model_validate(device)
        error = board.error_message or _text(payload.get("error"))
    elif "new_state" in payload or "previous_state" in payload:
        # Vocabulary B's state change: a delta without the record.
        mac = payload.get("mac")
        if not isinstance(mac, str):
            raise PiOrchestratorResponseError("The board state change names no MAC")
        return _Content(
            board=BoardChange(
                mac=normalize_mac(mac),
                state=_state(payload.get("new_state")),
                previous_state=_state(payload.get("previous_state")),
                progress=_progress(payload.get("progress")),
                error_message=_text(payload.get("error")),
            )
        )
    else:
        # Vocabulary B's flat discovery: the record's fields without the wrapper.
        board = Board.model_validate(payload)
        error = board.error_message
    return _Content(
        board=BoardChange(
            mac=board.mac,
            state=board.state,
            previous_state=_state(payload.get("previous_state")),
            progress=_progress(payload.get("progress")),
            error_message=error,
            board=board,
        )
    )


def _network(payload: Mapping[str, Any]) -> _Content:
    status = payload.get("status")
    raw = status if isinstance(status, Mapping) else payload
    return _Content(network=NetworkStatus.model_validate(raw))


def _error(payload: Mapping[str, Any]) -> _Content:
    code = clean_text(payload.get("code"))
    message = _text(payload.get("message"))
    retryable = payload.get("retryable")
    return _Content(
        error=EventError(
            code=code,
            message=message or code or "Unknown error",
            retryable=retryable if isinstance(retryable, bool) else False,
        )
    )


def _nothing(_payload: Mapping[str, Any]) -> _Content:
    return _Content()


_HANDLERS: Final[dict[str, tuple[EventKind, Callable[[Mapping[str, Any]], _Content]]]] = {
    "session.started": (EventKind.SESSION_STARTED, _session),
    "session.state_changed": (EventKind.SESSION_STATE_CHANGED, _session),
    "session.status": (EventKind.SESSION_STATE_CHANGED, _session),
    "session.closed": (EventKind.SESSION_CLOSED, _session),
    "session.timeout_warning": (EventKind.SESSION_TIMEOUT_WARNING, _session),
    "device.discovered": (EventKind.BOARD_DISCOVERED, _board),
    "device.state_changed": (EventKind.BOARD_STATE_CHANGED, _board),
    "device.provisioning_started": (EventKind.BOARD_PROVISIONING_STARTED, _board),
    "device.provisioning_completed": (EventKind.BOARD_PROVISIONING_COMPLETED, _board),
    "device.provisioning_failed": (EventKind.BOARD_PROVISIONING_FAILED, _board),
    "device.verified": (EventKind.BOARD_VERIFIED, _board),
    "network.started": (EventKind.NETWORK_STATUS, _network),
    "network.stopped": (EventKind.NETWORK_STATUS, _network),
    "network.status_changed": (EventKind.NETWORK_STATUS, _network),
    "error.occurred": (EventKind.ERROR, _error),
    "error": (EventKind.ERROR, _error),
    "connection.established": (EventKind.CONNECTION_ESTABLISHED, _nothing),
    "connection.heartbeat": (EventKind.HEARTBEAT, _nothing),
}


class EventParser:
    """Turns SSE messages into `ProvisioningEvent`s, logging what it skips.

    Each kind of problem is logged once per parser (unknown types at DEBUG, other
    envelope versions and unreadable events at WARNING), so a Pi that keeps
    sending something odd does not flood the log.
    """

    def __init__(self) -> None:
        """Start with nothing logged yet."""
        self._once = OnceLogger(_LOGGER)

    def parse(self, message: SseMessage) -> ProvisioningEvent | None:
        """Return the event `message` carries, or None when it is to be skipped."""
        envelope = self._envelope(message)
        if envelope is None:
            return None
        event_type = envelope.get("type")
        if not isinstance(event_type, str) or not event_type:
            # Some servers name the type only in the SSE `event:` field.
            event_type = message.event
        handler = _HANDLERS.get(event_type)
        if handler is None:
            self._once.log(
                f"type:{event_type}",
                logging.DEBUG,
                "Ignoring events of unknown type %.80s",
                event_type,
            )
            return None
        kind, build = handler
        content = self._content(message, event_type, build, envelope.get("payload"))
        if content is None:
            return None
        return ProvisioningEvent(
            kind=kind,
            type=event_type,
            event_id=message.id,
            timestamp=_timestamp(envelope.get("timestamp")),
            session_id=_session_id(envelope.get("session_id"), content),
            session=content.session,
            board=content.board,
            network=content.network,
            error=content.error,
        )

    def _envelope(self, message: SseMessage) -> dict[str, Any] | None:
        """The JSON envelope of a version this library reads, or None."""
        try:
            envelope = json.loads(message.data)
        except (ValueError, RecursionError):
            envelope = None
        if not isinstance(envelope, dict):
            self._once.log(
                "not-json",
                logging.WARNING,
                "Skipping events whose data is not a JSON object (first: event ID %s)",
                message.id,
            )
            return None
        version = envelope.get("version", SUPPORTED_VERSION)
        if str(version) != SUPPORTED_VERSION:
            self._once.log(
                f"version:{version}",
                logging.WARNING,
                "Skipping events of envelope version %.40s; this library reads version %s",
                version,
                SUPPORTED_VERSION,
            )
            return None
        return envelope

    def _content(
        self,
        message: SseMessage,
        event_type: str,
        build: Callable[[Mapping[str, Any]], _Content],
        payload: Any,
    ) -> _Content | None:
        """What the payload says, or None when it does not match the contract."""
        try:
            if payload is not None and not isinstance(payload, Mapping):
                raise PiOrchestratorResponseError("The payload is not a JSON object")
            return build(payload or {})
        except (ValidationError, PiOrchestratorError) as err:
            self._once.log(
                f"invalid:{event_type}",
                logging.WARNING,
                "Skipping %s events that do not match the contract (first: event ID %.80s): %s",
                event_type,
                message.id,
                _describe(err),
            )
            return None


_DEFAULT_PARSER: Final = EventParser()


def parse_event(message: SseMessage) -> ProvisioningEvent | None:
    """Return the event `message` carries, or None when it is to be skipped.

    Uses a parser shared by the whole process, so each problem is logged once per
    process; `ProvisioningEventStream` keeps its own `EventParser`.
    """
    return _DEFAULT_PARSER.parse(message)


def _session_id(value: Any, content: _Content) -> str | None:
    if is_session_id(value):
        return value
    if content.session is not None:
        return content.session.id
    if content.board is not None and content.board.board is not None:
        return content.board.board.session_id
    return None


def _state(value: Any) -> BoardState | None:
    return BoardState(value) if isinstance(value, str) and value else None


def _progress(value: Any) -> int | None:
    if isinstance(value, str) or (number := finite_number(value)) is None:
        return None
    return min(max(round(number), 0), 100)


def _text(value: Any) -> str | None:
    """Return an error text sent either as a string or as `{message: ...}`, cleaned."""
    if isinstance(value, Mapping):
        value = value.get("message")
    return clean_message(value)


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _describe(err: Exception) -> str:
    """Name the fields at fault without echoing values (which may be long)."""
    if isinstance(err, ValidationError):
        return "invalid " + ", ".join(
            ".".join(str(part) for part in issue["loc"]) or "(root)" for issue in err.errors()
        )
    return str(err)
