"""REST surface of the simulator: envelopes, auth, legacy routes, allowlist, error codes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
import uuid

import aiohttp
import pytest

from simulator import Simulator

type StartSim = Callable[..., Awaitable[Simulator]]
MAC = "AA:BB:CC:00:00:01"
MAC_ENC = "AA%3ABB%3ACC%3A00%3A00%3A01"


def auth(sim: Simulator) -> dict[str, str]:
    assert sim.config.api_key
    return {"X-API-Key": sim.config.api_key}


async def call(
    http: aiohttp.ClientSession,
    sim: Simulator,
    method: str,
    path: str,
    *,
    key: bool = True,
    **kwargs: Any,
) -> tuple[int, Any, aiohttp.ClientResponse]:
    headers = auth(sim) if key else {}
    headers.update(kwargs.pop("headers", {}))
    async with http.request(method, sim.url + path, headers=headers, **kwargs) as response:
        body = (
            await response.json()
            if response.content_length != 0 and response.status != 204
            else None
        )
        return response.status, body, response


def assert_success(body: dict[str, Any]) -> Any:
    assert body["success"] is True
    assert set(body) == {"success", "data", "correlation_id", "timestamp"}
    assert uuid.UUID(body["correlation_id"]).version == 4
    assert datetime.fromisoformat(body["timestamp"]).tzinfo is not None
    return body["data"]


def assert_error(body: dict[str, Any], code: str) -> dict[str, Any]:
    assert body["success"] is False
    assert set(body) == {"success", "error", "correlation_id", "timestamp"}
    error: dict[str, Any] = body["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["retryable"], bool)
    uuid.UUID(body["correlation_id"])
    return error


async def test_success_envelope_and_system_info(
    http: aiohttp.ClientSession, sim: Simulator
) -> None:
    status, body, response = await call(http, sim, "GET", "/api/v1/system/info", key=False)
    assert status == 200
    assert response.headers["X-Correlation-ID"] == body["correlation_id"]
    data = assert_success(body)
    assert set(data) == {
        "timestamp",
        "cpu",
        "memory",
        "disk",
        "temperature_celsius",
        "uptime",
        "load_average",
        "overall_status",
    }
    assert isinstance(data["uptime"], int)
    assert data["uptime"] > 3600 * 10**9
    assert data["cpu"]["core_count"] == len(data["cpu"]["per_core"])
    assert 5 <= data["cpu"]["usage_percent"] <= 60
    assert 40 <= data["temperature_celsius"] <= 70
    assert set(data["load_average"]) == {"load_1", "load_5", "load_15"}
    assert data["overall_status"] in ("healthy", "warning", "critical")
    assert "hostname" not in data


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/system/health",
        "/api/v1/system/logs",
        "/api/v1/config",
    ],
)
async def test_unprotected_routes_need_no_key(
    http: aiohttp.ClientSession, sim: Simulator, path: str
) -> None:
    status, body, _ = await call(http, sim, "GET", path, key=False)
    assert status == 200
    assert_success(body)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/provisioning/allowlist"),
        ("POST", "/api/v1/provisioning/batch/start"),
        ("GET", "/api/v1/provisioning/batch/sess_x"),
        ("GET", "/api/v1/provisioning/batch/events"),
        ("GET", "/api/v1/provisioning/sessions/recoverable"),
        ("GET", "/api/v1/door/status"),
        ("PUT", "/api/v1/config/log_level"),
        ("POST", "/api/system/reset"),
        ("GET", "/api/provisioning/allowlist"),
    ],
)
async def test_protected_routes_answer_flat_401(
    http: aiohttp.ClientSession, sim: Simulator, method: str, path: str
) -> None:
    status, body, _ = await call(http, sim, method, path, key=False)
    assert status == 401
    assert body["success"] is False
    assert body["error"] == "API key required"
    assert body["code"] == "UNAUTHORIZED"
    assert body["retryable"] is False
    uuid.UUID(body["correlation_id"])
    assert "timestamp" in body


async def test_wrong_key_and_query_key(http: aiohttp.ClientSession, sim: Simulator) -> None:
    path = "/api/v1/provisioning/allowlist"
    status, body, _ = await call(http, sim, "GET", path, key=False, headers={"X-API-Key": "nope"})
    assert status == 401
    assert body["error"] == "Invalid API key"
    status, body, _ = await call(
        http, sim, "GET", path, key=False, params={"api_key": sim.config.api_key}
    )
    assert status == 200
    assert_success(body)


async def test_dev_mode_accepts_any_or_no_key(
    http: aiohttp.ClientSession, start_sim: StartSim
) -> None:
    sim = await start_sim(dev_mode=True)
    for headers in ({}, {"X-API-Key": "whatever"}):
        async with http.get(sim.url + "/api/v1/door/status", headers=headers) as response:
            assert response.status == 200


async def test_no_key_configured_rejects_everything(
    http: aiohttp.ClientSession, start_sim: StartSim
) -> None:
    sim = await start_sim(api_key=None)
    async with http.get(
        sim.url + "/api/v1/door/status", headers={"X-API-Key": "guess"}
    ) as response:
        assert response.status == 401


async def test_legacy_routes_return_bare_objects(
    http: aiohttp.ClientSession, sim: Simulator
) -> None:
    status, body, _ = await call(http, sim, "GET", "/api/system/info", key=False)
    assert status == 200
    assert "success" not in body
    assert "cpu" in body

    status, body, _ = await call(
        http, sim, "POST", "/api/provisioning/allowlist", json={"mac": MAC}
    )
    assert status == 201
    assert body["entry"]["mac"] == MAC
    status, body, _ = await call(http, sim, "GET", "/api/provisioning/allowlist")
    assert body == {"entries": [body["entries"][0]]}

    status, body, _ = await call(
        http,
        sim,
        "POST",
        "/api/provisioning/batch/start",
        json={"target_ssid": "Shop", "target_password": "secret123"},
    )
    assert status == 201
    assert set(body) == {"session", "message"}
    session_id = body["session"]["id"]
    status, body, _ = await call(http, sim, "GET", f"/api/provisioning/batch/{session_id}")
    assert status == 200
    assert body["session"]["id"] == session_id

    # Errors on legacy routes are bare too.
    status, body, _ = await call(http, sim, "GET", "/api/provisioning/batch/sess_missing")
    assert status == 404
    assert body["code"] == "SESSION_NOT_FOUND"
    assert "success" not in body
    status, body, _ = await call(http, sim, "DELETE", f"/api/provisioning/allowlist/{MAC_ENC}")
    assert status == 204


async def test_allowlist_crud(http: aiohttp.ClientSession, sim: Simulator) -> None:
    base = "/api/v1/provisioning/allowlist"
    status, body, _ = await call(
        http,
        sim,
        "POST",
        base,
        json={"mac": MAC.lower(), "description": "Shelf 1", "container_id": "c-1"},
    )
    assert status == 201
    entry = assert_success(body)["entry"]
    assert entry["mac"] == MAC
    assert entry["used"] is False
    assert entry["container_id"] == "c-1"
    datetime.fromisoformat(entry["added_at"])

    status, body, _ = await call(http, sim, "POST", base, json={"mac": MAC})
    assert status == 200
    assert assert_success(body)["message"] == "Device already in allowlist"

    status, body, _ = await call(http, sim, "GET", f"{base}/{MAC_ENC}")
    assert assert_success(body)["entry"]["description"] == "Shelf 1"

    status, body, _ = await call(
        http, sim, "PATCH", f"{base}/{MAC_ENC}", json={"description": "Shelf 2"}
    )
    entry = assert_success(body)["entry"]
    assert entry["description"] == "Shelf 2"
    assert entry["container_id"] == "c-1"

    status, body, _ = await call(
        http,
        sim,
        "POST",
        f"{base}/bulk",
        json={"entries": [{"mac": MAC}, {"mac": "AA:BB:CC:00:00:02"}, "AA:BB:CC:00:00:03"]},
    )
    data = assert_success(body)
    assert (data["added"], data["skipped"]) == (2, 1)

    status, body, _ = await call(http, sim, "GET", f"{base}/stats")
    assert assert_success(body) == {"total": 3, "used": 0, "available": 3}

    status, body, _ = await call(
        http,
        sim,
        "POST",
        f"{base}/bulk-remove",
        json={"macs": ["AA:BB:CC:00:00:02", "AA:BB:CC:00:00:09"]},
    )
    data = assert_success(body)
    assert (data["removed"], data["not_found"]) == (1, 1)

    status, body, response = await call(http, sim, "DELETE", f"{base}/{MAC_ENC}")
    assert status == 204
    assert await response.read() == b""
    status, body, _ = await call(http, sim, "DELETE", f"{base}/{MAC_ENC}")
    assert status == 404
    assert_error(body, "DEVICE_NOT_FOUND")

    status, body, _ = await call(http, sim, "DELETE", f"{base}/all")
    assert assert_success(body)["cleared"] == 1
    status, body, _ = await call(http, sim, "GET", base)
    assert assert_success(body) == {"entries": []}
    assert sim.state.allowlist == {}


@pytest.mark.parametrize(
    ("method", "path", "payload", "raw", "status", "code"),
    [
        (
            "POST",
            "/api/v1/provisioning/allowlist",
            {"mac": "not-a-mac"},
            None,
            400,
            "VALIDATION_FAILED",
        ),
        ("GET", "/api/v1/provisioning/allowlist/12345", None, None, 400, "VALIDATION_FAILED"),
        ("POST", "/api/v1/provisioning/allowlist", {}, None, 400, "MISSING_PARAMETER"),
        ("POST", "/api/v1/provisioning/allowlist", None, b"{nope", 400, "INVALID_REQUEST"),
        ("POST", "/api/v1/provisioning/batch/start", None, b"[1, 2]", 400, "INVALID_REQUEST"),
        (
            "POST",
            "/api/v1/provisioning/batch/start",
            {"target_password": "x"},
            None,
            400,
            "MISSING_PARAMETER",
        ),
        (
            "POST",
            "/api/v1/provisioning/batch/start",
            {"target_ssid": "S"},
            None,
            400,
            "MISSING_PARAMETER",
        ),
        (
            "POST",
            "/api/v1/provisioning/batch/start",
            {
                "target_ssid": "S",
                "target_password": "p",
                "config": {"discovery_timeout_seconds": -1},
            },
            None,
            400,
            "VALIDATION_FAILED",
        ),
        ("GET", "/api/v1/provisioning/batch/sess_nope", None, None, 404, "SESSION_NOT_FOUND"),
        ("POST", "/api/v1/provisioning/batch/sess_nope/stop", None, None, 404, "SESSION_NOT_FOUND"),
        (
            "POST",
            "/api/v1/provisioning/sessions/sess_nope/resume",
            None,
            None,
            404,
            "SESSION_NOT_FOUND",
        ),
        ("GET", "/api/v1/door/history", None, None, 200, None),
        ("GET", "/api/v1/door/history?limit=abc", None, None, 400, "VALIDATION_FAILED"),
        ("PUT", "/api/v1/config/x", {}, None, 400, "MISSING_PARAMETER"),
    ],
)
async def test_error_codes(
    http: aiohttp.ClientSession,
    sim: Simulator,
    method: str,
    path: str,
    payload: Any,
    raw: bytes | None,
    status: int,
    code: str | None,
) -> None:
    kwargs: dict[str, Any] = {}
    if payload is not None:
        kwargs["json"] = payload
    if raw is not None:
        kwargs["data"] = raw
    got, body, _ = await call(http, sim, method, path, **kwargs)
    assert got == status
    if code is None:
        assert_success(body)
    else:
        error = assert_error(body, code)
        assert "retry_after_seconds" not in error


async def test_second_start_is_rejected(http: aiohttp.ClientSession, sim: Simulator) -> None:
    payload = {"target_ssid": "Shop", "target_password": "secret123"}
    status, body, _ = await call(
        http, sim, "POST", "/api/v1/provisioning/batch/start", json=payload
    )
    assert status == 201
    first = assert_success(body)["session"]
    assert first["id"].startswith("sess_")
    assert first["state"] == "discovering"
    status, body, _ = await call(
        http, sim, "POST", "/api/v1/provisioning/batch/start", json=payload
    )
    assert status == 409
    assert_error(body, "SESSION_ALREADY_ACTIVE")


async def test_unknown_route_is_an_enveloped_404(
    http: aiohttp.ClientSession, sim: Simulator
) -> None:
    status, body, _ = await call(http, sim, "GET", "/api/v1/nothing/here")
    assert status == 404
    assert_error(body, "NOT_FOUND")


async def test_network_status_both_paths(http: aiohttp.ClientSession, sim: Simulator) -> None:
    for path in ("/api/v1/provisioning/batch/network", "/api/v1/provisioning/network/status"):
        status, body, _ = await call(http, sim, "GET", path)
        assert status == 200
        assert assert_success(body) == {
            "ssid": "DelicasaOnboard",
            "is_active": False,
            "connected_devices": 0,
        }


async def test_config_and_logs(http: aiohttp.ClientSession, sim: Simulator) -> None:
    status, body, _ = await call(
        http, sim, "PUT", "/api/v1/config/mqtt_password", json={"value": "hunter2"}
    )
    assert status == 200
    assert assert_success(body)["value"] == "********"
    status, body, _ = await call(
        http, sim, "PUT", "/api/v1/config/log_level", json={"value": "debug"}
    )
    assert assert_success(body)["value"] == "debug"
    status, body, _ = await call(http, sim, "GET", "/api/v1/config", key=False)
    config = assert_success(body)["config"]
    assert config["log_level"] == "debug"
    assert config["mqtt_password"] == "********"
    assert str(sim.config.api_key) not in str(body)

    status, body, _ = await call(
        http, sim, "GET", "/api/v1/system/logs", key=False, params={"limit": "5"}
    )
    data = assert_success(body)
    assert 1 <= data["count"] <= 5
    assert {"id", "timestamp", "level", "message", "source"} <= set(data["logs"][0])


async def test_client_correlation_id_is_kept(http: aiohttp.ClientSession, sim: Simulator) -> None:
    status, body, response = await call(
        http,
        sim,
        "GET",
        "/api/v1/system/health",
        key=False,
        headers={"X-Correlation-ID": "abc-123"},
    )
    assert body["correlation_id"] == "abc-123"
    assert response.headers["X-Correlation-ID"] == "abc-123"
