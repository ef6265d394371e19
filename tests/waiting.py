"""The one way tests wait for something to become true.

Wire-level tests talk to the simulator over real sockets, so they wait in real
time (no frozen clock can move a socket along). Inside Home Assistant each turn
also lets the event loop's pending work finish, so a condition on states or
registries sees what the last message changed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import inspect
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

type Condition = Callable[[], object | Awaitable[object]]
type WaitFor = Callable[..., Awaitable[float]]
"""`wait_until` with Home Assistant bound: `await wait_for(condition, timeout=...)`."""


async def wait_until(
    condition: Condition,
    hass: HomeAssistant | None = None,
    timeout: float = 15.0,
    *,
    interval: float = 0.02,
) -> float:
    """Wait until `condition()` (plain or async) is true; return the seconds it took.

    Fails the test with an AssertionError after `timeout` seconds.
    """
    started = time.monotonic()
    while True:
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise AssertionError(f"condition not met within {timeout} s")
        if hass is not None:
            await hass.async_block_till_done()
        await asyncio.sleep(interval)
