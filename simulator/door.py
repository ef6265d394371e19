"""The cabinet door: relay, contact, command history (API.md §4, Cabinet door)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
from typing import Any, Final

from aiohttp import web

from simulator.clock import Clock, rfc3339
from simulator.context import CONTEXT
from simulator.envelope import ENVELOPED, ApiError, Reply, read_json
from simulator.logs import SimLog
from simulator.state import DoorHistoryEntry, SimState

HISTORY_LIMIT: Final = 100
MAX_OPEN_SECONDS: Final = 3600
DOOR_STATES: Final = ("open", "closed", "unknown")
LOCK_STATES: Final = ("locked", "unlocked", "unknown")


class DoorController:
    """Drives the simulated relay; an open with a duration relocks by itself."""

    def __init__(
        self,
        state: SimState,
        clock: Clock,
        save: Callable[[], None],
        journal: SimLog,
        *,
        dev_mode: bool,
    ) -> None:
        """Control `state.door`."""
        self.state = state
        self.clock = clock
        self._save = save
        self.journal = journal
        self.dev_mode = dev_mode
        self._auto_close: asyncio.Task[None] | None = None

    def status(self) -> dict[str, Any]:
        """Return GET /door/status's data."""
        door = self.state.door
        data: dict[str, Any] = {
            "id": door.id,
            "state": door.state,
            "lock_state": door.lock_state,
            "relay_pin": door.relay_pin,
            "hardware_available": True,
            "dev_mode": self.dev_mode,
        }
        if door.last_command is not None:
            data["last_command"] = door.last_command
            data["last_command_time"] = door.last_command_time
        if door.error is not None:
            data["error"] = door.error
        return data

    def _record(self, command: str, *, testing_mode: bool) -> None:
        door = self.state.door
        now = rfc3339()
        door.last_command = command
        door.last_command_time = now
        door.history.insert(
            0, DoorHistoryEntry(door.next_history_id, now, command, "success", testing_mode)
        )
        door.next_history_id += 1
        del door.history[HISTORY_LIMIT:]

    def open(self, duration: float | None, *, testing_mode: bool) -> dict[str, Any]:
        """Unlock and open; relock after `duration` simulated seconds when given."""
        self._cancel_auto_close()
        door = self.state.door
        door.state, door.lock_state, door.error = "open", "unlocked", None
        self._record("open", testing_mode=testing_mode)
        self._save()
        self.journal.info("door", f"door opened{f' for {duration:g}s' if duration else ''}")
        if duration:
            self._auto_close = asyncio.get_running_loop().create_task(
                self._close_after(duration, testing_mode)
            )
        return {"success": True, "state": door.state}

    def close(self, *, command: str = "close", testing_mode: bool = False) -> dict[str, Any]:
        """Close and lock."""
        if asyncio.current_task() is not self._auto_close:
            self._cancel_auto_close()
        door = self.state.door
        door.state, door.lock_state = "closed", "locked"
        self._record(command, testing_mode=testing_mode)
        self._save()
        self.journal.info("door", "door closed and locked")
        return {"success": True, "state": door.state}

    async def _close_after(self, duration: float, testing_mode: bool) -> None:
        await self.clock.sleep(duration)
        self.close(command="lock", testing_mode=testing_mode)
        self._auto_close = None

    def history(self, limit: int) -> list[dict[str, Any]]:
        """Return the newest `limit` commands, newest first."""
        return [entry.to_api() for entry in self.state.door.history[:limit]]

    def force(self, *, state: Any, lock_state: Any, error: Any) -> dict[str, Any]:
        """Fault injection: set what the contact reads, without a command."""
        door = self.state.door
        if state is not None:
            if state not in DOOR_STATES:
                raise ValueError(f"state must be one of {list(DOOR_STATES)}")
            door.state = state
        if lock_state is not None:
            if lock_state not in LOCK_STATES:
                raise ValueError(f"lock_state must be one of {list(LOCK_STATES)}")
            door.lock_state = lock_state
        if error is not None and not isinstance(error, str):
            raise ValueError("error must be a string")
        door.error = error or None
        self._save()
        return self.status()

    def _cancel_auto_close(self) -> None:
        if self._auto_close is not None:
            self._auto_close.cancel()
            self._auto_close = None

    async def shutdown(self) -> None:
        """Stop the auto-close timer."""
        task, self._auto_close = self._auto_close, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def door_status(request: web.Request) -> Reply:
    """GET /door/status."""
    return Reply(request.app[CONTEXT].door.status())


async def door_open(request: web.Request) -> Reply:
    """POST /door/open {duration?, testing_mode?}."""
    body = await read_json(request, required=False)
    duration = body.get("duration")
    if duration is not None and (
        isinstance(duration, bool)
        or not isinstance(duration, int | float)
        or not 0 < duration <= MAX_OPEN_SECONDS
    ):
        raise ApiError(
            "VALIDATION_FAILED", f"duration must be a number of seconds in (0, {MAX_OPEN_SECONDS}]"
        )
    testing_mode = body.get("testing_mode", False)
    if not isinstance(testing_mode, bool):
        raise ApiError("VALIDATION_FAILED", "testing_mode must be a boolean")
    return Reply(
        request.app[CONTEXT].door.open(
            float(duration) if duration is not None else None, testing_mode=testing_mode
        )
    )


async def door_close(request: web.Request) -> Reply:
    """POST /door/close."""
    await read_json(request, required=False)
    return Reply(request.app[CONTEXT].door.close())


async def door_history(request: web.Request) -> Reply:
    """GET /door/history?limit=20."""
    raw = request.query.get("limit", "20")
    try:
        limit = int(raw)
    except ValueError as err:
        raise ApiError("VALIDATION_FAILED", "limit must be an integer") from err
    if not 1 <= limit <= HISTORY_LIMIT:
        raise ApiError("VALIDATION_FAILED", f"limit must be within [1, {HISTORY_LIMIT}]")
    history = request.app[CONTEXT].door.history(limit)
    # The legacy route answers a bare array: the official dashboard indexes it as one.
    return Reply({"history": history} if request.get(ENVELOPED, True) else history)


ROUTES: Final = (
    ("GET", "/door/status", door_status),
    ("POST", "/door/open", door_open),
    ("POST", "/door/close", door_close),
    ("GET", "/door/history", door_history),
)
