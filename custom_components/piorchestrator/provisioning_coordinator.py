"""Batch provisioning state, pushed by the SSE stream and resynchronised over REST.

The coordinator keeps the current session and a table of every camera board it
has seen, keyed by MAC. The stream is opened without a session filter, so it
also sees sessions started elsewhere (the Pi's own dashboard). After every
(re)connect the session and its boards are fetched again, since events sent
while the stream was down are lost.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import logging
import time
from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .api.client import PiOrchestratorClient
from .api.errors import PiOrchestratorError, PiOrchestratorNotFoundError
from .api.event_stream import ProvisioningEventStream
from .api.events import BoardChange, EventKind, ProvisioningEvent
from .api.health import parse_uptime
from .api.models import Board, BoardState, NetworkStatus, Session, SessionSnapshot, SessionState
from .api.stream import OnceLogger, StreamConnected, StreamDisconnected, StreamStatus
from .compat import get_device
from .const import DOMAIN, ISSUE_TOO_MANY_BOARDS, LOGGER, MAX_BOARDS
from .coordinator import fetch_or_raise, wake_streams
from .reconciliation import Reason, ReconcileRecord, is_behind
from .supervisor import StreamSupervisor

if TYPE_CHECKING:
    from .data import PiOrchestratorConfigEntry

STORAGE_VERSION = 1
RETRY_INTERVAL = timedelta(seconds=5)
"""How soon a failed resync is tried again."""
NETWORK_REFRESH_DELAY = 2.0
"""Seconds to gather board moves before asking how many are on the onboarding network."""
SETTLE_SECONDS = 1.0
"""How long a hint of a gap, or a difference found, must hold before it counts."""
UNAVAILABLE_GRACE_SECONDS = 10
"""How long board values stay shown while the stream reconnects.

A reconnect normally takes about a second; flipping every board to unavailable
for that second would only fill the history with noise.
"""

BOARD_RECOUNT_INTERVAL = 1.0
"""Seconds between two counts of the registry once the board cap is reached."""
MAX_WARNED_ERROR_CODES = 128
"""Error codes remembered for say-once logging; later new codes log at DEBUG."""

STEP_BUDGET = 0.005
"""Seconds of event handling after which the stream consumer yields to the loop."""
MAX_EVENT_ID_DIGITS = 18
"""Longest event id read as a number for gap detection (a 64-bit counter's worth)."""

TIMEOUT_WARNING_LEAD = timedelta(minutes=5)
"""How long before a session expires its timeout warning fires, whatever the vocabulary."""

EXPIRY_TOLERANCE = timedelta(seconds=2)
"""Expiry times closer than this to the one shown are the same time, read again."""

NO_SESSION = "idle"
IN_FLIGHT_STATES = frozenset(
    {BoardState.PROVISIONING, BoardState.PROVISIONED, BoardState.VERIFYING}
)


@dataclass(frozen=True, slots=True)
class BoardTransition:
    """A board's state changed, as observed live (not at start-up)."""

    board: Board
    previous_state: BoardState | None
    session_id: str | None


@dataclass(frozen=True, slots=True)
class SessionTransition:
    """A session started, changed state, warned of its timeout or closed."""

    session: Session
    previous_state: str | None
    kind: EventKind | None


type Transition = BoardTransition | SessionTransition


@dataclass(slots=True)
class ProvisioningState:
    """What Home Assistant knows of batch provisioning on one Pi."""

    session: Session | None = None
    boards: dict[str, Board] = field(default_factory=dict)
    session_boards: set[str] = field(default_factory=set)
    network: NetworkStatus | None = None
    progress: dict[str, int] = field(default_factory=dict)
    counts: Counter[BoardState] = field(default_factory=Counter)
    timeout_remaining: str | None = None
    expires_at: datetime | None = None
    """When the current session expires, from the Pi's `timeout_remaining` at the last check."""

    @property
    def session_state(self) -> str:
        """The current session's state, `idle` when there is none.

        The API cannot list sessions: one started while we were not listening
        is known only from its next event. Until then an active onboarding
        network gives it away, and `unknown` is more honest than `idle`.
        """
        if self.session is not None:
            return self.session.state.value
        if self.network is not None and self.network.is_active:
            return SessionState.UNKNOWN.value
        return NO_SESSION

    @property
    def session_board_count(self) -> int:
        """Boards found in the current session."""
        return len(self.session_boards)

    @property
    def in_flight_count(self) -> int:
        """Boards of the current session between discovery and a final state."""
        return sum(self.counts[state] for state in IN_FLIGHT_STATES)

    @property
    def progress_percent(self) -> float | None:
        """Verified boards out of all boards of the current session."""
        if not self.session_boards:
            return None
        return round(100 * self.counts[BoardState.VERIFIED] / len(self.session_boards), 1)


class ProvisioningCoordinator(DataUpdateCoordinator[ProvisioningState]):
    """Keeps sessions and boards in step with the Pi."""

    config_entry: PiOrchestratorConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: PiOrchestratorConfigEntry,
        client: PiOrchestratorClient,
        reconcile_interval: timedelta,
    ) -> None:
        """Pushed; polled only to reconcile while a session is open."""
        super().__init__(
            hass, LOGGER, config_entry=entry, name=f"{DOMAIN} provisioning", update_interval=None
        )
        self.client = client
        self.stream = ProvisioningEventStream(client, probe=self._probe_pi)
        self.stream.on_change = self._schedule_listeners_update
        self.stream_supervisor = StreamSupervisor(
            hass,
            entry,
            what="provisioning events",
            host=client.host,
            consume=self._consume_stream,
            on_down=self._stream_stopped,
        )
        self._stream_once = OnceLogger(LOGGER)
        self.stream_connected = False
        self.stream_available = True
        self._stream_running = False
        self._cancel_timeout_warning: CALLBACK_TYPE | None = None
        self._timeout_warned: str | None = None
        """The session whose timeout warning went out: one per session."""
        self.last_event_at: datetime | None = None
        self.resync_count = 0
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry.entry_id}.provisioning"
        )
        self._known_session_id: str | None = None
        self._board_listeners: dict[str, set[CALLBACK_TYPE]] = {}
        self._new_board_listeners: set[Callable[[str], None]] = set()
        self._session_listeners: set[CALLBACK_TYPE] = set()
        self._transition_listeners: set[Callable[[Transition], None]] = set()
        self._cancel_grace: CALLBACK_TYPE | None = None
        self._resync_pending = False
        self._baseline_taken = False
        self._next_reason: Reason | None = None
        self._last_event_id: int | None = None
        self._board_event_at: dict[str, float] = {}
        self._board_fetched_at: dict[str, float] = {}
        """When REST last set each board (monotonic), to compare with `_board_event_at`."""
        self._suspicions: set[str] = set()
        self._cancel_suspicion_check: CALLBACK_TYPE | None = None
        self._network_stale = False
        self._cancel_network_refresh: CALLBACK_TYPE | None = None
        self.reconcile_interval = reconcile_interval
        self.reconciliation = ReconcileRecord(client.host, reconcile_interval)
        self._listeners_update_pending = False
        self._session_event_at = 0.0
        self._known_boards: set[str] = set()
        """Boards with a device, or in memory: what counts towards `MAX_BOARDS`."""
        self._announced_boards: set[str] = set()
        """Boards whose entities were asked for in this run."""
        self._boards_counted_at = -BOARD_RECOUNT_INTERVAL
        self._board_cap_warned = False
        self._warned_error_codes: set[str] = set()
        self._forgotten_session_boards: set[str] | None = None
        """Boards of the last session, once it is forgotten and until the next one."""
        self.data = ProvisioningState()

    # -- Listeners -------------------------------------------------------------

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

    # -- Start-up and resynchronisation ------------------------------------------

    async def _async_setup(self) -> None:
        stored = await self._store.async_load() or {}
        self._known_session_id = stored.get("session_id")
        self._known_boards = self._registered_boards()
        # Nobody can act on the cap's issue while the entry is not loaded.
        self.config_entry.async_on_unload(
            lambda: ir.async_delete_issue(self.hass, DOMAIN, self._cap_issue_id)
        )

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
        missed: int | None = None
        if reason.checks_stream and snapshot is not None:
            missed = len(self._behind(snapshot))
            if missed:
                # Events already on their way would make up part of the
                # difference; give them a moment before counting what was lost.
                await asyncio.sleep(SETTLE_SECONDS)
                missed = len(self._behind(snapshot))
        self.resync_count += 1
        # The first picture is the baseline: what it shows happened before we
        # looked, so it is not reported as transitions.
        self._apply_snapshot(
            snapshot, network, observed_live=self._baseline_taken, requested_at=requested_at
        )
        self._baseline_taken = True
        self.reconciliation.record(reason, missed or 0, self.last_event_at)
        self._update_reconcile_timer()
        return self.data

    def _behind(self, snapshot: SessionSnapshot) -> list[str]:
        """What the Pi reports that we have not seen: boards behind, gone or unknown."""
        state = self.data
        if state.session is None or state.session.id != snapshot.session.id:
            return [board.mac for board in snapshot.devices]
        # Boards refused at the cap are not news: counting them would ask again and again.
        reported = {board.mac: board for board in snapshot.devices if not self._refused(board.mac)}
        behind = [mac for mac in state.session_boards if mac not in reported]
        for mac, board in reported.items():
            ours = state.boards.get(mac)
            if mac not in state.session_boards or ours is None or is_behind(ours, board):
                behind.append(mac)
        if state.session.state != snapshot.session.state:
            behind.append(snapshot.session.id)
        return behind

    @callback
    def _async_refresh_finished(self) -> None:
        """After a failed fetch, try again soon, even while no session is open.

        A resync after a reconnect that fails would otherwise wait for the next
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
        if session_id != self._known_session_id:
            self._known_session_id = session_id
            self._store.async_delay_save(lambda: {"session_id": session_id}, 1)
        self._next_reason = Reason.FOLLOW
        await self.async_refresh()

    @callback
    def start_stream(self) -> None:
        """Consume the event stream for as long as the entry is loaded."""
        self.config_entry.async_on_unload(self.stream.close)
        self.config_entry.async_on_unload(self._cancel_stream_timers)
        self.stream_supervisor.start()

    async def _consume_stream(self) -> None:
        """Apply what the stream yields; a refused key ends it (the supervisor asks)."""
        self._stream_running = True
        loop = self.hass.loop
        step_started = loop.time()
        # aclosing: a restarted consumer finds the stream free at once.
        async with aclosing(aiter(self.stream)) as items:
            async for item in items:
                try:
                    await self._consume_item(item)
                except Exception as err:  # noqa: BLE001 - one bad event is skipped
                    self._stream_once.skipped("an event that could not be applied", err)
                if loop.time() - step_started > STEP_BUDGET:
                    # One read from the socket may hold hundreds of events;
                    # let the rest of Home Assistant run between them.
                    await asyncio.sleep(0)
                    step_started = loop.time()

    @callback
    def _cancel_stream_timers(self) -> None:
        # On unload, not when the consumer ends: a restarted consumer needs them.
        if self._cancel_grace is not None:
            self._cancel_grace()
            self._cancel_grace = None
        for cancel in (
            self._cancel_suspicion_check,
            self._cancel_network_refresh,
            self._cancel_timeout_warning,
        ):
            if cancel is not None:
                cancel()
        self._cancel_suspicion_check = self._cancel_network_refresh = None
        self._cancel_timeout_warning = None

    @property
    def stream_status(self) -> StreamStatus:
        """The event stream as a person sees it.

        Reconnecting while it retries within the grace period of a drop;
        disconnected once the drop outlasts it, or while nothing consumes the
        stream (its task ended, or the key was refused).
        """
        if self.stream_connected:
            return StreamStatus.CONNECTED
        if self._stream_running and self.stream_available:
            return StreamStatus.RECONNECTING
        return StreamStatus.DISCONNECTED

    async def _probe_pi(self) -> None:
        """Ask the Pi for something cheap; an answer ends every stream's wait."""
        await self.client.system_info()
        wake_streams(self.config_entry)

    async def _consume_item(
        self, item: ProvisioningEvent | StreamConnected | StreamDisconnected
    ) -> None:
        match item:
            case ProvisioningEvent():
                self._apply_event(item)
            case StreamConnected():
                self._set_stream_connected(True)
                self._last_event_id = None
                self._next_reason = Reason.RECONNECT
                await self.async_refresh()
            case StreamDisconnected():
                self._set_stream_connected(False)

    @callback
    def _stream_stopped(self) -> None:
        """The stream task ended: nothing is live until it runs again."""
        self._stream_running = False
        self._set_stream_connected(False)

    @callback
    def _set_stream_connected(self, connected: bool) -> None:
        self.stream_connected = connected
        if self._cancel_grace is not None:
            self._cancel_grace()
            self._cancel_grace = None
        if connected:
            self._set_available(True)
            return

        @callback
        def grace_over(_now: datetime) -> None:
            self._cancel_grace = None
            self._set_available(False)

        self._cancel_grace = async_call_later(self.hass, UNAVAILABLE_GRACE_SECONDS, grace_over)

    @callback
    def _set_available(self, available: bool) -> None:
        if available == self.stream_available:
            return
        self.stream_available = available
        self.async_update_listeners()
        for mac in list(self._board_listeners):
            self._notify_board(mac)

    @callback
    def _apply_snapshot(
        self,
        snapshot: SessionSnapshot | None,
        network: NetworkStatus | None,
        *,
        observed_live: bool,
        requested_at: float,
    ) -> None:
        """Make the state equal to what the Pi reported at `requested_at`.

        A board whose event arrived after the request went out may be further
        along than the answer says, and keeps what the event showed. Transitions
        found this way are reported only after start-up: the state found at
        start-up is a baseline, not news.
        """
        state = self.data
        state.network = network
        if snapshot is None:
            return
        current = state.session
        if (
            current is not None
            and current.id != snapshot.session.id
            and self._session_event_at > requested_at
        ):
            # The stream moved on to another session while this answer was on its
            # way: it describes the past, and would hide the session now running.
            return
        self._set_session(snapshot.session, kind=None, observed_live=observed_live)
        state.timeout_remaining = snapshot.timeout_remaining
        self._update_expiry(snapshot)
        present = {board.mac for board in snapshot.devices}
        for mac in state.session_boards - present:
            state.session_boards.discard(mac)
            self._notify_board(mac)
        for board in snapshot.devices:
            ours = state.boards.get(board.mac)
            if ours is None and not self._admit_board(board.mac):
                continue
            if (
                ours is not None
                and self._board_event_at.get(board.mac, 0.0) > requested_at
                and is_behind(board, ours)
            ):
                continue
            self._set_board(board, snapshot.session.id, observed_live=observed_live)
            self._board_fetched_at[board.mac] = time.monotonic()
        self._recount()

    # -- Live events ---------------------------------------------------------------

    @callback
    def _apply_event(self, event: ProvisioningEvent) -> None:
        self.last_event_at = dt_util.utcnow()
        self._check_event_id(event.event_id)
        if event.session is not None:
            self._session_event_at = time.monotonic()
            self._set_session(event.session, kind=event.kind, observed_live=True)
            self._check_counters()
        if event.board is not None:
            self._apply_board_change(event.board, event.session_id)
        if event.network is not None:
            self.data.network = event.network
            self._network_stale = False
        if event.kind is EventKind.ERROR and event.error is not None:
            self._log_error(event.error.code, event.error.message)
        if event.kind not in (EventKind.HEARTBEAT, EventKind.CONNECTION_ESTABLISHED):
            self._schedule_listeners_update()

    @callback
    def _log_error(self, code: str | None, message: str) -> None:
        """Log an error the Pi reported: a warning once per code, later ones at DEBUG.

        A board's own failure already shows on that board's entities and fires its
        event; a warning for each would flood the log of a batch. Other codes are
        the Pi's own trouble: worth one warning, not one per event from a Pi that
        repeats itself. The message arrives cleaned: one line, 200 characters.
        """
        key = code or "unknown"
        level = logging.DEBUG
        if (
            not key.startswith("DEVICE_")
            and key not in self._warned_error_codes
            and len(self._warned_error_codes) < MAX_WARNED_ERROR_CODES
        ):
            self._warned_error_codes.add(key)
            level = logging.WARNING
        LOGGER.log(level, "The Pi reported an error: %s (%s)", message, code)

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

    @callback
    def _apply_board_change(self, change: BoardChange, session_id: str | None) -> None:
        state = self.data
        if change.mac not in state.boards and not self._admit_board(change.mac):
            return
        current = state.session.id if state.session is not None else None
        if session_id is not None and session_id != current:
            # A session we have not seen start: fetch it rather than guess.
            self._known_session_id = session_id
            self._request_resync("unknown_session", Reason.FOLLOW)
        existing = state.boards.get(change.mac)
        if change.board is not None:
            board = change.board
        elif existing is not None:
            update: dict[str, Any] = {}
            if change.state is not None:
                update["state"] = change.state
            if change.error_message is not None or change.state is not BoardState.FAILED:
                update["error_message"] = change.error_message
            if existing.state is BoardState.FAILED and change.state is BoardState.PROVISIONING:
                # A state delta carries no retry count; leaving failed for
                # provisioning is what a retry is.
                update["retry_count"] = existing.retry_count + 1
            board = existing.model_copy(update=update)
        else:
            # Only a MAC and a state: record them, and fetch the rest.
            board = Board(mac=change.mac, state=change.state or BoardState.UNKNOWN)
            self._request_resync("unknown_board", Reason.FOLLOW)
        if (
            existing is not None
            and change.mac in state.session_boards
            and (session_id is None or session_id == current)
            and is_behind(board, existing)
        ):
            # Out of order, or a replay of something older: keep what we have,
            # rather than show a board going backwards. Behind what the Pi itself
            # answered, it is the stream catching up (the replay after a reconnect
            # arrives after its resync); behind an earlier event, ask the Pi.
            if self._board_fetched_at.get(change.mac, 0.0) <= self._board_event_at.get(
                change.mac, 0.0
            ):
                self._suspect("backwards")
            return
        if change.progress is not None:
            state.progress[change.mac] = change.progress
        self._board_event_at[change.mac] = time.monotonic()
        if existing is None or existing.state != board.state:
            self._network_may_have_changed()
        self._set_board(board, session_id or current, observed_live=True)

    # -- State changes ---------------------------------------------------------------

    @callback
    def _network_may_have_changed(self) -> None:
        """Boards join and leave the onboarding network as they move on.

        The dashboard's vocabulary says so with an event; the backend's does
        not. Ask once things settle, unless an event told us meanwhile: at most
        one request per `NETWORK_REFRESH_DELAY`, however many boards move.
        """
        self._network_stale = True
        if self._cancel_network_refresh is not None:
            return

        @callback
        def refresh(_now: datetime) -> None:
            self._cancel_network_refresh = None
            if self._network_stale:
                self.config_entry.async_create_background_task(
                    self.hass, self._refresh_network(), name=f"{DOMAIN} onboarding network"
                )

        self._cancel_network_refresh = async_call_later(self.hass, NETWORK_REFRESH_DELAY, refresh)

    async def _refresh_network(self) -> None:
        self._network_stale = False
        try:
            network = await self.client.network_status()
        except PiOrchestratorError as err:
            LOGGER.debug("Cannot refresh the onboarding network's status: %s", err)
            return
        if network != self.data.network:
            self.data.network = network
            self.async_update_listeners()

    @callback
    def _check_event_id(self, event_id: str | None) -> None:
        """A jump in event ids means events were lost on the way."""
        # ASCII digits only ("²" passes isdigit() and fails int()), and few of
        # them: one absurd id must not hide every later jump.
        if (
            event_id is None
            or len(event_id) > MAX_EVENT_ID_DIGITS
            or not (event_id.isascii() and event_id.isdigit())
        ):
            return
        number = int(event_id)
        if self._last_event_id is not None and number > self._last_event_id + 1:
            self._suspect("event_id_jump")
        self._last_event_id = max(number, self._last_event_id or 0)

    @callback
    def _check_counters(self) -> None:
        """Session counters that disagree with the boards hint at lost board events."""
        if self._counters_disagree():
            self._suspect("counters")

    def _counters_disagree(self) -> bool:
        state = self.data
        session = state.session
        if session is None or not session.state.is_open or self._board_cap_warned:
            # At the cap, the Pi counts boards we refused: a difference is expected.
            return False
        return (
            session.device_count != state.session_board_count
            or session.verified_count != state.counts[BoardState.VERIFIED]
            or session.failed_count != state.counts[BoardState.FAILED]
        )

    @callback
    def _suspect(self, signal: str) -> None:
        """Note a hint of a gap; check once things settle, then reconcile if it holds.

        Counters and events can cross on the wire, so a hint is only acted on
        when it still holds a moment later, and many hints make one request.
        """
        self.reconciliation.gap_signals[signal] += 1
        self._suspicions.add(signal)
        if self._cancel_suspicion_check is not None:
            return

        @callback
        def check(_now: datetime) -> None:
            self._cancel_suspicion_check = None
            signals, self._suspicions = self._suspicions, set()
            if signals == {"counters"} and not self._counters_disagree():
                return
            self._request_resync(",".join(sorted(signals)), Reason.GAP)

        self._cancel_suspicion_check = async_call_later(self.hass, SETTLE_SECONDS, check)

    @callback
    def _set_session(
        self, session: Session, *, kind: EventKind | None, observed_live: bool
    ) -> None:
        state = self.data
        previous = state.session
        if previous is not None and previous.id != session.id:
            if not session.state.is_open and previous.state.is_open:
                # A late event about an older session must not replace the open one.
                return
            self._forget_boards_except(state.session_boards)
            state.session_boards = set()
            state.counts = Counter()
            state.progress = {}
        elif previous is None and self._forgotten_session_boards is not None:
            # The session before this one was forgotten (gone from the Pi): it is
            # still the previous session, whose boards stay in memory.
            self._forget_boards_except(self._forgotten_session_boards)
        self._forgotten_session_boards = None
        state.session = session
        self._update_reconcile_timer()
        if not session.state.is_open:
            self._set_expiry(session.id, None)
        elif state.expires_at is None or previous is None or previous.id != session.id:
            # Until the next check says how long is left, the session's own word.
            self._set_expiry(session.id, session.expires_at)
        if kind is EventKind.SESSION_TIMEOUT_WARNING:
            if self._timeout_warned == session.id:
                kind = None  # warned already, by our own clock: one warning per session
            else:
                self._timeout_warned = session.id
        if (
            previous is None
            or previous.id != session.id
            or previous.state.is_open != session.state.is_open
        ):
            for update in list(self._session_listeners):
                update()
        if session.id != self._known_session_id:
            self._known_session_id = session.id
            self._store.async_delay_save(lambda: {"session_id": session.id}, 1)
        changed = previous is None or previous.id != session.id or previous.state != session.state
        if observed_live and (changed or kind is EventKind.SESSION_TIMEOUT_WARNING):
            self._emit(
                SessionTransition(
                    session=session,
                    previous_state=previous.state.value
                    if previous is not None and previous.id == session.id
                    else None,
                    kind=kind,
                )
            )

    @callback
    def _update_expiry(self, snapshot: SessionSnapshot) -> None:
        """Read when the session expires from the `timeout_remaining` of a check."""
        session = snapshot.session
        if not session.state.is_open:
            self._set_expiry(session.id, None)
            return
        # The same Go duration text ("4m30s") as the uptime the monitor sends.
        remaining = parse_uptime(snapshot.timeout_remaining)
        if remaining is None:
            self._set_expiry(session.id, session.expires_at)
            return
        self._set_expiry(session.id, dt_util.utcnow() + timedelta(seconds=remaining))

    @callback
    def _set_expiry(self, session_id: str, expires_at: datetime | None) -> None:
        """Show when the session expires, and warn `TIMEOUT_WARNING_LEAD` before.

        The backend vocabulary warns on its own, the dashboard's never does: the
        warning fires from whichever comes first, once per session.
        """
        state = self.data
        if (
            expires_at is not None
            and state.expires_at is not None
            and abs(expires_at - state.expires_at) < EXPIRY_TOLERANCE
        ):
            # Each check counts from its own "now": a second either way is not news.
            expires_at = state.expires_at
        elif expires_at is not None:
            expires_at = expires_at.replace(microsecond=0)
        if expires_at == state.expires_at and (
            expires_at is None or self._cancel_timeout_warning is not None
        ):
            return
        state.expires_at = expires_at
        if self._cancel_timeout_warning is not None:
            self._cancel_timeout_warning()
            self._cancel_timeout_warning = None
        self._schedule_listeners_update()
        if expires_at is None or self._timeout_warned == session_id:
            return

        @callback
        def warn(_now: datetime) -> None:
            self._cancel_timeout_warning = None
            session = self.data.session
            if (
                session is None
                or session.id != session_id
                or not session.state.is_open
                or self._timeout_warned == session_id
            ):
                return
            self._timeout_warned = session_id
            LOGGER.debug("Session %s expires in 5 minutes or less", session_id)
            self._emit(
                SessionTransition(
                    session=session,
                    previous_state=session.state.value,
                    kind=EventKind.SESSION_TIMEOUT_WARNING,
                )
            )

        delay = (expires_at - TIMEOUT_WARNING_LEAD - dt_util.utcnow()).total_seconds()
        self._cancel_timeout_warning = async_call_later(self.hass, max(delay, 0.0), warn)

    @callback
    def _set_board(self, board: Board, session_id: str | None, *, observed_live: bool) -> None:
        state = self.data
        previous = state.boards.get(board.mac)
        state.boards[board.mac] = board
        counted = board.mac in state.session_boards
        if session_id is not None and state.session is not None and session_id == state.session.id:
            state.session_boards.add(board.mac)
        # Keep the per-state counts of the session's boards in step without a
        # recount of the whole session per event.
        if counted and previous is not None:
            state.counts[previous.state] -= 1
        if board.mac in state.session_boards:
            state.counts[board.state] += 1
        if previous is None and self._needs_entities(board.mac):
            self._announced_boards.add(board.mac)
            for added in list(self._new_board_listeners):
                added(board.mac)
        if previous == board:
            return
        self._notify_board(board.mac)
        if observed_live and (previous is None or previous.state != board.state):
            self._emit(
                BoardTransition(
                    board=board,
                    previous_state=previous.state if previous is not None else None,
                    session_id=session_id,
                )
            )

    # -- Bounded growth ------------------------------------------------------------------

    def _registered_boards(self) -> set[str]:
        """The boards of this Pi that have a device."""
        registry = dr.async_get(self.hass)
        return {
            identifier
            for device in dr.async_entries_for_config_entry(registry, self.config_entry.entry_id)
            for domain, identifier in device.identifiers
            if domain == DOMAIN and identifier != self.config_entry.entry_id
        }

    def _refused(self, mac: str) -> bool:
        """Whether a board is one the cap keeps out (without counting again)."""
        return mac not in self._known_boards and len(self._known_boards) >= MAX_BOARDS

    @callback
    def _admit_board(self, mac: str) -> bool:
        """Let a board in unless `MAX_BOARDS` are known already.

        At the cap, the known boards are counted again (at most once a second), so
        devices a person deleted make room. Refusing is said once, in the log and
        as a repair issue, which goes away once there is room again.
        """
        known = self._known_boards
        if mac in known:
            return True
        now = time.monotonic()
        if len(known) >= MAX_BOARDS and now - self._boards_counted_at >= BOARD_RECOUNT_INTERVAL:
            self._boards_counted_at = now
            known = self._known_boards = self._registered_boards() | set(self.data.boards)
            if len(known) < MAX_BOARDS and self._board_cap_warned:
                self._board_cap_warned = False
                ir.async_delete_issue(self.hass, DOMAIN, self._cap_issue_id)
        if len(known) < MAX_BOARDS:
            known.add(mac)
            return True
        if not self._board_cap_warned:
            self._board_cap_warned = True
            LOGGER.warning(
                "The Pi at %s reports more than %d camera boards; new boards are not added. "
                "Delete the devices of boards you no longer need to make room",
                self.client.host,
                MAX_BOARDS,
            )
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                self._cap_issue_id,
                is_fixable=False,
                is_persistent=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key=ISSUE_TOO_MANY_BOARDS,
                translation_placeholders={
                    "pi": self.config_entry.title,
                    "limit": str(MAX_BOARDS),
                },
            )
        return False

    @property
    def _cap_issue_id(self) -> str:
        return f"{ISSUE_TOO_MANY_BOARDS}_{self.config_entry.entry_id}"

    def _needs_entities(self, mac: str) -> bool:
        """Whether a board coming (back) into memory must get its entities.

        A board forgotten at a session change keeps its device and entities; only
        one never announced in this run, or whose device was deleted, needs them.
        """
        if mac not in self._announced_boards:
            return True
        return get_device(self.hass, (DOMAIN, mac), self.config_entry.entry_id) is None

    @callback
    def _forget_boards_except(self, keep: set[str]) -> None:
        """Keep in memory only the boards of the session that is ending.

        Called when a new session starts: memory then holds the boards of the
        current and the previous session, however many sessions went before.
        Older boards keep their devices and entities, which show what they last
        showed.
        """
        state = self.data
        for mac in [mac for mac in state.boards if mac not in keep]:
            del state.boards[mac]
            state.progress.pop(mac, None)
            self._board_event_at.pop(mac, None)
            self._board_fetched_at.pop(mac, None)

    @callback
    def _recount(self) -> None:
        state = self.data
        state.counts = Counter(
            state.boards[mac].state for mac in state.session_boards if mac in state.boards
        )

    @callback
    def _forget_session(self) -> None:
        self._known_session_id = None
        if self.data.session is not None:
            self._forgotten_session_boards = set(self.data.session_boards)
        if self.data.session is not None:
            self._set_expiry(self.data.session.id, None)
        self.data.session = None
        self.data.session_boards = set()
        self.data.counts = Counter()
        self._store.async_delay_save(lambda: {"session_id": None}, 1)
        for update in list(self._session_listeners):
            update()

    @callback
    def _notify_board(self, mac: str) -> None:
        for update in list(self._board_listeners.get(mac, ())):
            update()

    @callback
    def _emit(self, transition: Transition) -> None:
        for observed in list(self._transition_listeners):
            observed(transition)

    @callback
    def _request_resync(self, signal: str, reason: Reason) -> None:
        """Fetch the session again soon, once, however many events asked for it.

        A session or board we have never heard of is news to follow, not proof
        of a broken stream: it is how a session started before we listened shows
        up. Only the other hints count as a gap.
        """
        if reason is Reason.FOLLOW:
            self.reconciliation.gap_signals[signal] += 1
        if self._resync_pending:
            return
        self._resync_pending = True
        self._next_reason = reason

        async def resync() -> None:
            try:
                await self.async_request_refresh()
            finally:
                self._resync_pending = False

        self.config_entry.async_create_background_task(
            self.hass, resync(), name=f"{DOMAIN} provisioning resync"
        )

    def diagnostics(self) -> dict[str, Any]:
        """Stream and resync figures for the diagnostics download."""
        return {
            "stream_connected": self.stream_connected,
            "stream": self.stream.diagnostics,
            "resync_count": self.resync_count,
            "reconciliation": self.reconciliation.as_dict(),
            "last_event_at": self.last_event_at.isoformat() if self.last_event_at else None,
            "known_session_id": self._known_session_id,
        }
