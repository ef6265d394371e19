"""What every fault scenario does around its fault.

A scenario runs a provisioning session of several boards on the simulated Pi, breaks
something while boards are in flight, lets things recover, and then checks the
invariant: Home Assistant shows exactly the Pi's truth for the session and every board
(no final state lost), every entity is available, and no task lingers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from simulator import Simulator
from tests.waiting import wait_until

from .request_log import RequestLog
from .results import LONG, ScenarioRecord
from .truth import Comparison, TruthChecker, duplicated_tasks, our_tasks

NORMAL_BOARDS: Final = tuple(f"24:0A:C4:AA:00:{index:02X}" for index in range(1, 12 if LONG else 4))
FAIL_ONCE: Final = "24:0A:C4:AA:00:F1"
"""Fails its first provisioning attempt: a failed final state that must not be lost."""
BOARDS: Final = (*NORMAL_BOARDS, FAIL_ONCE)
SPEED: Final = 10.0
"""Simulated seconds per real second: a board takes 0.25-0.75 s from provisioning to verified."""


@dataclass(slots=True)
class Scenario:
    """One scenario's session, Pi, checker and record."""

    hass: HomeAssistant
    entry: MockConfigEntry
    sim: Simulator
    log: RequestLog
    checker: TruthChecker
    record: ScenarioRecord
    session_id: str | None = None

    def __post_init__(self) -> None:
        """Let the checker read the simulator's report too."""
        self.checker.control_headers = self.sim.control_headers

    @property
    def pi_url(self) -> str:
        """The simulated Pi's base URL (the same across restarts)."""
        return self.checker.base_url

    async def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """A raw request to the Pi with the current key; the unwrapped data."""
        headers = {"X-API-Key": self.checker.api_key}
        if path.startswith("/_sim/"):
            headers.update(self.sim.control_headers)
        async with self.checker.http.request(
            method, f"{self.pi_url}{path}", json=body, headers=headers
        ) as response:
            payload = await response.json()
        assert response.status < 300, (method, path, response.status, payload)
        return payload.get("data") if isinstance(payload, dict) and "data" in payload else payload

    async def fault(self, name: str, **body: Any) -> Any:
        """Inject a fault through the simulator's `/_sim/` routes, and note it."""
        self.record.fault(name, **body)
        return await self.call("POST", f"/_sim/{name}", body)

    async def report(self) -> dict[str, Any]:
        """The simulator's own request report."""
        return dict(await self.call("GET", "/_sim/report"))

    # -- The session -------------------------------------------------------------

    async def start_session(self, *, password: str, boards: tuple[str, ...] = BOARDS) -> str:
        """Start a batch from the Pi's side and wait until `boards` are discovered."""
        data = await self.call(
            "POST",
            "/api/v1/provisioning/batch/start",
            {"target_ssid": "CabinetNet", "target_password": password},
        )
        self.session_id = session_id = str(data["session"]["id"])
        self.record.boards += len(boards)
        devices = self.sim.state.sessions[session_id].devices
        await wait_until(lambda: set(boards) <= set(devices), self.hass)
        return session_id

    async def provision_all(self) -> None:
        """Send every allowlisted board its credentials."""
        await self.call(
            "POST",
            f"/api/v1/provisioning/batch/{self.session_id}/provision-all",
            {"only_allowlisted": True},
        )

    def pi_states(self) -> dict[str, str]:
        """The live simulator's board states (for waiting, not for the invariant)."""
        assert self.session_id is not None
        session = self.sim.state.sessions.get(self.session_id)
        return {mac: device.state for mac, device in (session.devices if session else {}).items()}

    async def wait_in_flight(self) -> None:
        """Wait until at least one board is between provisioning and verified."""
        await wait_until(
            lambda: any(
                state in ("provisioning", "provisioned", "verifying")
                for state in self.pi_states().values()
            ),
            self.hass,
        )

    async def settle(self, timeout: float = 20.0) -> None:
        """Wait until the Pi has no board in flight."""
        await wait_until(
            lambda: bool(self.pi_states())
            and not any(
                state in ("provisioning", "provisioned", "verifying")
                for state in self.pi_states().values()
            ),
            self.hass,
            timeout,
        )

    async def retry_failed_from_home_assistant(self) -> list[str]:
        """Press the Retry button of every failed board, as a technician would."""
        failed = [mac for mac, state in self.pi_states().items() if state == "failed"]
        for mac in failed:
            entity_id = self.checker.entity_id("button", f"{mac}_retry")
            assert entity_id is not None, mac
            await self.hass.services.async_call(
                "button", "press", {ATTR_ENTITY_ID: entity_id}, blocking=True
            )
        return failed

    # -- The invariant -------------------------------------------------------------

    async def check(self, *, timeout: float = 15.0) -> Comparison:
        """Home Assistant shows the Pi's truth; every entity available; no stray task."""
        assert self.session_id is not None
        convergence = await self.checker.converge(self.session_id, timeout=timeout)
        result = convergence.result
        record = self.record
        record.states_compared += result.compared
        record.final_states_checked = max(record.final_states_checked, result.final_states)
        record.mismatches = [str(mismatch) for mismatch in result.mismatches]
        if convergence.live_after is not None:
            record.converged_after_s = round(convergence.live_after, 3)
        lagging = record.notes.setdefault("lagging_until_polled", [])
        lagging.extend(item for item in convergence.lagging if item not in lagging)
        if convergence.live_after is None:
            live = [str(m) for m in result.mismatches if not m.polled] or [
                "(the Pi never settled: boards still in flight)"
            ]
            raise AssertionError(
                "Home Assistant did not catch up with the Pi after recovery:\n" + "\n".join(live)
            )
        assert not result.mismatches, "\n".join(record.mismatches)
        assert duplicated_tasks() == [], duplicated_tasks()
        return result

    async def complete(self, *, password: str | None = None, timeout: float = 15.0) -> None:
        """Let the session finish, retry failed boards from HA, and check twice."""
        await self.settle()
        await self.check(timeout=timeout)
        if await self.retry_failed_from_home_assistant():
            await self.settle()
            await self.check(timeout=timeout)

    async def unload(self) -> None:
        """Unload the entry: nothing of it may keep running, no stream stays open."""
        if self.entry.state is ConfigEntryState.LOADED:
            assert await self.hass.config_entries.async_unload(self.entry.entry_id)
            await self.hass.async_block_till_done()
        # A request already on the wire may finish; nothing may keep running after it.
        await wait_until(lambda: our_tasks() == [], self.hass, timeout=5)
        if self.sim.running:
            await wait_until(lambda: not self.sim.context.events.subscribers, self.hass)
            await wait_until(lambda: not self.sim.context.monitor.clients, self.hass)
