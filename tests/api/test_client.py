"""The REST client against the simulator over 127.0.0.1: every endpoint, every shape."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
import logging
from pathlib import Path
import socket

import aiohttp
import pytest

from custom_components.piorchestrator.api.client import (
    LEGACY_BASE_PATH,
    MAX_BODY_BYTES,
    PiOrchestratorClient,
    RetryPolicy,
)
from custom_components.piorchestrator.api.errors import (
    ErrorCode,
    PiOrchestratorAuthenticationError,
    PiOrchestratorConflictError,
    PiOrchestratorConnectionError,
    PiOrchestratorDeviceError,
    PiOrchestratorNotFoundError,
    PiOrchestratorRateLimitedError,
    PiOrchestratorResponseError,
    PiOrchestratorServerError,
    PiOrchestratorValidationError,
)
from custom_components.piorchestrator.api.models import (
    BoardAction,
    BoardState,
    DoorState,
    LockState,
    SessionAction,
    SessionState,
)
from simulator import Simulator, SimulatorConfig
from tests.waiting import wait_until

from .conftest import SIM_API_KEY, SIM_BOARDS, RecordedSleeps

WIFI_PASSWORD = "client-wifi-secret-Lm3"
EVENTS_PATH = "/api/v1/provisioning/batch/events"


async def _until[T](
    probe: Callable[[], Awaitable[T]], accept: Callable[[T], bool], timeout: float = 15
) -> T:
    """Ask `probe` until `accept` takes its answer; return that answer."""
    answers: list[T] = []

    async def accepted() -> bool:
        answers.append(await probe())
        return accept(answers[-1])

    await wait_until(accepted, timeout=timeout, interval=0.05)
    return answers[-1]


async def _fault(sim: Simulator, name: str, body: dict[str, object]) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{sim.url}/_sim/{name}", json=body, headers=sim.control_headers) as r,
    ):
        assert r.status == 200, await r.text()


async def test_system_info(client: PiOrchestratorClient) -> None:
    info = await client.system_info()
    assert info.cpu.usage_percent is not None and 0 <= info.cpu.usage_percent <= 100
    assert info.memory.total_mb and info.memory.total_mb > 0
    assert info.temperature_celsius is not None
    assert isinstance(info.uptime, int) and info.uptime > 0
    assert info.load_average.load_1 is not None


async def test_a_whole_batch_session(client: PiOrchestratorClient) -> None:
    started = await client.start_batch(
        "CabinetNet",
        WIFI_PASSWORD,
        discovery_timeout=30,
        provisioning_timeout=60,
        verification_timeout=45,
    )
    session = started.session
    assert session.id.startswith("sess_")
    assert session.state in (SessionState.DISCOVERING, SessionState.ACTIVE)
    assert session.target_ssid == "CabinetNet"
    assert session.config is not None and session.config.discovery_timeout_seconds == 30

    snapshot = await _until(
        lambda: client.get_batch(session.id), lambda snap: len(snap.devices) == len(SIM_BOARDS)
    )
    assert {board.mac for board in snapshot.devices} == set(SIM_BOARDS)
    assert {board.mac for board in snapshot.devices if board.in_allowlist} == set(SIM_BOARDS[:2])
    discovered = await client.list_boards(session.id, state=BoardState.DISCOVERED)
    assert {board.mac for board in discovered} == set(SIM_BOARDS)

    network = await client.network_status()
    assert network.is_active is True
    assert network.ssid

    result = await client.provision_all(session.id)
    assert (result.initiated_count, result.skipped_count) == (2, 1)

    flaky = SIM_BOARDS[1]
    await _until(
        lambda: client.list_boards(session.id),
        lambda boards: {b.mac: b.state for b in boards}.get(flaky) is BoardState.FAILED,
    )
    retried = await client.board_action(
        session.id, flaky.lower().replace(":", "-"), BoardAction.RETRY
    )
    assert retried.mac == flaky
    skipped = await client.board_action(session.id, SIM_BOARDS[2], BoardAction.SKIP)
    assert skipped.mac == SIM_BOARDS[2]

    boards = await _until(
        lambda: client.list_boards(session.id),
        lambda boards: {b.mac: b.state for b in boards if b.mac in SIM_BOARDS[:2]}
        == dict.fromkeys(SIM_BOARDS[:2], BoardState.VERIFIED),
    )
    assert next(b for b in boards if b.mac == flaky).retry_count == 1

    paused = await client.session_action(session.id, SessionAction.PAUSE)
    assert paused.session.state is SessionState.PAUSED
    resumed = await client.session_action(session.id, SessionAction.RESUME)
    assert resumed.session.state is SessionState.ACTIVE
    stopped = await client.session_action(session.id, SessionAction.STOP)
    assert stopped.session.state in (SessionState.CLOSING, SessionState.CLOSED)
    with pytest.raises(PiOrchestratorConflictError) as closed:
        await _until(
            lambda: client.session_action(session.id, SessionAction.PAUSE),
            lambda _: False,
            timeout=5,
        )
    assert closed.value.code in (ErrorCode.SESSION_ALREADY_CLOSED, ErrorCode.DEVICE_INVALID_STATE)


async def test_provision_one_board_and_allowlist_enforcement(client: PiOrchestratorClient) -> None:
    session = (await client.start_batch("CabinetNet", WIFI_PASSWORD)).session
    await _until(lambda: client.list_boards(session.id), lambda boards: len(boards) == 3)
    result = await client.board_action(session.id, SIM_BOARDS[0], BoardAction.PROVISION)
    assert result.state in (BoardState.PROVISIONING, BoardState.PROVISIONED)
    with pytest.raises(PiOrchestratorConflictError) as refused:
        await client.board_action(session.id, SIM_BOARDS[2], BoardAction.PROVISION)
    assert refused.value.code == ErrorCode.DEVICE_NOT_IN_ALLOWLIST
    assert refused.value.http_status == 403
    assert refused.value.correlation_id
    with pytest.raises(PiOrchestratorConflictError) as second:
        await client.start_batch("Other", WIFI_PASSWORD)
    assert second.value.code == ErrorCode.SESSION_ALREADY_ACTIVE


async def test_allowlist_round_trip(client: PiOrchestratorClient) -> None:
    entries = await client.allowlist()
    assert {entry.mac for entry in entries} == set(SIM_BOARDS[:2])

    added = await client.allowlist_add(
        "aa-bb-cc-dd-ee-01", description="Shelf 1", container_id="C-1"
    )
    assert added.mac == "AA:BB:CC:DD:EE:01"
    assert added.description == "Shelf 1"
    assert (await client.allowlist_entry("aabbccddee01")).container_id == "C-1"

    updated = await client.allowlist_update("AA:BB:CC:DD:EE:01", description="Shelf 2")
    assert updated.description == "Shelf 2"
    assert updated.container_id == "C-1"  # untouched fields stay

    bulk = await client.allowlist_bulk_add(
        [
            {"mac": "AA:BB:CC:DD:EE:02"},
            {"mac": "aa:bb:cc:dd:ee:03", "description": "x"},
            {"mac": "AA:BB:CC:DD:EE:01"},
        ]
    )
    assert (bulk.added, bulk.skipped) == (2, 1)
    stats = await client.allowlist_stats()
    assert (stats.total, stats.used, stats.available) == (5, 0, 5)
    assert len(await client.allowlist(available_only=True)) == 5

    await client.allowlist_remove("AA:BB:CC:DD:EE:01")
    with pytest.raises(PiOrchestratorNotFoundError):
        await client.allowlist_entry("AA:BB:CC:DD:EE:01")
    removed = await client.allowlist_bulk_remove(["AA:BB:CC:DD:EE:02", "AA:BB:CC:DD:EE:09"])
    assert (removed.removed, removed.not_found) == (1, 1)
    cleared = await client.allowlist_clear()
    assert cleared.cleared == 3
    assert await client.allowlist() == []


async def test_a_bad_mac_never_leaves_the_client(
    client: PiOrchestratorClient, sim: Simulator
) -> None:
    before = sim.context.stats.requests.copy()
    with pytest.raises(PiOrchestratorValidationError) as caught:
        await client.allowlist_add("not-a-mac")
    assert caught.value.code == ErrorCode.VALIDATION_FAILED
    assert sim.context.stats.requests == before


async def test_door(client: PiOrchestratorClient) -> None:
    status = await client.door_status()
    assert status.state is DoorState.CLOSED
    assert status.lock_state is LockState.LOCKED
    opened = await client.open_door(duration=1, testing_mode=True)
    assert opened.success is True
    assert opened.correlation_id
    assert (await client.door_status()).lock_state is LockState.UNLOCKED
    await _until(
        client.door_status, lambda door: door.lock_state is LockState.LOCKED
    )  # relocks itself
    assert (await client.close_door()).success is True
    history = await client.door_history(limit=5)
    assert {entry.command for entry in history} >= {"open"}
    assert len(history) <= 5


async def test_session_recovery_after_a_restart(
    socket_enabled: None, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    state_file = tmp_path / "pi.json"
    config = SimulatorConfig(
        port=0, api_key=SIM_API_KEY, speed=50, boards=0, seed=2, allowlist=SIM_BOARDS[:1],
        state_file=state_file,
    )  # fmt: skip
    first = Simulator(config)
    await first.start()
    await _fault(first, "boards", {"macs": list(SIM_BOARDS[:2])})
    client = PiOrchestratorClient(http, "127.0.0.1", first.port, api_key=SIM_API_KEY)
    session = (await client.start_batch("CabinetNet", WIFI_PASSWORD)).session
    await _until(lambda: client.list_boards(session.id), lambda boards: len(boards) == 2)
    await client.board_action(session.id, SIM_BOARDS[0], BoardAction.PROVISION)
    await _until(
        lambda: client.list_boards(session.id),
        lambda boards: any(b.state is BoardState.VERIFIED for b in boards),
    )
    port = first.port
    await first.stop()

    second = Simulator(replace(config, port=port))
    await second.start()
    try:
        recoverable = await client.recoverable_sessions()
        assert [s.id for s in recoverable] == [session.id]
        resumed = await client.resume_session(session.id)
        assert resumed.session.id == session.id
        states = {board.mac: board.state for board in await client.list_boards(session.id)}
        assert states[SIM_BOARDS[0]] is BoardState.VERIFIED
        assert await client.recoverable_sessions() == []
    finally:
        await second.stop()


async def test_flat_401_from_the_auth_middleware(
    sim: Simulator, http: aiohttp.ClientSession
) -> None:
    client = PiOrchestratorClient(http, "127.0.0.1", sim.port, api_key="wrong")
    with pytest.raises(PiOrchestratorAuthenticationError) as caught:
        await client.allowlist()
    assert caught.value.code == ErrorCode.UNAUTHORIZED
    assert caught.value.http_status == 401
    assert caught.value.correlation_id
    assert caught.value.correlation_id in str(caught.value)
    assert "wrong" not in str(caught.value) and "wrong" not in repr(caught.value)
    # Open routes do not need the key.
    assert (await client.system_info()).cpu is not None


async def test_legacy_base_path_with_bare_bodies(
    sim: Simulator, http: aiohttp.ClientSession
) -> None:
    client = PiOrchestratorClient(
        http, "127.0.0.1", sim.port, api_key=SIM_API_KEY, base_path=LEGACY_BASE_PATH
    )
    assert not client.uses_envelope
    assert (await client.system_info()).memory.total_mb
    assert {entry.mac for entry in await client.allowlist()} == set(SIM_BOARDS[:2])
    await client.allowlist_remove(SIM_BOARDS[0])  # 204 on the legacy route too
    with pytest.raises(PiOrchestratorNotFoundError):
        await client.get_batch("sess_missing")


async def test_retryable_error_is_retried_after_the_wait_the_pi_asks_for(
    client: PiOrchestratorClient, sim: Simulator, sleeps: RecordedSleeps
) -> None:
    await _fault(
        sim,
        "fail-next",
        {
            "count": 2,
            "status": 503,
            "code": "MQTT_UNAVAILABLE",
            "retry_after_seconds": 3,
            "paths": ["/api/v1/provisioning/allowlist"],
        },
    )
    assert len(await client.allowlist()) == 2
    assert sleeps == [3.0, 3.0]


async def test_retry_gives_up_within_its_bounds(
    client: PiOrchestratorClient, sim: Simulator, sleeps: RecordedSleeps
) -> None:
    await _fault(
        sim,
        "fail-next",
        {"count": 5, "status": 502, "code": "DEVICE_UNREACHABLE", "retry_after_seconds": 4},
    )
    with pytest.raises(PiOrchestratorDeviceError) as caught:
        await client.allowlist_stats()
    assert sleeps == [4.0, 4.0]  # three attempts in all
    assert caught.value.retryable is True
    assert caught.value.retry_after == 4.0
    assert client.recent_failures[-1].correlation_id == caught.value.correlation_id


async def test_rate_limit_longer_than_the_budget_surfaces_at_once(
    client: PiOrchestratorClient, sim: Simulator, sleeps: RecordedSleeps
) -> None:
    await _fault(
        sim,
        "fail-next",
        {"count": 1, "status": 429, "code": "RATE_LIMITED", "retry_after_seconds": 30},
    )
    with pytest.raises(PiOrchestratorRateLimitedError) as caught:
        await client.allowlist_stats()
    assert caught.value.retry_after == 30
    assert sleeps == []


async def test_non_retryable_errors_are_not_retried(
    client: PiOrchestratorClient, sim: Simulator, sleeps: RecordedSleeps
) -> None:
    await _fault(sim, "fail-next", {"count": 1, "status": 500, "code": "DATABASE_ERROR"})
    with pytest.raises(PiOrchestratorServerError) as caught:
        await client.door_status()
    assert caught.value.code == ErrorCode.DATABASE_ERROR
    assert sleeps == []


@pytest.mark.parametrize("chunked", [False, True], ids=["declared size", "chunked"])
async def test_an_answer_too_large_to_come_from_the_pi_is_refused(
    client: PiOrchestratorClient, sim: Simulator, sleeps: RecordedSleeps, chunked: bool
) -> None:
    await _fault(
        sim,
        "oversize-next",
        {"bytes": 2 * MAX_BODY_BYTES, "chunked": chunked, "paths": "/api/v1/door/status"},
    )
    with pytest.raises(PiOrchestratorResponseError) as caught:
        await client.door_status()
    assert "more than 8 MiB" in str(caught.value)
    assert sleeps == []  # not the Pi's retryable error: asking again would not help
    # The half-read answer did not poison the connection pool.
    assert (await client.door_status()).state in DoorState


async def test_an_oversized_refusal_of_the_event_stream_is_not_read_whole(
    client: PiOrchestratorClient, sim: Simulator
) -> None:
    await _fault(
        sim,
        "oversize-next",
        {"bytes": 2 * MAX_BODY_BYTES, "status": 503, "chunked": True, "paths": EVENTS_PATH},
    )
    with pytest.raises(PiOrchestratorResponseError, match="more than 8 MiB"):
        await client.open_event_stream()
    response = await client.open_event_stream()
    assert response.status == 200
    response.close()


async def test_unreachable_pi(
    socket_enabled: None, http: aiohttp.ClientSession, sleeps: RecordedSleeps
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = PiOrchestratorClient(
        http, "127.0.0.1", port, sleep=sleeps, retry_policy=RetryPolicy(max_attempts=2)
    )
    with pytest.raises(PiOrchestratorConnectionError):
        await client.system_info()
    assert sleeps == [1.0]  # an idempotent GET is retried once after a transport failure
    sleeps.clear()
    with pytest.raises(PiOrchestratorConnectionError):
        await client.start_batch("x", WIFI_PASSWORD)
    assert sleeps == []  # a POST that may have reached the Pi is never resent
    assert not http.closed


async def test_the_key_stays_out_of_urls_and_logs(
    client: PiOrchestratorClient, sim: Simulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await client.allowlist()
    session = (await client.start_batch("CabinetNet", WIFI_PASSWORD)).session
    await client.get_batch(session.id)
    assert SIM_API_KEY not in caplog.text
    assert WIFI_PASSWORD not in caplog.text
    assert SIM_API_KEY not in repr(client)
    assert "correlation ID" in caplog.text
