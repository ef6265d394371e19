"""The command line: --help, a real subprocess, SIGTERM, kill -9 durability, log hygiene."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
import contextlib
import json
import os
from pathlib import Path
import re
import signal
import subprocess
import sys

import aiohttp
import pytest

from simulator import Simulator

type StartSim = Callable[..., Awaitable[Simulator]]

REPO = Path(__file__).resolve().parents[2]
KEY = "cli-secret-key-42"
PASSWORD = "wifi-pass-never-logged"
MAC = "24:0A:C4:00:00:42"
LISTENING = re.compile(r"^PiOrchestrator simulator listening on (http://127\.0\.0\.1:(\d+))$")
CONTROL = re.compile(r"^Fault injection under /_sim/ needs the header: X-Sim-Control: (\S+)$")


def test_help_documents_every_flag() -> None:
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "simulator", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    for flag in (
        "--host",
        "--port",
        "--api-key",
        "--dev-mode",
        "--state-file",
        "--seed",
        "--boards",
        "--fail-rate",
        "--speed",
        "--sse-vocabulary",
        "--rate-limit",
        "--allowlist",
        "--fail-once",
    ):
        assert flag in result.stdout


def test_bad_flags_are_rejected() -> None:
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "simulator", "--allowlist", "nope"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "invalid MAC" in result.stderr


class Running:
    def __init__(self, process: asyncio.subprocess.Process, url: str, token: str) -> None:
        self.process = process
        self.url = url
        self.token = token


@pytest.fixture
async def launch(socket_enabled: None) -> AsyncIterator[Callable[..., Awaitable[Running]]]:
    processes: list[asyncio.subprocess.Process] = []

    async def start(*args: str) -> Running:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "simulator",
            "--port",
            "0",
            *args,
            cwd=REPO,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        processes.append(process)
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode().strip()
        match = LISTENING.match(line)
        assert match, line
        line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode().strip()
        control = CONTROL.match(line)
        assert control, line
        return Running(process, match.group(1), control.group(1))

    yield start
    for process in processes:
        if process.returncode is None:
            process.kill()
        with contextlib.suppress(ProcessLookupError):
            await process.wait()


async def test_subprocess_serves_and_exits_cleanly_on_sigterm(
    launch: Callable[..., Awaitable[Running]], tmp_path: Path
) -> None:
    state_file = tmp_path / "state.json"
    running = await launch("--api-key", KEY, "--speed", "50", "--state-file", str(state_file))
    async with aiohttp.ClientSession() as http:
        async with http.get(running.url + "/api/v1/system/info") as response:
            assert response.status == 200
        async with http.post(
            running.url + "/api/v1/provisioning/allowlist",
            params={"api_key": KEY},
            json={"mac": MAC},
        ) as response:
            assert response.status == 201
        async with http.post(
            running.url + "/api/v1/provisioning/batch/start",
            headers={"X-API-Key": KEY},
            json={"target_ssid": "Shop", "target_password": PASSWORD},
        ) as response:
            assert response.status == 201
        # An open SSE stream must not hold up the shutdown.
        stream = await http.get(
            running.url + "/api/v1/provisioning/batch/events", headers={"X-API-Key": KEY}
        )
        await stream.content.readline()
        running.process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(running.process.wait(), 20) == 0
        stream.close()

    assert running.process.stderr is not None
    log = (await running.process.stderr.read()).decode()
    assert "POST /api/v1/provisioning/allowlist 201 " in log
    assert "GET /api/v1/system/info 200 " in log
    assert KEY not in log
    assert PASSWORD not in log
    assert "api_key" not in log
    stored = json.loads(state_file.read_text())
    assert [entry["mac"] for entry in stored["allowlist"]] == [MAC]
    assert len(stored["sessions"]) == 1
    assert stored["sessions"][0]["state"] in ("discovering", "active")


async def test_fault_routes_answer_only_the_printed_header(
    launch: Callable[..., Awaitable[Running]],
) -> None:
    running = await launch("--api-key", KEY)
    reset = running.url + "/_sim/reset"
    async with aiohttp.ClientSession() as http:
        # What a web page can send without a preflight: no custom header, text/plain.
        async with http.post(reset, data="{}", headers={"Content-Type": "text/plain"}) as r:
            assert r.status == 403
        async with http.post(reset, data="{}", headers={"X-Sim-Control": running.token + "x"}) as r:
            assert r.status == 403
        async with http.post(
            reset, data="{}", headers={"X-Sim-Control": running.token, "Content-Type": "text/plain"}
        ) as r:
            assert r.status == 415
        async with http.post(reset, json={}, headers={"X-Sim-Control": running.token}) as r:
            assert r.status == 200


async def test_a_fixed_control_token_comes_from_the_environment(
    launch: Callable[..., Awaitable[Running]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIORCHESTRATOR_SIM_CONTROL_TOKEN", "fixed-token-for-a-script")
    running = await launch()
    assert running.token == "fixed-token-for-a-script"
    async with (
        aiohttp.ClientSession() as http,
        http.get(running.url + "/_sim/report", headers={"X-Sim-Control": running.token}) as r,
    ):
        assert r.status == 200


async def test_kill_9_loses_nothing_acknowledged(
    launch: Callable[..., Awaitable[Running]], start_sim: StartSim, tmp_path: Path
) -> None:
    state_file = tmp_path / "state.json"
    running = await launch(
        "--api-key", KEY, "--speed", "100", "--state-file", str(state_file), "--allowlist", MAC
    )
    async with aiohttp.ClientSession(headers={"X-API-Key": KEY}) as http:
        async with http.post(
            running.url + "/api/v1/provisioning/batch/start",
            json={"target_ssid": "Shop", "target_password": PASSWORD},
        ) as response:
            session_id = (await response.json())["data"]["session"]["id"]
        async with http.post(
            running.url + "/api/v1/provisioning/allowlist", json={"mac": "24:0A:C4:00:00:43"}
        ) as response:
            assert response.status == 201
    running.process.kill()
    await running.process.wait()

    simulator = await start_sim(state_file=state_file, speed=100)
    assert set(simulator.state.allowlist) == {MAC, "24:0A:C4:00:00:43"}
    assert simulator.state.sessions[session_id].recoverable
