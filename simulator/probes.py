"""Callbacks for a harness that measures the simulator from inside its process.

The bench (`bench/simproc.py`) times what the simulated Pi does at the source: when
an event is written to a socket, when the figures move. It sets these callbacks
instead of wrapping the simulator's internals. The simulator calls each one
synchronously at the moment it names, so a clock read in the callback is that
moment; the simulator does not choose the clock. A callback must be quick and must
not raise: it runs on the simulator's write path.

The `Probes` object belongs to the `Simulator` and outlives its restarts; callbacks
are read at each call, so they may be set or cleared at any time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.events import WireEvent
    from simulator.metrics import Snapshot


@dataclass(slots=True)
class Probes:
    """What a harness wants to hear about; None hears nothing (the default)."""

    event_published: Callable[[WireEvent], None] | None = None
    """A provisioning event got its id (a withheld event is not published)."""
    event_written: Callable[[WireEvent], None] | None = None
    """A provisioning event is about to be written to one client's SSE stream.

    Called once per stream that carries it, replays included; not for keepalive
    heartbeats or the log stream.
    """
    metrics_ticked: Callable[[Snapshot], None] | None = None
    """The Pi's figures moved (a monitor tick), whether or not a client listens."""
