"""The example dashboard, and the session cards the demo fills in, against the simulator.

The dashboard must parse, use only cards the pinned frontend has or the
integration ships, and name no entity and no Pi, so that it works for whatever
Pis are configured. The session cards the demo adds per Pi must name entries
the cards can load.
"""

from __future__ import annotations

from importlib import resources
import re
from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.piorchestrator.frontend import BUNDLE
from demo.dashboard import (
    BUILT_IN_CARDS,
    DASHBOARD,
    FLEET_CARD,
    OUR_CARDS,
    SESSION_CARD,
    iter_cards,
    load_dashboard,
    referenced_entities,
    with_session_cards,
)
from demo.naming import renamed_entity_ids
from demo.scenario import FLEET
from tests.integration import conftest as wire

auto_enable_custom_integrations = wire.auto_enable_custom_integrations
loaded_entry = wire.loaded_entry


def session_cards(config: dict[str, Any]) -> list[dict[str, Any]]:
    """The session cards of a dashboard, in order."""
    return [card for card in iter_cards(config) if card["type"] == SESSION_CARD]


# -- The file itself ----------------------------------------------------------------------


def test_the_dashboard_uses_the_fleet_card_and_a_session_card_template() -> None:
    config = load_dashboard()
    types = [card["type"] for card in iter_cards(config)]
    assert types.count(FLEET_CARD) == 1
    assert [card.get("entry_id") for card in session_cards(config)] == [None]
    unknown = {t for t in types if t not in OUR_CARDS and t not in BUILT_IN_CARDS}
    assert unknown == set()


def test_the_dashboard_names_no_entity_and_no_pi() -> None:
    config = load_dashboard()
    assert referenced_entities(config) == set()
    text = DASHBOARD.read_text()
    assert "entity_id" not in text.split("\ntitle:")[1]
    assert not re.search(r"\b(sensor|button|binary_sensor|lock)\.[a-z0-9_]+", text)


def test_the_cards_the_dashboard_uses_are_defined_by_the_shipped_bundle() -> None:
    bundle = BUNDLE.read_text()
    for card in OUR_CARDS:
        assert re.search(rf"""["'`]{card.removeprefix("custom:")}["'`]""", bundle), card


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


def test_the_demo_adds_one_session_card_per_pi_in_place_of_the_template() -> None:
    config = with_session_cards(load_dashboard(), ["entry-a", "entry-b"])
    assert [card["entry_id"] for card in session_cards(config)] == ["entry-a", "entry-b"]
    sections = config["views"][0]["sections"]
    assert sections[0]["cards"][0]["type"] == FLEET_CARD
    assert [len(section["cards"]) for section in sections] == [1, 1, 1]


def test_filling_in_again_replaces_the_pis_instead_of_adding_to_them() -> None:
    once = with_session_cards(load_dashboard(), ["entry-a", "entry-b"])
    again = with_session_cards(once, ["entry-c"])
    assert [card["entry_id"] for card in session_cards(again)] == ["entry-c"]
    assert once == with_session_cards(once, ["entry-a", "entry-b"])


def test_a_dashboard_without_a_session_card_is_refused() -> None:
    config = {"views": [{"sections": [{"cards": [{"type": FLEET_CARD}]}]}]}
    with pytest.raises(ValueError, match="session card"):
        with_session_cards(config, ["entry-a"])


def test_the_demo_s_two_pis_differ_and_their_boards_cannot_collide() -> None:
    assert len(FLEET) == 2
    first, second = FLEET
    assert first.boards != second.boards
    assert [pi.fail_once is not None for pi in FLEET] == [True, False]
    assert not set(first.allowlist) & set(second.allowlist)
    assert first.seed != second.seed
    assert first.port_offset != second.port_offset


def test_renaming_the_pi_renames_only_its_own_entity_ids() -> None:
    assert renamed_entity_ids(
        ["sensor.127_0_0_1_cpu_usage", "lock.127_0_0_1_cabinet_door_lock", "sensor.other_cpu"],
        "127.0.0.1",
        "Cabinet Pi",
    ) == {
        "sensor.127_0_0_1_cpu_usage": "sensor.cabinet_pi_cpu_usage",
        "lock.127_0_0_1_cabinet_door_lock": "lock.cabinet_pi_cabinet_door_lock",
    }


# -- Against the simulator ------------------------------------------------------------------


async def test_the_session_cards_the_demo_adds_load_their_pi(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    """Each session card's entry is one the cards list, and subscribing to it sends its Pi."""
    config = with_session_cards(load_dashboard(), [loaded_entry.entry_id])
    ws = await hass_ws_client(hass)
    await ws.send_json_auto_id({"type": "piorchestrator/entries"})
    listed = await ws.receive_json()
    assert listed["success"], listed
    listed_ids = {entry["entry_id"] for entry in listed["result"]}
    for card in session_cards(config):
        assert card["entry_id"] in listed_ids
        await ws.send_json_auto_id(
            {"type": "piorchestrator/subscribe", "entry_id": card["entry_id"]}
        )
        result = await ws.receive_json()
        assert result["success"], result
        snapshot = (await ws.receive_json())["event"]
        assert snapshot["kind"] == "snapshot"
        assert snapshot["pi"]["entry_id"] == card["entry_id"]
