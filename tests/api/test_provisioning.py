"""The provisioning tracker with plain data: no Home Assistant, no sockets, no clock.

What it must get right is what a person would see go wrong: a board shown going
backwards, a replayed event counted twice, a lost event never noticed, a stale
answer hiding what the stream already said.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from hypothesis import given, settings, strategies as st

from custom_components.piorchestrator.api.events import BoardChange, EventKind, ProvisioningEvent
from custom_components.piorchestrator.api.models import (
    Board,
    BoardState,
    NetworkStatus,
    Session,
    SessionSnapshot,
    SessionState,
)
from custom_components.piorchestrator.api.provisioning import (
    BoardTransition,
    NoHooks,
    ProvisioningTracker,
    SessionTransition,
    is_behind,
)

MAC = "AA:BB:CC:00:00:01"
OTHER = "AA:BB:CC:00:00:02"


@dataclass
class Recorder(NoHooks):
    """Hooks that remember what the tracker asked for."""

    suspected: list[str] = field(default_factory=list)
    followed: list[tuple[str, str | None]] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    cap: int | None = None

    def admit(self, mac: str) -> bool:
        return self.cap is None or len(self.added) < self.cap

    def suspect(self, signal: str) -> None:
        self.suspected.append(signal)

    def follow(self, signal: str, session_id: str | None) -> None:
        self.followed.append((signal, session_id))

    def board_changed(self, mac: str) -> None:
        self.changed.append(mac)

    def board_added(self, mac: str) -> None:
        self.added.append(mac)


def session(
    state: SessionState = SessionState.ACTIVE, sid: str = "sess_1", **counts: int
) -> Session:
    return Session(id=sid, state=state, **counts)


def board_event(
    mac: str,
    state: BoardState,
    *,
    event_id: str | None = None,
    sid: str | None = "sess_1",
    full: Board | None = None,
) -> ProvisioningEvent:
    return ProvisioningEvent(
        kind=EventKind.BOARD_STATE_CHANGED,
        type="device.state_changed",
        event_id=event_id,
        session_id=sid,
        board=BoardChange(mac=mac, state=state, board=full),
    )


def session_event(sess: Session, *, event_id: str | None = None) -> ProvisioningEvent:
    return ProvisioningEvent(
        kind=EventKind.SESSION_STATE_CHANGED,
        type="session.state_changed",
        event_id=event_id,
        session_id=sess.id,
        session=sess,
    )


def started(hooks: Recorder | None = None) -> ProvisioningTracker:
    """A tracker that saw session `sess_1` open, live."""
    tracker = ProvisioningTracker(hooks)
    tracker.apply_event(session_event(session()), 0.0)
    return tracker


def test_live_events_report_transitions_in_order() -> None:
    tracker = ProvisioningTracker()
    first = tracker.apply_event(session_event(session(SessionState.DISCOVERING)), 1.0)
    assert first == [
        SessionTransition(session(SessionState.DISCOVERING), None, EventKind.SESSION_STATE_CHANGED)
    ]

    found = tracker.apply_event(board_event(MAC, BoardState.DISCOVERED), 2.0)
    assert [type(t) for t in found] == [BoardTransition]
    assert found[0].previous_state is None  # type: ignore[union-attr]

    moved = tracker.apply_event(board_event(MAC, BoardState.PROVISIONING), 3.0)
    assert moved[0].previous_state is BoardState.DISCOVERED  # type: ignore[union-attr]
    assert tracker.state.counts == Counter({BoardState.PROVISIONING: 1})
    assert tracker.state.in_flight_count == 1

    active = tracker.apply_event(session_event(session(SessionState.ACTIVE)), 4.0)
    assert active[0].previous_state == "discovering"  # type: ignore[union-attr]
    # The same session record again is not news.
    assert tracker.apply_event(session_event(session(SessionState.ACTIVE)), 5.0) == ()


def test_an_event_behind_the_board_is_ignored_and_raises_a_suspicion() -> None:
    hooks = Recorder()
    tracker = started(hooks)
    tracker.apply_event(board_event(MAC, BoardState.DISCOVERED), 1.0)
    tracker.apply_event(board_event(MAC, BoardState.VERIFIED), 2.0)

    assert tracker.apply_event(board_event(MAC, BoardState.PROVISIONING), 3.0) == ()

    assert tracker.state.boards[MAC].state is BoardState.VERIFIED
    assert tracker.state.counts == Counter({BoardState.VERIFIED: 1})
    assert hooks.suspected == ["backwards"]


def test_a_replay_behind_what_the_pi_answered_is_not_a_gap() -> None:
    hooks = Recorder()
    tracker = started(hooks)
    tracker.apply_event(board_event(MAC, BoardState.DISCOVERED), 1.0)
    answer = SessionSnapshot(session=session(), devices=[Board(mac=MAC, state=BoardState.VERIFIED)])
    tracker.apply_snapshot(answer, None, requested_at=2.0, live=True, now=3.0)

    tracker.apply_event(board_event(MAC, BoardState.PROVISIONED), 4.0)

    assert tracker.state.boards[MAC].state is BoardState.VERIFIED
    assert hooks.suspected == []


def test_a_retry_is_ahead_of_the_failure_it_retries() -> None:
    tracker = started()
    tracker.apply_event(board_event(MAC, BoardState.PROVISIONING), 1.0)
    tracker.apply_event(board_event(MAC, BoardState.FAILED), 2.0)
    retried = tracker.apply_event(board_event(MAC, BoardState.PROVISIONING), 3.0)

    board = tracker.state.boards[MAC]
    assert (board.state, board.retry_count) == (BoardState.PROVISIONING, 1)
    assert retried[0].previous_state is BoardState.FAILED  # type: ignore[union-attr]
    assert is_behind(Board(mac=MAC, state=BoardState.FAILED), board)


def test_a_jump_in_event_ids_is_a_gap_signal_and_a_reconnect_starts_afresh() -> None:
    hooks = Recorder()
    tracker = started(hooks)
    tracker.apply_event(board_event(MAC, BoardState.DISCOVERED, event_id="7"), 1.0)
    tracker.apply_event(board_event(MAC, BoardState.PROVISIONING, event_id="8"), 2.0)
    assert hooks.suspected == []
    tracker.apply_event(board_event(MAC, BoardState.PROVISIONED, event_id="11"), 3.0)
    assert hooks.suspected == ["event_id_jump"]

    tracker.reconnected()
    tracker.apply_event(board_event(MAC, BoardState.VERIFYING, event_id="40"), 4.0)
    assert hooks.suspected == ["event_id_jump"]


def test_session_counters_that_disagree_with_the_boards_are_a_gap_signal() -> None:
    hooks = Recorder()
    tracker = started(hooks)
    tracker.apply_event(board_event(MAC, BoardState.DISCOVERED), 1.0)
    tracker.apply_event(session_event(session(device_count=1)), 2.0)
    assert hooks.suspected == []

    tracker.apply_event(session_event(session(device_count=2)), 3.0)
    assert hooks.suspected == ["counters"]
    assert tracker.counters_disagree()

    # At the cap the Pi counts boards we refused: no signal then.
    tracker.capped = True
    assert not tracker.counters_disagree()


def test_news_of_an_unknown_session_or_board_is_followed() -> None:
    hooks = Recorder()
    tracker = started(hooks)
    tracker.apply_event(board_event(MAC, BoardState.DISCOVERED, sid="sess_2"), 1.0)
    assert hooks.followed == [("unknown_session", "sess_2"), ("unknown_board", None)]


def test_the_first_snapshot_is_a_baseline_not_transitions() -> None:
    tracker = ProvisioningTracker()
    network = NetworkStatus(is_active=True)
    answer = SessionSnapshot(
        session=session(device_count=1), devices=[Board(mac=MAC, state=BoardState.VERIFIED)]
    )
    assert tracker.apply_snapshot(answer, network, requested_at=0.0, live=False, now=1.0) == ()

    assert tracker.state.network == network
    assert tracker.state.session_board_count == 1
    assert tracker.state.progress_percent == 100.0

    answer = SessionSnapshot(
        session=session(device_count=1), devices=[Board(mac=MAC, state=BoardState.FAILED)]
    )
    moved = tracker.apply_snapshot(answer, network, requested_at=2.0, live=True, now=3.0)
    assert [type(t) for t in moved] == [BoardTransition]


def test_a_snapshot_older_than_the_stream_keeps_what_the_events_showed() -> None:
    tracker = started()
    tracker.apply_event(board_event(MAC, BoardState.DISCOVERED), 1.0)
    # Requested at 2; meanwhile the stream reports a new board, a move and a close.
    tracker.apply_event(board_event(MAC, BoardState.PROVISIONED), 3.0)
    tracker.apply_event(board_event(OTHER, BoardState.DISCOVERED), 3.5)
    tracker.apply_event(session_event(session(SessionState.CLOSED)), 4.0)
    answer = SessionSnapshot(
        session=session(SessionState.ACTIVE),
        devices=[Board(mac=MAC, state=BoardState.DISCOVERED)],
    )

    tracker.apply_snapshot(answer, None, requested_at=2.0, live=True, now=5.0)

    state = tracker.state
    assert state.boards[MAC].state is BoardState.PROVISIONED
    assert state.session_boards == {MAC, OTHER}
    assert state.session_state == "closed"


def test_a_snapshot_of_another_session_answered_after_the_stream_moved_on_is_past() -> None:
    tracker = started()
    tracker.apply_event(session_event(session(sid="sess_2")), 3.0)
    old = SessionSnapshot(session=session(sid="sess_1"))
    assert tracker.describes_past(old, 2.0)

    tracker.apply_snapshot(old, None, requested_at=2.0, live=True, now=4.0)

    assert tracker.state.session is not None and tracker.state.session.id == "sess_2"


def test_a_new_session_keeps_only_the_boards_of_the_last_one() -> None:
    tracker = started()
    tracker.apply_event(board_event(MAC, BoardState.VERIFIED), 1.0)
    tracker.apply_event(session_event(session(sid="sess_2")), 2.0)
    tracker.apply_event(board_event(OTHER, BoardState.DISCOVERED, sid="sess_2"), 3.0)
    assert set(tracker.state.boards) == {MAC, OTHER}
    assert tracker.state.session_boards == {OTHER}

    tracker.apply_event(session_event(session(sid="sess_3")), 4.0)
    assert set(tracker.state.boards) == {OTHER}
    # A late close of the older session does not replace the open one.
    tracker.apply_event(session_event(session(SessionState.CLOSED, sid="sess_2")), 5.0)
    assert tracker.state.session is not None and tracker.state.session.id == "sess_3"


def test_forget_board_drops_it_with_its_count() -> None:
    tracker = started()
    tracker.apply_event(board_event(MAC, BoardState.VERIFIED), 1.0)
    tracker.apply_event(board_event(OTHER, BoardState.DISCOVERED), 2.0)

    tracker.forget_board(MAC)

    state = tracker.state
    assert MAC not in state.boards
    assert state.session_boards == {OTHER}
    assert +state.counts == Counter({BoardState.DISCOVERED: 1})
    assert state.progress_percent == 0.0
    # Seen again, it is a new board (with its entities asked for again).
    hooks = Recorder()
    tracker.hooks = hooks
    assert tracker.apply_event(board_event(MAC, BoardState.VERIFIED), 3.0)
    assert hooks.added == [MAC]


def test_forget_session_leaves_no_current_session() -> None:
    tracker = started()
    tracker.apply_event(board_event(MAC, BoardState.VERIFIED), 1.0)
    tracker.forget_session()
    assert tracker.state.session_state == "idle"
    assert tracker.state.session_board_count == 0
    assert MAC in tracker.state.boards


def test_a_board_the_cap_refuses_stays_out() -> None:
    hooks = Recorder(cap=1)
    tracker = started(hooks)
    tracker.apply_event(board_event(MAC, BoardState.DISCOVERED), 1.0)
    assert tracker.apply_event(board_event(OTHER, BoardState.DISCOVERED), 2.0) == ()
    assert set(tracker.state.boards) == {MAC}


# -- Property: events and snapshots in any interleaving end where the Pi ends --------

_FORWARD = {
    BoardState.DISCOVERED: BoardState.PROVISIONING,
    BoardState.PROVISIONING: BoardState.PROVISIONED,
    BoardState.PROVISIONED: BoardState.VERIFYING,
    BoardState.VERIFYING: BoardState.VERIFIED,
}
MACS = [f"AA:BB:CC:00:01:{n:02X}" for n in range(4)]


class Pi:
    """One session on a simulated Pi: each step changes it and sends one event."""

    def __init__(self) -> None:
        self.session = Session(id="sess_9", state=SessionState.DISCOVERING)
        self.boards: dict[str, Board] = {}
        self.events: list[ProvisioningEvent] = []
        self.history: list[SessionSnapshot] = []
        """What a check would have answered after each event: `history[i]` after event i."""
        self._said: list[str] = []
        self._send_session()

    def __repr__(self) -> str:
        """What happened, short enough to read in a falsifying example."""
        return f"Pi({', '.join(self._said)})"

    def _send(self, event: ProvisioningEvent, said: str) -> None:
        self.events.append(event)
        self.history.append(
            SessionSnapshot(session=self.session, devices=list(self.boards.values()))
        )
        self._said.append(said)

    def _send_session(self) -> None:
        counts = Counter(board.state for board in self.boards.values())
        self.session = self.session.model_copy(
            update={
                "device_count": len(self.boards),
                "verified_count": counts[BoardState.VERIFIED],
                "failed_count": counts[BoardState.FAILED],
            }
        )
        self._send(
            session_event(self.session, event_id=str(len(self.events) + 1)),
            f"session {self.session.state.value}",
        )

    def step(self, mac: str, fail: bool, full: bool) -> None:
        board = self.boards.get(mac)
        if board is None:
            board = Board(mac=mac, state=BoardState.DISCOVERED, session_id=self.session.id)
        elif board.state is BoardState.FAILED:
            board = board.model_copy(
                update={"state": BoardState.PROVISIONING, "retry_count": board.retry_count + 1}
            )
        elif board.state is BoardState.VERIFIED:
            return
        elif fail and board.state is not BoardState.DISCOVERED:
            board = board.model_copy(update={"state": BoardState.FAILED})
        else:
            board = board.model_copy(update={"state": _FORWARD[board.state]})
        self.boards[mac] = board
        self._send(
            board_event(
                mac,
                board.state,
                event_id=str(len(self.events) + 1),
                sid=self.session.id,
                full=board if full else None,
            ),
            f"{mac[-2:]} {board.state.value}{'' if full else ' (state only)'}",
        )
        self._send_session()

    def close(self) -> None:
        self.session = self.session.model_copy(update={"state": SessionState.CLOSED})
        self._send(session_event(self.session, event_id=str(len(self.events) + 1)), "closed")


@st.composite
def runs(draw: st.DrawFn) -> tuple[Pi, list[tuple[int, int]]]:
    """A session on the Pi, and checks asked after one event and answered after a later one."""
    pi = Pi()
    macs = MACS[: draw(st.integers(1, len(MACS)))]
    for _ in range(draw(st.integers(0, 30))):
        pi.step(draw(st.sampled_from(macs)), fail=draw(st.booleans()), full=draw(st.booleans()))
    if draw(st.booleans()):
        pi.close()
    checks: list[tuple[int, int]] = []
    position = 0
    for _ in range(draw(st.integers(0, 4))):
        asked = draw(st.integers(position, len(pi.events)))
        answered = draw(st.integers(asked, len(pi.events)))
        checks.append((asked, answered))
        position = answered
    return pi, checks


@settings(max_examples=300, deadline=None)
@given(runs())
def test_any_interleaving_of_events_and_snapshots_ends_in_the_pis_final_state(
    run: tuple[Pi, list[tuple[int, int]]],
) -> None:
    pi, checks = run
    tracker = ProvisioningTracker()
    clock = 0.0
    pending: list[tuple[int, float]] = []
    for delivered in range(len(pi.events) + 1):
        for asked, answered in checks:
            if asked == delivered:
                clock += 1
                pending.append((asked, clock))
            if answered == delivered and pending:
                asked_at, requested_at = pending.pop(0)
                clock += 1
                # What the Pi looked like when the request reached it.
                snapshot = pi.history[asked_at - 1] if asked_at else None
                tracker.apply_snapshot(
                    snapshot, None, requested_at=requested_at, live=True, now=clock
                )
        if delivered < len(pi.events):
            clock += 1
            tracker.apply_event(pi.events[delivered], clock)

    state = tracker.state
    assert state.session == pi.session
    assert state.session_boards == set(pi.boards)
    assert {mac: (b.state, b.retry_count) for mac, b in state.boards.items()} == {
        mac: (b.state, b.retry_count) for mac, b in pi.boards.items()
    }
    assert +state.counts == Counter(board.state for board in pi.boards.values())
    assert not tracker.counters_disagree()
