"""Fixtures for every suite: the simulated Pi and the config entry pointing at it.

Each is built by one factory (`make_simulator_config` and `start_simulator` for the
Pi, `make_config_entry` for the entry); a test module that needs another Pi or other
options overrides `simulator_config` or `config_entry` with a one-line fixture calling
the factory. Every simulator listens
on a free port of 127.0.0.1 (port 0) and keeps any state file under `tmp_path`, so
pytest-xdist workers never share one.

asyncio's debug mode, which Home Assistant's test plugin turns on for every test
(on 2025.4; on 2026.2 its fixture misses the loop the tests run in), records where each task, future and callback was made: on these machines that is
nearly half the CPU time of a Home Assistant-level test. Home Assistant's own checks
run either way (an entity written or an event fired from another thread still fails
the test); debug mode adds one of its own (a loop method called from another thread
raises) and diagnostics (where a forgotten coroutine or an unclosed socket came
from; callbacks slower than 100 ms). It is on where `PIORCH_ASYNCIO_DEBUG=1` says
so: `./scripts/test --ha newest`, which CI runs on every change, sets it, so every
test still runs under it once; `./scripts/test` leaves it off.

The integration depends on `frontend` (it serves the cards). Once `frontend` is set
up, `http` starts its real server on 0.0.0.0:8123, as it would in a real run: in a
test that would listen on every interface, and clash with a running demo or with
another test run. Home Assistant's own test suite stops the server starting the
same way; `hass_client` and `hass_ws_client` talk to the app without it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator, Mapping
import os
from typing import Any
from unittest.mock import patch

from homeassistant.const import CONF_API_KEY, CONF_HOST, CONF_PORT, CONF_SSL
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator.const import CONF_VERIFY_SSL, DOMAIN
from simulator import Simulator, SimulatorConfig
from tests.reliability.results import (  # noqa: F401 - pytest hooks: the reliability report
    pytest_runtest_makereport,
    pytest_sessionfinish,
    pytest_sessionstart,
)

API_KEY = "sim-key-Zx81-do-not-leak"
WIFI_PASSWORD = "wifi-pass-Qw77-do-not-leak"

ASYNCIO_DEBUG = os.environ.get("PIORCH_ASYNCIO_DEBUG") == "1"

type SimulatorConfigFactory = Callable[..., SimulatorConfig]
type StartSimulator = Callable[[SimulatorConfig], Awaitable[Simulator]]
type ConfigEntryFactory = Callable[..., MockConfigEntry]


@pytest.fixture
def make_simulator_config() -> SimulatorConfigFactory:
    """Settings of a simulated Pi: a fast Pi with three boards, changed by keyword."""

    def make(**overrides: Any) -> SimulatorConfig:
        settings: dict[str, Any] = {
            "port": 0,
            "api_key": API_KEY,
            "speed": 50,
            "boards": 3,
            "seed": 7,
        }
        return SimulatorConfig(**{**settings, **overrides})

    return make


@pytest.fixture
def simulator_config(make_simulator_config: SimulatorConfigFactory) -> SimulatorConfig:
    """The simulated Pi's settings; a test module overrides this to change them."""
    return make_simulator_config()


@pytest.fixture
async def start_simulator(socket_enabled: None) -> AsyncGenerator[StartSimulator]:
    """Start simulated Pis on 127.0.0.1; each is stopped when the test ends."""
    started: list[Simulator] = []

    async def start(config: SimulatorConfig) -> Simulator:
        sim = Simulator(config)
        await sim.start()
        started.append(sim)
        return sim

    yield start
    for sim in reversed(started):
        await sim.stop()


@pytest.fixture
async def simulator(
    start_simulator: StartSimulator, simulator_config: SimulatorConfig
) -> Simulator:
    """A PiOrchestrator simulator listening on 127.0.0.1."""
    return await start_simulator(simulator_config)


@pytest.fixture
def make_config_entry() -> ConfigEntryFactory:
    """An entry pointing at a simulator, with the suite's key unless told otherwise."""

    def make(
        simulator: Simulator,
        *,
        api_key: str | None = API_KEY,
        options: Mapping[str, Any] | None = None,
    ) -> MockConfigEntry:
        return MockConfigEntry(
            domain=DOMAIN,
            title="127.0.0.1",
            unique_id=f"127.0.0.1:{simulator.port}",
            data={
                CONF_HOST: "127.0.0.1",
                CONF_PORT: simulator.port,
                CONF_SSL: False,
                CONF_VERIFY_SSL: True,
                CONF_API_KEY: api_key,
            },
            options=dict(options or {}),
        )

    return make


@pytest.fixture
def config_entry(simulator: Simulator, make_config_entry: ConfigEntryFactory) -> MockConfigEntry:
    """An entry pointing at the simulator; a test module overrides this to change options."""
    return make_config_entry(simulator)


@pytest.fixture(autouse=True)
def no_http_server(request: pytest.FixtureRequest) -> Generator[None]:
    """Keep Home Assistant's HTTP server from listening, in tests that run Home Assistant."""
    if "hass" not in request.fixturenames:
        # The client library's and the simulator's tests never import Home Assistant.
        yield
        return
    with (
        patch("homeassistant.components.http.start_http_server_and_save_config"),
        patch("homeassistant.components.http.HomeAssistantHTTP.stop"),
    ):
        yield


def pytest_configure(config: pytest.Config) -> None:
    """On newer releases pytest-asyncio makes each test's loop, debug mode or not."""
    if ASYNCIO_DEBUG and hasattr(config.option, "asyncio_debug"):
        config.option.asyncio_debug = True


@pytest.fixture(autouse=True)
def enable_event_loop_debug(enable_event_loop_debug: None) -> None:
    """asyncio's debug mode where `PIORCH_ASYNCIO_DEBUG=1` asks for it (see the module).

    Runs after the plugin's fixture of the same name, which turns it on in the loop
    it finds: the tests' loop on 2025.4, on newer releases another one (there
    `pytest_configure` decides). Its signature differs between releases, this
    one's does not.
    """
    asyncio.get_event_loop().set_debug(ASYNCIO_DEBUG)
