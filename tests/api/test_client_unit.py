"""Answers the simulator does not give, from a Pi or proxy that misbehaves (aioresponses)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
import re

import aiohttp
from aioresponses import aioresponses
import pytest

from custom_components.piorchestrator.api.client import PiOrchestratorClient, RetryPolicy
from custom_components.piorchestrator.api.errors import (
    PiOrchestratorAuthenticationError,
    PiOrchestratorConflictError,
    PiOrchestratorDeviceError,
    PiOrchestratorError,
    PiOrchestratorNotFoundError,
    PiOrchestratorRateLimitedError,
    PiOrchestratorResponseError,
    PiOrchestratorServerError,
    PiOrchestratorTimeoutError,
    PiOrchestratorValidationError,
    error_class_for,
)
from custom_components.piorchestrator.api.models import BoardAction, SessionAction

BASE = "http://pi.test:8082/api/v1"
ANY_QUERY = re.compile(r"^http://pi\.test:8082/api/v1/door/history.*$")


@pytest.fixture
async def client() -> AsyncGenerator[PiOrchestratorClient]:
    async def no_sleep(_: float) -> None:
        return None

    async with aiohttp.ClientSession() as session:
        yield PiOrchestratorClient(
            session,
            "pi.test",
            api_key="unit-key",
            retry_policy=RetryPolicy(max_attempts=1),
            sleep=no_sleep,
        )


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        (None, 401, PiOrchestratorAuthenticationError),
        ("SOMETHING_NEW", 404, PiOrchestratorNotFoundError),
        ("SOMETHING_NEW", 410, PiOrchestratorNotFoundError),
        ("SOMETHING_NEW", 409, PiOrchestratorConflictError),
        ("SOMETHING_NEW", 429, PiOrchestratorRateLimitedError),
        ("SOMETHING_NEW", 504, PiOrchestratorDeviceError),
        ("SOMETHING_NEW", 422, PiOrchestratorValidationError),
        ("SOMETHING_NEW", 507, PiOrchestratorServerError),
        ("SOMETHING_NEW", 302, PiOrchestratorError),
        ("SOMETHING_NEW", None, PiOrchestratorError),
    ],
)
def test_unknown_codes_fall_back_to_the_status_class(
    code: str | None, status: int | None, expected: type[PiOrchestratorError]
) -> None:
    assert error_class_for(code, status) is expected


async def test_a_body_that_is_not_json(client: PiOrchestratorClient) -> None:
    with aioresponses() as mocked:
        mocked.get(f"{BASE}/system/info", status=502, body="<html>Bad gateway</html>")
        with pytest.raises(PiOrchestratorResponseError) as caught:
            await client.system_info()
    assert caught.value.http_status == 502


async def test_an_empty_error_and_a_bare_error_with_retry_after(
    client: PiOrchestratorClient,
) -> None:
    with aioresponses() as mocked:
        mocked.get(f"{BASE}/door/status", status=503, body="")
        with pytest.raises(PiOrchestratorServerError) as empty:
            await client.door_status()
        mocked.get(
            f"{BASE}/door/status",
            status=429,
            payload={"message": "slow down"},
            headers={"Retry-After": "12"},
        )
        with pytest.raises(PiOrchestratorRateLimitedError) as limited:
            await client.door_status()
    assert empty.value.retryable is True
    assert limited.value.message == "slow down"
    assert limited.value.retry_after == 12


async def test_an_envelope_without_a_message_or_retry_hint(client: PiOrchestratorClient) -> None:
    with aioresponses() as mocked:
        mocked.get(
            f"{BASE}/door/status",
            status=429,
            payload={"success": False, "error": {"code": "RATE_LIMITED"}, "correlation_id": "c-1"},
            headers={"Retry-After": "soon"},
        )
        with pytest.raises(PiOrchestratorRateLimitedError) as caught:
            await client.door_status()
    assert caught.value.retryable is True
    assert caught.value.retry_after == 5  # the documented default
    assert "c-1" in str(caught.value)


async def test_a_missing_required_field_is_named(client: PiOrchestratorClient) -> None:
    with aioresponses() as mocked:
        mocked.post(
            f"{BASE}/provisioning/batch/start",
            status=201,
            payload={
                "success": True,
                "data": {"session": {"state": "active"}},
                "correlation_id": "c-2",
            },
        )
        with pytest.raises(PiOrchestratorResponseError) as caught:
            await client.start_batch("Net", "pw")
    assert "session.id" in caught.value.message
    assert caught.value.correlation_id == "c-2"


async def test_a_list_that_is_not_a_list(client: PiOrchestratorClient) -> None:
    with aioresponses() as mocked:
        mocked.get(ANY_QUERY, payload={"success": True, "data": {"history": "none"}})
        with pytest.raises(PiOrchestratorResponseError):
            await client.door_history()
        mocked.get(ANY_QUERY, payload={"success": True, "data": {}})
        assert await client.door_history() == []


async def test_network_status_at_its_other_path(client: PiOrchestratorClient) -> None:
    with aioresponses() as mocked:
        mocked.get(
            f"{BASE}/provisioning/batch/network",
            status=404,
            payload={"success": False, "error": {"code": "NOT_FOUND", "message": "no route"}},
        )
        mocked.get(
            f"{BASE}/provisioning/network/status",
            payload={
                "success": True,
                "data": {"ssid": "DelicasaOnboard", "is_active": True, "connected_devices": 2},
            },
        )
        status = await client.network_status()
    assert status.connected_devices == 2


async def test_a_timeout_says_so(client: PiOrchestratorClient) -> None:
    with aioresponses() as mocked:
        mocked.get(f"{BASE}/system/info", exception=TimeoutError())
        with pytest.raises(PiOrchestratorTimeoutError) as caught:
            await client.system_info()
    assert "in time" in caught.value.message


BAD_SESSION_IDS = [".", "..", "", "a/b", "sess%2F..", "sess 1", "sess\n1", "séss", "s" * 65]


@pytest.mark.parametrize("session_id", BAD_SESSION_IDS)
@pytest.mark.parametrize(
    "action",
    [
        lambda c, s: c.get_batch(s),
        lambda c, s: c.session_action(s, SessionAction.STOP),
        lambda c, s: c.session_action(s, SessionAction.PAUSE),
        lambda c, s: c.session_action(s, SessionAction.RESUME),
        lambda c, s: c.provision_all(s),
        lambda c, s: c.list_boards(s),
        lambda c, s: c.board_action(s, "24:0A:C4:00:00:01", BoardAction.PROVISION),
        lambda c, s: c.board_action(s, "24:0A:C4:00:00:01", BoardAction.RETRY),
        lambda c, s: c.board_action(s, "24:0A:C4:00:00:01", BoardAction.SKIP),
        lambda c, s: c.resume_session(s),
        lambda c, s: c.open_event_stream(session_id=s or "."),
    ],
)
async def test_a_malformed_session_id_is_refused_before_any_request(
    client: PiOrchestratorClient,
    session_id: str,
    action: Callable[[PiOrchestratorClient, str], Awaitable[object]],
) -> None:
    """`.` and `..` would otherwise become path segments (`/batch/../stop`)."""
    with aioresponses() as mocked:
        with pytest.raises(PiOrchestratorValidationError) as caught:
            await action(client, session_id)
        assert mocked.requests == {}
    assert "session ID" in caught.value.message


async def test_a_session_id_of_the_pis_form_is_sent(client: PiOrchestratorClient) -> None:
    session_id = "sess_0123456789ab-X" + "z" * 45  # 64 characters
    with aioresponses() as mocked:
        mocked.post(
            f"{BASE}/provisioning/batch/{session_id}/stop",
            payload={"success": True, "data": {"session": {"id": session_id, "state": "stopped"}}},
        )
        result = await client.session_action(session_id, SessionAction.STOP)
    assert result.session.id == session_id
