"""Batch provisioning state, pushed by the SSE stream and reconciled over REST.

The library's `ProvisioningTracker` owns the state and its rules; this coordinator
feeds it events and snapshots (again after every reconnect: events sent while the
stream was down are lost) and fans out the transitions it reports.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
import time
from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .api.client import PiOrchestratorClient
from .api.errors import PiOrchestratorNotFoundError
from .api.event_stream import ProvisioningEventStream
from .api.events import EventKind, ProvisioningEvent
from .api.models import Session, SessionSnapshot
from .api.provisioning import (
    NO_SESSION,
    BoardTransition,
    ProvisioningState,
    ProvisioningTracker,
    SessionTransition,
    Transition,
)
from .board_cap import BoardCap
from .const import DOMAIN, LOGGER
from .coordinator import fetch_or_raise
from .provisioning_stream import UNAVAILABLE_GRACE_SECONDS, ProvisioningStreamLink
from .provisioning_timers import (
    SETTLE_SECONDS,
    GapSuspicion,
    NetworkRefresh,
    ReconcileRequests,
    SessionExpiry,
)
from .reconciliation import Reason, ReconcileRecord

if TYPE_CHECKING:
    from .data import PiOrchestratorConfigEntry

__all__ = [
    "NO_SESSION",
    "UNAVAILABLE_GRACE_SECONDS",
    "BoardTransition",
    "ProvisioningCoordinator",
    "ProvisioningState",
    "SessionTransition",
    "Transition",
]

STORAGE_VERSION = 1
RETRY_INTERVAL = timedelta(seconds=5)
"""How soon a failed reconciliation is tried again."""
_QUIET_KINDS = frozenset({EventKind.HEARTBEAT, EventKind.CONNECTION_ESTABLISHED})


class ProvisioningCoordinator(ProvisioningStreamLink):
    """Keeps sessions and boards in step with the Pi."""

    subject = "provisioning"

    def __init__(
        self,
        hass: HomeAssistant,
        entry: PiOrchestratorConfigEntry,
        client: PiOrchestratorClient,
        reconcile_interval: timedelta,
    ) -> None:
        """Pushed; polled only to reconcile while a session is open."""
        super().__init__(hass, entry, client, None)
        self.tracker = ProvisioningTracker(self)
        self.data = self.tracker.state
        self._init_fan_out()
        self._init_stream(hass, ProvisioningEventStream(client, probe=self._probe_pi))
        self.last_event_at: datetime | None = None
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}.provisioning"
        )
        self._known_session_id: str | None = None
        self._baseline_taken = False
        self._next_reason: Reason | None = None
        self.reconcile_interval = reconcile_interval
        self.reconciliation = ReconcileRecord(client.host, reconcile_interval)
        self._cap = BoardCap(hass, entry, client.host, self.tracker)
        self._expiry = SessionExpiry(
            hass, self.tracker, self._schedule_listeners_update, self._emit
        )
        self._reconcile_requests = ReconcileRequests(
            hass, entry, self.reconciliation, self._reconcile
        )
        self._suspicion = GapSuspicion(
            hass, self.tracker, self.reconciliation, self._reconcile_requests.request
        )
        self._network = NetworkRefresh(
            hass, entry, client, self.tracker, self.async_update_listeners
        )

    @property
    def reconcile_count(self) -> int:
        """How many times the session was fetched, whatever the reason."""
        return self.reconciliation.total

    async def _async_setup(self) -> None:
        stored = await self._store.async_load() or {}
        self._known_session_id = stored.get("session_id")
        self._cap.async_setup()
        for cancel in (self._suspicion.cancel, self._network.cancel, self._expiry.cancel):
            self.config_entry.async_on_unload(cancel)

    async def _async_update_data(self) -> ProvisioningState:
        """Fetch the session with its boards, and make the state agree with it.

        Runs at start-up, after every reconnect, when an event hints at a gap,
        and every `reconcile_interval` while a session is open, however healthy
        the stream looks. A reconciliation of an open session is one request:
        the Pi includes the onboarding network with its current session.
        """
        reason = self._next_reason or (Reason.PERIODIC if self._baseline_taken else Reason.STARTUP)
        self._next_reason = None
        requested_at = time.monotonic()
        snapshot = await fetch_or_raise(self._fetch_known_session())
        network = snapshot.network_status if snapshot is not None else None
        if network is None:
            network = await fetch_or_raise(self.client.network_status())
        missed = 0
        if reason.checks_stream and snapshot is not None:
            missed = len(self.tracker.behind(snapshot))
            if missed:
                # Events already on their way would make up part of the
                # difference; give them a moment before counting what was lost.
                await asyncio.sleep(SETTLE_SECONDS)
                missed = len(self.tracker.behind(snapshot))
        # The first picture is the baseline: what it shows happened before we
        # looked, so it is not reported as transitions.
        transitions = self.tracker.apply_snapshot(
            snapshot,
            network,
            requested_at=requested_at,
            live=self._baseline_taken,
            now=time.monotonic(),
        )
        if snapshot is not None and self.data.session is snapshot.session:
            self._expiry.read(snapshot)
        for transition in transitions:
            self._emit(transition)
        self._baseline_taken = True
        self.reconciliation.record(reason, missed, self.last_event_at)
        self._update_reconcile_timer()
        return self.data

    @callback
    def _async_refresh_finished(self) -> None:
        """After a failed fetch, try again soon, even while no session is open.

        A reconciliation after a reconnect that fails would otherwise wait for the next
        event or the next reconciliation, however long that takes.
        """
        if self.last_update_success:
            self._update_reconcile_timer()
        elif self.update_interval != RETRY_INTERVAL:
            self.update_interval = RETRY_INTERVAL
            self._schedule_refresh()

    @callback
    def _update_reconcile_timer(self) -> None:
        """Reconcile on a timer while a session is open, and not at all otherwise."""
        session = self.data.session
        wanted = self.reconcile_interval if session is not None and session.state.is_open else None
        if wanted == self.update_interval:
            return
        self.update_interval = wanted
        if wanted is None:
            self._async_unsub_refresh()
        else:
            self._schedule_refresh()

    async def _fetch_known_session(self) -> SessionSnapshot | None:
        if self._known_session_id is None:
            return None
        try:
            return await self.client.get_batch(self._known_session_id)
        except PiOrchestratorNotFoundError:
            LOGGER.debug("Session %s no longer exists on the Pi", self._known_session_id)
            self._forget_session()
            return None

    async def async_follow_session(self, session_id: str) -> None:
        """Follow `session_id` from now on, and fetch it with its boards.

        For a session resumed from Home Assistant: the stream reports its state
        changes, but not the boards that kept their state while the Pi was down.
        """
        self._remember_session(session_id)
        self._next_reason = Reason.RESUMED
        await self.async_refresh()

    @callback
    def _remember_session(self, session_id: str | None) -> None:
        if session_id != self._known_session_id:
            self._known_session_id = session_id
            self._store.async_delay_save(lambda: {"session_id": session_id}, 1)

    @callback
    def _forget_session(self) -> None:
        session = self.data.session
        if session is not None:
            self._expiry.set(session.id, None)
        self.tracker.forget_session()
        self._known_session_id = None
        self._store.async_delay_save(lambda: {"session_id": None}, 1)
        self._notify_session()

    @callback
    def forget_board(self, mac: str) -> None:
        """Drop a board whose device was removed, counts and listeners included."""
        self.tracker.forget_board(mac)
        self.board_changed(mac)
        self._schedule_listeners_update()

    async def _stream_opened(self) -> None:
        self.tracker.reconnected()
        self._next_reason = Reason.RECONNECT
        await self.async_refresh()

    @callback
    def _apply_event(self, event: ProvisioningEvent) -> None:
        self.last_event_at = dt_util.utcnow()
        for transition in self.tracker.apply_event(event, time.monotonic()):
            self._emit(transition)
        if event.network is not None:
            self._network.stale = False
        if event.kind is EventKind.ERROR and event.error is not None:
            self._log_error(event.error.code, event.error.message)
        if event.kind not in _QUIET_KINDS:
            self._schedule_listeners_update()

    # What the tracker asks (TrackerHooks):

    def admit(self, mac: str) -> bool:
        """A board may come into memory unless the cap is reached."""
        return self._cap.admit(mac)

    def refused(self, mac: str) -> bool:
        """Whether the cap keeps this board out."""
        return self._cap.refused(mac)

    def board_added(self, mac: str) -> None:
        """A board came into memory: give it entities unless it has them."""
        if self._cap.needs_entities(mac):
            self._announce_board(mac)

    def session_changed(self, session: Session, previous: Session | None) -> None:
        """Time the reconciliation and the expiry; tell what depends on the session."""
        self._update_reconcile_timer()
        self._expiry.session_changed(session, previous)
        if (
            previous is None
            or previous.id != session.id
            or previous.state.is_open != session.state.is_open
        ):
            self._notify_session()
        self._remember_session(session.id)

    def suspect(self, signal: str) -> None:
        """A hint of a gap: check once things settle."""
        self._suspicion.suspect(signal)

    def follow(self, signal: str, session_id: str | None) -> None:
        """Something new appeared: fetch it (not a gap, how news arrives)."""
        if session_id is not None:
            self._known_session_id = session_id
        self._reconcile_requests.request(signal, Reason.UNSEEN)

    def network_may_have_changed(self) -> None:
        """Ask the onboarding network's count once the boards settle."""
        self._network.may_have_changed()

    async def _reconcile(self, reason: Reason) -> None:
        self._next_reason = reason
        await self.async_request_refresh()

    def diagnostics(self) -> dict[str, Any]:
        """Stream and reconciliation figures for the diagnostics download."""
        return {
            "stream_connected": self.stream_connected,
            "stream": self.stream.diagnostics,
            "reconciliation": self.reconciliation.as_dict(),
            "last_event_at": self.last_event_at.isoformat() if self.last_event_at else None,
            "known_session_id": self._known_session_id,
        }
