"""Sessions interrupted by a restart of the Pi, offered for resumption as repairs.

The Pi lists the sessions that were open when it stopped. Each becomes a repair
issue with a fix flow (see `repairs.py`); an issue disappears as soon as its
session is resumed, closed or no longer listed.

When to look: at setup, after every resynchronisation of the provisioning
coordinator and after every session transition. A restart of the Pi always
breaks the event stream; the coordinator resynchronises after the reconnect,
which is exactly when a new recoverable session can appear. Session transitions
catch the other way out: a session resumed or abandoned from the Pi's own
dashboard. No polling is needed, and none is done.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.debounce import Debouncer

from .api.errors import PiOrchestratorError
from .api.events import EventKind
from .api.models import Session
from .const import DOMAIN, LOGGER
from .data import PiOrchestratorConfigEntry
from .errors import async_handle_client_error
from .provisioning_coordinator import SessionTransition, Transition

ISSUE_TRANSLATION_KEY: Final = "recoverable_session"
RECHECK_COOLDOWN: Final = 2.0
"""Seconds between two looks, however many transitions ask for one."""


def issue_id_for(entry_id: str, session_id: str) -> str:
    """The repair issue of one recoverable session of one Pi."""
    return f"{ISSUE_TRANSLATION_KEY}_{entry_id}_{session_id}"


@callback
def async_create_recovery_issue(
    hass: HomeAssistant, entry: PiOrchestratorConfigEntry, session: Session
) -> None:
    """Create, or update, the issue of a recoverable session.

    The placeholders are not escaped: the issue shows only a title, which is plain
    text. Its fix flow, which renders Markdown, escapes what it shows.
    """
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id_for(entry.entry_id, session.id),
        is_fixable=True,
        is_persistent=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=ISSUE_TRANSLATION_KEY,
        translation_placeholders={
            "pi": entry.title,
            "session_id": session.id,
            "ssid": session.target_ssid or "?",
            "device_count": str(session.device_count),
            "verified_count": str(session.verified_count),
            "failed_count": str(session.failed_count),
        },
        data={"entry_id": entry.entry_id, "session_id": session.id},
    )


@callback
def async_delete_recovery_issue(hass: HomeAssistant, entry_id: str, session_id: str) -> None:
    """Remove the issue of a session, if there is one."""
    ir.async_delete_issue(hass, DOMAIN, issue_id_for(entry_id, session_id))


@callback
def async_sync_recovery_issues(
    hass: HomeAssistant, entry: PiOrchestratorConfigEntry, sessions: Iterable[Session]
) -> None:
    """Make the entry's issues match `sessions`: one each, no others."""
    wanted = {issue_id_for(entry.entry_id, session.id): session for session in sessions}
    prefix = issue_id_for(entry.entry_id, "")
    existing = {
        issue_id
        for domain, issue_id in ir.async_get(hass).issues
        if domain == DOMAIN and issue_id.startswith(prefix)
    }
    for issue_id in existing - wanted.keys():
        ir.async_delete_issue(hass, DOMAIN, issue_id)
    for session in wanted.values():
        async_create_recovery_issue(hass, entry, session)


class RecoveryWatcher:
    """Keeps one entry's recovery issues in step with the Pi."""

    def __init__(self, hass: HomeAssistant, entry: PiOrchestratorConfigEntry) -> None:
        """Watch `entry`; nothing happens before `async_start`."""
        self._hass = hass
        self._entry = entry
        self._coordinator = entry.runtime_data.provisioning
        self._seen_resyncs = self._coordinator.resync_count
        self._debouncer: Debouncer[object] = Debouncer(
            hass,
            LOGGER,
            cooldown=RECHECK_COOLDOWN,
            immediate=True,
            function=self._start_check,
        )
        self._stopped = False

    async def async_start(self) -> None:
        """Look once now, then whenever the Pi may have changed its mind."""
        entry = self._entry
        entry.async_on_unload(self._coordinator.async_add_listener(self._coordinator_updated))
        entry.async_on_unload(self._coordinator.async_add_transition_listener(self._observed))
        entry.async_on_unload(self._async_stop)
        await self.async_check()

    @callback
    def _start_check(self) -> None:
        # A task of the entry, so unloading cancels a check still waiting for the Pi.
        if not self._stopped:
            self._entry.async_create_background_task(
                self._hass, self.async_check(), name=f"{DOMAIN} recovery check"
            )

    async def async_check(self) -> None:
        """Ask the Pi for its recoverable sessions and update the issues."""
        try:
            sessions = await self._entry.runtime_data.client.recoverable_sessions()
        except PiOrchestratorError as err:
            # Issues stay as they are: an unreachable Pi has not changed its mind.
            # A refused key still asks for a new one, as it would anywhere else.
            async_handle_client_error(self._hass, self._entry, err)
            return
        if not self._stopped:
            async_sync_recovery_issues(self._hass, self._entry, sessions)

    @callback
    def _coordinator_updated(self) -> None:
        if self._coordinator.resync_count != self._seen_resyncs:
            self._seen_resyncs = self._coordinator.resync_count
            self._debouncer.async_schedule_call()

    @callback
    def _observed(self, transition: Transition) -> None:
        if (
            isinstance(transition, SessionTransition)
            and transition.kind is not EventKind.SESSION_TIMEOUT_WARNING
        ):
            self._debouncer.async_schedule_call()

    @callback
    def _async_stop(self) -> None:
        """Stop looking, and withdraw issues nobody could fix while unloaded."""
        self._stopped = True
        self._debouncer.async_shutdown()
        async_sync_recovery_issues(self._hass, self._entry, ())
