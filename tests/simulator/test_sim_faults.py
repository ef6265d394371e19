"""The /_sim fault-injection routes and rate limiting."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import contextlib
import json
import time
from typing import Any

import aiohttp
import pytest

from simulator import Simulator

type StartSim = Callable[..., Awaitable[Simulator]]
type OpenSse = Callable[..., Awaitable[Any]]
type Poll = Callable[..., Awaitable[None]]

EVENTS = "/api/v1/provisioning/batch/events"


def auth(sim: Simulator) -> dict[str, str]:
    assert sim.config.api_key
    return {"X-API-Key": sim.config.api_key}


async def sim_post(
    http: aiohttp.ClientSession, sim: Simulator, route: str, body: Any = None
) -> Any:
    async with http.post(
        sim.url + "/_sim/" + route, json=body or {}, headers=sim.control_headers
    ) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def get(http: aiohttp.ClientSession, sim: Simulator, path: str) -> tuple[int, Any, Any]:
    async with http.get(sim.url + path, headers=auth(sim)) as response:
        return response.status, await response.json(), response.headers


async def start_session(http: aiohttp.ClientSession, sim: Simulator) -> str:
    async with http.post(
        sim.url + "/api/v1/provisioning/batch/start",
        headers=auth(sim),
        json={"target_ssid": "S", "target_password": "p"},
    ) as response:
        assert response.status == 201
        return str((await response.json())["data"]["session"]["id"])


async def test_fail_next(http: aiohttp.ClientSession, sim: Simulator) -> None:
    armed = await sim_post(
        http,
        sim,
        "fail-next",
        {
            "count": 2,
            "status": 503,
            "code": "NETWORK_ERROR",
            "retry_after_seconds": 7,
            "paths": "/api/v1/system",
        },
    )
    assert armed == {"armed": 2, "pending": 2}
    status, body, _ = await get(http, sim, "/api/v1/door/status")
    assert status == 200  # other paths are untouched
    for _ in range(2):
        status, body, _ = await get(http, sim, "/api/v1/system/info")
        assert status == 503
        assert body["error"] == {
            "code": "NETWORK_ERROR",
            "message": "onboarding network error",
            "retryable": True,
            "retry_after_seconds": 7,
        }
    status, body, _ = await get(http, sim, "/api/v1/system/info")
    assert status == 200

    await sim_post(http, sim, "fail-next", {"code": "RATE_LIMITED", "retry_after_seconds": 3})
    status, body, headers = await get(http, sim, "/api/v1/provisioning/allowlist")
    assert (status, headers["Retry-After"], body["error"]["retry_after_seconds"]) == (429, "3", 3)

    await sim_post(http, sim, "fail-next", {"code": "UNAUTHORIZED"})
    status, body, _ = await get(http, sim, "/api/v1/system/info")
    assert (status, body["code"], body["error"]) == (
        401,
        "UNAUTHORIZED",
        "API key missing or wrong",
    )

    await sim_post(http, sim, "fail-next", {"code": "INTERNAL_ERROR"})
    status, body, _ = await get(http, sim, "/api/system/info")
    assert (status, body) == (500, {"error": "internal error", "code": "INTERNAL_ERROR"})

    async with http.post(
        sim.url + "/_sim/fail-next", json={"status": 200}, headers=sim.control_headers
    ) as response:
        assert response.status == 400


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_oversize_next(http: aiohttp.ClientSession, sim: Simulator, chunked: bool) -> None:
    size = 3 * 1024 * 1024 + 5
    await sim_post(
        http,
        sim,
        "oversize-next",
        {"bytes": size, "chunked": chunked, "paths": "/api/v1/system/info"},
    )
    status, body, _ = await get(http, sim, "/api/v1/door/status")
    assert "padding" not in body["data"]  # other paths are untouched
    async with http.get(sim.url + "/api/v1/system/info", headers=auth(sim)) as response:
        declared = response.content_length
        raw = await response.read()
    assert len(raw) == size
    assert declared == (None if chunked else size)
    assert json.loads(raw)["data"]["padding"].startswith("xxx")  # well-formed, just huge
    status, body, _ = await get(http, sim, "/api/v1/system/info")
    assert status == 200
    assert "padding" not in body["data"]  # armed once, used once

    async with http.post(
        sim.url + "/_sim/oversize-next", json={"bytes": 1}, headers=sim.control_headers
    ) as response:
        assert response.status == 400


async def test_latency(http: aiohttp.ClientSession, sim: Simulator) -> None:
    await sim_post(http, sim, "latency", {"seconds": 0.3})
    began = time.monotonic()
    await get(http, sim, "/api/v1/system/health")
    assert time.monotonic() - began >= 0.3
    await sim_post(http, sim, "latency", {"seconds": 0})
    began = time.monotonic()
    await get(http, sim, "/api/v1/system/health")
    assert time.monotonic() - began < 0.3


async def test_latency_after_answer_delivers_the_past(
    http: aiohttp.ClientSession, start_sim: StartSim
) -> None:
    sim = await start_sim(boards=0, speed=1)  # boards stay where they are put
    mac = "24:0A:C4:00:00:61"
    await sim_post(http, sim, "boards", {"macs": [mac]})
    session_id = await start_session(http, sim)
    path = f"/api/v1/provisioning/batch/{session_id}"
    for _ in range(100):
        if (await get(http, sim, path + "?include_devices=true"))[1]["data"].get("devices"):
            break
        await asyncio.sleep(0.05)
    answer = await sim_post(
        http, sim, "latency", {"seconds": 0.5, "paths": [path], "after_answer": True}
    )
    assert answer == {"latency_seconds": 0.5, "after_answer": True}
    began = time.monotonic()
    stale = asyncio.create_task(get(http, sim, path + "?include_devices=true"))
    await asyncio.sleep(0.2)  # the answer is made; now the board moves on
    sim.state.sessions[session_id].devices[mac].state = "provisioning"
    status, body, _ = await stale
    assert status == 200
    assert time.monotonic() - began >= 0.5
    assert body["data"]["devices"][0]["state"] == "discovered"  # as it was when answered


async def first_non_text(ws: aiohttp.ClientWebSocketResponse) -> aiohttp.WSMessage:
    """Skip the monitoring updates already on their way."""
    while True:
        message = await ws.receive(timeout=5)
        if message.type != aiohttp.WSMsgType.TEXT:
            return message


async def test_drop_streams(http: aiohttp.ClientSession, sim: Simulator, open_sse: OpenSse) -> None:
    stream = await open_sse(sim.url + EVENTS)
    logs = await open_sse(sim.url + "/api/v1/system/logs/stream")
    async with http.ws_connect(sim.url + "/ws/monitor") as ws:
        await ws.receive_json(timeout=5)
        result = await sim_post(http, sim, "drop-streams", {})
        assert result == {"dropped": {"sse": 2, "ws": 1}}
        message = await first_non_text(ws)
        assert (message.type, message.data) == (aiohttp.WSMsgType.CLOSE, 1001)
        assert ws.close_code == 1001
    assert await stream.ended()
    assert await logs.ended()
    report = await get_report(http, sim)
    assert report["subscribers"] == {"sse": 0, "logs": 0, "ws": 0}

    stream = await open_sse(sim.url + EVENTS)
    assert (await sim_post(http, sim, "drop-streams", {"streams": ["sse"], "abort": True}))[
        "dropped"
    ]["sse"] == 1
    await stream.ended()  # an abort surfaces as EOF or as a payload error: either ends it
    assert (await get_report(http, sim))["subscribers"]["sse"] == 0
    async with http.ws_connect(sim.url + "/ws/monitor") as ws:
        await ws.receive_json(timeout=5)
        result = await sim_post(http, sim, "drop-streams", {"streams": ["ws"], "abort": True})
        assert result["dropped"] == {"sse": 0, "ws": 1}
        message = await first_non_text(ws)
        assert message.type in (
            aiohttp.WSMsgType.CLOSE,
            aiohttp.WSMsgType.CLOSED,
            aiohttp.WSMsgType.ERROR,
        )
    async with http.post(
        sim.url + "/_sim/drop-streams", json={"streams": ["nope"]}, headers=sim.control_headers
    ) as response:
        assert response.status == 400


async def test_stall_sse(http: aiohttp.ClientSession, sim: Simulator, open_sse: OpenSse) -> None:
    stream = await open_sse(sim.url + EVENTS)
    await sim_post(http, sim, "stall", {"stream": "sse", "seconds": 0.6})
    comments_before = len(stream.comments)
    await start_session(http, sim)
    with pytest.raises(TimeoutError):
        await stream.next_event(0.4)  # keepalives run every 0.15 s: none either
    assert len(stream.comments) == comments_before
    event = await stream.next_event(3)
    assert event["event"] == "session.started"


async def test_stall_ws(http: aiohttp.ClientSession, start_sim: StartSim) -> None:
    # At speed 1 no monitoring_update falls in the window: only pongs can arrive.
    sim = await start_sim(speed=1)
    async with http.ws_connect(sim.url + "/ws/monitor") as ws:
        await ws.receive_json(timeout=5)
        await sim_post(http, sim, "stall", {"stream": "ws", "seconds": 0.5})
        await ws.send_json({"type": "ping"})
        with pytest.raises(TimeoutError):
            await ws.receive(timeout=0.3)
        await asyncio.sleep(0.3)
        await ws.send_json({"type": "ping"})
        message = await ws.receive_json(timeout=3)
        assert message["type"] == "pong"


async def test_malformed_frames(
    http: aiohttp.ClientSession, sim: Simulator, open_sse: OpenSse
) -> None:
    stream = await open_sse(sim.url + EVENTS)
    async with http.ws_connect(sim.url + "/ws/monitor") as ws:
        await ws.receive_json(timeout=5)
        assert (await sim_post(http, sim, "malformed", {"stream": "sse"}))["sent"] == 1
        event = await stream.next_event()
        assert event["malformed"] is True
        await sim_post(http, sim, "malformed", {"stream": "ws", "frame": "<<garbage>>"})
        while True:
            message = await ws.receive(timeout=5)
            if message.data == "<<garbage>>":
                break
    await sim_post(http, sim, "malformed", {"stream": "sse", "frame": 'data: {"half": \n\n'})
    assert (await stream.next_event())["data"] == '{"half": '


async def get_report(http: aiohttp.ClientSession, sim: Simulator) -> dict[str, Any]:
    async with http.get(sim.url + "/_sim/report", headers=sim.control_headers) as response:
        return dict(await response.json())


async def test_report(http: aiohttp.ClientSession, sim: Simulator, open_sse: OpenSse) -> None:
    stream = await open_sse(sim.url + EVENTS)
    await get(http, sim, "/api/v1/system/info")
    await get(http, sim, "/api/v1/system/info")
    async with http.get(sim.url + "/api/v1/door/status") as response:
        assert response.status == 401
    await start_session(http, sim)
    await stream.until(lambda e: e["event"] == "network.started")
    report = await get_report(http, sim)
    assert report["requests"]["/api/v1/system/info"] == {"200": 2}
    assert report["requests"]["/api/v1/door/status"] == {"401": 1}
    assert report["connections_opened"]["sse"] == 1
    assert report["subscribers"]["sse"] == 1
    assert report["events_published"]["session.started"] == 1
    assert report["events_sent"]["session.started"] == 1
    assert not any(path.startswith("/_sim") for path in report["requests"])


async def test_boards_api_key_expire_door_and_reset(
    http: aiohttp.ClientSession, start_sim: StartSim, open_sse: OpenSse, poll: Poll
) -> None:
    mac = "A4:CF:12:00:00:01"
    sim = await start_sim(speed=200, boards=0, allowlist=("A4:CF:12:00:00:09",))
    initial_boards = set(sim.state.boards)
    stream = await open_sse(sim.url + EVENTS)
    session_id = await start_session(http, sim)
    added = await sim_post(http, sim, "boards", {"macs": [mac.lower()], "fail_once": True})
    assert added["added"] == [mac]
    assert sim.state.boards[mac].fail_once
    added = await sim_post(http, sim, "boards", {"count": 2})
    assert len(added["added"]) == 2
    await poll(lambda: len(sim.state.sessions[session_id].devices) == 4)

    warned = await sim_post(http, sim, "expire", {"warning_only": True})
    assert warned["session"]["id"] == session_id
    await stream.until(lambda e: e["event"] == "session.timeout_warning")

    door = await sim_post(http, sim, "door", {"state": "open", "lock_state": "unlocked"})
    assert (door["state"], door["lock_state"]) == ("open", "unlocked")

    await sim_post(http, sim, "api-key", {"api_key": "rotated"})
    status, body, _ = await get(http, sim, "/api/v1/door/status")
    assert status == 401
    async with http.get(
        sim.url + "/api/v1/door/status", headers={"X-API-Key": "rotated"}
    ) as response:
        assert response.status == 200

    await sim_post(http, sim, "expire", {"session_id": session_id})
    await stream.until(lambda e: e["event"] == "session.closed")

    reset = await sim_post(http, sim, "reset")
    assert reset["boards"] == 1
    assert sim.state.sessions == {}
    assert set(sim.state.boards) == initial_boards
    assert list(sim.state.allowlist) == ["A4:CF:12:00:00:09"]
    status, body, _ = await get(http, sim, "/api/v1/door/status")
    assert status == 200  # the configured key is back
    assert body["data"]["state"] == "closed"
    state = await (await http.get(sim.url + "/_sim/state", headers=sim.control_headers)).json()
    assert state["sessions"] == []


async def test_rate_limit(http: aiohttp.ClientSession, start_sim: StartSim) -> None:
    sim = await start_sim(speed=1, rate_limit=3)
    for _ in range(3):
        status, _, _ = await get(http, sim, "/api/v1/system/health")
        assert status == 200
    status, body, headers = await get(http, sim, "/api/v1/system/health")
    assert status == 429
    assert headers["Retry-After"] == "30"
    assert body["error"]["code"] == "RATE_LIMITED"
    assert body["error"]["retryable"] is True
    assert body["error"]["retry_after_seconds"] == 30
    # The admin routes are never limited.
    assert (await get_report(http, sim))["requests"]["/api/v1/system/health"] == {
        "200": 3,
        "429": 1,
    }


async def test_rate_limit_window_scales_with_speed(
    http: aiohttp.ClientSession, start_sim: StartSim
) -> None:
    sim = await start_sim(speed=200, rate_limit=2)  # a 0.3 s window
    statuses = [(await get(http, sim, "/api/v1/system/health"))[0] for _ in range(3)]
    assert statuses == [200, 200, 429]
    await asyncio.sleep(0.35)
    status, _, _ = await get(http, sim, "/api/v1/system/health")
    assert status == 200


async def test_mute_events_keeps_the_stream_alive_but_loses_device_events(
    http: aiohttp.ClientSession, start_sim: StartSim, open_sse: OpenSse
) -> None:
    sim = await start_sim(boards=2)
    stream = await open_sse(sim.url + EVENTS)
    await sim_post(http, sim, "mute-events", {"seconds": 30})
    await start_session(http, sim)
    started = await stream.next_event(3)
    assert started["event"] == "session.started"  # only device events vanish
    await asyncio.sleep(0.5)  # discovery happens meanwhile, unseen
    comments_before = len(stream.comments)
    with pytest.raises(TimeoutError):
        await stream.until(lambda event: event["event"].startswith("device."), timeout=0.5)
    assert len(stream.comments) > comments_before  # keepalives still flow
    report = await get_report(http, sim)
    assert report["events_withheld"]["device.discovered"] == 2
    _, body, _ = await get(http, sim, f"/api/v1/provisioning/batch/{started['data']['session_id']}")
    assert body["data"]["session"]["device_count"] == 2  # the Pi itself knows


async def test_mute_events_with_sessions_loses_the_session_events_too(
    http: aiohttp.ClientSession, start_sim: StartSim, open_sse: OpenSse
) -> None:
    sim = await start_sim(boards=1)
    stream = await open_sse(sim.url + EVENTS)
    answer = await sim_post(http, sim, "mute-events", {"sessions": True, "seconds": 30})
    assert answer["sessions"] is True
    session_id = await start_session(http, sim)
    with pytest.raises(TimeoutError):
        await stream.until(lambda event: event["event"].startswith("session."), timeout=0.5)
    report = await get_report(http, sim)
    assert report["events_withheld"]["session.started"] == 1
    _, body, _ = await get(http, sim, f"/api/v1/provisioning/batch/{session_id}")
    assert body["data"]["session"]["id"] == session_id  # the Pi itself knows

    async with http.post(
        sim.url + "/_sim/mute-events", json={"sessions": "yes"}, headers=sim.control_headers
    ) as response:
        assert response.status == 400


async def test_mute_events_for_one_board_only(
    http: aiohttp.ClientSession, start_sim: StartSim, open_sse: OpenSse
) -> None:
    sim = await start_sim(boards=0)
    muted, heard = "24:0A:C4:00:00:31", "24:0A:C4:00:00:32"
    await sim_post(http, sim, "boards", {"macs": [muted, heard]})
    stream = await open_sse(sim.url + EVENTS)
    await sim_post(http, sim, "mute-events", {"macs": [muted.lower()], "seconds": 30})
    await start_session(http, sim)
    seen = await stream.until(
        lambda event: event["event"] == "device.discovered"
        and event["data"]["payload"]["device"]["mac"] == heard,
        timeout=5,
    )
    macs = {e["data"]["payload"]["device"]["mac"] for e in seen if e["event"].startswith("device.")}
    assert macs == {heard}


async def test_skip_ids_makes_the_next_event_id_jump(
    http: aiohttp.ClientSession, start_sim: StartSim, open_sse: OpenSse
) -> None:
    sim = await start_sim(boards=0)
    stream = await open_sse(sim.url + EVENTS)
    await start_session(http, sim)
    await asyncio.sleep(0.3)  # let the session settle
    answer = await sim_post(http, sim, "skip-ids", {"count": 5})
    await sim_post(http, sim, "boards", {"macs": ["24:0A:C4:00:00:41"]})
    seen = await stream.until(lambda event: event["event"] == "device.discovered", timeout=5)
    before_skip = [event["id"] for event in seen if event["id"] < answer["next_id"]]
    discovered = seen[-1]["id"]
    assert discovered >= answer["next_id"]
    assert discovered - max(before_skip) > 5


async def test_mute_monitor_keeps_answering_pings(
    http: aiohttp.ClientSession, start_sim: StartSim
) -> None:
    sim = await start_sim(speed=50)  # an update every 0.1 s
    async with http.ws_connect(sim.url + "/ws/monitor") as ws:
        assert (await ws.receive_json(timeout=5))["type"] == "initial_data"
        assert (await ws.receive_json(timeout=2))["type"] == "monitoring_update"
        await sim_post(http, sim, "mute-monitor", {"seconds": 1})
        await ws.send_json({"type": "ping"})
        received = []
        with contextlib.suppress(TimeoutError):
            while True:
                received.append((await ws.receive_json(timeout=0.5))["type"])
        assert "pong" in received
        assert received.count("monitoring_update") <= 1  # at most one already on its way
        await asyncio.sleep(0.5)
        assert (await ws.receive_json(timeout=2))["type"] == "monitoring_update"


async def test_forget_board_drops_it_from_the_session_without_an_event(
    http: aiohttp.ClientSession, start_sim: StartSim
) -> None:
    sim = await start_sim(boards=0)
    kept, forgotten = "24:0A:C4:00:00:51", "24:0A:C4:00:00:52"
    await sim_post(http, sim, "boards", {"macs": [kept, forgotten]})
    session_id = await start_session(http, sim)
    batch = f"/api/v1/provisioning/batch/{session_id}?include_devices=true"

    async def listed() -> set[str]:
        _, body, _ = await get(http, sim, batch)
        return {device["mac"] for device in body["data"]["devices"]}

    for _ in range(100):
        if await listed() == {kept, forgotten}:
            break
        await asyncio.sleep(0.05)
    published = (await get_report(http, sim))["events_published"]

    answer = await sim_post(
        http, sim, "forget-board", {"session_id": session_id, "mac": forgotten.lower()}
    )
    assert answer == {"forgotten": forgotten}
    assert await listed() == {kept}
    _, body, _ = await get(http, sim, batch)
    assert body["data"]["session"]["device_count"] == 1
    assert (await get_report(http, sim))["events_published"] == published

    async with http.post(
        sim.url + "/_sim/forget-board",
        json={"session_id": session_id, "mac": forgotten},
        headers=sim.control_headers,
    ) as response:
        assert response.status == 404  # already gone: the Pi's own error
    async with http.post(
        sim.url + "/_sim/forget-board", json={"mac": kept}, headers=sim.control_headers
    ) as response:
        assert response.status == 400
