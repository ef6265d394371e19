"""The provisioning coordinator's timers: expiry warning, gap suspicion, network refresh.

Each waits for things to settle before acting, so that many events make one
request and a hint that is gone a moment later makes none.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util

from .api.client import PiOrchestratorClient
from .api.errors import PiOrchestratorError
from .api.events import EventKind
from .api.health import parse_uptime
from .api.models import Session, SessionSnapshot
from .api.provisioning import ProvisioningTracker, SessionTransition, Transition
from .const import DOMAIN, LOGGER
from .reconciliation import Reason, ReconcileRecord

if TYPE_CHECKING:
    from .data import PiOrchestratorConfigEntry

SETTLE_SECONDS = 1.0
"""How long a hint of a gap, or a difference found, must hold before it counts."""
NETWORK_REFRESH_DELAY = 2.0
"""Seconds to gather board moves before asking how many are on the onboarding network."""
TIMEOUT_WARNING_LEAD = timedelta(minutes=5)
"""How long before a session expires its timeout warning fires, whatever the vocabulary."""
EXPIRY_TOLERANCE = timedelta(seconds=2)
"""Expiry times closer than this to the one shown are the same time, read again."""


class _OneTimer:
    """At most one pending call, which `cancel` stops: a timer that things settle on."""

    _hass: HomeAssistant
    _cancel: CALLBACK_TYPE | None = None

    @callback
    def _call_later(self, delay: float, action: Callable[[], None]) -> None:
        """Call `action` in `delay` seconds, unless a call is pending already."""
        if self._cancel is not None:
            return

        @callback
        def due(_now: datetime) -> None:
            self._cancel = None
            action()

        self._cancel = async_call_later(self._hass, delay, due)

    @callback
    def cancel(self) -> None:
        """Stop the pending call."""
        if self._cancel is not None:
            self._cancel()
            self._cancel = None


class SessionExpiry(_OneTimer):
    """Shows when the session expires, and warns `TIMEOUT_WARNING_LEAD` before.

    The backend vocabulary warns on its own, the dashboard's never does: the
    warning fires from whichever comes first, once per session.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        tracker: ProvisioningTracker,
        changed: CALLBACK_TYPE,
        emit: Callable[[Transition], None],
    ) -> None:
        """Warn through `emit`; call `changed` when the expiry shown changes."""
        self._hass = hass
        self._tracker = tracker
        self._changed = changed
        self._emit = emit

    @callback
    def session_changed(self, session: Session, previous: Session | None) -> None:
        """Until the next check says how long is left, the session's own word."""
        if not session.state.is_open:
            self.set(session.id, None)
        elif (
            self._tracker.state.expires_at is None or previous is None or previous.id != session.id
        ):
            self.set(session.id, session.expires_at)

    @callback
    def read(self, snapshot: SessionSnapshot) -> None:
        """Read when the session expires from the `timeout_remaining` of a check."""
        session = snapshot.session
        if not session.state.is_open:
            self.set(session.id, None)
            return
        # The same Go duration text ("4m30s") as the uptime the monitor sends.
        remaining = parse_uptime(snapshot.timeout_remaining)
        if remaining is None:
            self.set(session.id, session.expires_at)
            return
        self.set(session.id, dt_util.utcnow() + timedelta(seconds=remaining))

    @callback
    def set(self, session_id: str, expires_at: datetime | None) -> None:
        """Show `expires_at` for `session_id`, and time its warning."""
        state = self._tracker.state
        if (
            expires_at is not None
            and state.expires_at is not None
            and abs(expires_at - state.expires_at) < EXPIRY_TOLERANCE
        ):
            # Each check counts from its own "now": a second either way is not news.
            expires_at = state.expires_at
        elif expires_at is not None:
            expires_at = expires_at.replace(microsecond=0)
        if expires_at == state.expires_at and (expires_at is None or self._cancel is not None):
            return
        state.expires_at = expires_at
        self.cancel()
        self._changed()
        if expires_at is None or self._tracker.timeout_warned == session_id:
            return
        delay = (expires_at - TIMEOUT_WARNING_LEAD - dt_util.utcnow()).total_seconds()
        self._call_later(max(delay, 0.0), partial(self._warn, session_id))

    @callback
    def _warn(self, session_id: str) -> None:
        tracker = self._tracker
        session = tracker.state.session
        if (
            session is None
            or session.id != session_id
            or not session.state.is_open
            or tracker.timeout_warned == session_id
        ):
            return
        tracker.timeout_warned = session_id
        LOGGER.debug("Session %s expires in 5 minutes or less", session_id)
        self._emit(
            SessionTransition(
                session=session,
                previous_state=session.state.value,
                kind=EventKind.SESSION_TIMEOUT_WARNING,
            )
        )


class GapSuspicion(_OneTimer):
    """Notes hints of a gap; checks once things settle, then reconciles if one holds.

    Counters and events can cross on the wire, so a hint is only acted on when
    it still holds a moment later, and many hints make one request.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        tracker: ProvisioningTracker,
        record: ReconcileRecord,
        reconcile: Callable[[str, Reason], None],
    ) -> None:
        """Count every hint in `record`; ask `reconcile` for what holds."""
        self._hass = hass
        self._tracker = tracker
        self._record = record
        self._reconcile = reconcile
        self._signals: set[str] = set()

    @callback
    def suspect(self, signal: str) -> None:
        """Note one hint of a gap."""
        self._record.gap_signals[signal] += 1
        self._signals.add(signal)
        self._call_later(SETTLE_SECONDS, self._check)

    @callback
    def _check(self) -> None:
        signals, self._signals = self._signals, set()
        if signals == {"counters"} and not self._tracker.counters_disagree():
            return
        self._reconcile(",".join(sorted(signals)), Reason.GAP)


class NetworkRefresh(_OneTimer):
    """Boards join and leave the onboarding network as they move on.

    The dashboard's vocabulary says so with an event; the backend's does not.
    Ask once things settle, unless an event told us meanwhile: at most one
    request per `NETWORK_REFRESH_DELAY`, however many boards move.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: PiOrchestratorConfigEntry,
        client: PiOrchestratorClient,
        tracker: ProvisioningTracker,
        changed: CALLBACK_TYPE,
    ) -> None:
        """Call `changed` when the network's status changed."""
        self._hass = hass
        self._entry = entry
        self._client = client
        self._tracker = tracker
        self._changed = changed
        self.stale = False
        """Whether a board moved since the network's status was last heard."""

    @callback
    def may_have_changed(self) -> None:
        """A board moved: ask soon, unless an event tells first."""
        self.stale = True
        self._call_later(NETWORK_REFRESH_DELAY, self._due)

    @callback
    def _due(self) -> None:
        if self.stale:
            self._entry.async_create_background_task(
                self._hass, self._refresh(), name=f"{DOMAIN} onboarding network"
            )

    async def _refresh(self) -> None:
        self.stale = False
        try:
            network = await self._client.network_status()
        except PiOrchestratorError as err:
            LOGGER.debug("Cannot refresh the onboarding network's status: %s", err)
            return
        state = self._tracker.state
        if network != state.network:
            state.network = network
            self._changed()


class ReconcileRequests:
    """Fetch the session again soon, once, however many events asked for it.

    A session or board we have never heard of is news to follow, not proof of a
    broken stream: it is how a session started before we listened shows up.
    Only the other hints count as a gap.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry: PiOrchestratorConfigEntry,
        record: ReconcileRecord,
        refresh: Callable[[Reason], Awaitable[None]],
    ) -> None:
        """Run `refresh(reason)` for requests, one at a time."""
        self._hass = hass
        self._entry = entry
        self._record = record
        self._refresh = refresh
        self._pending = False

    @callback
    def request(self, signal: str, reason: Reason) -> None:
        """Ask for a reconciliation because of `signal`."""
        if reason is Reason.UNSEEN:
            self._record.gap_signals[signal] += 1
        if self._pending:
            return
        self._pending = True
        self._entry.async_create_background_task(
            self._hass, self._run(reason), name=f"{DOMAIN} provisioning reconciliation"
        )

    async def _run(self, reason: Reason) -> None:
        try:
            await self._refresh(reason)
        finally:
            self._pending = False
