"""Sessions interrupted by a restart of the Pi, offered for resumption as repairs.

The Pi lists the sessions that were open when it stopped. Each becomes a repair
issue whose fix flow shows what the session holds and resumes it on confirm; an
issue disappears as soon as its session is resumed, closed or no longer listed.

When to look: at setup, after every reconciliation of the provisioning
coordinator and after every session transition. A restart of the Pi always
breaks the event stream; the coordinator reconciles after the reconnect,
which is exactly when a new recoverable session can appear. Session transitions
catch the other way out: a session resumed or abandoned from the Pi's own
dashboard. No polling is needed, and none is done.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final, cast

from homeassistant.components.repairs import RepairsFlow
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResult
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.debounce import Debouncer
import voluptuous as vol

from .api.errors import ErrorCode, PiOrchestratorError, is_session_gone
from .api.events import EventKind
from .api.models import Session, SessionSnapshot
from .api.text import clean_message, escape_markdown
from .const import (
    ATTR_DEVICE_COUNT,
    ATTR_FAILED_COUNT,
    ATTR_SESSION_ID,
    ATTR_VERIFIED_COUNT,
    DOMAIN,
    LOGGER,
)
from .data import PiOrchestratorConfigEntry
from .error_handling import ErrorKind, async_handle_client_error
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
            ATTR_SESSION_ID: session.id,
            "ssid": session.target_ssid or "?",
            ATTR_DEVICE_COUNT: str(session.device_count),
            ATTR_VERIFIED_COUNT: str(session.verified_count),
            ATTR_FAILED_COUNT: str(session.failed_count),
        },
        data={"entry_id": entry.entry_id, ATTR_SESSION_ID: session.id},
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
        self._seen_reconciliations = self._coordinator.reconcile_count
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
        if self._coordinator.reconcile_count != self._seen_reconciliations:
            self._seen_reconciliations = self._coordinator.reconcile_count
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


# -- Fix flow ---------------------------------------------------------------------


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """Create the fix flow of a recoverable-session issue."""
    data = data or {}
    return ResumeSessionFlow(str(data.get("entry_id")), str(data.get(ATTR_SESSION_ID)))


class ResumeSessionFlow(RepairsFlow):
    """Shows the interrupted session with its boards and resumes it on confirm."""

    def __init__(self, entry_id: str, session_id: str) -> None:
        """Fix the issue of `session_id` on the Pi of `entry_id`."""
        self._entry_id = entry_id
        self._session_id = session_id

    async def async_step_init(self, user_input: dict[str, str] | None = None) -> FlowResult:
        """Go straight to the confirmation."""
        return await self.async_step_confirm()

    async def async_step_confirm(self, user_input: dict[str, str] | None = None) -> FlowResult:
        """Show the session; resume it once confirmed."""
        entry = self.hass.config_entries.async_get_entry(self._entry_id)
        if entry is None or entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="entry_not_loaded")
        entry = cast(PiOrchestratorConfigEntry, entry)
        client = entry.runtime_data.client
        errors: dict[str, str] = {}
        placeholders: dict[str, str] = {"error": ""}
        if user_input is not None:
            try:
                await client.resume_session(self._session_id)
            except PiOrchestratorError as err:
                if (stop := self._stop_for(entry, err)) is not None:
                    return stop
                errors["base"] = (
                    "session_active"
                    if err.code == ErrorCode.SESSION_ALREADY_ACTIVE
                    else "resume_failed"
                )
                placeholders["error"] = _error_text(err)
            else:
                await entry.runtime_data.provisioning.async_follow_session(self._session_id)
                return self.async_create_entry(data={})

        try:
            snapshot = await client.get_batch(self._session_id)
        except PiOrchestratorError as err:
            return self._stop_for(entry, err) or self.async_abort(
                reason="cannot_connect", description_placeholders={"error": _error_text(err)}
            )
        placeholders.update(_describe(snapshot))
        return self.async_show_form(
            step_id="confirm",
            data_schema=vol.Schema({}),
            errors=errors,
            description_placeholders=placeholders,
        )

    def _stop_for(
        self, entry: PiOrchestratorConfigEntry, err: PiOrchestratorError
    ) -> FlowResult | None:
        """End the flow where no retry can help: a refused key, or a session gone."""
        if async_handle_client_error(self.hass, entry, err) is ErrorKind.REFUSED_KEY:
            return self.async_abort(
                reason="reauth_required", description_placeholders={"error": _error_text(err)}
            )
        if is_session_gone(err):
            return self._gone(err)
        return None

    def _gone(self, err: PiOrchestratorError) -> FlowResult:
        """The session cannot come back: say why, and withdraw its issue."""
        async_delete_recovery_issue(self.hass, self._entry_id, self._session_id)
        return self.async_abort(
            reason="not_recoverable", description_placeholders={"error": _error_text(err)}
        )


def _error_text(err: PiOrchestratorError) -> str:
    """An error as Markdown shows it: one line of 200 characters at most, escaped."""
    return escape_markdown(clean_message(str(err)) or "?")


def _describe(snapshot: SessionSnapshot) -> dict[str, str]:
    """The session and its boards, as the confirmation shows them (Markdown, escaped)."""
    session = snapshot.session
    boards = "\n".join(
        f"- {escape_markdown(board.mac)}: {board.state.value}"
        + (f" ({escape_markdown(board.error_message)})" if board.error_message else "")
        for board in sorted(snapshot.devices, key=lambda board: board.mac)
    )
    return {
        "session_id": escape_markdown(session.id),
        "ssid": escape_markdown(session.target_ssid or "?"),
        # The step's title is plain text, not Markdown: escaping would show.
        "target": session.target_ssid or "?",
        "device_count": str(len(snapshot.devices)),
        "boards": boards or "-",
    }
