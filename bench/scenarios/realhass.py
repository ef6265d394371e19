"""A real `hass` process on a throw-away configuration, as the end-to-end figures use it.

The configuration directory gets the integration (a symlink to
`custom_components/piorchestrator`), the config entries written into
`.storage/core.config_entries` before start-up, the recorder on SQLite, and a tiny
probe integration that timestamps inside Home Assistant (CLOCK_MONOTONIC, the clock
the simulator's timestamps use):

- every state change, written out at shutdown;
- live, into `<out>.status` as they happen: Home Assistant started, each config
  entry's state, and each entry's link sensors (Connection, Event stream), so the
  bench can wait for "every entry loaded" or "every Pi back" without an API token.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
import json
import os
from pathlib import Path
import shutil
import signal
import socket
import sys
import time
from typing import Any

from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
)

from ..harness import ROOT

PROBE_MANIFEST = {
    "domain": "bench_probe",
    "name": "Bench probe",
    "codeowners": [],
    "documentation": "https://example.invalid",
    "iot_class": "calculated",
    "requirements": [],
    "version": "0.0.1",
}

PROBE = '''"""Timestamps every state change; written out when Home Assistant stops."""

import json
import os
import threading
import time

from homeassistant.config_entries import SIGNAL_CONFIG_ENTRY_CHANGED
from homeassistant.const import EVENT_HOMEASSISTANT_STARTED, EVENT_HOMEASSISTANT_STOP
from homeassistant.core import callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_connect

OUT = os.environ["BENCH_PROBE_OUT"]
LINKS = {"_connection": "connection", "_event_stream": "event_stream"}
RECORDER_CAUGHT_UP_BELOW = 50
MEMORY_TOP = 15


async def async_setup(hass, config):
    changes = []
    status = {"sequence": 0, "started_ns": None, "entries": {}, "links": {}}
    kinds = {}
    registry = er.async_get(hass)
    pending = []

    lock = threading.Lock()
    written = [0]

    def write_status(sequence, text):
        # Executor threads may run two writes at once or out of order: the newest wins.
        with lock:
            if sequence <= written[0]:
                return
            written[0] = sequence
            with open(OUT + ".status.tmp", "w") as handle:
                handle.write(text)
            os.replace(OUT + ".status.tmp", OUT + ".status")

    def snapshot():
        status["sequence"] += 1
        return status["sequence"], json.dumps(status)

    @callback
    def flush():
        pending.clear()
        hass.async_add_executor_job(write_status, *snapshot())

    @callback
    def status_changed():
        # Several changes in one burst are written once.
        if not pending:
            pending.append(hass.loop.call_later(0.02, flush))

    def link_kind(entity_id):
        if entity_id not in kinds:
            kind = None
            entry = registry.async_get(entity_id)
            if entry is not None and entry.platform == "piorchestrator":
                for suffix, name in LINKS.items():
                    if entry.unique_id == f"{entry.config_entry_id}{suffix}":
                        kind = (name, entry.config_entry_id)
            kinds[entity_id] = kind
        return kinds[entity_id]

    @callback
    def changed(event):
        now = time.perf_counter_ns()
        entity_id = event.data["entity_id"]
        new = event.data["new_state"]
        state = new.state if new is not None else None
        changes.append((now, entity_id, state, event.data["old_state"] is None))
        if entity_id.startswith("sensor."):
            kind = link_kind(entity_id)
            if kind is not None:
                known = status["links"].get(entity_id)
                if known is None or known[1] != state:
                    status["links"][entity_id] = [now, state, kind[0], kind[1]]
                    status_changed()

    @callback
    def entry_changed(_change, entry):
        if entry.domain != "piorchestrator":
            return
        known = status["entries"].get(entry.entry_id)
        if known is None or known[1] != entry.state.value:
            status["entries"][entry.entry_id] = [time.perf_counter_ns(), entry.state.value]
            status_changed()

    @callback
    def watch_recorder():
        # Whether the recorder's thread has written what it was handed: the bench
        # waits for it before measuring an idle steady state.
        if "recorder" in hass.config.components:
            from homeassistant.components.recorder import get_instance

            caught_up = get_instance(hass).backlog < RECORDER_CAUGHT_UP_BELOW
            known = status.get("recorder")
            if known is None or known[1] != caught_up:
                status["recorder"] = [time.perf_counter_ns(), caught_up]
                status_changed()
        hass.loop.call_later(0.25, watch_recorder)

    hass.bus.async_listen("state_changed", changed)
    async_dispatcher_connect(hass, SIGNAL_CONFIG_ENTRY_CHANGED, entry_changed)
    watch_recorder()
    for entry in hass.config_entries.async_entries("piorchestrator"):
        entry_changed(None, entry)

    async def started(_event):
        status["started_ns"] = time.perf_counter_ns()
        await hass.async_add_executor_job(write_status, *snapshot())
        await hass.async_add_executor_job(write_ready, str(status["started_ns"]))

    def write_ready(text):
        # Renamed into place: the bench polls for the file and must never read it half written.
        with open(OUT + ".ready.tmp", "w") as handle:
            handle.write(text)
        os.replace(OUT + ".ready.tmp", OUT + ".ready")

    def write(text):
        with open(OUT, "w") as handle:
            handle.write(text)

    def memory():
        # Only when started with PYTHONTRACEMALLOC: what the live heap holds, by
        # module and by line, while every entity still exists.
        import tracemalloc

        if not tracemalloc.is_tracing():
            return None
        snapshot = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.Filter(False, tracemalloc.__file__)]
        )

        def top(key):
            return [
                [str(stat.traceback[0]).split("site-packages/")[-1], stat.size, stat.count]
                for stat in snapshot.statistics(key)[:MEMORY_TOP]
            ]

        return {"total": sum(stat.size for stat in snapshot.statistics("filename")),
                "by_file": top("filename"), "by_line": top("lineno")}

    async def stopping(_event):
        unique = {entry.entity_id: entry.unique_id for entry in registry.entities.values()}
        found = memory()
        text = json.dumps(
            {"changes": changes, "unique_ids": unique, "status": status, "memory": found}
        )
        await hass.async_add_executor_job(write, text)

    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STARTED, started)
    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, stopping)
    return True
'''


def free_port() -> int:
    """A TCP port on 127.0.0.1 free right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def write_config(config: Path, entries: list[MockConfigEntry]) -> None:
    """A fresh configuration directory holding `entries`, the recorder and the probe."""
    shutil.rmtree(config, ignore_errors=True)
    (config / "custom_components" / "bench_probe").mkdir(parents=True)
    (config / "custom_components" / "piorchestrator").symlink_to(
        ROOT / "custom_components" / "piorchestrator"
    )
    probe = config / "custom_components" / "bench_probe"
    (probe / "manifest.json").write_text(json.dumps(PROBE_MANIFEST))
    (probe / "__init__.py").write_text(PROBE)
    (config / "configuration.yaml").write_text(
        "homeassistant:\n"
        "  name: Bench\n"
        "  time_zone: UTC\n"
        "  unit_system: metric\n"
        "http:\n"
        "  server_host: 127.0.0.1\n"
        f"  server_port: {free_port()}\n"
        "recorder:\n"
        f"  db_url: sqlite:///{config / 'home-assistant_v2.db'}\n"
        "logger:\n"
        "  default: warning\n"
        "bench_probe:\n"
    )
    store_entries(config, entry_dicts(entries))


def entry_dicts(entries: list[MockConfigEntry]) -> list[dict[str, Any]]:
    """`entries` as `.storage/core.config_entries` holds them."""
    return [json.loads(json.dumps(entry.as_dict(), default=str)) for entry in entries]


def store_entries(config: Path, stored: list[dict[str, Any]]) -> None:
    """Write the config entries Home Assistant finds at start-up."""
    storage = config / ".storage"
    storage.mkdir(exist_ok=True)
    (storage / "core.config_entries").write_text(
        json.dumps(
            {
                "version": 1,
                "minor_version": 5,
                "key": "core.config_entries",
                "data": {"entries": stored},
            }
        )
    )


@dataclass(slots=True)
class LinkStatus:
    """What the probe has written live: started, entries' states, link sensors."""

    started_ns: int | None
    entries: dict[str, tuple[int, str]]
    """Entry ID -> (since when, state)."""
    links: dict[str, tuple[int, str | None, str, str]]
    """Entity ID -> (since when, state, 'connection' or 'event_stream', entry ID)."""
    recorder: tuple[int, bool] | None = None
    """(Since when, whether the recorder's backlog is under a few dozen items)."""

    @property
    def recorder_caught_up(self) -> int | None:
        """Since when the recorder has written (nearly) all it was handed; None while not."""
        if self.recorder is None or not self.recorder[1]:
            return None
        return self.recorder[0]

    def entries_in(self, entry_ids: set[str], state: str = "loaded") -> int | None:
        """When the last of `entry_ids` reached `state`; None while one has not."""
        times = [self.entries.get(entry_id) for entry_id in entry_ids]
        if any(item is None or item[1] != state for item in times):
            return None
        return max((item[0] for item in times if item is not None), default=0)

    def back(self, entry_ids: set[str], kind: str, state: str) -> int | None:
        """When the last of `entry_ids`' `kind` sensor reached `state`; None while one has not."""
        since = {
            entry: t_ns
            for t_ns, shown, link_kind, entry in self.links.values()
            if link_kind == kind and shown == state
        }
        if not entry_ids <= since.keys():
            return None
        return max((since[entry_id] for entry_id in entry_ids), default=0)


class RealHass:
    """One `hass -c CONFIG` process with the probe; `launch`, then wait, then `stop`."""

    def __init__(
        self, process: asyncio.subprocess.Process, out: Path, log: Path, launched_ns: int
    ) -> None:
        """Wrap a started process; use `RealHass.launch`."""
        self.process = process
        self.out = out
        self.log = log
        self.launched_ns = launched_ns

    @classmethod
    async def launch(cls, config: Path, out: Path, *, trace_memory: bool = False) -> RealHass:
        """Start `hass` on `config`; the probe writes to `out` (and its `.ready`, `.status`).

        `trace_memory` runs it under `tracemalloc` (much slower): the probe then adds
        what the heap holds at shutdown, by module and line, to what it writes.
        """
        for path in (out, Path(f"{out}.ready"), Path(f"{out}.status")):
            path.unlink(missing_ok=True)
        log = out.with_suffix(".log")
        launched = time.perf_counter_ns()
        process = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).parent / "hass"),
            "-c",
            str(config),
            "--skip-pip",
            env={
                **os.environ,
                "BENCH_PROBE_OUT": str(out),
                **({"PYTHONTRACEMALLOC": "1"} if trace_memory else {}),
            },
            stdout=asyncio.subprocess.DEVNULL,
            stderr=log.open("w"),
        )
        return cls(process, out, log, launched)

    @property
    def pid(self) -> int:
        """The `hass` process ID."""
        return self.process.pid

    def _check(self, deadline: float, what: str) -> None:
        if self.process.returncode is not None or time.monotonic() > deadline:
            raise RuntimeError(f"hass: {what} did not happen; see {self.log}")

    async def wait_started(self, within: float = 180) -> int:
        """Wait for EVENT_HOMEASSISTANT_STARTED; return its CLOCK_MONOTONIC instant."""
        ready = Path(f"{self.out}.ready")
        deadline = time.monotonic() + within
        while not ready.exists():
            self._check(deadline, "start")
            await asyncio.sleep(0.05)
        return int(ready.read_text())

    def status(self) -> LinkStatus:
        """What the probe has written live so far."""
        try:
            raw = json.loads(Path(f"{self.out}.status").read_text())
        except (OSError, ValueError):
            raw = {}
        return LinkStatus(
            started_ns=raw.get("started_ns"),
            entries={key: (value[0], value[1]) for key, value in raw.get("entries", {}).items()},
            links={
                key: (value[0], value[1], value[2], value[3])
                for key, value in raw.get("links", {}).items()
            },
            recorder=(raw["recorder"][0], raw["recorder"][1]) if raw.get("recorder") else None,
        )

    async def wait_for(self, what: str, test: Any, within: float) -> Any:
        """Poll the live status until `test(status)` is not None; return it."""
        deadline = time.monotonic() + within
        while (found := test(self.status())) is None:
            self._check(deadline, what)
            await asyncio.sleep(0.05)
        return found

    async def stop(self) -> dict[str, Any]:
        """Stop Home Assistant; return what the probe wrote at shutdown."""
        try:
            self.process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(self.process.wait(), 60)
            return dict(json.loads(self.out.read_text()))
        finally:
            await self.kill()

    async def kill(self) -> None:
        """Make sure the process is gone."""
        if self.process.returncode is None:
            self.process.kill()
            with contextlib.suppress(ProcessLookupError):
                await self.process.wait()


def state_entities(probe: dict[str, Any], entry_id: str) -> dict[str, str]:
    """Each board's state entity of `entry_id` -> the board's MAC, from the probe's registry."""
    prefix = f"{entry_id}_"
    found = {}
    for entity_id, unique_id in probe["unique_ids"].items():
        rest = (unique_id or "").removeprefix(prefix)
        if rest != unique_id and rest.endswith("_provisioning_state") and rest.count(":") == 5:
            found[entity_id] = rest[:17]
    return found
