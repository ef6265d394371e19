"""The provisioning state of one Pi, kept from its events and snapshots.

Plain data in, transitions out: the tracker knows nothing of Home Assistant,
timers or sockets. It owns the rules that make a stream of events and the
occasional REST snapshot agree (which of two views of a board is newer, when a
snapshot describes the past, what hints at lost events) and says what changed
as transitions. Side effects that need a clock or a network (a reconciliation, a
debounced check, a registry lookup) are asked of the `TrackerHooks` it is given.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Protocol

from .events import BoardChange, EventKind, ProvisioningEvent
from .models import Board, BoardState, NetworkStatus, Session, SessionSnapshot, SessionState

NO_SESSION: Final = "idle"
IN_FLIGHT_STATES: Final = frozenset(
    {BoardState.PROVISIONING, BoardState.PROVISIONED, BoardState.VERIFYING}
)
MAX_EVENT_ID_DIGITS: Final = 18
"""Longest event id read as a number for gap detection (a 64-bit counter's worth)."""

_RANK: Final = {
    BoardState.UNKNOWN: -1,
    BoardState.DISCOVERED: 0,
    BoardState.PROVISIONING: 1,
    BoardState.PROVISIONED: 2,
    BoardState.VERIFYING: 3,
    BoardState.VERIFIED: 4,
    BoardState.FAILED: 5,
}


def progress_key(board: Board) -> tuple[int, int]:
    """How far a board has come: attempts first, then the step in the attempt.

    Within one attempt the states only move forward (failed ends an attempt);
    a retry starts the next attempt, so a retried board is ahead of a failed
    one although `provisioning` comes before `failed`.
    """
    return board.retry_count, _RANK[board.state]


def is_behind(board: Board, reference: Board) -> bool:
    """Whether `board` shows an earlier point of the same board's path than `reference`."""
    return progress_key(board) < progress_key(reference)


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

_NO_TRANSITIONS: Final[tuple[()]] = ()


@dataclass(slots=True)
class ProvisioningState:
    """What is known of batch provisioning on one Pi."""

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


class TrackerHooks(Protocol):
    """What the tracker asks of its owner; every call happens while applying."""

    def admit(self, mac: str) -> bool:
        """Whether a board not yet in memory may come in (a cap on memory)."""

    def refused(self, mac: str) -> bool:
        """Whether a board is one `admit` keeps out, without counting again."""

    def board_added(self, mac: str) -> None:
        """A board came into memory."""

    def board_changed(self, mac: str) -> None:
        """A board's record, or whether it belongs to the session, changed."""

    def session_changed(self, session: Session, previous: Session | None) -> None:
        """The current session was set (maybe to an equal record)."""

    def suspect(self, signal: str) -> None:
        """A hint that events were lost: check again once things settle."""

    def follow(self, signal: str, session_id: str | None) -> None:
        """Something never heard of appeared: fetch it (the session, if given)."""

    def network_may_have_changed(self) -> None:
        """A board moved in a way that may change the onboarding network's count."""


class NoHooks:
    """Hooks that admit every board and ignore every signal."""

    def admit(self, mac: str) -> bool:  # noqa: D102
        return True

    def refused(self, mac: str) -> bool:  # noqa: D102
        return False

    def board_added(self, mac: str) -> None:  # noqa: D102
        pass

    def board_changed(self, mac: str) -> None:  # noqa: D102
        pass

    def session_changed(self, session: Session, previous: Session | None) -> None:  # noqa: D102
        pass

    def suspect(self, signal: str) -> None:  # noqa: D102
        pass

    def follow(self, signal: str, session_id: str | None) -> None:  # noqa: D102
        pass

    def network_may_have_changed(self) -> None:  # noqa: D102
        pass


class ProvisioningTracker:
    """Keeps `state` in step with the Pi from its events and snapshots.

    Times (`now`, `requested_at`) are monotonic seconds from one clock of the
    caller's choosing; they only order a snapshot against the events around it.
    """

    def __init__(self, hooks: TrackerHooks | None = None) -> None:
        """Start with nothing known."""
        self.state = ProvisioningState()
        self.hooks: TrackerHooks = hooks if hooks is not None else NoHooks()
        self.capped = False
        """Whether the owner refuses boards: the Pi's counters then include boards we lack."""
        self.timeout_warned: str | None = None
        """The session whose timeout warning went out: one per session."""
        self.last_event_id: int | None = None
        self._session_event_at = 0.0
        self._board_event_at: dict[str, float] = {}
        self._board_fetched_at: dict[str, float] = {}
        """When a snapshot last set each board, to compare with `_board_event_at`."""
        self._forgotten_session_boards: set[str] | None = None
        """Boards of the last session, once it is forgotten and until the next one."""
        self._out: list[Transition] = []

    # -- Events ------------------------------------------------------------------

    def apply_event(self, event: ProvisioningEvent, now: float) -> Sequence[Transition]:
        """Apply one live event received at `now`; returns what it changed, in order."""
        self.check_event_id(event.event_id)
        if event.session is not None:
            self._session_event_at = now
            self._set_session(event.session, event.kind, live=True)
            if self.counters_disagree():
                self.hooks.suspect("counters")
        if event.board is not None:
            self._apply_board_change(event.board, event.session_id, now)
        if event.network is not None:
            self.state.network = event.network
        # Most events change no state worth a transition: allocate only when one did.
        if not self._out:
            return _NO_TRANSITIONS
        return self._take()

    def reconnected(self) -> None:
        """The stream opened again: event ids start a new run."""
        self.last_event_id = None

    def check_event_id(self, event_id: str | None) -> None:
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
        if self.last_event_id is not None and number > self.last_event_id + 1:
            self.hooks.suspect("event_id_jump")
        self.last_event_id = max(number, self.last_event_id or 0)

    def counters_disagree(self) -> bool:
        """Whether the session's own counters disagree with the boards we hold."""
        state = self.state
        session = state.session
        if session is None or not session.state.is_open or self.capped:
            # At the cap, the Pi counts boards we refused: a difference is expected.
            return False
        return (
            session.device_count != state.session_board_count
            or session.verified_count != state.counts[BoardState.VERIFIED]
            or session.failed_count != state.counts[BoardState.FAILED]
        )

    def _apply_board_change(self, change: BoardChange, session_id: str | None, now: float) -> None:
        state = self.state
        mac = change.mac
        if mac not in state.boards and not self.hooks.admit(mac):
            return
        current = state.session.id if state.session is not None else None
        if session_id is not None and session_id != current:
            # A session we have not seen start: fetch it rather than guess.
            self.hooks.follow("unknown_session", session_id)
        existing = state.boards.get(mac)
        if change.board is not None:
            board = change.board
        elif existing is not None:
            board = _merged(existing, change)
        else:
            # Only a MAC and a state: record them, and fetch the rest.
            board = Board(mac=mac, state=change.state or BoardState.UNKNOWN)
            self.hooks.follow("unknown_board", None)
        if (
            existing is not None
            and mac in state.session_boards
            and (session_id is None or session_id == current)
            and is_behind(board, existing)
        ):
            # Out of order, or a replay of something older: keep what we have,
            # rather than show a board going backwards. Behind what the Pi itself
            # answered, it is the stream catching up (the replay after a reconnect
            # arrives after its reconciliation); behind an earlier event, ask the Pi.
            if self._board_fetched_at.get(mac, 0.0) <= self._board_event_at.get(mac, 0.0):
                self.hooks.suspect("backwards")
            return
        if change.progress is not None:
            state.progress[mac] = change.progress
        self._board_event_at[mac] = now
        if existing is None or existing.state != board.state:
            self.hooks.network_may_have_changed()
        self._set_board(board, session_id or current, live=True)

    # -- Snapshots -----------------------------------------------------------------

    def describes_past(self, snapshot: SessionSnapshot, requested_at: float) -> bool:
        """Whether the stream moved on to another session while `snapshot` was on its way."""
        current = self.state.session
        return (
            current is not None
            and current.id != snapshot.session.id
            and self._session_event_at > requested_at
        )

    def behind(self, snapshot: SessionSnapshot) -> list[str]:
        """What the Pi reports that we have not seen: boards behind, gone or unknown."""
        state = self.state
        if state.session is None or state.session.id != snapshot.session.id:
            return [board.mac for board in snapshot.devices]
        # Boards refused at the cap are not news: counting them would ask again and again.
        refused = self.hooks.refused
        reported = {board.mac: board for board in snapshot.devices if not refused(board.mac)}
        behind = [mac for mac in state.session_boards if mac not in reported]
        for mac, board in reported.items():
            ours = state.boards.get(mac)
            if mac not in state.session_boards or ours is None or is_behind(ours, board):
                behind.append(mac)
        if state.session.state != snapshot.session.state:
            behind.append(snapshot.session.id)
        return behind

    def apply_snapshot(
        self,
        snapshot: SessionSnapshot | None,
        network: NetworkStatus | None,
        *,
        requested_at: float,
        live: bool,
        now: float,
    ) -> Sequence[Transition]:
        """Make the state equal to what the Pi reported at `requested_at`.

        A board whose event arrived after the request went out may be further
        along than the answer says, and keeps what the event showed. `live` is
        false for the first picture: what it shows happened before anyone
        looked, a baseline rather than transitions.
        """
        state = self.state
        state.network = network
        if snapshot is None or self.describes_past(snapshot, requested_at):
            return _NO_TRANSITIONS
        session_id = snapshot.session.id
        current = state.session
        if current is None or current.id != session_id or self._session_event_at <= requested_at:
            # An event about this session that came after the request is newer
            # than the answer: it stays.
            self._set_session(snapshot.session, None, live=live)
        state.timeout_remaining = snapshot.timeout_remaining
        present = {board.mac for board in snapshot.devices}
        for mac in state.session_boards - present:
            if self._board_event_at.get(mac, 0.0) > requested_at:
                continue  # found by an event after the request went out
            state.session_boards.discard(mac)
            self.hooks.board_changed(mac)
        for board in snapshot.devices:
            ours = state.boards.get(board.mac)
            if ours is None and not self.hooks.admit(board.mac):
                continue
            if (
                ours is not None
                and self._board_event_at.get(board.mac, 0.0) > requested_at
                and is_behind(board, ours)
            ):
                continue
            self._set_board(board, session_id, live=live)
            self._board_fetched_at[board.mac] = now
        state.counts = Counter(
            state.boards[mac].state for mac in state.session_boards if mac in state.boards
        )
        return self._take()

    # -- Forgetting ------------------------------------------------------------------

    def forget_session(self) -> None:
        """The session is gone from the Pi: nothing is current until the next one."""
        state = self.state
        if state.session is not None:
            self._forgotten_session_boards = set(state.session_boards)
        state.session = None
        state.session_boards = set()
        state.counts = Counter()

    def forget_board(self, mac: str) -> None:
        """Drop one board from memory (its device was removed), keeping the counts right."""
        state = self.state
        board = state.boards.pop(mac, None)
        if mac in state.session_boards:
            state.session_boards.discard(mac)
            if board is not None:
                state.counts[board.state] -= 1
        state.progress.pop(mac, None)
        self._board_event_at.pop(mac, None)
        self._board_fetched_at.pop(mac, None)
        if self._forgotten_session_boards is not None:
            self._forgotten_session_boards.discard(mac)

    def _forget_boards_except(self, keep: set[str]) -> None:
        """Keep in memory only the boards of the session that is ending.

        Called when a new session starts: memory then holds the boards of the
        current and the previous session, however many sessions went before.
        """
        state = self.state
        for mac in [mac for mac in state.boards if mac not in keep]:
            del state.boards[mac]
            state.progress.pop(mac, None)
            self._board_event_at.pop(mac, None)
            self._board_fetched_at.pop(mac, None)

    # -- State changes ---------------------------------------------------------------

    def _set_session(self, session: Session, kind: EventKind | None, *, live: bool) -> None:
        state = self.state
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
        self.hooks.session_changed(session, previous)
        if kind is EventKind.SESSION_TIMEOUT_WARNING:
            if self.timeout_warned == session.id:
                kind = None  # warned already, by the owner's clock: one warning per session
            else:
                self.timeout_warned = session.id
        # Within one session a transition is news; another session starts afresh.
        previous_state = (
            previous.state if previous is not None and previous.id == session.id else None
        )
        if live and (previous_state != session.state or kind is EventKind.SESSION_TIMEOUT_WARNING):
            self._out.append(
                SessionTransition(
                    session=session,
                    previous_state=previous_state.value if previous_state is not None else None,
                    kind=kind,
                )
            )

    def _set_board(self, board: Board, session_id: str | None, *, live: bool) -> None:
        state = self.state
        mac = board.mac
        previous = state.boards.get(mac)
        state.boards[mac] = board
        counted = mac in state.session_boards
        if session_id is not None and state.session is not None and session_id == state.session.id:
            state.session_boards.add(mac)
        # Keep the per-state counts of the session's boards in step without a
        # recount of the whole session per event.
        if counted and previous is not None:
            state.counts[previous.state] -= 1
        if mac in state.session_boards:
            state.counts[board.state] += 1
        if previous is None:
            self.hooks.board_added(mac)
        if previous == board:
            return
        self.hooks.board_changed(mac)
        if live and (previous is None or previous.state != board.state):
            self._out.append(
                BoardTransition(
                    board=board,
                    previous_state=previous.state if previous is not None else None,
                    session_id=session_id,
                )
            )

    def _take(self) -> Sequence[Transition]:
        if not self._out:
            return _NO_TRANSITIONS
        out, self._out = self._out, []
        return out


def _merged(existing: Board, change: BoardChange) -> Board:
    """A board record with a state-only change applied."""
    update: dict[str, Any] = {}
    if change.state is not None:
        update["state"] = change.state
    if change.error_message is not None or change.state is not BoardState.FAILED:
        update["error_message"] = change.error_message
    if existing.state is BoardState.FAILED and change.state is BoardState.PROVISIONING:
        # A state delta carries no retry count; leaving failed for
        # provisioning is what a retry is.
        update["retry_count"] = existing.retry_count + 1
    return existing.model_copy(update=update)
