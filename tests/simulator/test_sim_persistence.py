"""State file persistence and session recovery across a restart."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp

from simulator import Simulator

type StartSim = Callable[..., Awaitable[Simulator]]
type OpenSse = Callable[..., Awaitable[Any]]
type Poll = Callable[..., Awaitable[None]]

BATCH = "/api/v1/provisioning/batch"
A, B = "30:AE:A4:00:00:0A", "30:AE:A4:00:00:0B"


def auth(sim: Simulator) -> dict[str, str]:
    assert sim.config.api_key
    return {"X-API-Key": sim.config.api_key}


async def api(
    http: aiohttp.ClientSession, sim: Simulator, method: str, path: str, **kwargs: Any
) -> tuple[int, Any]:
    async with http.request(method, sim.url + path, headers=auth(sim), **kwargs) as response:
        body = await response.json()
        return response.status, body["data"] if body["success"] else body["error"]


async def start_session(http: aiohttp.ClientSession, sim: Simulator) -> str:
    status, data = await api(
        http,
        sim,
        "POST",
        f"{BATCH}/start",
        json={"target_ssid": "Shop", "target_password": "pw-12345"},
    )
    assert status == 201
    return str(data["session"]["id"])


def device(session_id: str, mac: str, action: str) -> str:
    return f"{BATCH}/{session_id}/devices/{quote(mac, safe='')}/{action}"


def states(sim: Simulator, session_id: str) -> dict[str, str]:
    return {mac: c.state for mac, c in sim.state.sessions[session_id].devices.items()}


async def test_every_acknowledged_change_is_on_disk(
    http: aiohttp.ClientSession, start_sim: StartSim, tmp_path: Path
) -> None:
    path = tmp_path / "state.json"
    sim = await start_sim(state_file=path, boards=0)
    status, _ = await api(http, sim, "POST", "/api/v1/provisioning/allowlist", json={"mac": A})
    assert status == 201
    # Read right after the acknowledgement, while the simulator is still running.
    on_disk = json.loads(path.read_text())
    assert [entry["mac"] for entry in on_disk["allowlist"]] == [A]
    assert path.stat().st_mode & 0o777 == 0o600
    assert not list(tmp_path.glob(".*.tmp"))
    # The WiFi password is never written.
    await start_session(http, sim)
    assert "pw-12345" not in path.read_text()


async def test_in_memory_without_state_file(
    http: aiohttp.ClientSession, start_sim: StartSim, tmp_path: Path
) -> None:
    sim = await start_sim(boards=0)
    await api(http, sim, "POST", "/api/v1/provisioning/allowlist", json={"mac": A})
    assert sim.context.store.writes == 0


async def test_recovery_preserves_device_states(
    http: aiohttp.ClientSession,
    start_sim: StartSim,
    open_sse: OpenSse,
    poll: Poll,
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.json"
    first = await start_sim(speed=200, boards=3, allowlist=(A, B), state_file=path)
    session_id = await start_session(http, first)
    await poll(lambda: len(first.state.sessions[session_id].devices) == 3)
    await api(http, first, "POST", device(session_id, A, "provision"))
    await poll(lambda: states(first, session_id)[A] == "verified")
    # Pausing holds B mid-step, so the restart catches it in `provisioning`.
    await api(http, first, "POST", f"{BATCH}/{session_id}/pause")
    await api(http, first, "POST", device(session_id, B, "provision"))
    before = states(first, session_id)
    assert before[B] == "provisioning"
    await first.stop()

    second = await start_sim(speed=200, boards=3, allowlist=(A, B), state_file=path)
    stream = await open_sse(second.url + "/api/v1/provisioning/batch/events")
    status, data = await api(http, second, "GET", "/api/v1/provisioning/sessions/recoverable")
    assert status == 200
    assert [session["id"] for session in data["sessions"]] == [session_id]
    assert data["sessions"][0]["state"] == "paused"
    assert data["sessions"][0]["verified_count"] == 1

    # Not active until resumed.
    status, data = await api(http, second, "GET", "/api/v1/provisioning/network/status")
    assert data["is_active"] is False
    status, data = await api(
        http, second, "GET", f"{BATCH}/{session_id}", params={"include_devices": "true"}
    )
    assert {d["mac"]: d["state"] for d in data["devices"]} == before
    status, error = await api(http, second, "POST", device(session_id, B, "retry"))
    assert (status, error["code"]) == (409, "DEVICE_INVALID_STATE")

    status, data = await api(
        http, second, "POST", f"/api/v1/provisioning/sessions/{session_id}/resume"
    )
    assert status == 200
    assert data["message"]
    assert data["session"]["state"] == "paused"  # it was paused when the Pi went down
    restored = {d["mac"]: d for d in data["devices"]}
    assert restored[A]["state"] == "verified"
    assert restored[B]["state"] == "failed"
    assert "interrupted" in restored[B]["error_message"]
    assert all(restored[mac]["state"] == before[mac] for mac in restored if mac not in (A, B))
    events = await stream.until(lambda e: e["event"] == "network.started")
    assert "session.state_changed" in [e["event"] for e in events]
    await stream.until(lambda e: e["event"] == "device.provisioning_failed")

    status, error = await api(
        http, second, "POST", f"/api/v1/provisioning/sessions/{session_id}/resume"
    )
    assert (status, error["code"]) == (409, "SESSION_NOT_RECOVERABLE")

    await api(http, second, "POST", f"{BATCH}/{session_id}/resume")
    status, data = await api(http, second, "POST", device(session_id, B, "retry"))
    assert (status, data["state"]) == (200, "provisioning")
    await poll(lambda: states(second, session_id)[B] == "verified")
    session = second.state.sessions[session_id]
    assert (session.verified_count, session.failed_count) == (2, 0)


async def test_recovered_active_session_and_abandon(
    http: aiohttp.ClientSession, start_sim: StartSim, poll: Poll, tmp_path: Path
) -> None:
    path = tmp_path / "state.json"
    first = await start_sim(speed=200, boards=2, state_file=path)
    old_id = await start_session(http, first)
    await poll(lambda: len(first.state.sessions[old_id].devices) == 2)
    await first.stop()

    second = await start_sim(speed=200, boards=2, state_file=path)
    # The batch resume route recovers an interrupted session too.
    status, data = await api(http, second, "POST", f"{BATCH}/{old_id}/resume")
    assert (status, data["session"]["state"]) == (200, "active")
    status, data = await api(http, second, "GET", "/api/v1/provisioning/network/status")
    assert data == {"ssid": "DelicasaOnboard", "is_active": True, "connected_devices": 2}
    await second.stop()

    third = await start_sim(speed=200, boards=2, state_file=path)
    # Starting afresh abandons the interrupted session.
    new_id = await start_session(http, third)
    assert new_id != old_id
    status, data = await api(http, third, "GET", "/api/v1/provisioning/sessions/recoverable")
    assert data["sessions"] == []
    status, error = await api(http, third, "POST", f"/api/v1/provisioning/sessions/{old_id}/resume")
    assert (status, error["code"]) == (409, "SESSION_NOT_RECOVERABLE")
    await poll(lambda: len(third.state.sessions[new_id].devices) == 2)


async def test_recovering_while_another_session_runs(
    http: aiohttp.ClientSession, start_sim: StartSim, tmp_path: Path
) -> None:
    path = tmp_path / "state.json"
    first = await start_sim(boards=0, state_file=path)
    old_id = await start_session(http, first)
    await first.stop()
    second = await start_sim(boards=0, state_file=path)
    # Resuming the closed-by-abandon session is refused; the running one stays.
    new_id = await start_session(http, second)
    status, error = await api(
        http, second, "POST", f"/api/v1/provisioning/sessions/{old_id}/resume"
    )
    assert (status, error["code"]) == (409, "SESSION_NOT_RECOVERABLE")
    assert second.state.current_session() is second.state.sessions[new_id]
