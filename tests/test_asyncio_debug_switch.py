"""The asyncio debug-mode switch reaches the loop the tests run in, on every release.

`PIORCH_ASYNCIO_DEBUG=1` turns debug mode on (`./scripts/test --ha newest` sets it),
anything else leaves it off (`tests/conftest.py` says why). Home Assistant's test
plugin and pytest-asyncio make that loop differently from one release to the next.
"""

from __future__ import annotations

import asyncio

from homeassistant.core import HomeAssistant

from tests.conftest import ASYNCIO_DEBUG


async def test_home_assistant_runs_in_the_mode_asked_for(hass: HomeAssistant) -> None:
    assert hass.loop.get_debug() is ASYNCIO_DEBUG


async def test_a_test_without_home_assistant_runs_in_the_mode_asked_for() -> None:
    assert asyncio.get_running_loop().get_debug() is ASYNCIO_DEBUG
