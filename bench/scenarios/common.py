"""What the scenarios share: simulator settings, waiting, and matching events to states."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
import time
from typing import Any

from homeassistant.core import HomeAssistant

from ..harness import board_entities
from ..stats import distribution

MS = 1e6  # nanoseconds per millisecond
BOARD_STATE_KEY = "provisioning_state"

FAST = 10_000.0
"""Simulator speed for "as fast as it can": every simulated timer divided by this."""


def fast_config(speed: float, **extra: Any) -> dict[str, Any]:
    """A simulator config whose engine runs `speed` times faster, other timers as on a Pi.

    Keepalives (15 s), monitor ticks (5 s) and the session's lifetime are scaled back
    up, so only the provisioning steps are compressed.
    """
    return {
        "speed": speed,
        "keepalive_interval": 15.0 * speed,
        "monitor_interval": 5.0 * speed,
        "session_timeout": 4 * 3600.0 * speed,
        **extra,
    }


async def wait_until(condition: Callable[[], bool], within: float, step: float = 0.005) -> bool:
    """Wait until `condition()` holds, up to `within` seconds; return whether it did."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(step)
    return True


def config_dir(work: Path, name: str) -> Path:
    """The configuration directory of one scenario's Home Assistant."""
    return work / "hass" / name


# ---------------------------------------------------------------------------------------
# Matching the simulator's writes with Home Assistant's state changes


@dataclass(slots=True)
class Matched:
    """Event-to-state latencies of one run."""

    change_ns: list[int]
    """Board already known: its state entity changed."""
    new_ns: list[int]
    """Board seen for the first time: its entities were created with a state."""
    unmatched: int
    """State events that changed nothing in Home Assistant (or were lost)."""
    boards: dict[str, list[str]]
    """Each board's states as Home Assistant showed them, in order."""
    sim_boards: dict[str, list[str]]
    """Each board's states as the simulator sent them, in order."""


def match_events(
    events: Sequence[Sequence[Any]],
    changes: Sequence[tuple[int, str, str | None, bool]],
    state_entities: dict[str, str],
) -> Matched:
    """Pair every board event the simulator wrote with the state change it caused.

    For each board, walk its events in order; each one is matched with the first
    later change of the board's state entity to the event's state. An event that
    repeats the board's previous state changes nothing and is skipped.
    """
    sim: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for t_ns, _id, _type, mac, state in events:
        if mac is None or state is None:
            continue
        if sim[mac] and sim[mac][-1][1] == state:
            continue
        sim[mac].append((t_ns, state))
    seen: dict[str, list[tuple[int, str, bool]]] = defaultdict(list)
    for t_ns, entity_id, state, created in changes:
        mac = state_entities.get(entity_id)
        if mac is not None and state is not None:
            seen[mac].append((t_ns, state, created))
    change_ns: list[int] = []
    new_ns: list[int] = []
    unmatched = 0
    for mac, sent in sim.items():
        shown = seen.get(mac, [])
        position = 0
        for t_sent, state in sent:
            found = None
            for index in range(position, len(shown)):
                t_shown, shown_state, created = shown[index]
                if t_shown >= t_sent and shown_state == state:
                    found = index
                    break
            if found is None:
                unmatched += 1
                continue
            t_shown, _state, created = shown[found]
            (new_ns if created else change_ns).append(t_shown - t_sent)
            position = found + 1
    return Matched(
        change_ns=change_ns,
        new_ns=new_ns,
        unmatched=unmatched,
        boards={mac: [state for _t, state, _c in shown] for mac, shown in seen.items()},
        sim_boards={mac: [state for _t, state in sent] for mac, sent in sim.items()},
    )


def is_subsequence(shown: Sequence[str], sent: Sequence[str]) -> bool:
    """Whether `shown` is `sent` with some items left out, in the same order."""
    remaining = iter(sent)
    return all(any(state == candidate for candidate in remaining) for state in shown)


def state_entities(hass: HomeAssistant, entry_id: str) -> dict[str, str]:
    """Map each board's state entity to the board's MAC."""
    return {
        entity_id: mac
        for entity_id, (mac, key) in board_entities(hass, entry_id).items()
        if key == BOARD_STATE_KEY
    }


def ms_distribution(values: Sequence[int]) -> dict[str, float]:
    """The distribution of nanosecond samples, in milliseconds."""
    return distribution([value / MS for value in values])


def board_states(
    hass: HomeAssistant, entry_id: str, expected: int = 0
) -> Callable[[], dict[str, str]]:
    """A function returning each board's state as Home Assistant shows it.

    The mapping of entities to boards comes from the entity registry; it is read
    again only until `expected` boards have one, so that polling this function
    costs the loop little.
    """
    known: dict[str, str] = {}

    def states() -> dict[str, str]:
        if not known or len(known) < expected:
            known.update(state_entities(hass, entry_id))
        shown: dict[str, str] = {}
        for entity_id, mac in known.items():
            state = hass.states.get(entity_id)
            if state is not None:
                shown[mac] = state.state
        return shown

    return states
