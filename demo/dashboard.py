"""The example dashboard, and the session cards the demo adds to it, one per Pi.

The dashboard in `dashboards/` names no entity and no Pi: its fleet card finds
every configured Pi, and its session card is a template without `entry_id` (a
person picks the Pi in the card's editor). The demo replaces the section holding
that template with one section per configured Pi.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
import copy
from pathlib import Path
from typing import Any, Final

from homeassistant.util.yaml import load_yaml_dict

from .scenario import REPO

DASHBOARD: Final = REPO / "dashboards" / "piorchestrator.yaml"
SESSION_CARD: Final = "custom:piorchestrator-session-card"
FLEET_CARD: Final = "custom:piorchestrator-fleet-card"
OUR_CARDS: Final = frozenset({SESSION_CARD, FLEET_CARD})

BUILT_IN_CARDS: Final = frozenset(
    {
        "alarm-panel",
        "area",
        "button",
        "calendar",
        "conditional",
        "entities",
        "entity",
        "entity-filter",
        "gauge",
        "glance",
        "grid",
        "heading",
        "history-graph",
        "horizontal-stack",
        "humidifier",
        "iframe",
        "light",
        "logbook",
        "map",
        "markdown",
        "media-control",
        "picture",
        "picture-elements",
        "picture-entity",
        "picture-glance",
        "plant-status",
        "sensor",
        "shopping-list",
        "statistic",
        "statistics-graph",
        "thermostat",
        "tile",
        "todo-list",
        "vertical-stack",
        "weather-forecast",
    }
)
"""Card types home-assistant-frontend 20250411.0 has (its `hui-*-card` elements)."""


def load_dashboard(path: Path = DASHBOARD) -> dict[str, Any]:
    """The example dashboard as Lovelace configuration."""
    return load_yaml_dict(path)


def iter_cards(config: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every card of a dashboard, nested ones included."""
    for view in config.get("views", []):
        for section in view.get("sections", []):
            yield from _walk(section.get("cards", []))
        yield from _walk(view.get("cards", []))


def _walk(cards: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for card in cards:
        yield card
        yield from _walk(card.get("cards", []))
        if isinstance(card.get("card"), dict):
            yield from _walk([card["card"]])


def referenced_entities(config: Mapping[str, Any]) -> set[str]:
    """Every entity ID a card or row of the dashboard names."""
    found: set[str] = set()
    for card in iter_cards(config):
        if isinstance(card.get("entity"), str):
            found.add(card["entity"])
        for row in card.get("entities", []):
            if isinstance(row, str):
                found.add(row)
            elif isinstance(row, dict) and isinstance(row.get("entity"), str):
                found.add(row["entity"])
        target = card.get("tap_action", {}).get("target", {})
        found.update(_as_list(target.get("entity_id")))
        for condition in card.get("conditions", []):
            if isinstance(condition, dict) and isinstance(condition.get("entity"), str):
                found.add(condition["entity"])
    return found


def _as_list(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def _is_template(section: Mapping[str, Any]) -> bool:
    """A section whose cards are session cards without a Pi, or that the demo filled."""
    cards = section.get("cards", [])
    return bool(cards) and all(card.get("type") == SESSION_CARD for card in cards)


def with_session_cards(config: Mapping[str, Any], entry_ids: Iterable[str]) -> dict[str, Any]:
    """A copy of `config` with one session-card section per Pi, where the template was.

    Applying it again with other Pis replaces the earlier ones: the sections it
    writes are recognised as template sections too.
    """
    result = copy.deepcopy(dict(config))
    ids = list(entry_ids)
    for view in result.get("views", []):
        sections: list[dict[str, Any]] = view.get("sections", [])
        template = next((s for s in sections if _is_template(s)), None)
        if template is None:
            continue
        at = sections.index(template)
        filled = [
            {**copy.deepcopy(template), "cards": [{"type": SESSION_CARD, "entry_id": entry_id}]}
            for entry_id in ids
        ]
        before = [s for s in sections[:at] if not _is_template(s)]
        after = [s for s in sections[at + 1 :] if not _is_template(s)]
        sections[:] = before + filled + after
        return result
    raise ValueError("the dashboard has no section with a session card to copy per Pi")
