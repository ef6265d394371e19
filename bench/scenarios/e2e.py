"""End to end: event-to-state latency in a real `hass` process, recorder included.

A throw-away configuration directory gets the integration (a symlink to
`custom_components/piorchestrator`), a config entry written into
`.storage/core.config_entries` before start-up, the recorder on SQLite, and a tiny
probe integration that timestamps every state change inside Home Assistant
(CLOCK_MONOTONIC, the clock the simulator's timestamps use) and writes them out at
shutdown. The simulator runs in its own process as everywhere else.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from pathlib import Path
import shutil
import signal
import socket
import sys
import time
from typing import Any

from ..harness import ROOT, SimChild, make_entry
from ..profiles import Profile
from ..stats import summarise
from .common import match_events, ms_distribution

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
import time

from homeassistant.const import EVENT_HOMEASSISTANT_STARTED, EVENT_HOMEASSISTANT_STOP
from homeassistant.core import callback
from homeassistant.helpers import entity_registry as er

OUT = os.environ["BENCH_PROBE_OUT"]


async def async_setup(hass, config):
    changes = []

    @callback
    def changed(event):
        new = event.data["new_state"]
        changes.append(
            (
                time.perf_counter_ns(),
                event.data["entity_id"],
                new.state if new is not None else None,
                event.data["old_state"] is None,
            )
        )

    hass.bus.async_listen("state_changed", changed)

    async def started(_event):
        await hass.async_add_executor_job(write_ready, str(time.perf_counter_ns()))

    def write_ready(text):
        with open(OUT + ".ready", "w") as handle:
            handle.write(text)

    def write(text):
        with open(OUT, "w") as handle:
            handle.write(text)

    async def stopping(_event):
        registry = er.async_get(hass)
        unique = {entry.entity_id: entry.unique_id for entry in registry.entities.values()}
        text = json.dumps({"changes": changes, "unique_ids": unique})
        await hass.async_add_executor_job(write, text)

    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STARTED, started)
    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, stopping)
    return True
'''


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _prepare(config: Path, sim: SimChild) -> str:
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
        f"  server_port: {_free_port()}\n"
        "recorder:\n"
        f"  db_url: sqlite:///{config / 'home-assistant_v2.db'}\n"
        "logger:\n"
        "  default: warning\n"
        "bench_probe:\n"
    )
    entry = make_entry(sim)
    storage = config / ".storage"
    storage.mkdir()
    (storage / "core.config_entries").write_text(
        json.dumps(
            {
                "version": 1,
                "minor_version": 5,
                "key": "core.config_entries",
                "data": {"entries": [json.loads(json.dumps(entry.as_dict(), default=str))]},
            }
        )
    )
    return str(entry.entry_id)


async def end_to_end(work: Path, boards: int = 50, speed: float = 1.0) -> dict[str, Any]:
    """One session of `boards` boards at the Pi's pace, seen by a real `hass`."""
    import psutil  # type: ignore[import-untyped]

    sim = await SimChild.start(boards=boards, speed=speed)
    config = work / "realhass"
    out = work / "realhass-probe.json"
    out.unlink(missing_ok=True)
    Path(f"{out}.ready").unlink(missing_ok=True)
    process: asyncio.subprocess.Process | None = None
    try:
        entry_id = _prepare(config, sim)
        started = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).parent / "hass"),
            "-c",
            str(config),
            "--skip-pip",
            env={**os.environ, "BENCH_PROBE_OUT": str(out)},
            stdout=asyncio.subprocess.DEVNULL,
            stderr=(work / "realhass.log").open("w"),
        )
        ready = Path(f"{out}.ready")
        deadline = time.monotonic() + 180
        while not ready.exists():
            if process.returncode is not None or time.monotonic() > deadline:
                raise RuntimeError("hass did not start; see .bench/realhass.log")
            await asyncio.sleep(0.2)
        start_seconds = time.perf_counter() - started
        # Let the integration's streams connect.
        await asyncio.sleep(3)
        hass_process = psutil.Process(process.pid)
        rss_before = hass_process.memory_info().rss
        cpu = hass_process.cpu_times()
        cpu_before = cpu.user + cpu.system
        await sim.call("record", on=True)
        done = await sim.call("run_session", within=300)
        await asyncio.sleep(3)
        cpu = hass_process.cpu_times()
        cpu_used = cpu.user + cpu.system - cpu_before
        rss_after = hass_process.memory_info().rss
        recorded = await sim.call("take")
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 60)
        probe = json.loads(out.read_text())
    finally:
        if process is not None and process.returncode is None:
            process.kill()
            with contextlib.suppress(ProcessLookupError):
                await process.wait()
        await sim.close()
    prefix = f"{entry_id}_"
    state_entities = {}
    for entity_id, unique_id in probe["unique_ids"].items():
        rest = (unique_id or "").removeprefix(prefix)
        if rest.endswith("_provisioning_state") and rest.count(":") == 5:
            state_entities[entity_id] = rest[:17]
    changes = [tuple(change) for change in probe["changes"]]
    matched = match_events(recorded["events"], changes, state_entities)
    return {
        "boards": done["boards"],
        "start_seconds": start_seconds,
        "events_written": len(recorded["events"]),
        "all": ms_distribution(matched.change_ns + matched.new_ns),
        "state_change": ms_distribution(matched.change_ns),
        "new_board": ms_distribution(matched.new_ns),
        "unmatched": matched.unmatched,
        "hass_cpu_seconds_during_session": cpu_used,
        "hass_rss_before": rss_before,
        "hass_rss_after": rss_after,
    }


async def e2e(profile: Profile, work: Path) -> dict[str, Any]:
    """Figure 1 end to end: a real `hass` with the recorder, 50 boards at the Pi's pace."""
    runs = [await end_to_end(work) for _ in range(profile.e2e_runs or 1)]
    return {"runs": runs, "summary": summarise(runs)}
