"""Fixtures for Home Assistant-level tests.

Two kinds: a `simulator` on 127.0.0.1 for wire-level tests (real HTTP, SSE and
WebSocket through the real client), and mocked clients for the few cases the
simulator cannot produce. The simulator and the entry come from the root
`tests/conftest.py`; this module loads the entry and drives the Pi.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any

import aiohttp
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator.const import DOMAIN
from simulator import Simulator
from tests.conftest import API_KEY, WIFI_PASSWORD
from tests.waiting import Condition, WaitFor, wait_until

__all__ = ["API_KEY", "WIFI_PASSWORD", "EntityIdOf", "PiDriver", "WaitFor"]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration from custom_components/."""


@pytest.fixture
async def loaded_entry(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> AsyncGenerator[MockConfigEntry]:
    """The entry set up against the simulator, with both streams running."""
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED
    yield config_entry
    if config_entry.state is ConfigEntryState.LOADED:
        assert await hass.config_entries.async_unload(config_entry.entry_id)
        await hass.async_block_till_done()


@pytest.fixture
def wait_for(hass: HomeAssistant) -> WaitFor:
    """`tests.waiting.wait_until`, letting this test's Home Assistant work between looks."""

    async def wait(condition: Condition, timeout: float = 15.0) -> float:
        return await wait_until(condition, hass, timeout)

    return wait


type EntityIdOf = Callable[[str, str], Awaitable[str]]


@pytest.fixture
def entity_id_of(hass: HomeAssistant, wait_for: WaitFor) -> EntityIdOf:
    """The entity id of one of the integration's entities, waiting until it is registered.

    A board is known to the coordinator before its entities are added, and the
    platforms add theirs in no promised order: a test asks for each entity it uses.
    """
    registry = er.async_get(hass)

    async def find(platform: str, unique_id: str) -> str:
        await wait_for(
            lambda: registry.async_get_entity_id(platform, DOMAIN, unique_id) is not None
        )
        found = registry.async_get_entity_id(platform, DOMAIN, unique_id)
        assert found is not None, unique_id
        return found

    return find


class PiDriver:
    """Drives the simulated Pi over raw HTTP, as the Pi's own dashboard would.

    Deliberately not the integration's client: the test checks the client, not
    the other way round.
    """

    def __init__(self, simulator: Simulator, session: aiohttp.ClientSession) -> None:
        """Talk to `simulator`."""
        self.url = simulator.url
        self._session = session
        self._control = simulator.control_headers

    async def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Send a request with the API key; return the unwrapped data or the raw body."""
        headers = {"X-API-Key": API_KEY}
        if path.startswith("/_sim/"):
            headers.update(self._control)
        async with self._session.request(
            method, f"{self.url}{path}", json=body, headers=headers
        ) as response:
            if response.status == 204:
                return None
            payload = await response.json()
        if isinstance(payload, dict) and payload.get("success") is True:
            return payload.get("data")
        return payload

    async def start_session(self, **extra: Any) -> dict[str, Any]:
        """Start a batch session the way the Pi's dashboard does."""
        data = await self.call(
            "POST",
            "/api/v1/provisioning/batch/start",
            {"target_ssid": "CabinetNet", "target_password": WIFI_PASSWORD, **extra},
        )
        return data["session"]  # type: ignore[no-any-return]

    async def boards(self, session_id: str) -> dict[str, str]:
        """The Pi's truth: each board's state in a session."""
        data = await self.call(
            "GET", f"/api/v1/provisioning/batch/{session_id}?include_devices=true"
        )
        return {device["mac"]: device["state"] for device in data.get("devices", [])}

    async def fault(self, name: str, body: dict[str, Any] | None = None) -> Any:
        """Trigger one of the simulator's fault injections."""
        return await self.call("POST", f"/_sim/{name}", body or {})


@pytest.fixture
async def pi(simulator: Simulator) -> AsyncGenerator[PiDriver]:
    """A driver for the simulated Pi."""
    async with aiohttp.ClientSession() as session:
        yield PiDriver(simulator, session)
