"""A redirect from the Pi's address is never followed: REST, the event stream, the monitor.

Over real sockets: the "Pi" on 127.0.0.1 answers with a redirect to a listener
on 127.0.0.2 that records every byte it receives. Following would hand it the
API key (and, for `start_batch`, the WiFi password in the body).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

import aiohttp
import pytest

from custom_components.piorchestrator.api.client import PiOrchestratorClient, RetryPolicy
from custom_components.piorchestrator.api.errors import (
    PiOrchestratorRedirectError,
    PiOrchestratorResponseError,
)
from tests.redirects import OTHER_HOST, Listener, Redirector, redirecting_pi

API_KEY = "redirect-test-key-Lk39"
WIFI_PASSWORD = "redirect-wifi-Pw55"
STATUSES = [301, 302, 307, 308]


@pytest.fixture(params=STATUSES)
async def pi(
    socket_enabled: None, request: pytest.FixtureRequest
) -> AsyncGenerator[tuple[Redirector, Listener]]:
    async with redirecting_pi(request.param) as pair:
        yield pair


@pytest.fixture
async def client(
    pi: tuple[Redirector, Listener], http: aiohttp.ClientSession
) -> PiOrchestratorClient:
    redirector, _ = pi

    async def no_sleep(_: float) -> None:
        return None

    return PiOrchestratorClient(
        http,
        "127.0.0.1",
        redirector.port,
        api_key=API_KEY,
        # Retries allowed, so a retried redirect would show as a second request.
        retry_policy=RetryPolicy(max_attempts=3, connection_retry_delay=0),
        sleep=no_sleep,
    )


def assert_clear_error(err: PiOrchestratorRedirectError, listener: Listener) -> None:
    target = f"http://{OTHER_HOST}:{listener.port}"
    assert err.target == target
    assert err.message == f"The Pi answered with a redirect to {target}; check the host and port"
    assert not err.retryable
    for secret in (API_KEY, WIFI_PASSWORD, "steal-me", "/provisioning", "/ws/"):
        assert secret not in str(err)
        assert secret not in repr(err)


async def test_start_batch_sends_the_password_to_no_one_else(
    client: PiOrchestratorClient, pi: tuple[Redirector, Listener]
) -> None:
    redirector, listener = pi

    with pytest.raises(PiOrchestratorRedirectError) as caught:
        await client.start_batch("CabinetNet", WIFI_PASSWORD)

    assert_clear_error(caught.value, listener)
    assert caught.value.http_status == redirector.status
    assert listener.connections == 0
    assert listener.received == b""
    # Sent once, to the Pi's own address only.
    assert redirector.requests == [("POST", "/api/v1/provisioning/batch/start")]
    assert client.recent_failures[-1].http_status == redirector.status


async def test_a_read_is_not_retried_nor_followed(
    client: PiOrchestratorClient, pi: tuple[Redirector, Listener]
) -> None:
    redirector, listener = pi

    with pytest.raises(PiOrchestratorRedirectError) as caught:
        await client.allowlist_stats()

    assert_clear_error(caught.value, listener)
    assert listener.connections == 0
    assert redirector.requests == [("GET", "/api/v1/provisioning/allowlist/stats")]


async def test_the_event_stream_is_not_followed(
    client: PiOrchestratorClient, pi: tuple[Redirector, Listener]
) -> None:
    redirector, listener = pi

    with pytest.raises(PiOrchestratorRedirectError) as caught:
        await client.open_event_stream(last_event_id="41")

    assert_clear_error(caught.value, listener)
    assert listener.connections == 0
    assert redirector.requests == [("GET", "/api/v1/provisioning/batch/events")]


async def test_the_monitor_websocket_is_not_followed(
    client: PiOrchestratorClient, pi: tuple[Redirector, Listener], http: aiohttp.ClientSession
) -> None:
    redirector, listener = pi

    with pytest.raises(PiOrchestratorRedirectError) as caught:
        await client.connect_monitor()

    assert_clear_error(caught.value, listener)
    assert listener.connections == 0
    assert redirector.requests == [("GET", "/ws/monitor")]
    # The caller's session, whose connections the handshake borrowed, is untouched.
    assert not http.closed


async def test_the_listener_does_record_what_reaches_it(
    socket_enabled: None, http: aiohttp.ClientSession
) -> None:
    """The check above could not pass by a listener that hears nothing."""
    async with redirecting_pi(307) as (_, listener):
        client = PiOrchestratorClient(http, OTHER_HOST, listener.port, api_key=API_KEY)
        # It answers an empty success, which is no session: what it heard is the point.
        with pytest.raises(PiOrchestratorResponseError):
            await client.start_batch("CabinetNet", WIFI_PASSWORD)

    assert listener.connections == 1
    assert listener.header_values("X-API-Key") == [API_KEY]
    assert WIFI_PASSWORD.encode() in listener.received
