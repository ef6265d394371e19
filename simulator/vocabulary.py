"""The two SSE vocabularies of API.md §6, as narrators of what the engine does.

The engine reports domain facts (a board changed state, the network started); a narrator
turns each fact into the events of its vocabulary and publishes them. A emits one event
per fact, using the specific device.* type where the table has one; B is the flatter
shape the official dashboard consumes.
"""

from __future__ import annotations

from typing import Any, Literal

from simulator.clock import rfc3339
from simulator.config import Framing, Vocabulary
from simulator.events import EventBroker
from simulator.state import Board, Session

ENVELOPE_VERSION = "1.0"

type NetworkReason = Literal["started", "stopped", "devices"]

# B's progress per state; failed carries no progress (the step it failed at is unknown).
_PROGRESS: dict[str, int] = {
    "discovered": 0,
    "provisioning": 25,
    "provisioned": 50,
    "verifying": 75,
    "verified": 100,
}

# A's specific device event per new state; other transitions use device.state_changed.
_DEVICE_EVENT_A: dict[str, str] = {
    "provisioning": "device.provisioning_started",
    "provisioned": "device.provisioning_completed",
    "failed": "device.provisioning_failed",
    "verified": "device.verified",
}


def envelope(event_type: str, payload: Any, session_id: str | None) -> dict[str, Any]:
    """Build the §6 data envelope."""
    data: dict[str, Any] = {
        "version": ENVELOPE_VERSION,
        "type": event_type,
        "timestamp": rfc3339(),
    }
    if session_id is not None:
        data["session_id"] = session_id
    data["payload"] = payload
    return data


class Narrator:
    """Base narrator: publishes enveloped events on the provisioning broker."""

    vocabulary: Vocabulary = "backend"
    names_frames_by_default = True

    def __init__(self, broker: EventBroker, framing: Framing = "auto") -> None:
        """Publish on `broker`; `framing` says whether frames carry an `event:` line."""
        self.broker = broker
        self.named_frames = (
            self.names_frames_by_default if framing == "auto" else framing == "named"
        )

    def emit(self, event_type: str, payload: Any, session_id: str | None = None) -> None:
        """Publish one event in the envelope."""
        self.broker.publish(
            event_type, envelope(event_type, payload, session_id), session_id=session_id
        )

    # Connection-level events are per stream, not broadcast; None means "none in this
    # vocabulary".
    def greeting(self, session_filter: str | None) -> tuple[str, dict[str, Any]] | None:
        """Return the event a new stream starts with, if any."""
        return None

    def heartbeat(self) -> tuple[str, dict[str, Any]] | None:
        """Return the periodic per-stream event, if any (comments are sent regardless)."""
        return None

    def session_started(self, session: Session) -> None:
        """A session was created."""
        raise NotImplementedError

    def session_changed(self, session: Session) -> None:
        """A session moved to another non-closed state."""
        raise NotImplementedError

    def session_closed(self, session: Session) -> None:
        """A session reached `closed`."""
        raise NotImplementedError

    def session_timeout_warning(self, session: Session) -> None:
        """A session will expire soon."""
        raise NotImplementedError

    def device_discovered(self, device: Board) -> None:
        """A board showed up on the onboarding network."""
        raise NotImplementedError

    def device_changed(self, device: Board, previous: str) -> None:
        """A board moved from `previous` to `device.state`."""
        raise NotImplementedError

    def network_changed(
        self, status: dict[str, Any], reason: NetworkReason, session_id: str | None
    ) -> None:
        """The onboarding network started, stopped, or its device count changed."""
        raise NotImplementedError

    def error(self, code: str, message: str, retryable: bool, session_id: str | None) -> None:
        """Something went wrong that a watcher should hear about."""
        raise NotImplementedError


class BackendNarrator(Narrator):
    """Vocabulary A, as documented by the backend team."""

    vocabulary: Vocabulary = "backend"

    def session_started(self, session: Session) -> None:
        """Emit session.started."""
        self.emit("session.started", {"session": session.to_api()}, session.id)

    def session_changed(self, session: Session) -> None:
        """Emit session.state_changed."""
        self.emit("session.state_changed", {"session": session.to_api()}, session.id)

    def session_closed(self, session: Session) -> None:
        """Emit session.closed."""
        self.emit("session.closed", {"session": session.to_api()}, session.id)

    def session_timeout_warning(self, session: Session) -> None:
        """Emit session.timeout_warning."""
        self.emit("session.timeout_warning", {"session": session.to_api()}, session.id)

    def device_discovered(self, device: Board) -> None:
        """Emit device.discovered with the full board."""
        self.emit("device.discovered", {"device": device.to_api()}, device.session_id)

    def device_changed(self, device: Board, previous: str) -> None:
        """Emit the specific device event for the new state, else device.state_changed."""
        event_type = _DEVICE_EVENT_A.get(device.state, "device.state_changed")
        if device.state == previous:
            # A restarted step (e.g. verification after recovery) is not a new state.
            event_type = "device.state_changed"
        self.emit(event_type, {"device": device.to_api()}, device.session_id)

    def network_changed(
        self, status: dict[str, Any], reason: NetworkReason, session_id: str | None
    ) -> None:
        """Emit network.started / network.stopped; A has no event for count changes."""
        if reason == "devices":
            return
        self.emit(f"network.{reason}", {"status": status}, session_id)

    def error(self, code: str, message: str, retryable: bool, session_id: str | None) -> None:
        """Emit error.occurred."""
        self.emit("error.occurred", {"code": code, "message": message}, session_id)


class DashboardNarrator(Narrator):
    """Vocabulary B, as consumed by the official web dashboard."""

    vocabulary: Vocabulary = "dashboard"
    # The official dashboard listens with onmessage, deaf to named frames (API.md §6).
    names_frames_by_default = False

    def greeting(self, session_filter: str | None) -> tuple[str, dict[str, Any]] | None:
        """Return connection.established."""
        payload: dict[str, Any] = {"message": "Connected to provisioning event stream"}
        if session_filter is not None:
            payload["session_id"] = session_filter
        return "connection.established", envelope("connection.established", payload, None)

    def heartbeat(self) -> tuple[str, dict[str, Any]] | None:
        """Return connection.heartbeat (payload null)."""
        return "connection.heartbeat", envelope("connection.heartbeat", None, None)

    def _status(self, session: Session) -> None:
        self.emit("session.status", {"session": session.to_api()}, session.id)

    def session_started(self, session: Session) -> None:
        """Emit session.status."""
        self._status(session)

    def session_changed(self, session: Session) -> None:
        """Emit session.status."""
        self._status(session)

    def session_closed(self, session: Session) -> None:
        """Emit session.status (state closed)."""
        self._status(session)

    def session_timeout_warning(self, session: Session) -> None:
        """Emit session.status: B has no warning event, the session carries expires_at."""
        self._status(session)

    def device_discovered(self, device: Board) -> None:
        """Emit the flat device.discovered."""
        self.emit(
            "device.discovered",
            {
                "mac": device.mac,
                "ip": device.ip,
                "rssi": device.rssi,
                "firmware_version": device.firmware_version,
                "in_allowlist": device.in_allowlist,
            },
            device.session_id,
        )

    def device_changed(self, device: Board, previous: str) -> None:
        """Emit device.state_changed with previous/new state, progress and error."""
        payload: dict[str, Any] = {
            "mac": device.mac,
            "previous_state": previous,
            "new_state": device.state,
        }
        if device.state in _PROGRESS:
            payload["progress"] = _PROGRESS[device.state]
        if device.state == "failed" and device.error_message:
            payload["error"] = device.error_message
        self.emit("device.state_changed", payload, device.session_id)

    def network_changed(
        self, status: dict[str, Any], reason: NetworkReason, session_id: str | None
    ) -> None:
        """Emit network.status_changed for every change, count changes included."""
        self.emit("network.status_changed", dict(status), session_id)

    def error(self, code: str, message: str, retryable: bool, session_id: str | None) -> None:
        """Emit error."""
        self.emit("error", {"code": code, "message": message, "retryable": retryable}, session_id)


def make_narrator(
    vocabulary: Vocabulary, broker: EventBroker, framing: Framing = "auto"
) -> Narrator:
    """Return the narrator of `vocabulary`."""
    if vocabulary == "dashboard":
        return DashboardNarrator(broker, framing)
    return BackendNarrator(broker, framing)
