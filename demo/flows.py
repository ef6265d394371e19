"""Reauthenticate and reconfigure a config entry through the flow API, as the frontend does.

Shared by the demo's flows check (`python -m demo check-flows`) and the bare-venv check
(tools/bare_hass.py): the Pi changes its key through the simulator's control API, the
reauth flow Home Assistant starts is answered with the new key, then the entry is
reconfigured with the same address. Each must end as the integration says and reload the
entry once, its entities back with a state afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path
import sys
import time
from typing import Any, Final

import aiohttp

from simulator.faults import CONTROL_HEADER
from tools import hass_log
from tools.hass_log import DOMAIN, EntryStates

from .hass_api import DemoError, HomeAssistantApi, HomeAssistantSocket

ENTITIES_TIMEOUT: Final = 60.0
# The coordinators poll every 5 s by default; a refused key shows within a few polls.
REAUTH_FLOW_TIMEOUT: Final = 90.0
RELOAD_TIMEOUT: Final = 60.0
# A second reload follows the first within milliseconds (both are scheduled by the same
# update of the entry); seconds of quiet in state `loaded` mean the reloads are over.
RELOAD_SETTLE: Final = 5.0
SETTLED_BADLY: Final = frozenset(("setup_error", "setup_retry", "migration_error", "failed_unload"))

# Starts hass although the release asks for a newer patch level of Python than this
# machine has (2026.2 asks for 3.13.2 and runs on 3.13.0, where its test suite passes).
LENIENT_HASS: Final = """\
import sys
import homeassistant.__main__ as entry
entry.REQUIRED_PYTHON_VER = sys.version_info[:3]
sys.argv[0] = "hass"
sys.exit(entry.main())
"""


def hass_command(hass_bin: Path, *, lenient_python: bool) -> list[str]:
    """How to start the `hass` of a venv; leniently, through that venv's Python.

    Started that way, `python -c` puts the working directory on sys.path: start hass from
    its configuration directory, or a checkout's `custom_components` would shadow the copy.
    """
    if lenient_python:
        return [str(hass_bin.with_name("python")), "-c", LENIENT_HASS]
    return [str(hass_bin)]


def needs_lenient_python(
    required: tuple[int, ...], running: tuple[int, ...] = tuple(sys.version_info[:3])
) -> bool:
    """Whether the release asks for a newer Python than `running` (its REQUIRED_PYTHON_VER)."""
    return tuple(running) < tuple(required)


async def wait_for_entities(api: HomeAssistantApi, entry_id: str) -> list[dict[str, Any]]:
    """The entry's entities with a state, once every enabled one of them has one."""
    socket_api = await api.websocket()
    try:
        deadline = time.monotonic() + ENTITIES_TIMEOUT
        while True:
            registry = await socket_api.call("config/entity_registry/list")
            ours = {
                e["entity_id"]
                for e in registry
                if e.get("platform") == DOMAIN
                and e.get("config_entry_id") == entry_id
                and e.get("disabled_by") is None
            }
            states = await api.request("GET", "/api/states")
            shown = [s for s in states if s["entity_id"] in ours and s["state"] != "unavailable"]
            if ours and len(shown) == len(ours):
                return shown
            if time.monotonic() > deadline:
                raise DemoError(
                    f"{len(shown)} of {len(ours)} entities of the {DOMAIN} entry have a state "
                    f"after {ENTITIES_TIMEOUT:.0f} s"
                )
            await asyncio.sleep(1)
    finally:
        await socket_api.close()


class EntryWatcher:
    """Follows one config entry's state the way the frontend does (`config_entries/subscribe`)."""

    def __init__(self, socket_api: HomeAssistantSocket, entry_id: str) -> None:
        """Record the states of `entry_id` announced on `socket_api`; call `start` next."""
        self._socket = socket_api
        self.entry_id = entry_id
        self.states = EntryStates()
        self._changed_at = time.monotonic()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Subscribe; the first announcement holds every entry's current state."""
        self._task = asyncio.create_task(self._follow(), name="entry watcher")
        await self._socket.call("config_entries/subscribe")

    async def _follow(self) -> None:
        while True:
            # Typed as one event, but this subscription's events are lists of changes.
            changes: Any = await self._socket.events.get()
            for change in changes if isinstance(changes, list) else ():
                entry = change.get("entry") or {}
                if entry.get("entry_id") == self.entry_id and "state" in entry:
                    before = self.states.mark()
                    self.states.add(str(entry["state"]))
                    if self.states.mark() != before:
                        self._changed_at = time.monotonic()

    async def wait_reloaded(self, mark: int) -> tuple[int, float]:
        """Wait until the entry was set up again and stayed loaded.

        Return how many times it was set up, and when (monotonic) it was last loaded.
        """
        deadline = time.monotonic() + RELOAD_TIMEOUT
        while True:
            setups = self.states.setups_since(mark)
            quiet = time.monotonic() - self._changed_at >= RELOAD_SETTLE
            if setups and quiet and self.states.current == "loaded":
                return setups, self._changed_at
            if setups and quiet and self.states.current in SETTLED_BADLY:
                raise DemoError(f"the entry went {' -> '.join(self.states.since(mark))}")
            if time.monotonic() > deadline:
                raise DemoError(
                    f"the entry was not reloaded and loaded within {RELOAD_TIMEOUT:.0f} s "
                    f"(states since: {' -> '.join(self.states.since(mark)) or 'none'})"
                )
            await asyncio.sleep(0.2)

    async def close(self) -> None:
        """Stop following and close the connection."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._socket.close()


async def set_pi_key(
    session: aiohttp.ClientSession, sim_url: str, control_token: str, key: str
) -> None:
    """Have the simulated Pi accept only `key` from now on, as if someone changed it there."""
    async with session.post(
        f"{sim_url}/_sim/api-key", json={"api_key": key}, headers={CONTROL_HEADER: control_token}
    ) as response:
        if response.status != 200:
            raise DemoError(f"the simulator refused the key change: {await response.text()}")


async def _wait_for_reauth_flow(api: HomeAssistantApi, entry_id: str) -> str:
    """The reauth flow Home Assistant started for the entry, once it is in progress.

    The REST API has no list of flows (GET /api/config/config_entries/flow answers 405
    on 2025.4 and 2026.2); the frontend asks the WebSocket API, and so does this.
    """
    socket_api = await api.websocket()
    try:
        deadline = time.monotonic() + REAUTH_FLOW_TIMEOUT
        while True:
            for flow in await socket_api.call("config_entries/flow/progress"):
                context = flow.get("context") or {}
                if (
                    flow.get("handler") == DOMAIN
                    and context.get("source") == "reauth"
                    and context.get("entry_id") == entry_id
                ):
                    return str(flow["flow_id"])
            if time.monotonic() > deadline:
                raise DemoError(
                    f"no reauth flow in progress {REAUTH_FLOW_TIMEOUT:.0f} s after the Pi "
                    "changed its key"
                )
            await asyncio.sleep(0.5)
    finally:
        await socket_api.close()


async def reauth(
    api: HomeAssistantApi,
    watcher: EntryWatcher,
    session: aiohttp.ClientSession,
    sim: tuple[str, str],
    new_key: str,
) -> str:
    """The Pi at `sim` (its URL and control token) changes its key; reauthenticate with it.

    Return what happened, in one line.
    """
    entry_id = watcher.entry_id
    started = time.monotonic()
    await set_pi_key(session, *sim, new_key)
    flow_id = await _wait_for_reauth_flow(api, entry_id)
    noticed = time.monotonic() - started
    # Opening the notification shows the flow's current step, read back like this.
    form = await api.request("GET", f"/api/config/config_entries/flow/{flow_id}")
    if form.get("type") != "form" or form.get("step_id") != "reauth_confirm":
        raise DemoError(f"the reauth flow did not ask for the key: {form}")
    submitted = await _submit(api, watcher, flow_id, {"api_key": new_key}, "reauth")
    return (
        f"flow in progress {noticed:.1f} s after the Pi changed its key; {submitted} "
        f"(step {time.monotonic() - started:.1f} s with {RELOAD_SETTLE:.0f} s watching for "
        "a second reload)"
    )


async def reconfigure(api: HomeAssistantApi, watcher: EntryWatcher, sim_port: int, key: str) -> str:
    """Reconfigure the entry with the same address (and `key`, if asked); one line back."""
    entry_id = watcher.entry_id
    started = time.monotonic()
    # As the frontend's "Reconfigure" menu item: HA 2025.4's and 2026.2's
    # ConfigManagerFlowIndexView.get_context turn an `entry_id` into source
    # `reconfigure`, which runs the flow's async_step_reconfigure (its form's step).
    flow = await api.request(
        "POST",
        "/api/config/config_entries/flow",
        {"handler": DOMAIN, "entry_id": entry_id, "show_advanced_options": False},
    )
    if flow.get("type") != "form" or flow.get("step_id") != "reconfigure":
        raise DemoError(f"the reconfigure flow did not show its form: {flow}")
    answer: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": sim_port,
        "ssl": False,
        "verify_ssl": True,
    }
    asks_key = any(
        field.get("name") == "api_key" and field.get("required")
        for field in flow.get("data_schema") or []
    )
    if asks_key:
        answer["api_key"] = key
    submitted = await _submit(api, watcher, flow["flow_id"], answer, "reconfigure")
    return (
        f"same address{' and key' if asks_key else ''}; {submitted} "
        f"(step {time.monotonic() - started:.1f} s with {RELOAD_SETTLE:.0f} s watching "
        "for a second reload)"
    )


async def _submit(
    api: HomeAssistantApi, watcher: EntryWatcher, flow_id: str, answer: dict[str, Any], flow: str
) -> str:
    """Answer the flow's form; it must end with `{flow}_successful` and reload the entry once.

    Return what happened, for the step's line.
    """
    mark = watcher.states.mark()
    finished = time.monotonic()
    result = await api.request("POST", f"/api/config/config_entries/flow/{flow_id}", answer)
    if result.get("type") != "abort" or result.get("reason") != f"{flow}_successful":
        raise DemoError(f"the {flow} flow did not end with {flow}_successful: {result}")
    setups, loaded_at = await watcher.wait_reloaded(mark)
    if setups > 1:
        raise DemoError(
            f"the {flow} reloaded the entry {setups} times "
            f"({' -> '.join(watcher.states.since(mark))}); once is enough"
        )
    shown = await wait_for_entities(api, watcher.entry_id)
    return (
        f"{flow}_successful, entry set up {setups}x "
        f"({' -> '.join(watcher.states.since(mark))}), loaded {loaded_at - finished:.2f} s "
        f"after submitting, {len(shown)} entities with a state"
    )


INSTALLING: Final = "Attempting install"
"""What Home Assistant logs (homeassistant.util.package, at info) before a pip install."""


def installs(text: str) -> list[str]:
    """The log's lines saying Home Assistant installed a package at run time."""
    return [line for line in text.splitlines() if INSTALLING in line]


@dataclass(frozen=True, slots=True)
class LogFindings:
    """What one hass log says about the integration; `failed` when a user would notice."""

    broken: list[str]
    reported: list[str]
    others: list[str]
    installed: list[str]
    installs_fail: bool

    @classmethod
    def read(cls, text: str, *, installs_fail: bool) -> LogFindings:
        """Read a log; `installs_fail` when every package should have been there already."""
        reported = hass_log.deprecations_about_us(text)
        return cls(
            broken=hass_log.broken(text),
            reported=reported,
            others=[r for r in hass_log.deprecations(text) if r not in reported],
            installed=installs(text),
            installs_fail=installs_fail,
        )

    @property
    def failed(self) -> bool:
        """A load failure, a deprecation report naming us, or an install that should not be."""
        return bool(self.broken or self.reported or (self.installs_fail and self.installed))

    def details(self) -> list[str]:
        """One line per record worth showing, the failing ones marked `log:`."""
        shown = [f"deprecation, not about {DOMAIN}: {_one_line(r)}" for r in self.others]
        failing = self.broken + self.reported + (self.installed if self.installs_fail else [])
        return shown + [f"log: {_one_line(r)}" for r in failing]

    def summary(self) -> str:
        """The counts, in one line."""
        return (
            f"{len(self.reported)} deprecation report(s) about {DOMAIN}, "
            f"{len(self.others)} about others, {len(self.broken)} load failure(s), "
            f"{len(self.installed)} package install(s) at run time"
        )


def _one_line(record: str) -> str:
    return record.replace("\n", " | ")[:600]
