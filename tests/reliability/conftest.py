"""Fixtures of the fault scenarios: the integration's fixtures, plus a request log,
the truth checker and a scenario record for the report."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from pathlib import Path

import aiohttp
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator.const import CONF_POLL_INTERVAL
from simulator import Simulator, SimulatorConfig
from tests.conftest import API_KEY, ConfigEntryFactory, SimulatorConfigFactory, StartSimulator
from tests.integration.conftest import (  # noqa: F401 - fixtures, re-exported for this suite
    auto_enable_custom_integrations,
    loaded_entry,
    pi,
    wait_for,
)
from tests.reliability.results import COLLECTOR

from .harness import BOARDS, FAIL_ONCE, SPEED, Scenario
from .request_log import RequestLog, install
from .truth import TruthChecker

type ScenarioFactory = Callable[[str, str], Awaitable[Scenario]]


@pytest.fixture
def simulator_config(
    make_simulator_config: SimulatorConfigFactory, tmp_path: Path
) -> SimulatorConfig:
    """Several allowlisted boards, one failing its first attempt; state kept in a file."""
    return make_simulator_config(
        speed=SPEED,
        boards=0,
        seed=21,
        allowlist=BOARDS,
        fail_once=(FAIL_ONCE,),
        session_timeout=100_000,
        keepalive_interval=5.0,  # 0.5 s of real time: a new connection proves itself fast
        state_file=tmp_path / "pi-state.json",
    )


POLL_INTERVAL = 2
"""Seconds between door polls (and health polls while the WebSocket is down): the
smallest the options allow, so recoveries that wait for a poll stay short."""


@pytest.fixture
def config_entry(simulator: Simulator, make_config_entry: ConfigEntryFactory) -> MockConfigEntry:
    """An entry pointing at the simulator, polling as often as the options allow."""
    return make_config_entry(simulator, options={CONF_POLL_INTERVAL: POLL_INTERVAL})


@pytest.fixture
def request_log(monkeypatch: pytest.MonkeyPatch) -> RequestLog:
    """Every request the simulated Pi receives, with times and full URLs."""
    return install(monkeypatch)


@pytest.fixture
async def simulator(
    request_log: RequestLog, start_simulator: StartSimulator, simulator_config: SimulatorConfig
) -> Simulator:
    """The simulated Pi on 127.0.0.1, its requests logged from its first to its last
    (the log is set up first, so it is taken down after the Pi stops)."""
    return await start_simulator(simulator_config)


@pytest.fixture
async def http() -> AsyncGenerator[aiohttp.ClientSession]:
    """A plain HTTP session of the tests' own, never Home Assistant's."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def make_scenario(
    request: pytest.FixtureRequest,
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    simulator: Simulator,
    request_log: RequestLog,
    http: aiohttp.ClientSession,
) -> ScenarioFactory:
    """Build the scenario of this test; its record goes into the report."""

    async def make(name: str, title: str) -> Scenario:
        record = COLLECTOR.scenario(name, title, request.node.nodeid)
        checker = TruthChecker(hass, config_entry, simulator.url, http, API_KEY)
        return Scenario(hass, config_entry, simulator, request_log, checker, record)

    return make
