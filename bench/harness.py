"""Home Assistant's test harness, outside pytest, and the probes the scenarios use.

`async_test_home_assistant` (from pytest-homeassistant-custom-component) builds the
same `HomeAssistant` object the `hass` fixture yields. It is used here directly,
not through pytest, for one reason: the plugin's autouse fixture turns on asyncio's
debug mode, which slows every callback and would be measured along with the
integration. Everything else is the harness as the tests use it: registries in
memory, no recorder, the integration loaded from `custom_components/`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import contextlib
from dataclasses import dataclass, field
import gc
import json
import os
from pathlib import Path
import shutil
import sys
import time
from typing import Any

from homeassistant import loader
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_API_KEY, CONF_HOST, CONF_PORT, CONF_SSL, EVENT_STATE_CHANGED
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er, frame
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
    async_test_home_assistant,
)

from custom_components.piorchestrator.const import CONF_POLL_INTERVAL, CONF_VERIFY_SSL, DOMAIN

API_KEY = "bench-api-key"
ROOT = Path(__file__).resolve().parent.parent


class SimChild:
    """The simulator process (`bench.simproc`) and its command channel."""

    def __init__(self, process: asyncio.subprocess.Process, ready: dict[str, Any]) -> None:
        """Wrap a started process; use `SimChild.start`."""
        self.process = process
        self.port: int = ready["port"]
        self.pid: int = ready["pid"]
        self.accepting_ns: int = ready["accepting_ns"]
        self._next = 0
        self._waiting: dict[int, asyncio.Future[Any]] = {}
        self._reader = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def start(cls, *, niceness: int = 0, **config: Any) -> SimChild:
        """Start a simulator with `SimulatorConfig(**config)`, API key set, port chosen.

        `niceness` lowers the process's scheduling priority once it is ready, for runs
        where many simulated Pis must not take the CPU the measured process needs.
        """
        arguments = {"port": 0, "api_key": API_KEY, "seed": 1, **config}
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.simproc",
            json.dumps(arguments),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            cwd=ROOT,
            limit=2**26,
        )
        if process.stdout is None:
            raise RuntimeError("no pipe to the simulator process")
        line = await asyncio.wait_for(process.stdout.readline(), 30)
        if not line:
            raise RuntimeError("the simulator process did not start")
        if niceness:
            # Once started: at the lowest priority, importing alone can take longer
            # than the start-up timeout on a busy machine.
            os.setpriority(os.PRIO_PROCESS, process.pid, niceness)
        return cls(process, json.loads(line))

    @property
    def url(self) -> str:
        """The simulator's base URL."""
        return f"http://127.0.0.1:{self.port}"

    async def _read(self) -> None:
        stdout = self.process.stdout
        if stdout is None:
            return
        while line := await stdout.readline():
            message = json.loads(line)
            future = self._waiting.pop(message.get("id"), None)
            if future is None or future.done():
                continue
            if message.get("ok"):
                future.set_result(message.get("result"))
            else:
                future.set_exception(RuntimeError(message.get("error")))
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(RuntimeError("the simulator process ended"))

    async def call(self, cmd: str, **args: Any) -> Any:
        """Run one command in the simulator process and return its result."""
        if self.process.stdin is None:
            raise RuntimeError("no pipe to the simulator process")
        self._next += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting[self._next] = future
        line = json.dumps({"id": self._next, "cmd": cmd, "args": args}) + "\n"
        self.process.stdin.write(line.encode())
        await self.process.stdin.drain()
        return await future

    async def close(self) -> None:
        """Stop the simulator process."""
        if self.process.returncode is None and self.process.stdin is not None:
            with contextlib.suppress(ConnectionError):
                self.process.stdin.write(b'{"cmd": "quit"}\n')
                await self.process.stdin.drain()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader


@contextlib.asynccontextmanager
async def home_assistant(config_dir: Path) -> AsyncIterator[HomeAssistant]:
    """A harness Home Assistant with custom integrations enabled, in `config_dir`."""
    shutil.rmtree(config_dir, ignore_errors=True)
    config_dir.mkdir(parents=True)
    async with async_test_home_assistant(config_dir=str(config_dir)) as hass:
        frame.async_setup(hass)
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS)
        try:
            yield hass
        finally:
            for entry in hass.config_entries.async_entries():
                if entry.state is ConfigEntryState.LOADED:
                    await hass.config_entries.async_unload(entry.entry_id)
            await hass.async_block_till_done()
            await hass.async_stop(force=True)


def make_entry(sim: SimChild, *, options: dict[str, Any] | None = None) -> MockConfigEntry:
    """A config entry for the simulator."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="127.0.0.1",
        unique_id=f"127.0.0.1:{sim.port}",
        data={
            CONF_HOST: "127.0.0.1",
            CONF_PORT: sim.port,
            CONF_SSL: False,
            CONF_VERIFY_SSL: True,
            CONF_API_KEY: API_KEY,
        },
        options={CONF_POLL_INTERVAL: 5, **(options or {})},
    )


async def setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> float:
    """Set up `entry` and wait for its platforms; return the seconds it took."""
    entry.add_to_hass(hass)
    started = time.perf_counter()
    if not await hass.config_entries.async_setup(entry.entry_id):
        raise RuntimeError("the config entry did not set up")
    await hass.async_block_till_done()
    elapsed = time.perf_counter() - started
    if entry.state is not ConfigEntryState.LOADED:
        raise RuntimeError(f"the config entry is {entry.state}")
    return elapsed


@dataclass(slots=True)
class StateLog:
    """Every state change in Home Assistant, with the time it happened.

    A bus listener marked as a callback runs synchronously inside the state
    machine's write, so the timestamp is the moment the state changed.
    """

    hass: HomeAssistant
    changes: list[tuple[int, str, str | None, bool]] = field(default_factory=list)
    keep: Callable[[str], bool] | None = None
    _remove: Callable[[], None] | None = None

    def start(self) -> StateLog:
        """Listen from now on."""
        keep = self.keep
        changes = self.changes

        @callback
        def changed(event: Event[EventStateChangedData]) -> None:
            entity_id = event.data["entity_id"]
            if keep is not None and not keep(entity_id):
                return
            new = event.data["new_state"]
            changes.append(
                (
                    time.perf_counter_ns(),
                    entity_id,
                    new.state if new is not None else None,
                    event.data["old_state"] is None,
                )
            )

        self._remove = self.hass.bus.async_listen(EVENT_STATE_CHANGED, changed)
        return self

    def stop(self) -> None:
        """Stop listening."""
        if self._remove is not None:
            self._remove()
            self._remove = None


def board_entities(hass: HomeAssistant, entry_id: str) -> dict[str, tuple[str, str]]:
    """Map each board entity's ID to (MAC, description key), from the entity registry."""
    prefix = f"{entry_id}_"
    mapping: dict[str, tuple[str, str]] = {}
    for entity in er.async_entries_for_config_entry(er.async_get(hass), entry_id):
        rest = entity.unique_id.removeprefix(prefix)
        if len(rest) > 18 and rest[17] == "_" and rest.count(":") == 5:
            mapping[entity.entity_id] = (rest[:17], rest[18:])
    return mapping


def entity_id_for(hass: HomeAssistant, entry_id: str, key: str) -> str:
    """The entity ID of one of the Pi's own entities, by description key."""
    registry = er.async_get(hass)
    for platform in ("sensor", "binary_sensor", "lock", "event"):
        entity_id = registry.async_get_entity_id(platform, DOMAIN, f"{entry_id}_{key}")
        if entity_id is not None:
            return entity_id
    raise KeyError(key)


class LoopWatch:
    """The event loop's longest callbacks while installed.

    Wraps `asyncio.Handle._run`, the one place every callback and task step goes
    through, so each run is timed (two clock reads per callback). The longest is the
    largest stall anything else on the loop had to wait for.
    """

    def __init__(self, keep: int = 5) -> None:
        """Keep the `keep` longest runs with a description of each."""
        self.keep = keep
        self.longest: list[tuple[float, str]] = []
        self.count = 0
        self.total = 0.0
        self.over_10ms = 0
        self.gc_longest = 0.0
        self.gc_total = 0.0
        self.gc_collections = 0
        self._gc_started = 0.0
        self._original: Any = None

    def _gc_callback(self, phase: str, info: dict[str, int]) -> None:
        """Time garbage collections: they stall whichever step triggers them."""
        if phase == "start":
            self._gc_started = time.perf_counter()
            return
        took = time.perf_counter() - self._gc_started
        self.gc_collections += 1
        self.gc_total += took
        self.gc_longest = max(self.gc_longest, took)

    def __enter__(self) -> LoopWatch:
        """Install."""
        handle_class = asyncio.Handle
        original = handle_class._run  # noqa: SLF001
        self._original = original
        watch = self

        def run(handle: asyncio.Handle) -> None:
            started = time.perf_counter()
            original(handle)
            took = time.perf_counter() - started
            watch.count += 1
            watch.total += took
            if took > 0.010:
                watch.over_10ms += 1
            if len(watch.longest) < watch.keep or took > watch.longest[-1][0]:
                watch.longest.append((took, _describe(handle)))
                watch.longest.sort(key=lambda item: -item[0])
                del watch.longest[watch.keep :]

        handle_class._run = run  # type: ignore[method-assign,assignment]  # noqa: SLF001
        gc.callbacks.append(self._gc_callback)
        return self

    def __exit__(self, *exc: object) -> None:
        """Uninstall."""
        asyncio.Handle._run = self._original  # type: ignore[method-assign]  # noqa: SLF001
        gc.callbacks.remove(self._gc_callback)

    @property
    def max_seconds(self) -> float:
        """The longest single callback or task step."""
        return self.longest[0][0] if self.longest else 0.0


def _describe(handle: asyncio.Handle) -> str:
    callback_ = getattr(handle, "_callback", None)
    owner = getattr(callback_, "__self__", None)
    if isinstance(owner, asyncio.Task):
        coro = owner.get_coro()
        name = getattr(coro, "__qualname__", None) or repr(coro)
        return f"task {owner.get_name()}: {name}"
    return repr(callback_)[:160]


def process_figures() -> dict[str, Any]:
    """This process's CPU seconds, memory, tasks, timers and open sockets."""
    import psutil  # type: ignore[import-untyped]

    me = psutil.Process()
    times = me.cpu_times()
    loop = asyncio.get_running_loop()
    return {
        "cpu_seconds": times.user + times.system,
        "rss": me.memory_info().rss,
        "tasks": len(asyncio.all_tasks(loop)),
        "timers": sum(
            not timer.cancelled()
            for timer in loop._scheduled  # type: ignore[attr-defined]  # noqa: SLF001
        ),
        "sockets": len(me.net_connections(kind="inet")),
        "fds": me.num_fds(),
    }


def child_cpu_seconds(pid: int) -> float:
    """CPU seconds used so far by another process."""
    import psutil

    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system)


def _git_state() -> str:
    import subprocess

    def git(*args: str) -> str:
        try:
            done = subprocess.run(  # noqa: S603
                ["git", *args],  # noqa: S607
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
        except (OSError, subprocess.CalledProcessError):
            return ""
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = [line for line in git("status", "--porcelain").splitlines() if line]
    if changed:
        return f"{commit} with {len(changed)} uncommitted paths"
    return commit


def machine() -> dict[str, Any]:
    """The machine and the versions the figures were measured with."""
    import platform

    from homeassistant.const import __version__ as ha_version
    import psutil

    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    import aiohttp

    return {
        "git": _git_state(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
        "os": platform.platform(),
        "python": platform.python_version(),
        "homeassistant": ha_version,
        "aiohttp": aiohttp.__version__,
    }
