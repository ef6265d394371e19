"""The simulated Pi in its own process, driven by the bench over stdin and stdout.

The simulator runs apart from Home Assistant, as a real Pi would: the Home Assistant
process's CPU time and memory are then its own, and the two do not share an event
loop. The bench sends one JSON command per line on stdin and reads one JSON answer
per line on stdout.

Timestamps are `time.perf_counter_ns()`, which is CLOCK_MONOTONIC on Linux and so
comparable between the two processes. They are taken at the source, in the
callbacks the simulator offers a measuring harness (`simulator.probes`):

- every SSE event just before the simulator writes it to the socket;
- every monitor tick (when the Pi's figures, the CPU value among them, change);
- every event published (counted, not timed).

Nothing here changes what the simulator sends or does.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import contextlib
import dataclasses
import json
import os
import sys
import time
from typing import Any

from simulator import Simulator, SimulatorConfig
from simulator.events import WireEvent
from simulator.metrics import Snapshot
from simulator.probes import Probes
from simulator.state import SessionConfig

WIFI_PASSWORD = "bench-wifi-password"  # noqa: S105 - a made-up password for a simulated network


class Recorder:
    """What the simulator wrote, with source timestamps."""

    def __init__(self) -> None:
        """Start with recording off."""
        self.on = False
        self.events: list[tuple[int, int, str, str | None, str | None]] = []
        self.ticks: list[tuple[int, float]] = []
        self.published = 0

    def event_written(self, item: WireEvent) -> None:
        """Record one SSE event: (t_ns, id, type, mac, state)."""
        if not self.on:
            return
        mac, state = _device_of(item.data)
        self.events.append((time.perf_counter_ns(), item.id, item.type, mac, state))

    def ticked(self, snapshot: Snapshot) -> None:
        """Record one monitor tick: (t_ns, CPU usage)."""
        if self.on:
            self.ticks.append((time.perf_counter_ns(), snapshot.cpu_usage))

    def event_published(self, _event: WireEvent) -> None:
        """Count one published event, recording or not."""
        self.published += 1

    def probes(self) -> Probes:
        """The simulator's callbacks, bound to this recorder."""
        return Probes(
            event_published=self.event_published,
            event_written=self.event_written,
            metrics_ticked=self.ticked,
        )

    def take(self) -> dict[str, Any]:
        """Hand over and forget what was recorded."""
        events, self.events = self.events, []
        ticks, self.ticks = self.ticks, []
        return {"events": events, "ticks": ticks}


def _device_of(data: Any) -> tuple[str | None, str | None]:
    """The board and its new state an event is about, in either vocabulary."""
    payload = data.get("payload") if isinstance(data, dict) else None
    if not isinstance(payload, dict):
        return None, None
    device = payload.get("device")
    if isinstance(device, dict):
        return device.get("mac"), device.get("state")
    if "mac" in payload:
        return payload.get("mac"), payload.get("new_state") or (
            "discovered" if data.get("type") == "device.discovered" else None
        )
    return None, None


RECORDER = Recorder()


class SimProcess:
    """One simulator and the commands the bench may send it."""

    def __init__(self, config: SimulatorConfig) -> None:
        """Prepare the simulator, its probes on the recorder; `start()` binds it."""
        self.sim = Simulator(config, probes=RECORDER.probes())
        self.session_id: str | None = None

    async def start(self) -> int:
        """Bind; return the time the port accepts connections."""
        await self.sim.start()
        accepting = time.perf_counter_ns()
        # Come back on the same port after an outage, as a Pi would.
        self.sim.config = dataclasses.replace(self.sim.config, port=self.sim.port)
        return accepting

    # -- commands -------------------------------------------------------------------

    async def cmd_record(self, on: bool = True) -> dict[str, Any]:
        """Switch recording on or off; forget what was recorded."""
        RECORDER.on = on
        RECORDER.take()
        return {"on": on}

    async def cmd_take(self) -> dict[str, Any]:
        """Hand over what was recorded since the last take."""
        return RECORDER.take()

    async def cmd_start_session(self) -> dict[str, Any]:
        """Start a session on the boards waiting on the onboarding network."""
        engine = self.sim.context.engine
        session = engine.start_session("CabinetNet", WIFI_PASSWORD, SessionConfig())
        self.session_id = session.id
        return {"session_id": session.id}

    async def cmd_run_session(
        self,
        *,
        stop: bool = False,
        retry_failed: bool = True,
        within: float = 120.0,
        provision_at_ns: int | None = None,
    ) -> dict[str, Any]:
        """Take every waiting board through the whole state machine.

        Start a session, wait until every waiting board is discovered, provision
        them all, retry failed boards while the Pi allows it, and optionally stop
        the session once every board is verified or out of retries.

        `provision_at_ns` (CLOCK_MONOTONIC, shared with the bench) holds provision-all
        back until that instant, so that several Pis can burst within the same second.
        """
        ctx = self.sim.context
        engine = ctx.engine
        waiting = sum(board.on_onboarding for board in ctx.state.boards.values())
        published = RECORDER.published
        started = time.perf_counter_ns()
        session = engine.start_session("CabinetNet", WIFI_PASSWORD, SessionConfig())
        self.session_id = session.id
        deadline = time.monotonic() + within
        while len(session.devices) < waiting:
            await _tick(deadline)
        if provision_at_ns is not None:
            await asyncio.sleep(max(0.0, (provision_at_ns - time.perf_counter_ns()) / 1e9))
        provisioned_ns = time.perf_counter_ns()
        engine.provision_all(session.id, only_allowlisted=False)
        while True:
            states = [board.state for board in session.devices.values()]
            if all(state in ("verified", "failed") for state in states):
                retryable = [
                    board
                    for board in session.devices.values()
                    if board.state == "failed" and board.retry_count < 3
                ]
                if not retry_failed or not retryable:
                    break
                for board in retryable:
                    engine.retry_device(session.id, board.mac)
            await _tick(deadline)
        finished = time.perf_counter_ns()
        if stop:
            await engine.stop_session(session.id)
        return {
            "session_id": session.id,
            "boards": len(session.devices),
            "states": {mac: board.state for mac, board in session.devices.items()},
            "published": RECORDER.published - published,
            "started_ns": started,
            "provisioned_ns": provisioned_ns,
            "finished_ns": finished,
        }

    async def cmd_recycle(self) -> dict[str, Any]:
        """Forget closed sessions and put every board back on the onboarding network.

        The same boards then go through the next session: a long run keeps a
        steady number of boards instead of accumulating new ones.
        """
        state = self.sim.context.state
        for session_id in [sid for sid, s in state.sessions.items() if not s.is_open]:
            del state.sessions[session_id]
        for board in state.boards.values():
            board.on_onboarding = True
            board.attempts = 0
        return {"sessions": len(state.sessions), "boards": len(state.boards)}

    async def cmd_soak(self, *, seconds: float, stop_sessions: bool = True) -> dict[str, Any]:
        """Run sessions back to back for `seconds`; count the events they published."""
        published = RECORDER.published
        cycles = 0
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            await self.cmd_run_session(stop=stop_sessions)
            await self.cmd_recycle()
            cycles += 1
        return {"cycles": cycles, "published": RECORDER.published - published}

    async def cmd_truth(self, session_id: str | None = None) -> dict[str, Any]:
        """Every board's state in a session, as the Pi knows it."""
        sid = session_id or self.session_id
        session = self.sim.context.state.sessions.get(sid) if sid else None
        if session is None:
            return {"states": {}}
        return {"states": {mac: c.state for mac, c in session.devices.items()}}

    async def cmd_stop_session(self) -> dict[str, Any]:
        """Stop the current session."""
        session = self.sim.context.engine.current_session()
        if session is not None:
            await self.sim.context.engine.stop_session(session.id)
        return {"stopped": session.id if session is not None else None}

    async def cmd_outage(self, *, seconds: float, abort: bool = False) -> dict[str, Any]:
        """Stop serving, stay down `seconds`, serve again; return when it accepts again.

        `abort` cuts the TCP connections first (a crash); otherwise the streams end
        cleanly (a restart of the Pi's service).
        """
        ctx = self.sim.context
        down = time.perf_counter_ns()
        if abort:
            ctx.events.close_all(abort=True)
            ctx.monitor.close_all(abort=True)
        await self.sim.stop()
        stopped = time.perf_counter_ns()
        await asyncio.sleep(seconds)
        accepting = await self.start()
        return {"down_ns": down, "stopped_ns": stopped, "accepting_ns": accepting}

    async def cmd_stats(self) -> dict[str, Any]:
        """Requests served by path, events sent, connections, and this process's CPU."""
        ctx = self.sim.context
        times = os.times()
        return {
            "requests": {path: dict(counts) for path, counts in ctx.stats.requests.items()},
            "events_sent": dict(ctx.stats.events_sent),
            "connections_opened": dict(ctx.stats.connections_opened),
            "published": RECORDER.published,
            "cpu_seconds": times.user + times.system,
        }

    async def cmd_reset_stats(self) -> dict[str, Any]:
        """Zero the request and event counters."""
        self.sim.context.stats.reset()
        return {}


async def _tick(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise TimeoutError("the session did not finish in time")
    await asyncio.sleep(0.001)


def _write(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message, separators=(",", ":")) + "\n")
    sys.stdout.flush()


async def _serve(process: SimProcess) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=2**24)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    tasks: set[asyncio.Task[None]] = set()

    async def run(
        number: int, handler: Callable[..., Awaitable[dict[str, Any]]], args: Any
    ) -> None:
        try:
            result = await handler(**args)
        except Exception as err:  # noqa: BLE001 - every failure goes back to the bench
            _write({"id": number, "ok": False, "error": f"{type(err).__name__}: {err}"})
        else:
            _write({"id": number, "ok": True, "result": result})

    while line := await reader.readline():
        request = json.loads(line)
        if request.get("cmd") == "quit":
            break
        handler = getattr(process, f"cmd_{request['cmd']}", None)
        if handler is None:
            _write({"id": request["id"], "ok": False, "error": f"no command {request['cmd']}"})
            continue
        task = loop.create_task(run(request["id"], handler, request.get("args") or {}))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    for task in list(tasks):
        task.cancel()
    await process.sim.stop()


async def main(arguments: dict[str, Any]) -> None:
    """Start the simulator from `arguments`, announce its port, then serve commands."""
    process = SimProcess(SimulatorConfig(**arguments))
    accepting = await process.start()
    _write({"ready": True, "port": process.sim.port, "accepting_ns": accepting, "pid": os.getpid()})
    await _serve(process)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(json.loads(sys.argv[1])))
