"""Buttons on each camera board: provision, retry, skip."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api.models import BoardAction, BoardState
from .authorization import async_require_admin_unless_allowlisted
from .const import DOMAIN
from .data import PiOrchestratorConfigEntry
from .devices import open_session_id
from .entity import BoardEntity, async_setup_board_entities
from .error_handling import handle_errors

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class BoardButtonDescription(ButtonEntityDescription):
    """An action on one board, offered only where it makes sense."""

    allowed_states: frozenset[BoardState]
    action: BoardAction


BOARD_BUTTONS: tuple[BoardButtonDescription, ...] = (
    BoardButtonDescription(
        key="provision",
        translation_key="provision",
        allowed_states=frozenset({BoardState.DISCOVERED}),
        action=BoardAction.PROVISION,
    ),
    BoardButtonDescription(
        key="retry",
        translation_key="retry",
        allowed_states=frozenset({BoardState.FAILED}),
        action=BoardAction.RETRY,
    ),
    BoardButtonDescription(
        key="skip",
        translation_key="skip",
        allowed_states=frozenset({BoardState.DISCOVERED, BoardState.FAILED}),
        action=BoardAction.SKIP,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PiOrchestratorConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add each board's buttons as boards appear."""
    coordinator = entry.runtime_data.provisioning
    async_setup_board_entities(
        entry,
        async_add_entities,
        lambda mac: [
            BoardButton(coordinator, entry, mac, description) for description in BOARD_BUTTONS
        ],
    )


class BoardButton(BoardEntity, ButtonEntity):
    """Provision, retry or skip one board in the current session."""

    entity_description: BoardButtonDescription

    @property
    def available(self) -> bool:
        """Offered only in the states where the Pi would accept the action."""
        board = self.board
        return (
            super().available
            and board is not None
            and board.state in self.entity_description.allowed_states
            and open_session_id(self.coordinator.data) is not None
        )

    async def async_added_to_hass(self) -> None:
        """Follow the session too: whether the board can be acted on depends on it."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.coordinator.async_add_session_listener(self.async_write_if_changed)
        )

    @handle_errors
    async def async_press(self) -> None:
        """Ask the Pi to act on the board, if the one pressing may."""
        # Read before any await: the press's context is the caller's only trace here.
        context = self._context
        session_id = open_session_id(self.coordinator.data)
        if session_id is None:
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="no_active_session"
            )
        client = self.coordinator.client
        action = self.entity_description.action
        if action.sends_credentials:
            # Pressed by a non-administrator, only for a board on the allowlist.
            await async_require_admin_unless_allowlisted(self.hass, context, client, self.mac)
        await client.board_action(session_id, self.mac, action)
