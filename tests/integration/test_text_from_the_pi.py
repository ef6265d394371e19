"""Text from the Pi reaches Home Assistant cleaned, and its errors cannot flood the log.

Against the simulator over 127.0.0.1: what the Pi says is hostile (markup, a bidi
override, a bell, hundreds of characters, messages of a megabyte), and what Home
Assistant shows and logs is bounded and readable.
"""

from __future__ import annotations

import json
import logging
import re

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import slugify
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator.api.text import NAME_LENGTH, clean_text
from custom_components.piorchestrator.const import DOMAIN
from simulator import Simulator, SimulatorConfig
from tests.conftest import SimulatorConfigFactory

from .conftest import EntityIdOf, PiDriver, WaitFor

BOARD = "24:0A:C4:50:00:01"
HOSTILE_DESCRIPTION = "<b>*Cam*</b>\u202e\x07" + "w" * 240
"""Markup, a right-to-left override, a bell and 240 more characters: 254, as the Pi allows."""
ERROR_EVENTS = 20
LINES_PER_ERROR = 70_000
"""A message of 70,000 lines of 13 characters: just under the client's 1 MiB per event."""


@pytest.fixture
def simulator_config(make_simulator_config: SimulatorConfigFactory) -> SimulatorConfig:
    """One allowlisted board, waiting on the onboarding network."""
    return make_simulator_config(speed=50, boards=0, seed=13, allowlist=(BOARD,))


def marker(code: str) -> str:
    """A short error event of a code not seen before: its warning marks a point in the log."""
    error = {"version": "1.0", "type": "error.occurred", "payload": {"code": code}}
    return f"event: error.occurred\ndata: {json.dumps(error)}\n\n"


def state_sensor(hass: HomeAssistant, entry: MockConfigEntry, mac: str) -> str | None:
    return er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{entry.entry_id}_{mac}_provisioning_state"
    )


def session_sensor(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{entry.entry_id}_session_state"
    )
    assert entity_id is not None
    return entity_id


async def test_a_hostile_allowlist_description_names_the_board_cleaned(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    wait_for: WaitFor,
) -> None:
    answer = await pi.call(
        "PATCH", f"/api/v1/provisioning/allowlist/{BOARD}", {"description": HOSTILE_DESCRIPTION}
    )
    assert answer["entry"]["description"] == HOSTILE_DESCRIPTION
    await loaded_entry.runtime_data.allowlist.async_refresh()
    await wait_for(lambda: loaded_entry.runtime_data.provisioning.stream_connected)
    await pi.start_session()
    await wait_for(lambda: state_sensor(hass, loaded_entry, BOARD) is not None)

    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, BOARD)})
    assert device is not None
    name = device.name
    assert name is not None
    assert name == clean_text(HOSTILE_DESCRIPTION)
    assert len(name) == NAME_LENGTH
    assert name == "<b>*Cam*</b>" + "w" * (NAME_LENGTH - 13) + "…"
    assert not {"\u202e", "\x07"} & set(name)

    entity_id = state_sensor(hass, loaded_entry, BOARD)
    assert entity_id is not None
    object_id = entity_id.removeprefix("sensor.")
    assert object_id.startswith(slugify(name))
    assert re.fullmatch(r"[a-z0-9_]+", object_id)
    assert len(object_id) < NAME_LENGTH + len("_provisioning_state")
    assert "u202e" not in object_id


async def test_twenty_errors_of_a_megabyte_add_little_to_the_log(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    wait_for: WaitFor,
    caplog: pytest.LogCaptureFixture,
) -> None:
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: coordinator.stream_connected)
    message = "disk failing\n" * LINES_PER_ERROR
    error = json.dumps(
        {
            "version": "1.0",
            "type": "error.occurred",
            "payload": {"code": "STORAGE_ERROR", "message": message, "retryable": False},
        }
    )
    frame = f"event: error.occurred\ndata: {error}\n\n"
    assert len(message) > 900_000
    assert len(error) < 1024 * 1024

    logged: dict[str, int] = {}
    warned: dict[str, int] = {}
    for level in (logging.INFO, logging.DEBUG):
        name = logging.getLevelName(level)
        caplog.clear()
        caplog.set_level(level)
        for _ in range(ERROR_EVENTS):
            assert simulator.context.events.send_raw(frame) == 1
        # Events are applied in order: once this one is logged, all 20 were handled.
        assert simulator.context.events.send_raw(marker(f"DONE_{name}")) == 1
        await wait_for(lambda name=name: f"DONE_{name}" in caplog.text, timeout=10)
        logged[name] = len(caplog.text.encode())
        warned[name] = sum(
            record.levelno >= logging.WARNING and "STORAGE_ERROR" in record.getMessage()
            for record in caplog.records
        )
        assert "disk failing disk failing" in caplog.text
        assert "disk failing\n" not in caplog.text
        assert "Traceback" not in caplog.text

    assert logged["INFO"] < 100_000
    assert logged["DEBUG"] < 1_000_000
    # One warning, the first time the code appears; then DEBUG only.
    assert warned == {"INFO": 1, "DEBUG": 0}

    # The stream lives on: the next ordinary change shows within a second.
    await pi.start_session()
    await wait_for(
        lambda: hass.states.get(session_sensor(hass, loaded_entry)).state != "idle", timeout=1
    )


async def test_a_400_digit_signal_strength_shows_as_unknown_and_the_stream_goes_on(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    wait_for: WaitFor,
    entity_id_of: EntityIdOf,
    caplog: pytest.LogCaptureFixture,
) -> None:
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_for(lambda: coordinator.stream_connected)
    session = await pi.start_session()
    signal = await entity_id_of("sensor", f"{loaded_entry.entry_id}_{BOARD}_signal_strength")
    await wait_for(lambda: hass.states.get(signal).state not in ("unknown", "unavailable"))
    device = {"mac": BOARD, "state": "discovered", "rssi": 10**400, "session_id": session["id"]}
    event = {
        "version": "1.0",
        "type": "device.discovered",
        "session_id": session["id"],
        "payload": {"device": device},
    }
    simulator.context.events.send_raw(f"event: device.discovered\ndata: {json.dumps(event)}\n\n")
    await wait_for(lambda: hass.states.get(signal).state == "unknown")
    assert coordinator.data.boards[BOARD].rssi is None

    # The next ordinary change of the board still shows, within a second.
    await pi.call("POST", f"/api/v1/provisioning/batch/{session['id']}/devices/{BOARD}/provision")
    sensor = state_sensor(hass, loaded_entry, BOARD)
    assert sensor is not None
    await wait_for(
        lambda: hass.states.get(sensor).state in ("provisioning", "provisioned", "verified"), 1
    )
    assert "OverflowError" not in caplog.text
    assert "Traceback" not in caplog.text
