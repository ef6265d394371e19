"""Fixtures for the client library's wire-level tests."""

from __future__ import annotations

from collections.abc import AsyncGenerator
import time

import aiohttp
import pytest

from custom_components.piorchestrator.api.client import PiOrchestratorClient, RetryPolicy
from simulator import Simulator, SimulatorConfig
from tests.conftest import SimulatorConfigFactory, StartSimulator

SIM_API_KEY = "client-test-key-7Hq2"
SIM_BOARDS = ("24:0A:C4:11:00:01", "24:0A:C4:11:00:02", "24:0A:C4:11:00:03")


@pytest.fixture
def sim_config(make_simulator_config: SimulatorConfigFactory) -> SimulatorConfig:
    """A fast simulator with three known boards, two of them allowlisted."""
    return make_simulator_config(
        api_key=SIM_API_KEY,
        speed=50,
        boards=0,
        seed=11,
        allowlist=SIM_BOARDS[:2],
        fail_once=(SIM_BOARDS[1],),
    )


@pytest.fixture
async def sim(start_simulator: StartSimulator, sim_config: SimulatorConfig) -> Simulator:
    """The simulator on 127.0.0.1, with its extra boards on the onboarding network."""
    simulator = await start_simulator(sim_config)
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{simulator.url}/_sim/boards",
            json={"macs": [SIM_BOARDS[2]]},
            headers=simulator.control_headers,
        ) as r,
    ):
        assert r.status == 200
    return simulator


@pytest.fixture
async def http() -> AsyncGenerator[aiohttp.ClientSession]:
    """The caller's HTTP session, which the client must never close."""
    async with aiohttp.ClientSession() as session:
        yield session


class RecordedSleeps(list[float]):
    """Records retry waits instead of sleeping; `clock` moves on by what was slept."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)

    def clock(self) -> float:
        return time.monotonic() + sum(self)


@pytest.fixture
def sleeps() -> RecordedSleeps:
    """A sleep that records instead of waiting."""
    return RecordedSleeps()


@pytest.fixture
def client(
    sim: Simulator, http: aiohttp.ClientSession, sleeps: RecordedSleeps
) -> PiOrchestratorClient:
    """The client, pointed at the simulator with the right key."""
    return PiOrchestratorClient(
        http,
        "127.0.0.1",
        sim.port,
        api_key=SIM_API_KEY,
        retry_policy=RetryPolicy(max_attempts=3, max_total_wait=20),
        sleep=sleeps,
        clock=sleeps.clock,
    )
