"""Advancing Home Assistant's timers, and only them.

`async_fire_time_changed` runs every timer of the event loop that falls in the window,
including the streams' own watchdogs (`asyncio.timeout`) and back-off sleeps and the
simulator's engine: jumping five minutes with it would make the event stream time out
and reconcile, which is not what five quiet minutes do. This variant runs only
what Home Assistant scheduled: coordinator polls and `async_call_later` callbacks
(config-entry setup retries, the unavailability grace, debouncers).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
import time
from typing import Any, cast
from unittest.mock import patch

from homeassistant.core import HomeAssistant
from homeassistant.helpers import event
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util
from homeassistant.util.async_ import get_scheduled_timer_handles


def _scheduled_by_home_assistant(handle: asyncio.TimerHandle) -> bool:
    callback = cast(Any, handle)._callback  # what the timer will run
    if isinstance(getattr(callback, "__self__", None), DataUpdateCoordinator):
        return True
    return callback is event._run_async_call_action


def advance_home_assistant(hass: HomeAssistant, delta: timedelta) -> int:
    """Run Home Assistant's timers due within `delta` from now; return how many ran."""
    moment = dt_util.utcnow() + delta
    timestamp = moment.timestamp()
    ran = 0
    for handle in list(get_scheduled_timer_handles(hass.loop)):
        if handle.cancelled() or not _scheduled_by_home_assistant(handle):
            continue
        if handle.when() - hass.loop.time() > timestamp - time.time():
            continue
        with (
            patch("homeassistant.helpers.event.time_tracker_utcnow", return_value=moment),
            patch("homeassistant.helpers.event.time_tracker_timestamp", return_value=timestamp),
        ):
            handle._run()
            handle.cancel()
        ran += 1
    return ran
