"""Every request to the Pi is traceable: the client's bounded log of the last ones (wire)."""

from __future__ import annotations

import aiohttp
import pytest

from custom_components.piorchestrator.api.client import RECENT_REQUESTS, PiOrchestratorClient
from custom_components.piorchestrator.api.errors import PiOrchestratorServerError
from simulator import Simulator

from .conftest import SIM_API_KEY


async def _fault(sim: Simulator, body: dict[str, object]) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{sim.url}/_sim/fail-next", json=body, headers=sim.control_headers
        ) as response,
    ):
        assert response.status == 200


async def test_successes_and_failures_are_logged_with_their_correlation_ids(
    sim: Simulator, client: PiOrchestratorClient
) -> None:
    await client.door_history(limit=5)
    await _fault(
        sim, {"count": 1, "status": 500, "code": "DATABASE_ERROR", "paths": ["/api/v1/door"]}
    )
    with pytest.raises(PiOrchestratorServerError) as failed:
        await client.door_status()

    first, second = list(client.recent_requests)[-2:]
    assert (first.method, first.path, first.status) == ("GET", "/api/v1/door/history", 200)
    # The query string is no part of the record.
    assert "?" not in first.path and "limit" not in first.path
    assert first.correlation_id
    assert first.duration_ms >= 0
    assert (second.path, second.status) == ("/api/v1/door/status", 500)
    assert second.correlation_id == failed.value.correlation_id
    assert client.recent_failures[-1].correlation_id == second.correlation_id


async def test_the_log_keeps_only_the_latest_requests(client: PiOrchestratorClient) -> None:
    for _ in range(RECENT_REQUESTS + 5):
        await client.system_info()
    assert len(client.recent_requests) == RECENT_REQUESTS
    assert {record.path for record in client.recent_requests} == {"/api/v1/system/info"}


async def test_a_pi_that_does_not_answer_is_logged_without_a_status(
    socket_enabled: None, http: aiohttp.ClientSession
) -> None:
    # Nothing listens on port 9 (discard) of 127.0.0.1 in the test environment.
    client = PiOrchestratorClient(http, "127.0.0.1", 9, api_key=SIM_API_KEY)
    assert await client.answers_legacy_api() is False
    record = client.recent_requests[-1]
    assert (record.path, record.status, record.correlation_id) == ("/api/system/info", None, None)
