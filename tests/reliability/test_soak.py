"""Soak: session after session, each hit by a fault drawn at random, each checked.

The default profile runs a couple of rounds; `PIORCH_LONG=1` runs many. The draw is
seeded, so a failing round can be replayed.
"""

from __future__ import annotations

import random
import time

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.integration.conftest import WIFI_PASSWORD
from tests.waiting import wait_until

from .conftest import ScenarioFactory
from .harness import Scenario
from .results import LONG

ROUNDS = 25 if LONG else 2
SEED = 20250404


async def _drop_sse(scenario: Scenario) -> None:
    await scenario.fault("drop-streams", streams=["sse"], abort=True)


async def _drop_ws(scenario: Scenario) -> None:
    await scenario.fault("drop-streams", streams=["ws"])


async def _server_errors(scenario: Scenario) -> None:
    await scenario.fault("fail-next", count=2, code="INTERNAL_ERROR")
    await scenario.fault("drop-streams", streams=["sse"])


async def _slow(scenario: Scenario) -> None:
    await scenario.fault("latency", seconds=0.3)
    started = time.monotonic()
    await wait_until(lambda: time.monotonic() - started > 1.0, scenario.hass)
    await scenario.fault("latency", seconds=0)


async def _garbage(scenario: Scenario) -> None:
    await scenario.fault("malformed", stream="sse")
    await scenario.fault("malformed", stream="ws")


async def _lost_ids(scenario: Scenario) -> None:
    await scenario.fault("skip-ids", count=5)
    await scenario.fault("drop-streams", streams=["sse"])


FAULTS = (_drop_sse, _drop_ws, _server_errors, _slow, _garbage, _lost_ids)


async def test_session_after_session_under_random_faults(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, make_scenario: ScenarioFactory
) -> None:
    scenario = await make_scenario(
        "soak",
        f"{ROUNDS} sessions in a row, each hit by a fault drawn at random (seed {SEED})",
    )
    draw = random.Random(SEED)  # noqa: S311 - picks faults, not secrets
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_until(lambda: coordinator.stream_connected, hass)
    for round_ in range(ROUNDS):
        boards = tuple(f"24:0A:C4:BB:{round_:02X}:{index:02X}" for index in range(1, 4))
        await scenario.call(
            "POST",
            "/api/v1/provisioning/allowlist/bulk",
            {"entries": [{"mac": mac, "description": f"soak {round_}"} for mac in boards]},
        )
        await scenario.fault("boards", macs=list(boards[:2]))
        await scenario.fault("boards", macs=[boards[2]], fail_once=True)
        if scenario.session_id is not None:
            await scenario.call("POST", f"/api/v1/provisioning/batch/{scenario.session_id}/stop")
        await scenario.start_session(password=WIFI_PASSWORD, boards=boards)
        await scenario.provision_all()
        await scenario.wait_in_flight()
        fault = draw.choice(FAULTS)
        scenario.record.notes.setdefault("rounds", []).append(fault.__name__.strip("_"))
        await fault(scenario)
        await wait_until(lambda: coordinator.stream_connected, hass, timeout=20)
        await scenario.complete(timeout=20)
    await scenario.unload()
