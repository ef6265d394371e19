"""What one HTTP answer from the Pi means (API.md §1).

Pure functions, no I/O: a status, headers and body become data or the error to
raise, and data becomes a typed model. The client sends, retries and reads; this
module only interprets, so every shape the Pi may answer with is decided here and
can be tested without a socket.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
import json
from typing import Any, Final, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import (
    PiOrchestratorError,
    PiOrchestratorRateLimitedError,
    PiOrchestratorResponseError,
    error_class_for,
)
from .numbers import finite_number

DEFAULT_RETRY_AFTER: Final = 5.0
"""Seconds to wait when the Pi marks an error retryable without saying how long."""
MAX_RETRY_AFTER: Final = 3600.0
"""The longest wait the Pi may ask for; more is capped, so a broken Pi cannot stall a caller."""

_ModelT = TypeVar("_ModelT", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Answer:
    """The unwrapped data of a successful answer and the request's correlation ID."""

    data: Any = None
    correlation_id: str | None = None


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one attempt produced: an answer or the error to raise."""

    answer: Answer = field(default_factory=Answer)
    error: PiOrchestratorError | None = None


def interpret(status: int, headers: Mapping[str, str], body: bytes) -> Attempt:
    """Turn one HTTP answer into data or an error, following API.md §1."""
    if status == 204 or not body.strip():
        if 200 <= status < 300:
            return Attempt()
        return Attempt(error=_error_from_status(status, headers, None))
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        return Attempt(
            error=PiOrchestratorResponseError(
                f"The Pi answered HTTP {status} with a body that is not JSON",
                http_status=status,
            )
        )
    correlation_id = payload.get("correlation_id") if isinstance(payload, dict) else None
    if isinstance(payload, dict) and isinstance(payload.get("success"), bool):
        if payload["success"] and 200 <= status < 300:
            return Attempt(Answer(payload.get("data"), correlation_id))
        return Attempt(error=_error_from_envelope(status, headers, payload))
    # A bare body: the legacy routes, or a V1 route behind something that
    # strips envelopes. Its status alone says whether it failed.
    if 200 <= status < 300:
        return Attempt(Answer(payload, correlation_id))
    return Attempt(error=_error_from_status(status, headers, payload))


def correlation_of(error: PiOrchestratorError | None) -> str | None:
    """The correlation ID an error carries, to find the request in the Pi's logs."""
    return error.correlation_id if error is not None else None


def unwrap(answer: Answer, key: str) -> Answer:
    """Return `data[key]` when the Pi wrapped the object, else the answer itself."""
    if isinstance(answer.data, dict) and isinstance(answer.data.get(key), dict):
        return Answer(answer.data[key], answer.correlation_id)
    return answer


def wrap(answer: Answer, key: str) -> Answer:
    """Return `{key: data}` when the Pi answered with the bare object."""
    if isinstance(answer.data, dict) and key not in answer.data:
        return Answer({key: answer.data}, answer.correlation_id)
    return answer


def parse(model: type[_ModelT], answer: Answer) -> _ModelT:
    """Validate the answer's data as `model`, naming every missing or invalid field."""
    return _validate(model, answer.data, answer.correlation_id)


def parse_list(model: type[_ModelT], answer: Answer, key: str) -> list[_ModelT]:
    """Parse a list the Pi sends either bare or as `{key: [...]}`."""
    data = answer.data
    items = data.get(key) if isinstance(data, dict) else data
    if items is None:
        return []
    if not isinstance(items, list):
        raise PiOrchestratorResponseError(
            f"The Pi's answer does not match the V1 contract: {key} is not a list",
            correlation_id=answer.correlation_id,
        )
    return [_validate(model, item, answer.correlation_id) for item in items]


def _validate(model: type[_ModelT], data: Any, correlation_id: str | None) -> _ModelT:
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as err:
        fields = ", ".join(
            ".".join(str(part) for part in issue["loc"]) or "(root)" for issue in err.errors()
        )
        raise PiOrchestratorResponseError(
            f"The Pi's answer does not match the V1 contract for {model.__name__}: "
            f"missing or invalid {fields}",
            correlation_id=correlation_id,
        ) from None


def _seconds(value: Any) -> float | None:
    """A wait the Pi asked for, if it is a sane number of seconds.

    Not a number, negative, infinite or NaN is no answer; a huge one is capped,
    so a broken Pi cannot make a caller wait for ever.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value > MAX_RETRY_AFTER:
        return MAX_RETRY_AFTER
    seconds = finite_number(value)
    if seconds is None or seconds < 0:
        return None
    return min(seconds, MAX_RETRY_AFTER)


def _retry_after_header(headers: Mapping[str, str]) -> float | None:
    return _seconds(headers.get("Retry-After"))


def _error_from_envelope(
    status: int, headers: Mapping[str, str], payload: Mapping[str, Any]
) -> PiOrchestratorError:
    """Build the error from either envelope shape of API.md §1."""
    raw_error = payload.get("error")
    if isinstance(raw_error, dict):
        # The nested shape used by every V1 handler.
        code = raw_error.get("code")
        message = raw_error.get("message")
        retryable = raw_error.get("retryable")
        retry_after = raw_error.get("retry_after_seconds")
        details = raw_error.get("details")
    else:
        # The flat shape of the auth middleware: `error` is the message.
        code = payload.get("code")
        message = raw_error
        retryable = payload.get("retryable")
        retry_after = payload.get("retry_after_seconds")
        details = None
    retry_after = _seconds(retry_after)
    if retry_after is None:
        retry_after = _retry_after_header(headers)
    code_text = code if isinstance(code, str) and code else None
    error_class = error_class_for(code_text, status)
    is_retryable = (
        retryable if isinstance(retryable, bool) else error_class is PiOrchestratorRateLimitedError
    )
    if is_retryable and retry_after is None:
        retry_after = DEFAULT_RETRY_AFTER
    correlation_id = payload.get("correlation_id")
    return error_class(
        message if isinstance(message, str) and message else f"The Pi answered HTTP {status}",
        code=code_text,
        http_status=status,
        retryable=is_retryable,
        retry_after=retry_after,
        correlation_id=correlation_id if isinstance(correlation_id, str) else None,
        details=details if isinstance(details, str) else None,
    )


def _error_from_status(
    status: int, headers: Mapping[str, str], payload: Any
) -> PiOrchestratorError:
    """Build the error for an answer without an envelope."""
    message = None
    if isinstance(payload, dict):
        for key in ("error", "message"):
            if isinstance(payload.get(key), str):
                message = payload[key]
                break
    error_class = error_class_for(None, status)
    retry_after = _retry_after_header(headers)
    retryable = status in (429, 502, 503, 504)
    return error_class(
        message or f"The Pi answered HTTP {status}",
        http_status=status,
        retryable=retryable,
        retry_after=retry_after
        if retry_after is not None
        else (DEFAULT_RETRY_AFTER if retryable else None),
    )
