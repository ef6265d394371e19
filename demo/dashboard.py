"""The example dashboard, and the per-board card the demo adds to it.

The dashboard in `dashboards/` is static: boards change with every session, so
it lists them with a Markdown template. The demo also gives each board a row
with its state and its Retry button, in a "Board controls" card generated from
the entity registry and regenerated as boards appear.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from homeassistant.util.yaml import load_yaml_dict

from .scenario import REPO

DASHBOARD: Final = REPO / "dashboards" / "piorchestrator.yaml"
SCRIPTS: Final = REPO / "dashboards" / "piorchestrator_scripts.yaml"
BOARDS_HEADING: Final = "Boards"
CONTROLS_TITLE: Final = "Board controls"
MAC_LENGTH: Final = 17

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


@dataclass(frozen=True, slots=True)
class BoardControls:
    """The entities one board's row shows."""

    mac: str
    name: str
    state: str
    retry: str | None


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


def boards_from_registry(
    entry_id: str, entities: Iterable[tuple[str, str]], device_names: Mapping[str, str]
) -> list[BoardControls]:
    """Each board's state sensor and Retry button, from `(entity_id, unique_id)` pairs.

    Board entities' unique IDs are `<entry>_<MAC>_<key>`; `device_names` maps a
    board's MAC to the name its device shows.
    """
    states: dict[str, str] = {}
    retries: dict[str, str] = {}
    prefix = f"{entry_id}_"
    for entity_id, unique_id in entities:
        if not unique_id.startswith(prefix):
            continue
        rest = unique_id.removeprefix(prefix)
        mac, key = rest[:MAC_LENGTH], rest[MAC_LENGTH + 1 :]
        if len(mac) != MAC_LENGTH or mac.count(":") != 5:
            continue
        if key == "provisioning_state" and entity_id.startswith("sensor."):
            states[mac] = entity_id
        elif key == "retry" and entity_id.startswith("button."):
            retries[mac] = entity_id
    boards = [
        BoardControls(mac, device_names.get(mac, f"Camera board {mac}"), state, retries.get(mac))
        for mac, state in states.items()
    ]
    # Boards with a name of their own (from the allowlist) first, then the rest by MAC.
    return sorted(
        boards,
        key=lambda board: (board.name.startswith("Camera board "), board.name.casefold()),
    )


def board_controls_card(boards: Iterable[BoardControls]) -> dict[str, Any] | None:
    """An entities card: each board's state, then its Retry button; None without boards."""
    rows: list[dict[str, Any]] = []
    for board in boards:
        rows.append({"entity": board.state, "name": board.name, "secondary_info": "last-changed"})
        if board.retry is not None:
            rows.append({"entity": board.retry, "name": "Retry", "icon": "mdi:restart"})
    if not rows:
        return None
    return {"type": "entities", "title": CONTROLS_TITLE, "state_color": True, "entities": rows}


def with_board_controls(
    config: Mapping[str, Any], boards: Iterable[BoardControls]
) -> dict[str, Any]:
    """A copy of `config` whose Boards section ends with an up-to-date controls card."""
    result = copy.deepcopy(dict(config))
    card = board_controls_card(boards)
    for view in result.get("views", []):
        for section in view.get("sections", []):
            cards: list[dict[str, Any]] = section.get("cards", [])
            if not any(
                c.get("type") == "heading" and c.get("heading") == BOARDS_HEADING for c in cards
            ):
                continue
            cards[:] = [c for c in cards if c.get("title") != CONTROLS_TITLE]
            if card is not None:
                cards.append(card)
            return result
    raise ValueError(f"the dashboard has no section headed {BOARDS_HEADING!r}")
