"""What the event stream and the monitor WebSocket share.

Both are long-lived connections that must survive a Pi reboot or a WiFi drop: they
reconnect forever with back-off, tell their consumer when they go down and come
back (so it can reconcile over REST), log an outage once rather than once per
attempt, and keep a small diagnostics record. `ReconnectingStream` is that loop,
written once; a subclass supplies how to open, read and close its connection.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable
from contextlib import aclosing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
import logging
import time
from typing import Any, ClassVar, Final

import aiohttp

from .backoff import Backoff
from .errors import (
    PiOrchestratorAuthenticationError,
    PiOrchestratorConnectionError,
    PiOrchestratorError,
    PiOrchestratorResponseError,
    PiOrchestratorTimeoutError,
)

_LOGGER = logging.getLogger(__name__)

type SleepFunction = Callable[[float], Awaitable[None]]
type ProbeFunction = Callable[[], Awaitable[object]]

_MAX_KEY_LENGTH: Final = 120

PROBE_INTERVAL: Final = 5.0
"""Least seconds between two probes of the Pi while a stream waits to reconnect."""


class StreamStatus(StrEnum):
    """What a person sees of a stream's link to the Pi."""

    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    POLLING = "polling"
    """Health only: the socket is down, REST polling carries the figures."""
    DISCONNECTED = "disconnected"


@dataclass(frozen=True, slots=True)
class StreamConnected:
    """The stream is (again) connected.

    `reconnected` is True when a `StreamDisconnected` came before: events sent in
    between may be lost, so the consumer should reconcile over REST. `gap` is
    how long the stream was down, in seconds (None on a first connection).
    """

    reconnected: bool
    gap: float | None = None


@dataclass(frozen=True, slots=True)
class StreamDisconnected:
    """The stream went down; it reconnects on its own.

    Sent once per outage, not once per failed attempt. `error` says why, or is None
    when the Pi closed the stream cleanly.
    """

    error: PiOrchestratorError | None = None


class OnceLogger:
    """Logs each kind of problem once, so a misbehaving peer cannot flood the log."""

    def __init__(self, logger: logging.Logger, *, max_keys: int = 128) -> None:
        """Remember up to `max_keys` problems; beyond that, log new ones at DEBUG."""
        self._logger = logger
        self._max_keys = max_keys
        self._seen: set[str] = set()

    def log(self, key: str, level: int, msg: str, *args: object) -> bool:
        """Log `msg` at `level` unless a problem with the same `key` was logged before.

        Returns whether it was logged, for a caller that adds details at DEBUG.
        """
        key = key[:_MAX_KEY_LENGTH]  # keys may hold what a peer sent: keep memory small
        if key in self._seen:
            return False
        if len(self._seen) >= self._max_keys:
            level = logging.DEBUG
        else:
            self._seen.add(key)
        self._logger.log(level, msg, *args)
        return True

    def skipped(self, what: str, err: Exception) -> None:
        """Log once per kind of error that something sent by the Pi was skipped.

        The error's text is cut short (it may quote what the peer sent); the
        traceback goes to DEBUG, once, for whoever investigates.
        """
        if self.log(
            f"skipped:{what}:{type(err).__name__}",
            logging.WARNING,
            "Skipping %s (%s: %.200s)",
            what,
            type(err).__name__,
            err,
        ):
            self._logger.debug("Why %s was skipped", what, exc_info=err)


class ReconnectingStream[ItemT](ABC):
    """An async iterator over a connection that reconnects forever.

    Iterating yields `StreamConnected` after each successful (re)connection,
    `StreamDisconnected` once per outage, and the subclass's items in between. Any
    other error, even one no one foresaw, drops the connection and reconnects. An
    authentication error is not retried: it ends the iteration, for the consumer
    to ask for a new key. `close()` or cancelling the consuming task ends it too,
    closing the connection at once. One consumer at a time.
    """

    _what: ClassVar[str] = "stream"
    """Names the connection in log lines."""

    def __init__(
        self,
        host: str,
        *,
        backoff: Backoff | None,
        sleep: SleepFunction,
        probe: ProbeFunction | None = None,
    ) -> None:
        """Prepare; nothing connects until iteration starts.

        `probe` is a cheap request to the Pi; while the stream waits to reconnect
        after the Pi went unreachable, it runs at most every `PROBE_INTERVAL`
        seconds, and its first success ends the wait (as `wake()` does).
        """
        self._host = host
        self._backoff = backoff if backoff is not None else Backoff()
        self._sleep = sleep
        self._probe = probe
        self._closed = asyncio.Event()
        self._wake = asyncio.Event()
        self._wakeable = False
        self._next_attempt_at: datetime | None = None
        self._last_probe = -PROBE_INTERVAL
        self.on_change: Callable[[], None] | None = None
        """Called when `connected` or `next_attempt_at` changes, to refresh what shows them."""
        self._iterating = False
        self._connected = False
        self._delivered = False
        self._failures = 0
        self._outage_started: float | None = None
        self._reconnect_count = 0
        self._last_error: dict[str, Any] | None = None
        self._last_message: float | None = None

    @property
    def connected(self) -> bool:
        """Whether the connection is open now."""
        return self._connected

    @property
    def next_attempt_at(self) -> datetime | None:
        """When the stream tries to connect again, while it waits to (UTC)."""
        return self._next_attempt_at

    def wake(self) -> None:
        """The Pi answered a request: if waiting to reconnect, try at once.

        Only a wait after the Pi went unreachable ends early. A Pi that answered
        but refused the stream (an error status, a rate limit) is waited for as
        long as the back-off says: it is up, and asked us to hold off.
        """
        if self._wakeable:
            self._wake.set()

    @property
    def diagnostics(self) -> dict[str, Any]:
        """A small record of the connection's health, for diagnostics downloads.

        Times are `time.monotonic()` values. No secret or URL is included.
        Subclasses extend it.
        """
        return {
            "connected": self._connected,
            "reconnect_count": self._reconnect_count,
            "consecutive_failures": self._failures,
            "last_error": self._last_error,
            "last_message": self._last_message,
            "backoff_floor": self._backoff.floor,
        }

    async def close(self) -> None:
        """Close the connection and end the iteration; the stream cannot restart."""
        self._closed.set()
        await self._close_connection()

    async def __aiter__(self) -> AsyncGenerator[StreamConnected | StreamDisconnected | ItemT]:
        """Connect, yield, and reconnect until closed or cancelled.

        A consumer that stops early should close the iterator (`contextlib.aclosing`)
        or call `close()`, so the connection does not wait for garbage collection.
        """
        if self._iterating:
            raise RuntimeError(f"The {self._what} already has a consumer")
        self._iterating = True
        lost_at: float | None = None
        try:
            while not self._closed.is_set():
                error: PiOrchestratorError | None = None
                try:
                    await self._open()
                    if self._closed.is_set():
                        return
                    gap = None if lost_at is None else time.monotonic() - lost_at
                    lost_at = None
                    self._on_connected(gap)
                    yield StreamConnected(reconnected=gap is not None, gap=gap)
                    async with aclosing(self._receive()) as items:
                        async for item in items:
                            yield item
                except PiOrchestratorAuthenticationError as err:
                    self._record_error(err)
                    _LOGGER.debug(
                        "The Pi at %s rejected the API key for the %s", self._host, self._what
                    )
                    raise
                except PiOrchestratorError as err:
                    error = err
                except (aiohttp.ClientError, OSError) as err:
                    error = self._transport_error(err)
                except Exception as err:  # noqa: BLE001 - whatever the peer did, reconnect
                    # Frames are already skipped one by one; this broke the
                    # connection itself. A new one starts clean.
                    _LOGGER.debug("The %s broke unexpectedly", self._what, exc_info=err)
                    error = PiOrchestratorResponseError(
                        f"The {self._what} of the Pi at {self._host} broke ({type(err).__name__})"
                    )
                    error.__cause__ = err
                finally:
                    await self._close_connection()
                if self._closed.is_set():
                    return
                delay = self._on_lost(error)
                if lost_at is None:
                    lost_at = time.monotonic()
                    yield StreamDisconnected(error)
                await self._pause(delay)
        finally:
            self._iterating = False
            self._connected = False
            await self._close_connection()

    @abstractmethod
    async def _open(self) -> None:
        """Open the connection; raise a `PiOrchestratorError` when it cannot."""

    @abstractmethod
    def _receive(self) -> AsyncGenerator[ItemT]:
        """Yield items until the connection ends.

        Return on a clean close; raise a `PiOrchestratorError` (or let an aiohttp
        or OS error through) when it breaks. Call `_mark_alive()` on every sign of
        life, so a connection that delivered something resets the back-off.
        """

    @abstractmethod
    async def _close_connection(self) -> None:
        """Close the connection if one is open; must be idempotent."""

    def _mark_alive(self) -> None:
        """Note a sign of life; the first one after an outage ends it.

        The stream counts as back when the connection delivers, not when it
        opens: a Pi that accepts connections but sends nothing is not back, and
        saying so at every reconnect would fill the log.
        """
        self._delivered = True
        self._last_message = now = time.monotonic()
        if self._failures:
            _LOGGER.info(
                "The %s of the Pi at %s is back after %.0f s",
                self._what,
                self._host,
                now - (self._outage_started or now),
            )
            self._failures = 0
            self._outage_started = None

    def _on_connected(self, gap: float | None) -> None:
        if gap is not None:
            self._reconnect_count += 1
        _LOGGER.debug("Connected to the %s of the Pi at %s", self._what, self._host)
        self._connected = True
        self._delivered = False
        self._changed()

    def _on_lost(self, error: PiOrchestratorError | None) -> float:
        """Log and record a failed attempt or a lost connection; return the delay."""
        was_connected, self._connected = self._connected, False
        delivered, self._delivered = self._delivered, False
        if delivered:
            # The connection worked: this is a fresh outage, not a failing Pi.
            self._backoff.reset()
        delay = self._backoff.next_delay(error.retry_after if error is not None else None)
        # Only a broken transport says the Pi went away. An answer with a status
        # means it is there and refused; a clean close is a Pi going down, whose
        # last answers (a poll in flight) must not call the stream back at once;
        # and a connection that stayed open but went silent was dropped by us from
        # a Pi that answers requests all along: waking it at the next answer would
        # reopen a silent stream every few seconds.
        silenced = was_connected and isinstance(error, PiOrchestratorTimeoutError)
        self._wakeable = error is not None and error.http_status is None and not silenced
        if error is None:
            _LOGGER.debug(
                "The Pi at %s closed the %s; reconnecting in %.1f s", self._host, self._what, delay
            )
            return delay
        self._record_error(error)
        level = logging.WARNING if self._failures == 0 else logging.DEBUG
        if self._failures == 0:
            self._outage_started = time.monotonic()
        self._failures += 1
        _LOGGER.log(
            level,
            "%s the %s of the Pi at %s: %s; retrying in %.1f s",
            "Lost" if was_connected else "Cannot open",
            self._what,
            self._host,
            error,
            delay,
        )
        return delay

    def _record_error(self, error: PiOrchestratorError) -> None:
        self._last_error = {
            "type": type(error).__name__,
            "message": error.message,
            "code": error.code,
            "http_status": error.http_status,
            "correlation_id": error.correlation_id,
            "at": time.monotonic(),
        }

    def _transport_error(self, err: BaseException) -> PiOrchestratorError:
        # The type name only: some aiohttp errors quote the full URL.
        error_class = (
            PiOrchestratorTimeoutError
            if isinstance(err, TimeoutError)
            else PiOrchestratorConnectionError
        )
        error = error_class(
            f"The connection to the Pi at {self._host} broke ({type(err).__name__})"
        )
        error.__cause__ = err
        return error

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()

    async def _pause(self, delay: float) -> None:
        """Wait `delay` seconds, or less if the stream is closed or woken meanwhile."""
        self._wake.clear()
        self._next_attempt_at = datetime.now(UTC) + timedelta(seconds=delay)
        self._changed()
        waits = [
            asyncio.ensure_future(self._sleep(delay)),
            asyncio.ensure_future(self._closed.wait()),
            asyncio.ensure_future(self._wake.wait()),
        ]
        if self._probe is not None and self._wakeable:
            waits.append(asyncio.ensure_future(self._probe_until_answered()))
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()
            await asyncio.gather(*waits, return_exceptions=True)
            self._wakeable = False
            self._next_attempt_at = None
            self._changed()
        if self._wake.is_set():
            _LOGGER.debug(
                "The Pi at %s answers again; reconnecting the %s now", self._host, self._what
            )

    async def _probe_until_answered(self) -> None:
        """Ask the Pi at most every `PROBE_INTERVAL` s; wake the stream when it answers."""
        assert self._probe is not None  # noqa: S101 - only started with a probe
        while True:
            # Real time, not `self._sleep`: the probe is no part of the back-off.
            await asyncio.sleep(max(0.0, self._last_probe + PROBE_INTERVAL - time.monotonic()))
            self._last_probe = time.monotonic()
            try:
                await self._probe()
            except Exception as err:  # noqa: BLE001 - any failure only means: not yet
                _LOGGER.debug(
                    "The Pi at %s does not answer yet (%s)", self._host, type(err).__name__
                )
                continue
            self._wake.set()
            return
