"""The example dashboard and its scripts, against the simulator.

The dashboard must parse, use only cards the pinned frontend has, and name only
entities that exist once the integration is set up (with the Pi's device named
"Cabinet Pi", as its header says). Its Markdown board list and its scripts are
run for real, and so is the demo's generator of per-board Retry rows.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
import re
import shutil
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.template import Template
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import Secrets, load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator.const import DOMAIN
from demo.dashboard import (
    BUILT_IN_CARDS,
    CONTROLS_TITLE,
    DASHBOARD,
    SCRIPTS,
    BoardControls,
    boards_from_registry,
    iter_cards,
    load_dashboard,
    referenced_entities,
    with_board_controls,
)
from demo.naming import renamed_entity_ids
from simulator import Simulator, SimulatorConfig
from tests.integration import conftest as wire
from tests.integration.conftest import API_KEY, WIFI_PASSWORD, WaitFor

auto_enable_custom_integrations = wire.auto_enable_custom_integrations
simulator = wire.simulator
config_entry = wire.config_entry
loaded_entry = wire.loaded_entry
wait_for = wire.wait_for

NAMED = "24:0A:C4:40:00:01"
FLAKY = "24:0A:C4:40:00:02"
PI_NAME = "Cabinet Pi"


@pytest.fixture
def simulator_config() -> SimulatorConfig:
    """Two allowlisted boards (the second fails once) and two others."""
    return SimulatorConfig(
        port=0,
        api_key=API_KEY,
        speed=50,
        boards=4,
        seed=3,
        allowlist=(NAMED, FLAKY),
        fail_once=(FLAKY,),
        session_timeout=100_000,
    )


@pytest.fixture
async def cabinet_pi(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> MockConfigEntry:
    """The loaded entry, its device named "Cabinet Pi" and its entity IDs renamed to match."""
    devices = dr.async_get(hass)
    pi = devices.async_get_device(identifiers={(DOMAIN, loaded_entry.entry_id)})
    assert pi is not None
    devices.async_update_device(pi.id, name_by_user=PI_NAME)
    entities = er.async_get(hass)
    mine = [e.entity_id for e in er.async_entries_for_device(entities, pi.id)]
    assert pi.name is not None
    for old, new in renamed_entity_ids(mine, pi.name, PI_NAME).items():
        entities.async_update_entity(old, new_entity_id=new)
    await hass.async_block_till_done()
    return loaded_entry


@pytest.fixture
async def scripts(hass: HomeAssistant, tmp_path: Path, cabinet_pi: MockConfigEntry) -> None:
    """The dashboard's scripts, loaded as configuration.yaml's `script: !include` would."""
    (tmp_path / "secrets.yaml").write_text(
        f"piorchestrator_target_ssid: CabinetNet\npiorchestrator_target_password: {WIFI_PASSWORD}\n"
    )
    shutil.copy(SCRIPTS, tmp_path / "scripts.yaml")
    config = load_yaml_dict(tmp_path / "scripts.yaml", Secrets(tmp_path))
    assert await async_setup_component(hass, "script", {"script": config})
    await hass.async_block_till_done()


def board_list(hass: HomeAssistant) -> str:
    """The Boards card's Markdown, rendered as the frontend would get it."""
    (markdown,) = [card for card in iter_cards(load_dashboard()) if card["type"] == "markdown"]
    rendered = Template(markdown["content"], hass).async_render(parse_result=False)
    assert isinstance(rendered, str)
    return rendered


def rows(markdown: str) -> list[list[str]]:
    """The board table's rows: name, state, retries, allowlisted."""
    return [
        [cell.strip() for cell in line.strip().strip("|").split("|")][1:]
        for line in markdown.splitlines()[2:]
    ]


# -- The file itself ----------------------------------------------------------------------


def test_the_dashboard_parses_and_uses_only_built_in_cards() -> None:
    config = load_dashboard()
    assert config["views"], "no views"
    types = [card["type"] for card in iter_cards(config)]
    assert types, "no cards"
    assert not [t for t in types if t.startswith("custom:")]
    assert set(types) <= BUILT_IN_CARDS, set(types) - BUILT_IN_CARDS
    assert {"gauge", "markdown", "button", "tile"} <= set(types)


def test_the_built_in_card_list_matches_the_pinned_frontend() -> None:
    frontend = pytest.importorskip(
        "hass_frontend", reason="home-assistant-frontend comes with requirements_demo.txt"
    )
    bundle = resources.files(frontend) / "frontend_latest"
    names: set[str] = set()
    for chunk in bundle.iterdir():
        if chunk.name.endswith(".js"):
            names.update(re.findall(r'"hui-([a-z-]+)-card"', chunk.read_text(errors="ignore")))
    assert names >= BUILT_IN_CARDS, BUILT_IN_CARDS - names


def test_the_dashboard_header_explains_the_entity_ids() -> None:
    header = DASHBOARD.read_text().split("\ntitle:")[0]
    assert "Cabinet Pi" in header
    assert "piorchestrator_scripts.yaml" in header


def test_renaming_the_pi_renames_only_its_own_entity_ids() -> None:
    assert renamed_entity_ids(
        ["sensor.127_0_0_1_cpu_usage", "lock.127_0_0_1_cabinet_door_lock", "sensor.other_cpu"],
        "127.0.0.1",
        PI_NAME,
    ) == {
        "sensor.127_0_0_1_cpu_usage": "sensor.cabinet_pi_cpu_usage",
        "lock.127_0_0_1_cabinet_door_lock": "lock.cabinet_pi_cabinet_door_lock",
    }


def test_the_board_controls_card_is_replaced_not_duplicated() -> None:
    boards = [
        BoardControls(NAMED, "Shelf camera", "sensor.shelf_camera_provisioning_state", None),
        BoardControls(FLAKY, "Door camera", "sensor.door_camera_provisioning_state", "button.x"),
    ]
    once = with_board_controls(load_dashboard(), boards)
    twice = with_board_controls(once, boards[:1])
    controls = [card for card in iter_cards(twice) if card.get("title") == CONTROLS_TITLE]
    assert len(controls) == 1
    assert controls[0]["entities"] == [
        {
            "entity": "sensor.shelf_camera_provisioning_state",
            "name": "Shelf camera",
            "secondary_info": "last-changed",
        }
    ]
    assert with_board_controls(twice, []) == load_dashboard()


def test_board_controls_come_from_the_entry_s_board_unique_ids() -> None:
    entry = "01JENTRY"
    boards = boards_from_registry(
        entry,
        [
            (f"sensor.b_{i}", uid)
            for i, uid in enumerate(
                [
                    f"{entry}_{FLAKY}_provisioning_state",
                    f"{entry}_{NAMED}_provisioning_state",
                    f"{entry}_cpu_usage",
                    f"OTHER_{NAMED}_provisioning_state",
                ]
            )
        ]
        + [(f"button.retry_{FLAKY}", f"{entry}_{FLAKY}_retry")],
        {NAMED: "Shelf camera"},
    )
    assert boards == [
        BoardControls(NAMED, "Shelf camera", "sensor.b_1", None),
        BoardControls(FLAKY, f"Camera board {FLAKY}", "sensor.b_0", f"button.retry_{FLAKY}"),
    ]


# -- Against the simulator ------------------------------------------------------------------


async def test_every_entity_the_dashboard_names_exists(
    hass: HomeAssistant, cabinet_pi: MockConfigEntry, scripts: None
) -> None:
    referenced = referenced_entities(load_dashboard())
    assert "sensor.cabinet_pi_cpu_usage" in referenced
    missing = sorted(entity for entity in referenced if hass.states.get(entity) is None)
    assert missing == []
    unavailable = sorted(
        entity
        for entity in referenced
        if hass.states.get(entity).state == "unavailable"  # type: ignore[union-attr]
    )
    assert unavailable == []


async def test_the_buttons_scripts_and_board_list_run_a_whole_batch(
    hass: HomeAssistant,
    cabinet_pi: MockConfigEntry,
    scripts: None,
    simulator: Simulator,
    wait_for: WaitFor,
) -> None:
    assert board_list(hass).startswith("No boards yet.")
    await wait_for(lambda: cabinet_pi.runtime_data.provisioning.stream_connected)

    await hass.services.async_call("script", "piorchestrator_start_batch", blocking=True)
    await hass.async_block_till_done()
    (session,) = simulator.state.sessions.values()
    assert session.target_ssid == "CabinetNet"
    await wait_for(lambda: len(rows(board_list(hass))) == 4, timeout=15)

    table = rows(board_list(hass))
    assert [row[3] for row in table] == ["yes", "yes", "no", "no"], "allowlisted boards first"
    assert [row[0] for row in table[2:]] == sorted(
        f"Camera board {mac}" for mac in set(session.devices) - {NAMED, FLAKY}
    )
    assert all(row[1] == "Discovered" and row[2] == "0" for row in table)

    await hass.services.async_call("script", "piorchestrator_provision_all", blocking=True)
    await wait_for(lambda: session.devices[FLAKY].state == "failed", timeout=20)
    await wait_for(lambda: session.devices[NAMED].state == "verified", timeout=20)
    await wait_for(
        lambda: sorted(row[1] for row in rows(board_list(hass))[:2])
        == ["Failed — device rejected credentials", "Verified"],
        timeout=10,
    )

    await hass.services.async_call("script", "piorchestrator_retry_failed", blocking=True)
    await wait_for(lambda: session.devices[FLAKY].state == "verified", timeout=20)
    await wait_for(
        lambda: [row[1] for row in rows(board_list(hass))[:2]] == ["Verified", "Verified"],
        timeout=10,
    )
    assert sorted(row[2] for row in rows(board_list(hass))[:2]) == ["0", "1"]
    assert session.devices[FLAKY].retry_count == 1

    await hass.services.async_call("script", "piorchestrator_stop_batch", blocking=True)
    await wait_for(lambda: session.state == "closed", timeout=10)


async def test_the_demo_s_board_controls_name_existing_entities(
    hass: HomeAssistant,
    cabinet_pi: MockConfigEntry,
    simulator: Simulator,
    wait_for: WaitFor,
) -> None:
    await wait_for(lambda: cabinet_pi.runtime_data.provisioning.stream_connected)
    await hass.services.async_call(
        DOMAIN,
        "start_batch",
        {
            "config_entry_id": cabinet_pi.entry_id,
            "target_ssid": "CabinetNet",
            "target_password": WIFI_PASSWORD,
        },
        blocking=True,
    )
    (session,) = simulator.state.sessions.values()
    await wait_for(lambda: len(session.devices) == 4, timeout=15)
    # The Pi knowing a board is not Home Assistant having its device yet.
    provisioning = cabinet_pi.runtime_data.provisioning
    await wait_for(lambda: len(provisioning.data.session_boards) == 4, timeout=15)
    await hass.async_block_till_done()

    registry = er.async_get(hass)
    devices = dr.async_get(hass)
    names: dict[str, str] = {}
    for device in dr.async_entries_for_config_entry(devices, cabinet_pi.entry_id):
        for domain, identifier in device.identifiers:
            if domain == DOMAIN and identifier != cabinet_pi.entry_id:
                names[identifier] = device.name_by_user or device.name or ""
    boards = boards_from_registry(
        cabinet_pi.entry_id,
        [
            (entry.entity_id, entry.unique_id)
            for entry in er.async_entries_for_config_entry(registry, cabinet_pi.entry_id)
        ],
        names,
    )
    assert {board.mac for board in boards} == set(session.devices)
    config: dict[str, Any] = with_board_controls(load_dashboard(), boards)
    (controls,) = [card for card in iter_cards(config) if card.get("title") == CONTROLS_TITLE]
    named = [row["entity"] for row in controls["entities"]]
    assert len(named) == 8  # a state row and a Retry row per board
    assert [entity for entity in named if hass.states.get(entity) is None] == []
    assert controls["entities"][1] == {
        "entity": named[1],
        "name": "Retry",
        "icon": "mdi:restart",
    }
    assert named[1].startswith("button.") and named[1].endswith("_retry")
