"""WebSocket /ws/monitor, its agreement with /system/info, and the cabinet door."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from simulator import Simulator

type StartSim = Callable[..., Awaitable[Simulator]]
type Poll = Callable[..., Awaitable[None]]


def auth(sim: Simulator) -> dict[str, str]:
    assert sim.config.api_key
    return {"X-API-Key": sim.config.api_key}


async def receive_type(
    ws: aiohttp.ClientWebSocketResponse, kind: str, timeout: float = 5.0
) -> dict[str, Any]:
    while True:
        message: dict[str, Any] = await ws.receive_json(timeout=timeout)
        if message["type"] == kind:
            return message


def uptime_seconds(text: str) -> int:
    units = {"d": 86_400, "h": 3600, "m": 60, "s": 1}
    return sum(int(part[:-1]) * units[part[-1]] for part in text.split())


async def test_initial_data_updates_and_pong(
    http: aiohttp.ClientSession, start_sim: StartSim
) -> None:
    sim = await start_sim(speed=100)
    async with http.ws_connect(sim.url + "/ws/monitor") as ws:
        initial = await ws.receive_json(timeout=5)
        assert initial["type"] == "initial_data"
        data = initial["data"]
        assert set(data) == {
            "timestamp",
            "system_health",
            "security_metrics",
            "service_status",
            "network_metrics",
            "camera_status",
            "alerts_count",
            "connected_clients",
        }
        health = data["system_health"]
        assert set(health) == {
            "cpu_usage",
            "memory_usage",
            "disk_usage",
            "temperature",
            "uptime",
            "load_average",
        }
        assert len(health["load_average"].split()) == 3
        assert data["security_metrics"]["threat_level"] in ("LOW", "MEDIUM", "HIGH")
        assert data["service_status"]["api_responding"] is True
        assert data["connected_clients"] == 1

        figures = []
        for _ in range(3):
            update = await receive_type(ws, "monitoring_update")
            partial = update["data"]
            assert "system_health" in partial
            assert "security_metrics" not in partial
            h = partial["system_health"]
            assert 5 <= h["cpu_usage"] <= 60
            assert 20 <= h["memory_usage"] <= 70
            assert 40 <= h["temperature"] <= 70
            figures.append((h["cpu_usage"], h["memory_usage"], h["temperature"]))
        assert len(set(figures)) > 1

        await ws.send_json({"type": "ping"})
        pong = await receive_type(ws, "pong")
        assert "timestamp" in pong
        await ws.send_str("not json")  # ignored, the socket stays up
        await ws.send_json({"type": "ping"})
        await receive_type(ws, "pong")


async def test_system_info_matches_the_socket(
    http: aiohttp.ClientSession, start_sim: StartSim
) -> None:
    sim = await start_sim(speed=1)  # ticks every 5 s: both reads fall in one tick
    async with http.ws_connect(sim.url + "/ws/monitor") as ws:
        initial = await ws.receive_json(timeout=5)
        async with http.get(sim.url + "/api/v1/system/info") as response:
            info = (await response.json())["data"]
    health = initial["data"]["system_health"]
    assert info["timestamp"] == initial["data"]["timestamp"]
    assert info["cpu"]["usage_percent"] == health["cpu_usage"]
    assert info["memory"]["used_percent"] == health["memory_usage"]
    assert info["disk"]["used_percent"] == health["disk_usage"]
    assert info["temperature_celsius"] == health["temperature"]
    load = info["load_average"]
    assert [float(x) for x in health["load_average"].split()] == [
        load["load_1"],
        load["load_5"],
        load["load_15"],
    ]
    assert info["uptime"] // 10**9 == uptime_seconds(health["uptime"])


async def test_camera_status_lists_verified_boards(
    http: aiohttp.ClientSession, start_sim: StartSim, poll: Poll
) -> None:
    mac = "24:0A:C4:12:34:56"
    sim = await start_sim(speed=200, boards=1, allowlist=(mac,))
    async with http.post(
        sim.url + "/api/v1/provisioning/batch/start",
        headers=auth(sim),
        json={"target_ssid": "S", "target_password": "p"},
    ) as response:
        session_id = (await response.json())["data"]["session"]["id"]
    await poll(lambda: mac in sim.state.sessions[session_id].devices)
    async with http.post(
        sim.url + f"/api/v1/provisioning/batch/{session_id}/provision-all", headers=auth(sim)
    ) as response:
        assert response.status == 200
    await poll(lambda: sim.state.sessions[session_id].devices[mac].state == "verified")
    async with http.ws_connect(sim.url + "/ws/monitor") as ws:
        cameras = (await ws.receive_json(timeout=5))["data"]["camera_status"]
    assert [camera["mac"] for camera in cameras.values()] == [mac]


async def test_door(http: aiohttp.ClientSession, start_sim: StartSim, poll: Poll) -> None:
    sim = await start_sim(speed=100)

    async def door(method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        async with http.request(
            method, sim.url + "/api/v1/door" + path, headers=auth(sim), **kwargs
        ) as response:
            body = await response.json()
            return response.status, body["data"] if body["success"] else body["error"]

    status, data = await door("GET", "/status")
    assert status == 200
    assert (data["state"], data["lock_state"]) == ("closed", "locked")
    assert {"id", "relay_pin", "hardware_available", "dev_mode"} <= set(data)

    status, data = await door("POST", "/open", json={"duration": 5, "testing_mode": True})
    assert data == {"success": True, "state": "open"}
    status, data = await door("GET", "/status")
    assert (data["state"], data["lock_state"], data["last_command"]) == ("open", "unlocked", "open")
    # 5 simulated seconds = 50 ms: the door relocks by itself.
    await poll(lambda: sim.state.door.state == "closed")

    status, data = await door("POST", "/open", json={})
    await door("POST", "/close")
    status, data = await door("GET", "/history", params={"limit": "2"})
    history = data["history"]
    assert [entry["command"] for entry in history] == ["close", "open"]
    assert all(entry["result"] == "success" for entry in history)
    status, data = await door("GET", "/history")
    assert [entry["command"] for entry in data["history"]] == ["close", "open", "lock", "open"]
    assert data["history"][-1]["testing_mode"] is True
    ids = [entry["id"] for entry in data["history"]]
    assert ids == sorted(ids, reverse=True)

    status, error = await door("POST", "/open", json={"duration": -3})
    assert (status, error["code"]) == (400, "VALIDATION_FAILED")
    status, error = await door("POST", "/open", data=b"{bad")
    assert (status, error["code"]) == (400, "INVALID_REQUEST")
