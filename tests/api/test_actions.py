"""Board and session actions by their enums, against the simulator over 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from custom_components.piorchestrator.api import BoardAction, SessionAction
from custom_components.piorchestrator.api.client import PiOrchestratorClient
from custom_components.piorchestrator.api.models import BoardState, SessionState
from simulator import Simulator

from .conftest import SIM_BOARDS

WIFI_PASSWORD = "actions-wifi-secret-Q8p"


def _requests_seen(sim: Simulator) -> int:
    return sum(sum(statuses.values()) for statuses in sim.context.stats.requests.values())


async def _states(
    client: PiOrchestratorClient, session_id: str, until: Callable[[dict[str, BoardState]], bool]
) -> dict[str, BoardState]:
    """The boards' states once `until` accepts them (the simulator runs at 50x)."""
    async with asyncio.timeout(15):
        while True:
            snapshot = await client.get_batch(session_id)
            states = {board.mac: board.state for board in snapshot.devices}
            if until(states):
                return states
            await asyncio.sleep(0.05)


async def test_every_action_is_sent_by_its_enum(client: PiOrchestratorClient) -> None:
    session = (await client.start_batch("CabinetNet", WIFI_PASSWORD)).session
    await _states(client, session.id, lambda states: len(states) == len(SIM_BOARDS))

    skipped = await client.board_action(session.id, SIM_BOARDS[2], BoardAction.SKIP)
    assert (skipped.mac, skipped.state) == (SIM_BOARDS[2], BoardState.DISCOVERED)
    provisioned = await client.board_action(session.id, SIM_BOARDS[0], BoardAction.PROVISION)
    assert provisioned.state in (BoardState.PROVISIONING, BoardState.PROVISIONED)
    # The skipped board is left out even when allowlisting is not asked for.
    rest = await client.provision_all(session.id, only_allowlisted=False)
    assert (rest.initiated_count, rest.skipped_count) == (1, 1)

    flaky = SIM_BOARDS[1]  # fails its first attempt
    await _states(client, session.id, lambda states: states[flaky] is BoardState.FAILED)
    retried = await client.board_action(session.id, flaky, BoardAction.RETRY)
    assert retried.state is BoardState.PROVISIONING

    paused = await client.session_action(session.id, SessionAction.PAUSE)
    assert paused.session.state is SessionState.PAUSED
    resumed = await client.session_action(session.id, SessionAction.RESUME)
    assert resumed.session.state is SessionState.ACTIVE
    stopped = await client.session_action(session.id, SessionAction.STOP)
    assert stopped.session.state in (SessionState.CLOSING, SessionState.CLOSED)


@pytest.mark.parametrize("action", ["../../allowlist/all", "stop/", "STOP", ""])
async def test_an_action_outside_the_enum_never_leaves_the_client(
    client: PiOrchestratorClient, sim: Simulator, action: str
) -> None:
    """The action is a path segment: text from a caller without a type checker is refused."""
    before = _requests_seen(sim)
    with pytest.raises(ValueError, match="is not a valid"):
        await client.session_action("sess_1", action)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="is not a valid"):
        await client.board_action("sess_1", SIM_BOARDS[0], action)  # type: ignore[arg-type]
    assert _requests_seen(sim) == before


def test_only_skipping_hands_out_no_credentials() -> None:
    """Callers gate the actions that send WiFi credentials behind an approval."""
    assert {action for action in BoardAction if action.sends_credentials} == {
        BoardAction.PROVISION,
        BoardAction.RETRY,
    }
