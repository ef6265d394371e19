"""The objects one simulator run is made of, shared by handlers through the app."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from random import Random

    from simulator.auth import Auth
    from simulator.clock import Clock
    from simulator.config import SimulatorConfig
    from simulator.door import DoorController
    from simulator.engine import Engine
    from simulator.events import EventBroker
    from simulator.faults import FaultState
    from simulator.logs import SimLog
    from simulator.metrics import Metrics
    from simulator.monitor import MonitorHub
    from simulator.persistence import StateStore
    from simulator.probes import Probes
    from simulator.ratelimit import RateLimiter
    from simulator.state import SimState
    from simulator.stats import Stats
    from simulator.vocabulary import Narrator


@dataclass(slots=True)
class Context:
    """Everything a handler may need; built once by the Simulator."""

    config: SimulatorConfig
    clock: Clock
    rng: Random
    state: SimState
    store: StateStore
    events: EventBroker
    log_events: EventBroker
    narrator: Narrator
    engine: Engine
    journal: SimLog
    metrics: Metrics
    monitor: MonitorHub
    door: DoorController
    auth: Auth
    limiter: RateLimiter
    faults: FaultState
    stats: Stats
    probes: Probes
    settings: dict[str, Any] = field(default_factory=dict)

    def save(self) -> None:
        """Persist the whole state (a no-op without a state file)."""
        self.state.event_seq = self.events.last_id
        if self.store.path is None:
            # Nothing would be written: serialising the whole state on every change
            # only to drop it is CPU the Pi would not spend, and it skewed the bench.
            return
        self.store.save(self.state.to_json())


CONTEXT = web.AppKey("piorch_context", Context)
