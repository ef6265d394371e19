"""The truth checker: does Home Assistant show exactly what the Pi knows?

The Pi's truth is read over raw HTTP (not through the integration's client, which is
under test); Home Assistant's side is read from the state machine, as a person or
an automation sees it. Every field a user can see about the session, the onboarding
network and each board is compared, and so is every entity's availability.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
import time
from typing import Any, Final

import aiohttp
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator.button import BOARD_BUTTONS
from custom_components.piorchestrator.const import DOMAIN

from .clock import advance_home_assistant

OPEN_SESSION_STATES: Final = frozenset({"discovering", "active", "paused"})
IN_FLIGHT: Final = frozenset({"provisioning", "provisioned", "verifying"})
FINAL_STATES: Final = frozenset({"verified", "failed"})
RECONCILE_WINDOW: Final = timedelta(minutes=5)
"""Home Assistant time granted to values that only polling refreshes."""
POLLED_ENTITY_KEYS: Final = ("allowlist_entries", "allowlist_used", "allowlist_available")
"""Entities of the allowlist coordinator, polled every minute: after a failed poll they
come back with the next one, so their availability may lag like their values."""
OUR_TASKS: Final = frozenset({f"{DOMAIN} provisioning events", f"{DOMAIN} monitor websocket"})
"""The entry's long-lived background tasks: one each while it is loaded, none after."""


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One value Home Assistant shows differently from the Pi."""

    subject: str
    field: str
    home_assistant: Any
    pi: Any
    polled: bool = False
    """A value no event carries: it may lag until the integration polls for it."""

    def __str__(self) -> str:
        """`subject.field: HA shows X, the Pi says Y`."""
        return f"{self.subject}.{self.field}: HA shows {self.home_assistant!r}, the Pi says {self.pi!r}"


@dataclass(slots=True)
class Truth:
    """What the Pi says, fetched over raw HTTP."""

    session: dict[str, Any]
    devices: dict[str, dict[str, Any]]
    network: dict[str, Any]
    allowlist: dict[str, Any]

    @property
    def settled(self) -> bool:
        """Whether the Pi's picture will not move by itself: no board in flight, or paused."""
        if self.session["state"] not in ("discovering", "active"):
            return True
        return not any(device["state"] in IN_FLIGHT for device in self.devices.values())


@dataclass(slots=True)
class Comparison:
    """The outcome of one comparison."""

    compared: int = 0
    final_states: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Convergence:
    """How Home Assistant caught up with the Pi."""

    live_after: float | None
    """Seconds until every value carried by events matched; None if it never did."""
    lagging: list[str]
    """Values that matched only after the reconciliation window (polled values)."""
    result: Comparison
    """The last comparison: its mismatches remained at the end."""


class TruthChecker:
    """Compares one config entry's entities with the simulated Pi."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: MockConfigEntry,
        base_url: str,
        http: aiohttp.ClientSession,
        api_key: str,
    ) -> None:
        """Check `entry` against the Pi at `base_url`."""
        self.hass = hass
        self.entry = entry
        self.base_url = base_url
        self.api_key = api_key
        self.http = http
        self.total_compared = 0
        self.control_headers: dict[str, str] = {}
        """What the simulator's /_sim routes demand; the scenario fills it in."""

    async def _get(self, path: str) -> Any:
        async with self.http.get(
            f"{self.base_url}{path}", headers={"X-API-Key": self.api_key}
        ) as response:
            payload = await response.json()
        if response.status != 200 or not payload.get("success"):
            raise AssertionError(f"the Pi refused GET {path}: {response.status} {payload}")
        return payload["data"]

    async def truth(self, session_id: str) -> Truth:
        """Read the session, its boards and the onboarding network from the Pi."""
        batch = await self._get(f"/api/v1/provisioning/batch/{session_id}?include_devices=true")
        network = await self._get("/api/v1/provisioning/batch/network")
        allowlist = await self._get("/api/v1/provisioning/allowlist/stats")
        devices = {device["mac"]: device for device in batch.get("devices") or []}
        return Truth(batch["session"], devices, network, allowlist)

    # -- Home Assistant's side --------------------------------------------------

    def entity_id(self, platform: str, key: str) -> str | None:
        """The entity ID of one of the entry's entities, by unique-ID suffix."""
        return er.async_get(self.hass).async_get_entity_id(
            platform, DOMAIN, f"{self.entry.entry_id}_{key}"
        )

    def shown(self, platform: str, key: str) -> tuple[str | None, Mapping[str, Any]]:
        """The state and attributes an entity shows (None when it does not exist)."""
        entity_id = self.entity_id(platform, key)
        state = self.hass.states.get(entity_id) if entity_id else None
        if state is None:
            return None, {}
        return state.state, state.attributes

    # -- Comparison ----------------------------------------------------------------

    def compare(self, truth: Truth) -> Comparison:
        """Every user-visible value of the session, the network and the boards."""
        result = Comparison()

        def check(
            subject: str, name: str, shown: Any, expected: Any, *, polled: bool = False
        ) -> None:
            result.compared += 1
            if shown != expected:
                result.mismatches.append(Mismatch(subject, name, shown, expected, polled))

        session = truth.session
        devices = truth.devices
        state, attributes = self.shown("sensor", "session_state")
        check("session", "state", state, session["state"])
        check("session", "session_id", attributes.get("session_id"), session["id"])
        check("session", "target_ssid", attributes.get("target_ssid"), session["target_ssid"])
        counts = {
            "boards_discovered": len(devices),
            "boards_verified": sum(d["state"] == "verified" for d in devices.values()),
            "boards_failed": sum(d["state"] == "failed" for d in devices.values()),
            "boards_in_progress": sum(d["state"] in IN_FLIGHT for d in devices.values()),
        }
        for key, expected in counts.items():
            check("session", key, self.shown("sensor", key)[0], str(expected))
        progress = self.shown("sensor", "session_progress")[0]
        shown_progress: float | str | None = progress
        if progress is not None and progress not in (STATE_UNKNOWN, STATE_UNAVAILABLE):
            shown_progress = float(progress)
        check(
            "session",
            "progress",
            shown_progress,
            round(100 * counts["boards_verified"] / len(devices), 1) if devices else STATE_UNKNOWN,
        )
        network = truth.network
        check(
            "network",
            "is_active",
            self.shown("binary_sensor", "onboarding_network")[0],
            "on" if network["is_active"] else "off",
        )
        check(
            "network",
            "connected_devices",
            self.shown("sensor", "onboarding_network_boards")[0],
            str(network["connected_devices"]),
            polled=True,  # vocabulary A has no event for it
        )
        for key, value in (
            ("allowlist_entries", truth.allowlist["total"]),
            ("allowlist_used", truth.allowlist["used"]),
            ("allowlist_available", truth.allowlist["available"]),
        ):
            check("allowlist", key, self.shown("sensor", key)[0], str(value), polled=True)
        session_open = session["state"] in OPEN_SESSION_STATES
        for mac, device in sorted(devices.items()):
            board_state, board_attributes = self.shown("sensor", f"{mac}_provisioning_state")
            check(mac, "state", board_state, device["state"])
            check(
                mac,
                "error_message",
                board_attributes.get("error_message"),
                device.get("error_message"),
            )
            check(
                mac,
                "retry_count",
                board_attributes.get("retry_count"),
                device.get("retry_count", 0),
            )
            check(
                mac, "rssi", self.shown("sensor", f"{mac}_signal_strength")[0], str(device["rssi"])
            )
            check(mac, "ip", self.shown("sensor", f"{mac}_ip_address")[0], device["ip"])
            check(
                mac,
                "allowlisted",
                self.shown("binary_sensor", f"{mac}_allowlisted")[0],
                "on" if device.get("in_allowlist") else "off",
            )
            for button in BOARD_BUTTONS:
                offered = session_open and device["state"] in button.allowed_states
                shown = self.shown("button", f"{mac}_{button.key}")[0]
                check(mac, f"{button.key}_button_available", shown != STATE_UNAVAILABLE, offered)
            if device["state"] in FINAL_STATES:
                result.final_states += 1
        self._check_availability(result)
        return result

    def _check_availability(self, result: Comparison) -> None:
        """Every entity of the entry is available, buttons aside (they follow the board)."""
        registry = er.async_get(self.hass)
        polled = tuple(f"{self.entry.entry_id}_{key}" for key in POLLED_ENTITY_KEYS)
        for entity in er.async_entries_for_config_entry(registry, self.entry.entry_id):
            if entity.disabled_by is not None or entity.domain == "button":
                continue
            state = self.hass.states.get(entity.entity_id)
            result.compared += 1
            if state is None or state.state == STATE_UNAVAILABLE:
                result.mismatches.append(
                    Mismatch(
                        entity.entity_id,
                        "available",
                        state.state if state else None,
                        "available",
                        polled=entity.unique_id in polled,
                    )
                )

    async def converge(self, session_id: str, *, timeout: float = 15.0) -> Convergence:
        """Wait until Home Assistant shows the Pi's truth.

        First in real time, with the Pi settled (no board in flight): every value an
        event or a reconciliation carries must match within `timeout`. Values no
        event carries (polled ones) may lag: if they still differ, Home Assistant's
        clock is advanced by `RECONCILE_WINDOW` so its polls run, and they must match
        then. The result holds whatever still differs.
        """
        started = time.monotonic()
        live_after: float | None = None
        result = Comparison()
        while time.monotonic() - started <= timeout:
            truth, result = await self._compare_settled(session_id)
            if truth is not None and not any(not m.polled for m in result.mismatches):
                live_after = time.monotonic() - started
                break
            await asyncio.sleep(0.05)
        if not result.mismatches:
            self.total_compared += result.compared
            return Convergence(live_after, [], result)
        if live_after is None:
            self.total_compared += result.compared
            return Convergence(None, [], result)
        lagging = [str(mismatch) for mismatch in result.mismatches]
        advance_home_assistant(self.hass, RECONCILE_WINDOW)
        window_started = time.monotonic()
        while time.monotonic() - window_started <= timeout:
            truth, result = await self._compare_settled(session_id)
            if truth is not None and not result.mismatches:
                break
            await asyncio.sleep(0.05)
        self.total_compared += result.compared
        return Convergence(live_after, lagging, result)

    async def _compare_settled(self, session_id: str) -> tuple[Truth | None, Comparison]:
        """Compare with the Pi; the truth is None unless the Pi is settled and stable.

        While a fault meant for the integration is still armed, the checker does not
        read (it would take the fault itself): the integration has not met it yet.
        """
        await self.hass.async_block_till_done()
        async with self.http.get(
            f"{self.base_url}/_sim/report", headers=self.control_headers
        ) as response:
            faults = (await response.json())["faults"]
        if faults["fail_next_pending"] or faults["latency_seconds"]:
            pending = Mismatch(
                "integration",
                "requests that never came (faults armed for them are still pending)",
                faults["fail_next_pending"],
                0,
            )
            return None, Comparison(mismatches=[pending])
        truth = await self.truth(session_id)
        result = self.compare(truth)
        if not truth.settled:
            return None, result
        # The Pi may have moved while Home Assistant was read: confirm it did not.
        again = await self.truth(session_id)
        if again.devices != truth.devices or again.session["state"] != truth.session["state"]:
            return None, result
        return truth, result


def duplicated_tasks() -> list[str]:
    """Long-lived tasks of the integration running more than once (a leak)."""
    names = [task.get_name() for task in asyncio.all_tasks() if not task.done()]
    return sorted({name for name in names if name in OUR_TASKS and names.count(name) > 1})


def our_tasks() -> list[str]:
    """Every unfinished task of the integration."""
    return sorted(
        task.get_name()
        for task in asyncio.all_tasks()
        if DOMAIN in task.get_name() and not task.done()
    )
