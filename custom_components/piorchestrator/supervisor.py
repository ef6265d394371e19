"""Keeps a stream consumer running for as long as its config entry is loaded.

The streams themselves reconnect forever and skip frames they cannot read, so a
consumer should never end. If one does all the same (a bug, or something no one
foresaw), the supervisor says so, shows the stream as down and starts it again,
rather than leaving entities showing a live link over a dead task.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
import logging
import time
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import HomeAssistant, callback

from .api.backoff import Backoff
from .api.errors import PiOrchestratorError
from .const import DOMAIN, LOGGER
from .error_handling import ErrorKind, async_handle_client_error, error_kind

if TYPE_CHECKING:
    from .data import PiOrchestratorConfigEntry

RESTART_DELAY: Final = 1.0
"""Seconds before the first restart of a consumer that ended."""
MAX_RESTART_DELAY: Final = 60.0
"""Restarts of a consumer that keeps ending slow down to one a minute."""
HEALTHY_RUN: Final = 60.0
"""A consumer that ran this long before ending starts again at the short delay."""


class StreamSupervisor:
    """Runs `consume()` as a background task of the entry, restarting it when it ends.

    When it ends while the entry is loaded, `on_down()` is called at once (to
    show the link as down), a WARNING says why, and it starts again after a
    delay that grows while it keeps ending. A refused API key is the exception:
    it starts reauthentication instead, as retrying the same key cannot work.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: PiOrchestratorConfigEntry,
        *,
        what: str,
        host: str,
        consume: Callable[[], Coroutine[Any, Any, None]],
        on_down: Callable[[], None],
    ) -> None:
        """Supervise `consume`, named `what` in the task's name and in log lines."""
        self._hass = hass
        self._entry = entry
        self._what = what
        self._host = host
        self._consume = consume
        self._on_down = on_down
        self._stopping = False
        self.restart_count = 0
        """How often the consumer was started again since the entry loaded."""

    @callback
    def start(self) -> None:
        """Start the consumer; it stops when the entry unloads."""
        self._entry.async_on_unload(self._stop)
        self._entry.async_create_background_task(
            self._hass, self._supervise(), name=f"{DOMAIN} {self._what}"
        )

    @callback
    def _stop(self) -> None:
        # Unloading closes the stream, which ends the consumer: that is no failure.
        self._stopping = True

    async def _supervise(self) -> None:
        backoff = Backoff(initial=RESTART_DELAY, maximum=MAX_RESTART_DELAY)
        host = self._host
        while True:
            started = time.monotonic()
            error: Exception | None = None
            try:
                await self._consume()
            except PiOrchestratorError as err:
                if self._stopping or self._ended_by_refused_key(err):
                    return
                error = err
            except Exception as err:  # noqa: BLE001 - whatever ended it, start it again
                error = err
            if self._stopping:
                return
            if time.monotonic() - started >= HEALTHY_RUN:
                backoff.reset()
            delay = backoff.next_delay()
            self._on_down()
            why = "it ended" if error is None else f"{type(error).__name__}: {error!s:.200}"
            # The first restart of a run of them is news; the rest are its echo.
            LOGGER.log(
                logging.WARNING if backoff.attempts == 1 else logging.DEBUG,
                "The %s of the Pi at %s stopped (%s); restarting it in %.0f s",
                self._what,
                host,
                why,
                delay,
            )
            if error is not None:
                LOGGER.debug("Why the %s stopped", self._what, exc_info=error)
            await asyncio.sleep(delay)
            self.restart_count += 1

    def _ended_by_refused_key(self, err: PiOrchestratorError) -> bool:
        """Stop for good on a refused key, asking for a new one the way every caller does."""
        if error_kind(err) is not ErrorKind.REFUSED_KEY:
            return False
        LOGGER.warning(
            "The Pi at %s refused the API key for the %s; reauthentication needed",
            self._host,
            self._what,
        )
        self._on_down()
        async_handle_client_error(self._hass, self._entry, err)
        return True
