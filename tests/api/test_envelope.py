"""What an HTTP answer from the Pi means (API.md §1), decided without a socket.

The wire tests send the simulator's answers through the client; these pin the
shapes the simulator does not produce: the auth middleware's flat error, bare
legacy bodies, waits that are negative, NaN or absurd, and objects sent with or
without their wrapper.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from custom_components.piorchestrator.api.envelope import (
    DEFAULT_RETRY_AFTER,
    MAX_RETRY_AFTER,
    Answer,
    interpret,
    parse,
    parse_list,
    unwrap,
    wrap,
)
from custom_components.piorchestrator.api.errors import (
    ErrorCode,
    PiOrchestratorAuthenticationError,
    PiOrchestratorConflictError,
    PiOrchestratorRateLimitedError,
    PiOrchestratorResponseError,
    PiOrchestratorServerError,
)
from custom_components.piorchestrator.api.models import AllowlistEntry


def _body(payload: Any) -> bytes:
    return json.dumps(payload).encode()


def test_a_success_envelope_gives_its_data_and_correlation_id() -> None:
    attempt = interpret(
        200, {}, _body({"success": True, "data": {"total": 3}, "correlation_id": "c-1"})
    )
    assert attempt.error is None
    assert attempt.answer == Answer({"total": 3}, "c-1")


def test_an_envelope_that_says_success_with_an_error_status_is_an_error() -> None:
    attempt = interpret(500, {}, _body({"success": True, "data": {}}))
    assert isinstance(attempt.error, PiOrchestratorServerError)


def test_the_nested_error_shape_keeps_code_message_details_and_correlation_id() -> None:
    payload = {
        "success": False,
        "error": {
            "code": "SESSION_ALREADY_ACTIVE",
            "message": "A session is running",
            "details": "sess_1",
            "retryable": False,
        },
        "correlation_id": "c-2",
    }
    error = interpret(409, {}, _body(payload)).error
    assert isinstance(error, PiOrchestratorConflictError)
    assert (error.code, error.message, error.details) == (
        ErrorCode.SESSION_ALREADY_ACTIVE,
        "A session is running",
        "sess_1",
    )
    assert (error.http_status, error.correlation_id, error.retryable) == (409, "c-2", False)
    assert error.retry_after is None


def test_the_auth_middlewares_flat_shape_is_read_too() -> None:
    payload = {"success": False, "error": "Invalid API key", "code": "UNAUTHORIZED"}
    error = interpret(401, {}, _body(payload)).error
    assert isinstance(error, PiOrchestratorAuthenticationError)
    assert (error.code, error.message) == ("UNAUTHORIZED", "Invalid API key")


def test_a_rate_limit_without_a_wait_is_retryable_after_the_default() -> None:
    error = interpret(429, {}, _body({"success": False, "error": {}})).error
    assert isinstance(error, PiOrchestratorRateLimitedError)
    assert error.retryable is True
    assert error.retry_after == DEFAULT_RETRY_AFTER
    assert error.message == "The Pi answered HTTP 429"


@pytest.mark.parametrize(
    ("in_body", "header", "expected"),
    [
        (7, "30", 7.0),  # the body's figure wins over the header
        (None, "30", 30.0),
        (-3, "12", 12.0),  # a negative wait is no answer: the header is asked
        ("NaN", None, DEFAULT_RETRY_AFTER),
        (10**400, None, MAX_RETRY_AFTER),  # capped: a broken Pi cannot stall a caller
        (None, "Wed, 21 Oct 2015 07:28:00 GMT", DEFAULT_RETRY_AFTER),
    ],
)
def test_the_wait_asked_for_is_sane(in_body: Any, header: str | None, expected: float) -> None:
    error: dict[str, Any] = {"code": "RATE_LIMITED"}
    if in_body is not None:
        error["retry_after_seconds"] = in_body
    headers = {"Retry-After": header} if header is not None else {}
    body = json.dumps({"success": False, "error": error}).encode()
    attempt = interpret(429, headers, body)
    assert attempt.error is not None
    assert attempt.error.retry_after == expected


def test_a_bare_body_is_data_when_the_status_is_a_success() -> None:
    assert interpret(200, {}, _body([{"id": 1}])).answer.data == [{"id": 1}]


@pytest.mark.parametrize(
    ("status", "payload", "message", "retryable"),
    [
        (503, {"error": "maintenance"}, "maintenance", True),
        (400, {"message": "bad limit"}, "bad limit", False),
        (500, ["not", "an", "object"], "The Pi answered HTTP 500", False),
    ],
)
def test_a_bare_error_body_is_read_by_its_status(
    status: int, payload: Any, message: str, retryable: bool
) -> None:
    error = interpret(status, {}, _body(payload)).error
    assert error is not None
    assert (error.http_status, error.message, error.retryable) == (status, message, retryable)
    assert error.retry_after == (DEFAULT_RETRY_AFTER if retryable else None)


def test_an_empty_answer_is_no_data_on_success_and_an_error_otherwise() -> None:
    assert interpret(204, {}, b"").error is None
    assert interpret(200, {}, b"  \n").answer == Answer()
    error = interpret(502, {"Retry-After": "2"}, b"").error
    assert error is not None
    assert (error.http_status, error.retryable, error.retry_after) == (502, True, 2.0)


@pytest.mark.parametrize("body", [b"<html>gateway</html>", b"[" * 100_000])
def test_a_body_that_is_not_json_is_a_response_error(body: bytes) -> None:
    error = interpret(200, {}, body).error
    assert isinstance(error, PiOrchestratorResponseError)
    assert "not JSON" in error.message


ENTRY = {"mac": "aa:bb:cc:dd:ee:01", "description": "Shelf 1"}


@pytest.mark.parametrize("data", [ENTRY, {"entry": ENTRY}])
def test_an_object_sent_with_or_without_its_wrapper_reads_the_same(data: Any) -> None:
    answer = Answer(data, "c-3")
    entry = parse(AllowlistEntry, unwrap(answer, "entry"))
    assert (entry.mac, entry.description) == ("AA:BB:CC:DD:EE:01", "Shelf 1")
    assert wrap(answer, "entry").data == {"entry": ENTRY}


def test_a_missing_field_is_named_with_the_correlation_id() -> None:
    with pytest.raises(PiOrchestratorResponseError) as caught:
        parse(AllowlistEntry, Answer({"description": "no mac"}, "c-4"))
    assert "AllowlistEntry" in caught.value.message
    assert "mac" in caught.value.message
    assert caught.value.correlation_id == "c-4"


@pytest.mark.parametrize(
    ("data", "count"),
    [([ENTRY], 1), ({"entries": [ENTRY, ENTRY]}, 2), ({"entries": None}, 0), (None, 0)],
)
def test_a_list_is_read_bare_or_under_its_key(data: Any, count: int) -> None:
    assert len(parse_list(AllowlistEntry, Answer(data), "entries")) == count


def test_a_list_that_is_not_a_list_is_a_response_error() -> None:
    with pytest.raises(PiOrchestratorResponseError, match="entries is not a list"):
        parse_list(AllowlistEntry, Answer({"entries": {"mac": "x"}}, "c-5"), "entries")
