"""The entities a user gets, pinned by snapshot for a known simulator scenario."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion
from syrupy.location import PyTestLocation

from simulator import SimulatorConfig
from tests.conftest import SimulatorConfigFactory

from .conftest import PiDriver, WaitFor

BOARD = "24:0A:C4:00:00:0A"
# Figures that move with the simulated load, and event times, are pinned by type only.
MOVING = {
    "cpu_usage",
    "memory_usage",
    "disk_usage",
    "cpu_temperature",
    "load_1",
    "uptime",
    "last_provisioning_event",
    # Counts from when the session started.
    "session_expires",
    # The simulator's certificate expires a fixed time after it starts; SSH failures
    # arrive at random.
    "certificate_expiry",
    "failed_ssh_attempts",
}


class _PinnedDirectory(HomeAssistantSnapshotExtension):
    """Home Assistant's serializer, with the snapshot kept in one place on every release.

    Releases of the test toolchain disagree on where snapshots live (`__snapshots__`,
    `snapshots`); the comparison must not depend on which one runs.
    """

    @classmethod
    def dirname(cls, *, test_location: PyTestLocation) -> str:
        """Return the directory of this test's snapshot file."""
        return str(Path(test_location.filepath).parent / "__snapshots__")


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """The snapshot assertion, reading `__snapshots__/` whichever toolchain runs."""
    return snapshot.use_extension(_PinnedDirectory)


@pytest.fixture
def simulator_config(make_simulator_config: SimulatorConfigFactory) -> SimulatorConfig:
    """One allowlisted board; the rest of the Pi is as shipped."""
    return make_simulator_config(speed=20, boards=0, seed=1, allowlist=(BOARD,))


def _describe(hass: HomeAssistant, entry: MockConfigEntry) -> list[dict[str, Any]]:
    described = []
    for entity in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id):
        state = hass.states.get(entity.entity_id)
        if entity.disabled_by is not None:
            assert state is None, entity.entity_id
            described.append({"entity_id": entity.entity_id, "disabled_by": entity.disabled_by})
            continue
        assert state is not None, entity.entity_id
        described.append(
            {
                "entity_id": entity.entity_id,
                "unique_id": entity.unique_id.removeprefix(f"{entry.entry_id}_"),
                "translation_key": entity.translation_key,
                "device_class": entity.device_class or entity.original_device_class,
                "entity_category": entity.entity_category,
                "disabled_by": entity.disabled_by,
                "unit": state.attributes.get("unit_of_measurement"),
                "state": type(state.state).__name__
                if entity.translation_key in MOVING or entity.domain == "event"
                else state.state,
                "options": state.attributes.get("options"),
            }
        )
    return sorted(described, key=lambda item: item["entity_id"])


async def test_pi_and_board_entities(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pi: PiDriver,
    wait_for: WaitFor,
    snapshot: SnapshotAssertion,
) -> None:
    runtime = loaded_entry.runtime_data
    await wait_for(
        lambda: runtime.provisioning.stream_connected and runtime.health.transport == "push"
    )
    await pi.start_session()
    await wait_for(lambda: BOARD in runtime.provisioning.data.session_boards)
    await wait_for(lambda: runtime.provisioning.data.session.state.value == "active")
    await hass.async_block_till_done()

    assert _describe(hass, loaded_entry) == snapshot
