"""The in-process entry point: `Simulator(config)`, `await start()`, `await stop()`."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace
import logging
from random import Random
import secrets
from types import TracebackType
from typing import Self

from aiohttp import web

from simulator.app import build_app
from simulator.auth import Auth
from simulator.clock import Clock
from simulator.config import SimulatorConfig
from simulator.context import Context
from simulator.door import DoorController
from simulator.engine import Engine
from simulator.events import EventBroker
from simulator.faults import CONTROL_HEADER, FaultState
from simulator.logs import SimLog
from simulator.metrics import Metrics
from simulator.monitor import MonitorHub
from simulator.persistence import StateStore
from simulator.probes import Probes
from simulator.ratelimit import RateLimiter
from simulator.seeding import initial_state, merge_config
from simulator.state import SimState
from simulator.stats import Stats
from simulator.vocabulary import make_narrator

_LOGGER = logging.getLogger(__name__)
_SHUTDOWN_TIMEOUT = 2.0


class Simulator:
    """One PiOrchestrator simulator bound to a TCP port.

    After `start()`: `.port` is the bound port (useful with port 0), `.url` the base URL,
    `.state` the live state (assert on it freely, mutate it at your own risk) and
    `.context` every component (engine, brokers, faults, stats), `.control_headers`
    the header every /_sim request must carry.
    """

    def __init__(
        self, config: SimulatorConfig | None = None, *, probes: Probes | None = None
    ) -> None:
        """Prepare a simulator; nothing is bound until `start()`.

        `probes` are callbacks for a measuring harness (see `simulator.probes`); they
        are kept, as `.probes`, across restarts.
        """
        config = config or SimulatorConfig()
        token = config.control_token or secrets.token_urlsafe(24)
        # Kept in the config, so a simulator revived from `replace(sim.config, ...)`
        # answers the callers of the first one.
        self.config = replace(config, control_token=token)
        self._control_token = token
        self.port = self.config.port
        self.state = SimState()
        self.probes = probes if probes is not None else Probes()
        self._context: Context | None = None
        self._runner: web.AppRunner | None = None
        self._background: list[asyncio.Task[None]] = []

    @property
    def host(self) -> str:
        """Return the bound host."""
        return self.config.host

    @property
    def url(self) -> str:
        """Return the base URL, e.g. http://127.0.0.1:8082."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def control_token(self) -> str:
        """Return the secret the /_sim routes demand in `X-Sim-Control`."""
        return self._control_token

    @property
    def control_headers(self) -> dict[str, str]:
        """Return the headers a /_sim request needs (a fresh dict, free to extend)."""
        return {CONTROL_HEADER: self.control_token}

    @property
    def context(self) -> Context:
        """Return the running components (only after start)."""
        if self._context is None:
            raise RuntimeError("simulator is not started")
        return self._context

    @property
    def running(self) -> bool:
        """Tell whether the simulator is serving."""
        return self._runner is not None

    def _save(self) -> None:
        if self._context is not None:
            self._context.save()

    def _build(self) -> Context:
        config = self.config
        rng = Random(config.seed)
        clock = Clock(config.speed)
        store = StateStore(config.state_file)
        document = store.load()
        if document is not None:
            state = SimState.from_json(document)
            merge_config(state, config, rng)
        else:
            state = initial_state(config, rng)
        self.state = state

        faults = FaultState()
        events = EventBroker(
            "events",
            buffer_size=config.event_buffer,
            last_id=state.event_seq,
            withhold=faults.withholds,
            probes=self.probes,
        )
        log_events = EventBroker("logs", buffer_size=500)
        journal = SimLog(log_events)
        narrator = make_narrator(config.sse_vocabulary, events, config.sse_framing)
        stats = Stats()
        # Its own stream, drawn once from the seed: ticks come at wall-clock moments and
        # must not shift the engine's draws.
        metrics = Metrics(Random(rng.getrandbits(64)), clock)
        engine = Engine(
            state=state,
            config=config,
            clock=clock,
            rng=rng,
            narrator=narrator,
            save=self._save,
            journal=journal,
        )
        monitor = MonitorHub(
            metrics=metrics,
            state=state,
            faults=faults,
            stats=stats,
            interval=clock.scaled(config.monitor_interval),
            active_streams=lambda: len(events.subscribers) + len(log_events.subscribers),
            probes=self.probes,
        )
        return Context(
            config=config,
            clock=clock,
            rng=rng,
            state=state,
            store=store,
            events=events,
            log_events=log_events,
            narrator=narrator,
            engine=engine,
            journal=journal,
            metrics=metrics,
            monitor=monitor,
            door=DoorController(state, clock, self._save, journal, dev_mode=config.dev_mode),
            auth=Auth(config.api_key, dev_mode=config.dev_mode),
            limiter=RateLimiter(config.rate_limit, speed=config.speed),
            faults=faults,
            stats=stats,
            probes=self.probes,
        )

    async def start(self) -> None:
        """Load or create the state, bind the port and start the timers."""
        if self._runner is not None:
            raise RuntimeError("simulator already started")
        ctx = self._build()
        self._context = ctx
        ctx.engine.adopt_loaded_state()
        ctx.save()
        runner = web.AppRunner(
            build_app(ctx),
            handle_signals=False,
            access_log=None,
            shutdown_timeout=_SHUTDOWN_TIMEOUT,
        )
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.config.host, self.config.port, reuse_address=True)
            await site.start()
        except BaseException:
            await runner.cleanup()
            self._context = None
            raise
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        self._background.append(asyncio.get_running_loop().create_task(ctx.monitor.run()))
        ctx.journal.info("simulator", f"PiOrchestrator simulator started on port {self.port}")
        _LOGGER.info("PiOrchestrator simulator listening on %s", self.url)

    async def stop(self) -> None:
        """Close the streams, stop the timers, flush the state, release the port."""
        runner, self._runner = self._runner, None
        if runner is None or self._context is None:
            return
        ctx = self._context
        ctx.events.close_all()
        ctx.log_events.close_all()
        await ctx.monitor.shutdown(grace=0.5)
        background, self._background = self._background, []
        for task in background:
            task.cancel()
        for task in background:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await ctx.engine.shutdown()
        await ctx.door.shutdown()
        ctx.save()
        await runner.cleanup()

    async def __aenter__(self) -> Self:
        """Start on entry."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop on exit."""
        await self.stop()
