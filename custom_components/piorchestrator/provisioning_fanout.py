"""Who hears of what changed in provisioning: per board, per session, per transition.

Entities of one board follow only that board, and entities that depend on the
session as a whole follow only the session: with hundreds of boards, waking
every entity for every event would cost more than the events themselves.
"""

from __future__ import annotations

from collections.abc import Callable

from homeassistant.core import CALLBACK_TYPE, callback

from .api.provisioning import ProvisioningState, Transition
from .coordinator import PiOrchestratorCoordinator


class ProvisioningFanOut(PiOrchestratorCoordinator[ProvisioningState]):
    """The listener registries of the provisioning coordinator, and their fan-out."""

    _board_listeners: dict[str, set[CALLBACK_TYPE]]
    _new_board_listeners: set[Callable[[str], None]]
    _session_listeners: set[CALLBACK_TYPE]
    _transition_listeners: set[Callable[[Transition], None]]
    _listeners_update_pending: bool
    _pending_transitions: list[Transition]

    def _init_fan_out(self) -> None:
        self._board_listeners = {}
        self._new_board_listeners = set()
        self._session_listeners = set()
        self._transition_listeners = set()
        self._listeners_update_pending = False
        self._pending_transitions = []

    @callback
    def async_add_board_listener(self, mac: str, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `update` when this one board changes; returns the unsubscribe."""
        listeners = self._board_listeners.setdefault(mac, set())
        listeners.add(update)

        @callback
        def remove() -> None:
            listeners.discard(update)
            if not listeners:
                self._board_listeners.pop(mac, None)

        return remove

    @callback
    def async_add_session_listener(self, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `update` when the current session changes or opens or closes.

        For what depends on the session as a whole, such as whether a board's
        buttons can act, without listening to every event.
        """
        self._session_listeners.add(update)
        return lambda: self._session_listeners.discard(update)

    @callback
    def async_add_new_board_listener(self, added: Callable[[str], None]) -> CALLBACK_TYPE:
        """Call `added(mac)` when a board is seen for the first time."""
        self._new_board_listeners.add(added)
        return lambda: self._new_board_listeners.discard(added)

    @callback
    def async_add_transition_listener(
        self, observed: Callable[[Transition], None]
    ) -> CALLBACK_TYPE:
        """Call `observed` for every live transition of a board or session."""
        self._transition_listeners.add(observed)
        return lambda: self._transition_listeners.discard(observed)

    @callback
    def board_changed(self, mac: str) -> None:
        """Tell the entities of one board that it changed."""
        for update in list(self._board_listeners.get(mac, ())):
            update()

    @callback
    def _notify_all_boards(self) -> None:
        for mac in list(self._board_listeners):
            self.board_changed(mac)

    @callback
    def _notify_session(self) -> None:
        for update in list(self._session_listeners):
            update()

    @callback
    def _announce_board(self, mac: str) -> None:
        for added in list(self._new_board_listeners):
            added(mac)

    @callback
    def _emit(self, transition: Transition) -> None:
        """Hand `transition` to its listeners once the events applied with it are done.

        A provision-all burst brings one event per board in one read. Each board's
        own entities are written as its event is applied; the event entity, bus
        events and logbook entries of all of them follow in order, so the last
        board's state does not wait for every earlier board's notifications.
        """
        self._pending_transitions.append(transition)
        if len(self._pending_transitions) == 1:
            self.hass.loop.call_soon(self._flush_transitions)

    @callback
    def _flush_transitions(self) -> None:
        transitions, self._pending_transitions = self._pending_transitions, []
        for transition in transitions:
            for observed in list(self._transition_listeners):
                observed(transition)

    @callback
    def _schedule_listeners_update(self) -> None:
        """Update the session-wide entities once for all events applied in one go.

        Board entities follow their own board at once; the counters and the session
        state only need the result of a batch, not every step of it.
        """
        if self._listeners_update_pending:
            return
        self._listeners_update_pending = True
        self.hass.loop.call_soon(self._flush_listeners_update)

    @callback
    def _flush_listeners_update(self) -> None:
        self._listeners_update_pending = False
        self.async_update_listeners()
