"""Fix flow of a recoverable session: show what it holds, resume it on confirm."""

from __future__ import annotations

from typing import cast

from homeassistant.components.repairs import RepairsFlow
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult
import voluptuous as vol

from .api.errors import ErrorCode, PiOrchestratorError, is_session_gone
from .api.models import SessionSnapshot
from .api.text import clean_message, escape_markdown
from .data import PiOrchestratorConfigEntry
from .errors import ErrorKind, async_handle_client_error
from .recovery import async_delete_recovery_issue


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """Create the fix flow of a recoverable-session issue."""
    data = data or {}
    return ResumeSessionFlow(str(data.get("entry_id")), str(data.get("session_id")))


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
