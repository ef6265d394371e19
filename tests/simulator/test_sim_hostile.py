"""The hostile faults a wire test points at the client, and the /_sim control guard.

Each fault is checked byte for byte on the wire, with the client's view left out: the
tests of the integration rely on the simulator sending exactly this.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable
import json
from typing import Any

import aiohttp
import pytest

from simulator import Simulator

type StartSim = Callable[..., Awaitable[Simulator]]

EVENTS = "/api/v1/provisioning/batch/events"
LOGS = "/api/v1/system/logs/stream"
# Nothing listens there: the tests never follow a redirect, they read where it points.
ELSEWHERE = "http://127.0.0.2:9"


def auth(sim: Simulator) -> dict[str, str]:
    assert sim.config.api_key
    return {"X-API-Key": sim.config.api_key}


async def control(
    http: aiohttp.ClientSession, sim: Simulator, route: str, body: dict[str, Any]
) -> Any:
    async with http.post(
        f"{sim.url}/_sim/{route}", json=body, headers=sim.control_headers
    ) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def refused(http: aiohttp.ClientSession, sim: Simulator, route: str, body: Any) -> int:
    async with http.post(
        f"{sim.url}/_sim/{route}", json=body, headers=sim.control_headers
    ) as response:
        return response.status


async def read_until(response: aiohttp.ClientResponse, marker: bytes, timeout: float = 5) -> bytes:
    """Bytes from the stream up to and including `marker` (lines may be megabytes long)."""
    received = b""
    async with asyncio.timeout(timeout):
        while marker not in received:
            chunk = await response.content.readany()
            if not chunk:
                raise EOFError(received[-200:])
            received += chunk
    return received


async def start_session(http: aiohttp.ClientSession, sim: Simulator) -> str:
    async with http.post(
        f"{sim.url}/api/v1/provisioning/batch/start",
        headers=auth(sim),
        json={"target_ssid": "S", "target_password": "p"},
    ) as response:
        assert response.status == 201
        return str((await response.json())["data"]["session"]["id"])


async def open_stream(
    http: aiohttp.ClientSession, sim: Simulator, path: str = EVENTS
) -> aiohttp.ClientResponse:
    """An event stream past its preamble, so what follows is ours."""
    response = await http.get(sim.url + path, headers=auth(sim))
    assert response.status == 200
    await read_until(response, b"retry: ")
    return response


# -- The guard ----------------------------------------------------------------------


async def test_control_routes_answer_only_their_header_and_json(
    http: aiohttp.ClientSession, start_sim: StartSim
) -> None:
    sim = await start_sim(boards=1)
    session_id = await start_session(http, sim)
    key = sim.config.api_key

    # What a web page can send without a preflight, and a wrong token.
    page = {"Content-Type": "text/plain"}
    for headers in (page, {**page, "X-Sim-Control": "guess"}, {"X-Sim-Control": ""}):
        for route in ("reset", "api-key"):
            async with http.post(
                f"{sim.url}/_sim/{route}", data='{"api_key": "stolen"}', headers=headers
            ) as response:
                assert response.status == 403
    async with http.get(f"{sim.url}/_sim/state") as response:
        assert response.status == 403
    # A page that asks first is not told it may send the header.
    async with http.options(
        f"{sim.url}/_sim/reset",
        headers={
            "Origin": "http://page.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-sim-control, content-type",
        },
    ) as response:
        assert not any(name.startswith("Access-Control-") for name in response.headers)
    # The token alone is not enough for a text/plain body.
    async with http.post(
        f"{sim.url}/_sim/api-key",
        data='{"api_key": "stolen"}',
        headers={**page, **sim.control_headers},
    ) as response:
        assert response.status == 415

    assert sim.context.auth.api_key == key
    assert session_id in sim.state.sessions
    async with http.get(
        f"{sim.url}/api/v1/provisioning/batch/{session_id}", headers=auth(sim)
    ) as r:
        assert r.status == 200


async def test_a_fixed_token_survives_a_revival(start_sim: StartSim) -> None:
    first = await start_sim(control_token="fixed")
    assert first.control_headers == {"X-Sim-Control": "fixed"}
    random_one, other = await start_sim(), await start_sim()
    assert random_one.control_token != other.control_token
    assert len(random_one.control_token) >= 24
    assert random_one.config.control_token == random_one.control_token


# -- Raw SSE bytes ------------------------------------------------------------------


@pytest.mark.parametrize(
    "frame",
    [
        b"retry: " + b"9" * 400 + b"\n\n",
        "id: \u00b2\nevent: device.discovered\ndata: {}\n\n".encode(),
        b"id: " + b"7" * 20_000 + b"\ndata: {}\n\n",
        b"data: \xff\xfe not UTF-8\n\n",
    ],
    ids=["huge-retry", "unicode-digit-id", "20kB-id", "invalid-utf8"],
)
async def test_raw_sse_bytes_arrive_exactly(
    http: aiohttp.ClientSession, sim: Simulator, frame: bytes
) -> None:
    stream = await open_stream(http, sim)
    answer = await control(
        http, sim, "raw-sse", {"base64": base64.b64encode(frame).decode(), "repeat": 2}
    )
    assert answer == {"stream": "events", "connections": 1, "bytes": len(frame), "repeat": 2}
    received = await read_until(stream, frame + frame)
    assert frame + frame in received
    stream.close()


async def test_raw_sse_text_reaches_every_stream_of_its_kind(
    http: aiohttp.ClientSession, sim: Simulator
) -> None:
    session_id = await start_session(http, sim)
    event = {"version": "1.0", "type": "device.discovered", "session_id": session_id}
    rssi = "-" + "9" * 400
    text = (
        f'id: 999999\nevent: device.discovered\ndata: {json.dumps(event)[:-1]}, "payload": '
        f'{{"device": {{"mac": "24:0A:C4:00:00:01", "state": "discovered", "rssi": {rssi}}}}}}}\n\n'
    )
    first, second = await open_stream(http, sim), await open_stream(http, sim)
    logs = await open_stream(http, sim, LOGS)
    answer = await control(http, sim, "raw-sse", {"text": text})
    assert answer["connections"] == 2
    for stream in (first, second):
        assert text.encode() in await read_until(stream, text.encode())
    answer = await control(http, sim, "raw-sse", {"text": ": to the logs\n\n", "stream": "logs"})
    assert answer["connections"] == 1
    assert b": to the logs" in await read_until(logs, b": to the logs\n\n")
    for stream in (first, second, logs):
        stream.close()


async def test_a_20kb_last_event_id_is_refused_like_on_the_pi(
    http: aiohttp.ClientSession, sim: Simulator
) -> None:
    async with http.get(
        sim.url + EVENTS, headers={**auth(sim), "Last-Event-ID": "7" * 20_000}
    ) as response:
        assert response.status == 400
    async with http.get(
        sim.url + EVENTS,
        headers={**auth(sim), "Last-Event-ID": "\u00b2".encode().decode("latin-1")},
    ) as response:
        assert response.status == 200  # an id it cannot read: no replay, no refusal


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({}, "exactly one of text or base64"),
        ({"text": "a", "base64": "YQ=="}, "exactly one of text or base64"),
        ({"base64": "not base64!"}, "not valid base64"),
        ({"text": "x", "repeat": 0}, "repeat"),
        ({"text": "x", "stream": "ws"}, "stream"),
    ],
)
async def test_raw_sse_refuses_what_it_cannot_send(
    http: aiohttp.ClientSession, sim: Simulator, body: dict[str, Any], reason: str
) -> None:
    async with http.post(
        f"{sim.url}/_sim/raw-sse", json=body, headers=sim.control_headers
    ) as response:
        assert response.status == 400
        assert reason in (await response.json())["error"]


# -- Raw WebSocket messages ---------------------------------------------------------


async def test_raw_ws_messages_arrive_exactly(http: aiohttp.ClientSession, sim: Simulator) -> None:
    depth = 2000
    deep = (
        '{"type": "monitoring_update", "data": {"system_health": '
        + '{"a": ' * depth
        + "1"
        + "}" * depth
        + "}}"
    )
    async with http.ws_connect(sim.url + "/ws/monitor") as socket:
        initial = await socket.receive_json(timeout=5)
        assert initial["type"] == "initial_data"
        answer = await control(http, sim, "raw-ws", {"text": deep, "repeat": 2})
        assert answer == {"connections": 1, "kind": "text", "repeat": 2}
        texts: list[str] = []
        while len(texts) < 2:
            message = await socket.receive(timeout=5)
            if message.type is aiohttp.WSMsgType.TEXT and message.data == deep:
                texts.append(message.data)
        blob = b"\x00\xffnot json"
        answer = await control(http, sim, "raw-ws", {"base64": base64.b64encode(blob).decode()})
        assert answer["kind"] == "binary"
        while True:
            message = await socket.receive(timeout=5)
            if message.type is aiohttp.WSMsgType.BINARY:
                assert message.data == blob
                break
        # The socket survives its own garbage.
        await socket.send_json({"type": "ping"})
        while (await socket.receive_json(timeout=5))["type"] != "pong":
            pass


# -- Redirects ----------------------------------------------------------------------


async def test_redirects_rest_sse_and_websocket_without_reading_the_request(
    http: aiohttp.ClientSession, sim: Simulator
) -> None:
    answer = await control(http, sim, "redirect", {"location": ELSEWHERE + "/", "count": None})
    assert answer == {"armed": "until disarmed", "status": 307}

    async with http.post(
        sim.url + "/api/v1/provisioning/batch/start?x=1",
        headers=auth(sim),
        json={"target_ssid": "S", "target_password": "secret"},
        allow_redirects=False,
    ) as response:
        assert response.status == 307
        assert response.headers["Location"] == ELSEWHERE + "/api/v1/provisioning/batch/start?x=1"
    assert not sim.state.sessions  # the body went unread: nothing started
    for path in (EVENTS, "/ws/monitor", "/api/system/info"):
        async with http.get(sim.url + path, headers=auth(sim), allow_redirects=False) as r:
            assert r.status == 307, path
            assert r.headers["Location"] == ELSEWHERE + path
    # The control routes are never redirected.
    async with http.get(sim.url + "/_sim/report", headers=sim.control_headers) as r:
        report = await r.json()
    assert report["faults"]["redirects_armed"] == 1
    assert report["faults"]["triggered"]["redirect"] == 4

    assert await control(http, sim, "redirect", {"count": 0}) == {"armed": 0, "disarmed": 1}
    async with http.get(sim.url + EVENTS, headers=auth(sim), allow_redirects=False) as r:
        assert r.status == 200


async def test_a_counted_redirect_to_a_fixed_url_only_on_its_paths(
    http: aiohttp.ClientSession, sim: Simulator
) -> None:
    await control(
        http,
        sim,
        "redirect",
        {
            "location": ELSEWHERE + "/fixed",
            "status": 308,
            "count": 1,
            "keep_path": False,
            "paths": ["/api/v1/system"],
        },
    )
    async with http.get(sim.url + "/ws/monitor", allow_redirects=False) as r:
        assert r.status != 308  # not one of its paths (a plain GET, not an upgrade)
    info = sim.url + "/api/v1/system/info"
    async with http.get(info, allow_redirects=False) as r:
        assert (r.status, r.headers["Location"]) == (308, ELSEWHERE + "/fixed")
    async with http.get(info, allow_redirects=False) as r:
        assert r.status == 200  # used up


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"location": ELSEWHERE, "status": 200},
        {"location": "http://x/\r\nSet-Cookie: a=b"},
        {"location": ELSEWHERE, "count": -1},
        {"location": ELSEWHERE, "keep_path": "yes"},
    ],
)
async def test_redirect_refuses_nonsense(
    http: aiohttp.ClientSession, sim: Simulator, body: dict[str, Any]
) -> None:
    assert await refused(http, sim, "redirect", body) == 400


# -- Registry flood -----------------------------------------------------------------


async def test_a_flood_of_boards_is_discovered_at_once(
    http: aiohttp.ClientSession, start_sim: StartSim
) -> None:
    sim = await start_sim(boards=0)
    session_id = await start_session(http, sim)
    stream = await open_stream(http, sim)
    answer = await control(http, sim, "flood", {"count": 300})
    assert answer["discovered"] == 300
    assert answer["session_id"] == session_id
    assert len(set(answer["added"])) == 300
    # One read of the session announces every one of them.
    async with http.get(
        f"{sim.url}/api/v1/provisioning/batch/{session_id}?include_devices=true",
        headers=auth(sim),
    ) as response:
        devices = (await response.json())["data"]["devices"]
    assert {device["mac"] for device in devices} == set(answer["added"])
    received = await read_until(stream, answer["added"][-1].encode())
    assert received.count(b"event: device.discovered") == 300
    stream.close()


async def test_a_flood_without_a_session_waits_on_the_network(
    http: aiohttp.ClientSession, start_sim: StartSim
) -> None:
    sim = await start_sim(boards=0)
    answer = await control(http, sim, "flood", {"count": 5})
    assert (answer["discovered"], answer["session_id"], answer["boards"]) == (0, None, 5)
    assert await refused(http, sim, "flood", {"count": 0}) == 400


# -- Error events -------------------------------------------------------------------


async def test_an_error_event_with_a_one_mib_message(
    http: aiohttp.ClientSession, start_sim: StartSim
) -> None:
    sim = await start_sim(boards=0)
    session_id = await start_session(http, sim)
    stream = await open_stream(http, sim)
    size = 1024 * 1024
    answer = await control(
        http, sim, "error-event", {"code": "PI_MELTDOWN", "message_bytes": size, "count": 2}
    )
    assert answer == {
        "sent": 2,
        "code": "PI_MELTDOWN",
        "message_bytes": size,
        "session_id": session_id,
    }
    received = await read_until(stream, b"\n\n", timeout=10)
    while received.count(b"event: error.occurred") < 2 or not received.endswith(b"\n\n"):
        received += await read_until(stream, b"\n\n", timeout=10)
    frames = [f for f in received.split(b"\n\n") if b"event: error.occurred" in f]
    data = json.loads(frames[0].split(b"data: ", 1)[1])
    assert data["session_id"] == session_id
    assert data["payload"]["code"] == "PI_MELTDOWN"
    message = data["payload"]["message"]
    assert len(message.encode()) == size
    assert message.count("\n") > 10_000  # many lines, as a chatty backend writes them
    stream.close()


async def test_an_error_event_with_a_chosen_message_in_the_dashboard_vocabulary(
    http: aiohttp.ClientSession, start_sim: StartSim
) -> None:
    sim = await start_sim(boards=0, sse_vocabulary="dashboard")
    stream = await open_stream(http, sim)
    await control(
        http,
        sim,
        "error-event",
        {"code": "DEVICE_TIMEOUT", "message": "<b>\u202e\x07</b>", "retryable": True},
    )
    received = await read_until(stream, b'"type": "error"')
    received += await read_until(stream, b"\n\n")
    frame = next(f for f in received.split(b"\n\n") if b'"type": "error"' in f)
    payload = json.loads(frame.split(b"data: ", 1)[1])["payload"]
    assert payload == {"code": "DEVICE_TIMEOUT", "message": "<b>\u202e\x07</b>", "retryable": True}
    assert await refused(http, sim, "error-event", {"message": "a", "message_bytes": 1}) == 400
    stream.close()


# -- A real board's event, tampered -------------------------------------------------


async def discovered_board(http: aiohttp.ClientSession, sim: Simulator) -> tuple[str, str]:
    session_id = await start_session(http, sim)
    answer = await control(http, sim, "flood", {"count": 1})
    return session_id, str(answer["added"][0])


@pytest.mark.parametrize("vocabulary", ["backend", "dashboard"])
async def test_a_tampered_event_is_a_real_boards_event_with_raw_text(
    http: aiohttp.ClientSession, start_sim: StartSim, vocabulary: str
) -> None:
    sim = await start_sim(boards=0, sse_vocabulary=vocabulary)
    session_id, mac = await discovered_board(http, sim)
    stream = await open_stream(http, sim)
    huge = "-" + "9" * 400
    answer = await control(
        http,
        sim,
        "tampered-event",
        {"mac": mac, "kind": "discovered", "id": "\u00b2", "fields": {"rssi": huge}},
    )
    assert answer["type"] == "device.discovered"
    assert answer["connections"] == 1
    frame = answer["frame"].encode()
    received = await read_until(stream, frame)
    assert frame in received
    lines = answer["frame"].split("\n")
    assert lines[0] == "id: \u00b2"
    data_line = next(line for line in lines if line.startswith("data: "))
    data = json.loads(data_line.removeprefix("data: "))
    device = data["payload"].get("device", data["payload"])
    assert (data["session_id"], device["mac"]) == (session_id, mac)
    assert device["rssi"] == int(huge)  # the raw text, not a string
    # Built, not published: the Pi's own record has the one real discovery only.
    assert sim.context.events.published["device.discovered"] == 1
    stream.close()


async def test_a_tampered_state_change_keeps_the_boards_state(
    http: aiohttp.ClientSession, start_sim: StartSim
) -> None:
    sim = await start_sim(boards=0)
    _, mac = await discovered_board(http, sim)
    answer = await control(http, sim, "tampered-event", {"mac": mac, "id": "7" * 20_000})
    assert answer["connections"] == 0  # nobody listening: sent to no one, still answered
    data_line = next(line for line in answer["frame"].split("\n") if line.startswith("data: "))
    assert json.loads(data_line.removeprefix("data: "))["payload"]["device"]["state"] == (
        "discovered"
    )
    assert len(answer["frame"].split("\n")[0]) == len("id: ") + 20_000


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "changed"},
        {"mac": "24:0A:C4:99:99:99"},
        {"mac": "nope"},
        {"mac": "24:0A:C4:99:99:99", "kind": "gone"},
        {"mac": "24:0A:C4:99:99:99", "id": "1\n\ndata: x"},
        {"mac": "24:0A:C4:99:99:99", "fields": {"rssi": 5}},
    ],
)
async def test_a_tampered_event_refuses_nonsense(
    http: aiohttp.ClientSession, start_sim: StartSim, body: dict[str, Any]
) -> None:
    sim = await start_sim(boards=0)
    await discovered_board(http, sim)
    assert await refused(http, sim, "tampered-event", body) == 400


# -- Monitor updates with ever new keys ---------------------------------------------


async def test_monitor_bloat_sends_big_updates_with_new_names_each_time(
    http: aiohttp.ClientSession, sim: Simulator
) -> None:
    size = 256 * 1024
    async with http.ws_connect(sim.url + "/ws/monitor") as socket:
        assert (await socket.receive_json(timeout=5))["type"] == "initial_data"
        answer = await control(http, sim, "monitor-bloat", {"count": 3, "bytes": size, "keys": 8})
        assert answer["connections"] == 1
        assert all(0.9 * size < sent <= size for sent in answer["bytes"])
        names: list[set[str]] = []
        while len(names) < 3:
            message = await socket.receive_json(timeout=5)
            if message["type"] != "monitoring_update" or "connected_clients" not in message["data"]:
                continue
            data = message["data"]
            extra = {name for name in data if name.startswith("unknown_section_")}
            extra |= {n for n in data["system_health"] if n.startswith("unknown_field_")}
            if extra:
                assert len(extra) == 8
                assert 0 <= data["system_health"]["cpu_usage"] <= 100  # still a real update
                names.append(extra)
    assert not names[0] & names[1] and not names[1] & names[2]
    assert await refused(http, sim, "monitor-bloat", {"count": 1000, "bytes": 3_000_000}) == 400
