"""REST answers: any status, headers and body become data or one of the client's errors.

`envelope.interpret` is the one place where an HTTP answer is read (API.md §1, both error
shapes, bare legacy bodies); the end-to-end test sends the same answers through
aiohttp and the client's retry loop, with the waits recorded instead of slept.
"""

from __future__ import annotations

import asyncio
import math
import re
from typing import Any

import aiohttp
from aioresponses import aioresponses
from hypothesis import HealthCheck, example, given, settings, strategies as st
import pytest

from custom_components.piorchestrator.api.client import PiOrchestratorClient, RetryPolicy
from custom_components.piorchestrator.api.envelope import interpret
from custom_components.piorchestrator.api.errors import PiOrchestratorError
from custom_components.piorchestrator.error_handling import error_placeholders, translation_key_for
from tests.reliability.results import COLLECTOR, DETERMINISTIC, examples

from .strategies import deep_json_texts, dumps, json_values, mutate, numbers, texts

pytestmark = pytest.mark.timeout(300)

FUZZ = settings(
    max_examples=examples(300, 20_000),
    derandomize=DETERMINISTIC,
    deadline=2000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
URL = re.compile(r"^http://pi\.test:8082/.*$")

statuses = st.one_of(
    st.sampled_from((200, 201, 204, 400, 401, 403, 404, 409, 410, 429, 500, 502, 503, 504)),
    st.integers(min_value=100, max_value=599),
)
retry_after_headers = st.one_of(
    st.none(),
    st.sampled_from(("5", "0", "-3", "1e400", "nan", "inf", "Wed, 21 Oct 2015 07:28:00 GMT", "")),
    texts,
)
errors_nested: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
    {"success": st.just(False)},
    optional={
        "error": st.one_of(
            st.fixed_dictionaries(
                {},
                optional={
                    "code": st.one_of(
                        st.sampled_from(("RATE_LIMITED", "UNAUTHORIZED", "NOPE")), json_values
                    ),
                    "message": json_values,
                    "retryable": json_values,
                    "retry_after_seconds": numbers,
                    "details": json_values,
                },
            ),
            json_values,
        ),
        "code": json_values,
        "retryable": json_values,
        "retry_after_seconds": numbers,
        "correlation_id": json_values,
    },
)
successes: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(
    {"success": st.just(True)},
    optional={"data": json_values, "correlation_id": json_values},
)
bodies = st.one_of(
    st.binary(max_size=200),
    st.one_of(errors_nested, successes, json_values).map(dumps).map(str.encode),
    deep_json_texts.map(str.encode),
)
ABSURD_RETRY = (
    b'{"success": false, "error": {"code": "RATE_LIMITED", "retry_after_seconds": '
    + str(10**400).encode()
    + b"}}"
)


def _client(session: aiohttp.ClientSession | None = None) -> PiOrchestratorClient:
    async def no_wait(seconds: float) -> None:
        # asyncio.sleep's own checks (a NaN is refused), without the wait.
        await asyncio.sleep(min(seconds, 0.0))

    return PiOrchestratorClient(
        session,  # type: ignore[arg-type]
        "pi.test",
        api_key="k",
        retry_policy=RetryPolicy(max_attempts=3, max_total_wait=10.0),
        sleep=no_wait,
    )


def _check_error(error: PiOrchestratorError) -> None:
    """An error a person will see: printable, translatable, with a sane retry time."""
    assert str(error)
    assert translation_key_for(error)
    assert error_placeholders(error)["message"] is not None
    if error.retry_after is not None:
        assert math.isfinite(error.retry_after), error.retry_after
        assert error.retry_after >= 0, error.retry_after


@FUZZ
@given(status=statuses, retry_after=retry_after_headers, body=bodies)
@example(status=429, retry_after=None, body=ABSURD_RETRY)
@example(status=200, retry_after=None, body=b"[" * 100_000)
@example(
    status=503,
    retry_after=None,
    body=b'{"success": false, "error": {"retryable": true, "retry_after_seconds": NaN}}',
)
@example(status=429, retry_after="nan", body=b"")
def test_any_answer_is_data_or_an_error_never_an_exception(
    status: int, retry_after: str | None, body: bytes
) -> None:
    COLLECTOR.count_example("envelopes: _interpret")
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    attempt = interpret(status, headers, body)
    if attempt.error is not None:
        _check_error(attempt.error)
    else:
        assert 200 <= status < 300


@FUZZ
@given(data=st.data(), status=statuses, retry_after=retry_after_headers, body=bodies)
@example(
    data=None,
    status=503,
    retry_after=None,
    body=b'{"success": false, "error": {"code": "MQTT_UNAVAILABLE", "retryable": true, "retry_after_seconds": NaN}}',
)
async def test_any_answer_through_the_client_ends_in_data_or_a_client_error(
    data: Any, status: int, retry_after: str | None, body: bytes
) -> None:
    COLLECTOR.count_example("envelopes: end to end (aioresponses)")
    if data is not None and data.draw(st.booleans(), label="damage the body"):
        body = mutate(body.decode("utf-8", "replace"), data).encode()
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    async with aiohttp.ClientSession() as session:
        client = _client(session)
        with aioresponses() as mocked:
            mocked.get(URL, status=status, body=body, headers=headers, repeat=True)
            try:
                await client.door_status()
            except PiOrchestratorError as err:
                _check_error(err)
