"""The provisioning engine and its SSE stream, observed over real sockets."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

import aiohttp
import pytest

from simulator import Simulator

type StartSim = Callable[..., Awaitable[Simulator]]
type OpenSse = Callable[..., Awaitable[Any]]
type Poll = Callable[..., Awaitable[None]]

EVENTS = "/api/v1/provisioning/batch/events"
BATCH = "/api/v1/provisioning/batch"
A, B, C = "24:0A:C4:00:00:0A", "24:0A:C4:00:00:0B", "24:0A:C4:00:00:0C"


def auth(sim: Simulator) -> dict[str, str]:
    assert sim.config.api_key
    return {"X-API-Key": sim.config.api_key}


async def api(
    http: aiohttp.ClientSession, sim: Simulator, method: str, path: str, **kwargs: Any
) -> tuple[int, Any]:
    async with http.request(method, sim.url + path, headers=auth(sim), **kwargs) as response:
        body = await response.json()
        if response.status < 300:
            assert body["success"] is True
            return response.status, body["data"]
        assert body["success"] is False
        return response.status, body["error"]


async def start_session(http: aiohttp.ClientSession, sim: Simulator) -> str:
    status, data = await api(
        http,
        sim,
        "POST",
        f"{BATCH}/start",
        json={"target_ssid": "Shop-WiFi", "target_password": "s3cret-pass"},
    )
    assert status == 201, data
    return str(data["session"]["id"])


def device_path(session_id: str, mac: str, action: str) -> str:
    return f"{BATCH}/{session_id}/devices/{quote(mac, safe='')}/{action}"


def of_type(*types: str) -> Callable[[dict[str, Any]], bool]:
    return lambda event: event.get("kind") in types


def device_state(sim: Simulator, session_id: str, mac: str) -> str | None:
    board = sim.state.sessions[session_id].devices.get(mac)
    return board.state if board else None


async def test_full_session_reaches_verified_with_ordered_events(
    http: aiohttp.ClientSession, start_sim: StartSim, open_sse: OpenSse
) -> None:
    sim = await start_sim(speed=200, boards=4, allowlist=(A, B, C))
    stream = await open_sse(sim.url + EVENTS)
    session_id = await start_session(http, sim)

    discovered: set[str] = set()

    def all_discovered(event: dict[str, Any]) -> bool:
        if event.get("event") == "device.discovered":
            discovered.add(event["data"]["payload"]["device"]["mac"])
        return len(discovered) == 4

    events = await stream.until(all_discovered)
    assert stream.retry == 1000
    assert events[0]["event"] == "session.started"
    assert events[1]["event"] == "network.started"
    assert events[1]["data"]["payload"]["status"]["ssid"] == "DelicasaOnboard"
    types = [event["event"] for event in events]
    assert "session.state_changed" in types  # discovering -> active
    for event in events:
        envelope = event["data"]
        assert envelope["version"] == "1.0"
        assert envelope["type"] == event["event"]
        assert envelope["session_id"] == session_id
        assert envelope["timestamp"].endswith("Z")

    status, data = await api(http, sim, "POST", f"{BATCH}/{session_id}/provision-all", json={})
    assert status == 200
    assert (data["initiated_count"], data["skipped_count"]) == (3, 1)

    verified: set[str] = set()

    def all_verified(event: dict[str, Any]) -> bool:
        if event.get("event") == "device.verified":
            verified.add(event["data"]["payload"]["device"]["mac"])
        return verified == {A, B, C}

    events += await stream.until(all_verified)
    ids = [event["id"] for event in events]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)

    for mac in (A, B, C):
        steps = [
            (event["event"], event["data"]["payload"]["device"]["state"])
            for event in events
            if "device" in event["data"]["payload"]
            and event["data"]["payload"]["device"]["mac"] == mac
        ]
        assert steps == [
            ("device.discovered", "discovered"),
            ("device.provisioning_started", "provisioning"),
            ("device.provisioning_completed", "provisioned"),
            ("device.state_changed", "verifying"),
            ("device.verified", "verified"),
        ]

    status, data = await api(
        http, sim, "GET", f"{BATCH}/{session_id}", params={"include_devices": "true"}
    )
    session = data["session"]
    assert session["state"] == "active"
    assert session["device_count"] == 4
    assert session["provisioned_count"] == 3
    assert session["verified_count"] == 3
    assert session["failed_count"] == 0
    assert data["network_status"] == {
        "ssid": "DelicasaOnboard",
        "is_active": True,
        "connected_devices": 1,
    }
    assert data["timeout_remaining"].endswith("s")
    by_mac = {device["mac"]: device for device in data["devices"]}
    for mac in (A, B, C):
        assert by_mac[mac]["state"] == "verified"
        assert by_mac[mac]["provisioned_at"] <= by_mac[mac]["verified_at"]
        assert by_mac[mac]["in_allowlist"] is True
        assert by_mac[mac]["rssi"] < 0
    status, data = await api(
        http, sim, "GET", f"{BATCH}/{session_id}/devices", params={"state": "discovered"}
    )
    assert [device["mac"] for device in data["devices"]] == [
        mac for mac in by_mac if mac not in (A, B, C)
    ]

    status, data = await api(http, sim, "GET", "/api/v1/provisioning/allowlist")
    assert all(entry["used"] and entry["used_at"] for entry in data["entries"])

    status, data = await api(http, sim, "POST", f"{BATCH}/{session_id}/stop")
    assert status == 200
    assert data["session"]["state"] == "closed"
    tail = await stream.until(of_type("network.stopped"))
    assert [event["event"] for event in tail] == [
        "session.state_changed",
        "session.closed",
        "network.stopped",
    ]
    assert tail[0]["data"]["payload"]["session"]["state"] == "closing"
    assert tail[1]["data"]["payload"]["session"]["state"] == "closed"

    status, error = await api(http, sim, "POST", f"{BATCH}/{session_id}/provision-all", json={})
    assert (status, error["code"]) == (409, "SESSION_ALREADY_CLOSED")
    status, error = await api(http, sim, "POST", f"{BATCH}/{session_id}/stop")
    assert (status, error["code"]) == (409, "SESSION_ALREADY_CLOSED")
    # A new session may start once the previous one is closed.
    await start_session(http, sim)


async def test_dashboard_vocabulary(
    http: aiohttp.ClientSession, start_sim: StartSim, open_sse: OpenSse
) -> None:
    sim = await start_sim(speed=200, boards=1, allowlist=(A,), sse_vocabulary="dashboard")
    stream = await open_sse(sim.url + EVENTS)
    first = await stream.next_event()
    # Unnamed frames: the dashboard's onmessage never sees a frame with an event: line.
    assert "event" not in first
    assert first["kind"] == "connection.established"
    assert isinstance(first["data"]["payload"]["message"], str)

    session_id = await start_session(http, sim)
    events = await stream.until(of_type("device.discovered"))
    discovered = events[-1]["data"]["payload"]
    assert discovered == {
        "mac": A,
        "ip": discovered["ip"],
        "rssi": discovered["rssi"],
        "firmware_version": discovered["firmware_version"],
        "in_allowlist": True,
    }
    types = [event["kind"] for event in events]
    assert types[:2] == ["session.status", "network.status_changed"]
    assert events[1]["data"]["payload"]["is_active"] is True

    await api(http, sim, "POST", device_path(session_id, A, "provision"))
    events = await stream.until(
        lambda e: e["kind"] == "device.state_changed"
        and e["data"]["payload"]["new_state"] == "verified"
    )
    changes = [e["data"]["payload"] for e in events if e["kind"] == "device.state_changed"]
    assert [(c["previous_state"], c["new_state"], c["progress"]) for c in changes] == [
        ("discovered", "provisioning", 25),
        ("provisioning", "provisioned", 50),
        ("provisioned", "verifying", 75),
        ("verifying", "verified", 100),
    ]
    heartbeat = await stream.until(of_type("connection.heartbeat"), timeout=5)
    assert heartbeat[-1]["data"]["payload"] is None
    assert "keepalive" in stream.comments
    assert not [event for event in stream.events if "event" in event]
    ids = [event["id"] for event in stream.events]
    assert ids == sorted(ids)


async def test_fail_once_then_retry_succeeds(
    http: aiohttp.ClientSession, start_sim: StartSim, open_sse: OpenSse, poll: Poll
) -> None:
    sim = await start_sim(speed=200, boards=1, allowlist=(A,), fail_once=(A,))
    stream = await open_sse(sim.url + EVENTS)
    session_id = await start_session(http, sim)
    await poll(lambda: device_state(sim, session_id, A) == "discovered")

    status, data = await api(http, sim, "POST", device_path(session_id, A, "provision"))
    assert (status, data["mac"], data["state"]) == (200, A, "provisioning")
    events = await stream.until(of_type("error.occurred"))
    failed = next(e for e in events if e["event"] == "device.provisioning_failed")
    device = failed["data"]["payload"]["device"]
    assert device["state"] == "failed"
    assert device["error_message"] == "device rejected credentials"
    assert events[-1]["data"]["payload"]["code"] == "DEVICE_REJECTED"
    assert sim.state.sessions[session_id].failed_count == 1

    status, data = await api(http, sim, "POST", device_path(session_id, A, "provision"))
    assert (status, data["code"]) == (409, "DEVICE_INVALID_STATE")
    status, data = await api(http, sim, "POST", device_path(session_id, A, "retry"))
    assert (status, data["state"]) == (200, "provisioning")
    await stream.until(of_type("device.verified"))
    board = sim.state.sessions[session_id].devices[A]
    assert board.retry_count == 1
    assert board.error_message is None
    session = sim.state.sessions[session_id]
    assert (session.failed_count, session.verified_count) == (0, 1)


async def test_max_retries(http: aiohttp.ClientSession, start_sim: StartSim, poll: Poll) -> None:
    sim = await start_sim(speed=200, boards=1, allowlist=(A,), fail_rate=1.0)
    session_id = await start_session(http, sim)
    await poll(lambda: device_state(sim, session_id, A) == "discovered")
    status, error = await api(http, sim, "POST", device_path(session_id, A, "retry"))
    assert (status, error["code"]) == (409, "DEVICE_INVALID_STATE")

    await api(http, sim, "POST", device_path(session_id, A, "provision"))
    for attempt in range(1, 4):
        await poll(lambda: device_state(sim, session_id, A) == "failed")
        status, data = await api(http, sim, "POST", device_path(session_id, A, "retry"))
        assert status == 200, data
        assert sim.state.sessions[session_id].devices[A].retry_count == attempt
    await poll(lambda: device_state(sim, session_id, A) == "failed")
    status, error = await api(http, sim, "POST", device_path(session_id, A, "retry"))
    assert (status, error["code"], error["retryable"]) == (409, "MAX_RETRIES_EXCEEDED", False)
    assert sim.state.sessions[session_id].devices[A].error_message


async def test_device_errors_pause_and_skip(
    http: aiohttp.ClientSession, start_sim: StartSim, poll: Poll
) -> None:
    sim = await start_sim(speed=200, boards=3, allowlist=(A,))
    session_id = await start_session(http, sim)
    await poll(lambda: len(sim.state.sessions[session_id].devices) == 3)
    others = [mac for mac in sim.state.sessions[session_id].devices if mac != A]

    status, error = await api(http, sim, "POST", device_path(session_id, others[0], "provision"))
    assert (status, error["code"]) == (403, "DEVICE_NOT_IN_ALLOWLIST")
    status, error = await api(
        http, sim, "POST", device_path(session_id, "24:0A:C4:99:99:99", "provision")
    )
    assert (status, error["code"]) == (404, "DEVICE_NOT_FOUND")
    status, error = await api(http, sim, "POST", device_path(session_id, "zz", "provision"))
    assert (status, error["code"]) == (400, "VALIDATION_FAILED")

    status, data = await api(http, sim, "POST", f"{BATCH}/{session_id}/pause")
    assert data["session"]["state"] == "paused"
    status, data = await api(http, sim, "POST", device_path(session_id, A, "provision"))
    assert data["state"] == "provisioning"
    status, error = await api(http, sim, "POST", device_path(session_id, A, "provision"))
    assert (status, error["code"]) == (409, "DEVICE_ALREADY_PROVISIONING")
    status, error = await api(http, sim, "POST", device_path(session_id, A, "skip"))
    assert (status, error["code"]) == (409, "DEVICE_ALREADY_PROVISIONING")
    await asyncio.sleep(0.3)  # 60 simulated seconds: nothing moves while paused
    assert device_state(sim, session_id, A) == "provisioning"

    status, data = await api(http, sim, "POST", device_path(session_id, others[0], "skip"))
    assert (status, data["state"]) == (200, "discovered")
    status, data = await api(http, sim, "POST", f"{BATCH}/{session_id}/resume")
    assert data["session"]["state"] == "active"
    await poll(lambda: device_state(sim, session_id, A) == "verified")

    status, data = await api(
        http, sim, "POST", f"{BATCH}/{session_id}/provision-all", json={"only_allowlisted": False}
    )
    assert (data["initiated_count"], data["skipped_count"]) == (1, 1)
    await poll(lambda: device_state(sim, session_id, others[1]) == "verified")
    status, error = await api(http, sim, "POST", device_path(session_id, A, "skip"))
    assert (status, error["code"]) == (409, "DEVICE_INVALID_STATE")


async def test_session_expiry(
    http: aiohttp.ClientSession, start_sim: StartSim, open_sse: OpenSse
) -> None:
    sim = await start_sim(speed=200, boards=0, session_timeout=60)
    stream = await open_sse(sim.url + EVENTS)
    session_id = await start_session(http, sim)
    events = await stream.until(of_type("session.closed"), timeout=5)
    types = [event["event"] for event in events]
    assert types.index("session.timeout_warning") < types.index("session.closed")
    status, error = await api(http, sim, "POST", f"{BATCH}/{session_id}/pause")
    assert (status, error["code"]) == (410, "SESSION_EXPIRED")


async def test_replay_filter_and_fanout(
    http: aiohttp.ClientSession, start_sim: StartSim, open_sse: OpenSse
) -> None:
    sim = await start_sim(speed=200, boards=2)
    first = await open_sse(sim.url + EVENTS)
    second = await open_sse(sim.url + EVENTS)
    other = await open_sse(sim.url + EVENTS, params={"session_id": "sess_other"})
    session_id = await start_session(http, sim)
    seen = await first.until(of_type("session.state_changed"))
    assert [e["id"] for e in await second.until(of_type("session.state_changed"))] == [
        e["id"] for e in seen
    ]

    resumed = await open_sse(
        sim.url + EVENTS, headers={**auth(sim), "Last-Event-ID": str(seen[0]["id"])}
    )
    replayed = await resumed.until(lambda e: e["id"] == seen[-1]["id"])
    assert [e["id"] for e in replayed] == [e["id"] for e in seen[1:]]

    mine = await open_sse(
        sim.url + EVENTS,
        params={"session_id": session_id, "api_key": sim.config.api_key},
        headers={},
    )
    await api(http, sim, "POST", f"{BATCH}/{session_id}/pause")
    event = await mine.until(of_type("session.state_changed"))
    assert event[-1]["data"]["payload"]["session"]["state"] == "paused"

    # The filtered stream for another session only ever gets keepalives.
    with pytest.raises(TimeoutError):
        await other.next_event(0.3)
    assert "keepalive" in other.comments


async def test_network_status_follows_the_session(
    http: aiohttp.ClientSession, start_sim: StartSim, poll: Poll
) -> None:
    sim = await start_sim(speed=200, boards=2)
    session_id = await start_session(http, sim)
    await poll(lambda: len(sim.state.sessions[session_id].devices) == 2)
    status, data = await api(http, sim, "GET", "/api/v1/provisioning/network/status")
    assert data == {"ssid": "DelicasaOnboard", "is_active": True, "connected_devices": 2}
    await api(http, sim, "POST", f"{BATCH}/{session_id}/stop")
    status, data = await api(http, sim, "GET", "/api/v1/provisioning/batch/network")
    assert data["is_active"] is False


async def test_dashboard_failure_events(
    http: aiohttp.ClientSession, start_sim: StartSim, open_sse: OpenSse, poll: Poll
) -> None:
    sim = await start_sim(
        speed=200, boards=1, allowlist=(A,), fail_rate=1.0, sse_vocabulary="dashboard"
    )
    stream = await open_sse(sim.url + EVENTS)
    session_id = await start_session(http, sim)
    await poll(lambda: device_state(sim, session_id, A) == "discovered")
    await api(http, sim, "POST", device_path(session_id, A, "provision"))
    events = await stream.until(of_type("error"))
    failed = [
        e["data"]["payload"]
        for e in events
        if e["kind"] == "device.state_changed" and e["data"]["payload"]["new_state"] == "failed"
    ]
    assert failed[0]["previous_state"] == "provisioning"
    assert failed[0]["error"] == sim.state.sessions[session_id].devices[A].error_message
    assert "progress" not in failed[0]
    # An unnamed frame: one named "error" would fire the browser's connection-error handler.
    assert "event" not in events[-1]
    error = events[-1]["data"]["payload"]
    assert error["code"] in ("DEVICE_UNREACHABLE", "DEVICE_REJECTED", "DEVICE_TIMEOUT")
    assert error["retryable"] is True


async def test_stop_fails_boards_in_flight(
    http: aiohttp.ClientSession, start_sim: StartSim, poll: Poll
) -> None:
    sim = await start_sim(speed=200, boards=1, allowlist=(A,))
    session_id = await start_session(http, sim)
    await poll(lambda: device_state(sim, session_id, A) == "discovered")
    await api(http, sim, "POST", f"{BATCH}/{session_id}/pause")
    await api(http, sim, "POST", device_path(session_id, A, "provision"))
    status, data = await api(http, sim, "POST", f"{BATCH}/{session_id}/stop")
    assert status == 200
    assert data["session"]["state"] == "closed"
    assert data["session"]["failed_count"] == 1
    board = sim.state.sessions[session_id].devices[A]
    assert board.state == "failed"
    assert board.error_message == "session closed before the device finished"


async def test_logs_stream(http: aiohttp.ClientSession, sim: Simulator, open_sse: OpenSse) -> None:
    stream = await open_sse(sim.url + "/api/v1/system/logs/stream", headers={})
    async with http.post(
        sim.url + "/api/v1/provisioning/allowlist", headers=auth(sim), json={"mac": A}
    ) as response:
        assert response.status == 201
    events = await stream.until(lambda e: e.get("event") == "log" and A in e["data"]["message"])
    entry = events[-1]
    assert entry["data"]["source"] == "allowlist"
    assert entry["data"]["level"] == "info"
    assert str(entry["id"]) == entry["data"]["id"]
    keepalive = await stream.until(lambda e: e.get("event") == "keepalive")
    assert "timestamp" in keepalive[-1]["data"]

    replay = await open_sse(
        sim.url + "/api/v1/system/logs/stream", headers={"Last-Event-ID": str(entry["id"] - 1)}
    )
    first = await replay.next_event()
    assert first["id"] == entry["id"]
