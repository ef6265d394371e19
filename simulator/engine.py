"""The provisioning state machine, driven by (compressed) timers.

Every mutation is persisted before it is narrated or acknowledged. Tasks only mutate state
between awaits, so cancelling them (stop, reset, shutdown) never leaves a half-applied
change; cancellation itself never mutates state, so a shutdown leaves the file exactly as
the last acknowledgement described it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import logging
from random import Random
from typing import Any, Final

from simulator.boards import add_boards
from simulator.clock import Clock, go_duration, parse_rfc3339, rfc3339, utcnow
from simulator.config import SimulatorConfig
from simulator.envelope import ApiError
from simulator.logs import SimLog
from simulator.state import (
    IN_FLIGHT,
    ONBOARDING_SSID,
    Board,
    BoardHardware,
    Session,
    SessionConfig,
    SimState,
)
from simulator.vocabulary import Narrator, NetworkReason

_LOGGER = logging.getLogger(__name__)

MAX_RETRIES: Final = 3

# Simulated seconds (divided by --speed).
DISCOVERY_SPREAD: Final = (0.5, 4.0)
LATE_DISCOVERY_SPREAD: Final = (0.3, 1.5)
PROVISION_STEP: Final = (1.0, 3.0)
HANDOFF_STEP: Final = (0.5, 1.5)
VERIFY_STEP: Final = (1.0, 3.0)
CLOSING_DELAY: Final = 0.5
WARNING_LEAD: Final = 300.0

INTERRUPTED_MESSAGE: Final = "provisioning interrupted by a restart of the Pi; retry the device"
CLOSED_MESSAGE: Final = "session closed before the device finished"


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a step failed: an API.md §2 code and a human message."""

    code: str
    message: str


@dataclass(slots=True)
class _Runtime:
    """What a running session needs besides its persisted state."""

    gate: asyncio.Event
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    # Held in memory only: the simulator never writes or logs a WiFi password.
    password: str = ""


class Engine:
    """Owns sessions and boards; the API handlers call it, timers drive it."""

    def __init__(
        self,
        *,
        state: SimState,
        config: SimulatorConfig,
        clock: Clock,
        rng: Random,
        narrator: Narrator,
        save: Callable[[], None],
        journal: SimLog,
    ) -> None:
        """Wire the engine; call `adopt_loaded_state()` once after loading a file."""
        self.state = state
        self.config = config
        self.clock = clock
        self.rng = rng
        self.narrator = narrator
        self._save = save
        self.journal = journal
        self._runtimes: dict[str, _Runtime] = {}

    # ----------------------------------------------------------------- lifecycle

    def adopt_loaded_state(self) -> None:
        """Turn sessions that were open at the last stop into recoverable ones.

        A session interrupted while closing is simply closed: the technician had
        already asked for it to end.
        """
        changed = False
        for session in self.state.sessions.values():
            if not session.is_open:
                continue
            if session.state == "closing":
                session.state = "closed"
                session.close_reason = session.close_reason or "stopped"
                session.recoverable = False
            elif not session.recoverable:
                session.recoverable = True
                session.interrupted_state = session.state
                # Nothing runs until resumed; "paused" is the honest visible state.
                session.state = "paused"
            else:
                continue
            changed = True
            self.journal.warning(
                "recovery", f"session {session.id} was interrupted; it can be resumed"
            )
        if changed:
            self._save()

    async def shutdown(self) -> None:
        """Stop every timer without touching the state."""
        runtimes = list(self._runtimes.values())
        self._runtimes.clear()
        await _cancel([task for runtime in runtimes for task in runtime.tasks])

    async def reset(self, fresh: SimState) -> None:
        """Cancel everything and adopt `fresh` as the whole state."""
        await self.shutdown()
        self.state.replace_with(fresh)
        self._save()

    # ----------------------------------------------------------------- queries

    def get_session(self, session_id: str) -> Session:
        """Return a session or raise SESSION_NOT_FOUND."""
        session = self.state.sessions.get(session_id)
        if session is None:
            raise ApiError("SESSION_NOT_FOUND", f"session {session_id} not found")
        return session

    def current_session(self) -> Session | None:
        """Return the running session, if any."""
        return self.state.current_session()

    def recoverable_sessions(self) -> list[Session]:
        """Return the interrupted sessions that have not expired."""
        now = utcnow()
        return [
            session
            for session in self.state.sessions.values()
            if session.recoverable and not _expired(session, now)
        ]

    def network_status(self) -> dict[str, Any]:
        """Return the onboarding network's status (§5)."""
        session = self.current_session()
        if session is None:
            return {"ssid": ONBOARDING_SSID, "is_active": False, "connected_devices": 0}
        connected = sum(board.state != "verified" for board in session.devices.values())
        return {"ssid": ONBOARDING_SSID, "is_active": True, "connected_devices": connected}

    def timeout_remaining(self, session: Session) -> str | None:
        """Return the time left before expiry as a Go duration string."""
        if session.expires_at is None or not session.is_open:
            return None
        left = (parse_rfc3339(session.expires_at) - utcnow()).total_seconds()
        return go_duration(left)

    def devices(self, session: Session, state: str | None = None) -> list[Board]:
        """Return a session's boards, optionally only those in `state`."""
        return [
            board for board in session.devices.values() if state is None or board.state == state
        ]

    # ----------------------------------------------------------------- sessions

    def start_session(
        self, target_ssid: str, target_password: str, config: SessionConfig
    ) -> Session:
        """Create a session and start discovering boards."""
        self._require_no_running_session()
        # A new session means the technician gave up on the interrupted ones.
        for session in list(self.state.sessions.values()):
            if session.recoverable:
                self._finish_closed(session, "abandoned", narrate_network=False)

        now = utcnow()
        session = Session(
            id=self._new_session_id(),
            state="discovering",
            target_ssid=target_ssid,
            created_at=rfc3339(now),
            updated_at=rfc3339(now),
            expires_at=rfc3339(
                now + timedelta(seconds=self.clock.scaled(self.config.session_timeout))
            ),
            config=config,
        )
        self.state.sessions[session.id] = session
        runtime = self._runtime_for(session, password=target_password)
        self._save()
        self.journal.info("provisioning", f"session {session.id} started for SSID {target_ssid!r}")
        self.narrator.session_started(session)
        self._narrate_network("started", session.id)

        self._schedule_discovery(session, self._waiting_boards(session), DISCOVERY_SPREAD)
        self._spawn(runtime, self._discovery_deadline(session.id))
        self._spawn(runtime, self._expiry(session.id))
        return session

    async def stop_session(self, session_id: str) -> Session:
        """Close a session: closing, then closed."""
        session = self._require_open(session_id)
        await self._close(session, "stopped")
        return session

    def pause_session(self, session_id: str) -> Session:
        """Hold all progress; boards in flight wait where they are."""
        session = self._require_open(session_id)
        if session.state == "paused":
            return session
        session.state_before_pause = session.state
        session.state = "paused"
        self._set_running(session, running=False)
        self._session_changed(session, "provisioning", f"session {session.id} paused")
        return session

    def resume_session(self, session_id: str) -> Session:
        """Continue a paused session (or recover an interrupted one)."""
        session = self._require_open(session_id)
        if session.recoverable:
            return self.recover_session(session_id)
        if session.state != "paused":
            return session
        session.state = session.state_before_pause or "active"
        session.state_before_pause = None
        self._set_running(session, running=True)
        self._session_changed(session, "provisioning", f"session {session.id} resumed")
        return session

    def recover_session(self, session_id: str) -> Session:
        """Bring an interrupted session back, every board's state preserved.

        Boards caught mid-step resume from a consistent state: `provisioning` becomes
        `failed` ("interrupted", retry allowed: whether the board got the credentials is
        unknown), while `provisioned` and `verifying` restart verification, since the
        board already holds the credentials.
        """
        session = self.get_session(session_id)
        if not session.recoverable:
            raise ApiError(
                "SESSION_NOT_RECOVERABLE",
                f"session {session.id} is {session.state} and was not interrupted",
            )
        if _expired(session, utcnow()):
            self._finish_closed(session, "expired", narrate_network=False)
            raise ApiError("SESSION_EXPIRED", f"session {session.id} expired while the Pi was down")
        self._require_no_running_session()

        session.recoverable = False
        session.state = session.interrupted_state or "active"
        session.interrupted_state = None
        runtime = self._runtime_for(session)
        if session.state == "paused":
            runtime.gate.clear()
        self._session_changed(
            session, "recovery", f"session {session.id} resumed after interruption"
        )
        self._narrate_network("started", session.id)

        for board in list(session.devices.values()):
            if board.state == "provisioning":
                self._fail(session, board, Failure("DEVICE_TIMEOUT", INTERRUPTED_MESSAGE))
            elif board.state == "provisioned":
                self._transition(session, board, "verifying")
                self._spawn(runtime, self._pipeline(session.id, board.mac, verify_only=True))
            elif board.state == "verifying":
                self._spawn(runtime, self._pipeline(session.id, board.mac, verify_only=True))

        self._schedule_discovery(session, self._waiting_boards(session), LATE_DISCOVERY_SPREAD)
        if session.state == "discovering" or session.state_before_pause == "discovering":
            self._spawn(runtime, self._discovery_deadline(session.id))
        self._spawn(runtime, self._expiry(session.id))
        return session

    async def expire_now(self, session_id: str | None, *, warning_only: bool) -> Session:
        """Fault injection: warn about, or force, the expiry of a session."""
        session = self.get_session(session_id) if session_id else self.current_session()
        if session is None:
            raise ApiError("SESSION_NOT_FOUND", "no active session")
        session = self._require_open(session.id)
        if warning_only:
            session.warned = True
            self._save()
            self.narrator.session_timeout_warning(session)
            return session
        session.expires_at = rfc3339()
        await self._close(session, "expired")
        return session

    # ----------------------------------------------------------------- devices

    def provision_device(self, session_id: str, mac: str) -> Board:
        """Send credentials to one allowlisted board."""
        session, board = self._require_idle_device(session_id, mac)
        if board.state != "discovered":
            hint = "; use retry" if board.state == "failed" else ""
            raise ApiError(
                "DEVICE_INVALID_STATE", f"device {mac} is {board.state}, not discovered{hint}"
            )
        if not board.in_allowlist:
            raise ApiError("DEVICE_NOT_IN_ALLOWLIST", f"device {mac} is not in the allowlist")
        self._begin(session, board, retry=False)
        return board

    def provision_all(self, session_id: str, *, only_allowlisted: bool) -> tuple[int, int]:
        """Start every discovered board; return (initiated, skipped)."""
        session = self._require_running(session_id)
        initiated = skipped = 0
        for board in self.devices(session, "discovered"):
            if board.skipped or (only_allowlisted and not board.in_allowlist):
                skipped += 1
                continue
            self._begin(session, board, retry=False)
            initiated += 1
        return initiated, skipped

    def retry_device(self, session_id: str, mac: str) -> Board:
        """Take a failed board back to provisioning."""
        session = self._require_running(session_id)
        board = self._require_device(session, mac)
        if board.state != "failed":
            raise ApiError(
                "DEVICE_INVALID_STATE",
                f"device {mac} is {board.state}; only failed devices can be retried",
            )
        if board.retry_count >= MAX_RETRIES:
            raise ApiError(
                "MAX_RETRIES_EXCEEDED",
                f"device {mac} was already retried {board.retry_count} times (limit {MAX_RETRIES})",
            )
        self._begin(session, board, retry=True)
        return board

    def skip_device(self, session_id: str, mac: str) -> Board:
        """Mark a board as not to be provisioned; its state is left as it is."""
        session, board = self._require_idle_device(session_id, mac)
        if board.state == "verified":
            raise ApiError("DEVICE_INVALID_STATE", f"device {mac} is already verified")
        board.skipped = True
        self._touch(session)
        self._save()
        self.journal.info("provisioning", f"device {mac} skipped in session {session.id}")
        return board

    def forget_device(self, session_id: str, mac: str) -> None:
        """Drop a board from a session without a word, as a Pi whose record of it was lost.

        A fault, not an API operation: nothing is narrated, so only a client that
        compares with the session over REST notices.
        """
        session, board = self._require_idle_device(session_id, mac)
        del session.devices[mac]
        self._touch(session)
        self._save()
        self.journal.info("simulator", f"device {mac} forgotten by session {session.id}")

    # ----------------------------------------------------------------- boards & allowlist

    def add_boards(
        self, *, count: int = 0, macs: Iterable[str] = (), fail_once: bool = False
    ) -> list[BoardHardware]:
        """Put more boards on the onboarding network; a running session discovers them."""
        names = list(macs)
        added = add_boards(
            self.state.boards,
            self.rng,
            count=count,
            macs=names,
            fail_once=names if fail_once else (),
        )
        self._save()
        session = self.current_session()
        if session is not None and added:
            self._schedule_discovery(session, added, LATE_DISCOVERY_SPREAD)
        return added

    def refresh_allowlist_flags(self) -> None:
        """Re-derive in_allowlist/container_id of boards in open sessions."""
        for session in self.state.sessions.values():
            if not session.is_open:
                continue
            for board in session.devices.values():
                entry = self.state.allowlist.get(board.mac)
                board.in_allowlist = entry is not None
                if entry is not None and entry.container_id:
                    board.container_id = entry.container_id

    # ----------------------------------------------------------------- guards

    def _require_open(self, session_id: str) -> Session:
        session = self.get_session(session_id)
        if session.state == "closed":
            if session.close_reason == "expired":
                raise ApiError("SESSION_EXPIRED", f"session {session.id} has expired")
            raise ApiError("SESSION_ALREADY_CLOSED", f"session {session.id} is already closed")
        if session.state == "closing":
            raise ApiError("SESSION_ALREADY_CLOSED", f"session {session.id} is closing")
        return session

    def _require_no_running_session(self) -> None:
        """One session runs at a time: starting or recovering another is refused."""
        current = self.current_session()
        if current is not None:
            raise ApiError(
                "SESSION_ALREADY_ACTIVE",
                f"session {current.id} is already active",
                details=current.id,
            )

    def _require_running(self, session_id: str) -> Session:
        session = self._require_open(session_id)
        if session.recoverable:
            raise ApiError(
                "DEVICE_INVALID_STATE",
                f"session {session.id} was interrupted; resume it before acting on devices",
            )
        return session

    @staticmethod
    def _require_device(session: Session, mac: str) -> Board:
        board = session.devices.get(mac)
        if board is None:
            raise ApiError("DEVICE_NOT_FOUND", f"device {mac} not found in session {session.id}")
        return board

    def _require_idle_device(self, session_id: str, mac: str) -> tuple[Session, Board]:
        """A board of a running session that no provisioning step is working on."""
        session = self._require_running(session_id)
        board = self._require_device(session, mac)
        if board.state in IN_FLIGHT:
            raise ApiError("DEVICE_ALREADY_PROVISIONING", f"device {mac} is {board.state}")
        return session, board

    # ----------------------------------------------------------------- transitions

    def _begin(self, session: Session, board: Board, *, retry: bool) -> None:
        hardware = self.state.boards.get(board.mac)
        if hardware is not None:
            hardware.attempts += 1
        if retry:
            board.retry_count += 1
        board.skipped = False
        board.error_message = None
        self._transition(session, board, "provisioning")
        runtime = self._runtimes.get(session.id)
        if runtime is not None:
            self._spawn(runtime, self._pipeline(session.id, board.mac, verify_only=False))

    def _transition(self, session: Session, board: Board, new_state: str) -> None:
        previous = board.state
        board.state = new_state
        now = rfc3339()
        if new_state == "provisioned":
            board.provisioned_at = now
            entry = self.state.allowlist.get(board.mac)
            if entry is not None and not entry.used:
                entry.used = True
                entry.used_at = now
        elif new_state == "verified":
            board.verified_at = now
            hardware = self.state.boards.get(board.mac)
            if hardware is not None:
                # It joined the target WiFi and left the onboarding network.
                hardware.on_onboarding = False
        self._touch(session)
        self._save()
        self.journal.info("provisioning", f"device {board.mac}: {previous} -> {new_state}")
        self.narrator.device_changed(board, previous)
        if new_state == "verified":
            self._narrate_network("devices", session.id)

    def _fail(self, session: Session, board: Board, failure: Failure) -> None:
        board.error_message = failure.message
        self._transition(session, board, "failed")
        self.journal.warning("provisioning", f"device {board.mac} failed: {failure.message}")
        self.narrator.error(failure.code, f"{board.mac}: {failure.message}", True, session.id)

    def _touch(self, session: Session) -> None:
        session.recount()
        session.updated_at = rfc3339()

    def _session_changed(self, session: Session, source: str, message: str) -> None:
        """Persist a session's new state, then log it and narrate it, in that order."""
        self._touch(session)
        self._save()
        self.journal.info(source, message)
        self.narrator.session_changed(session)

    def _set_running(self, session: Session, *, running: bool) -> None:
        """Open or close the gate every timer of the session waits on (pause, resume)."""
        runtime = self._runtimes.get(session.id)
        if runtime is None:
            return
        if running:
            runtime.gate.set()
        else:
            runtime.gate.clear()

    def _narrate_network(self, reason: NetworkReason, session_id: str) -> None:
        self.narrator.network_changed(self.network_status(), reason, session_id)

    async def _close(self, session: Session, reason: str) -> None:
        session.state = "closing"
        self._touch(session)
        self._save()
        self.narrator.session_changed(session)
        runtime = self._runtimes.pop(session.id, None)
        if runtime is not None:
            me = asyncio.current_task()
            await _cancel([task for task in runtime.tasks if task is not me])
        for board in list(session.devices.values()):
            if board.state in IN_FLIGHT:
                self._fail(session, board, Failure("NETWORK_ERROR", CLOSED_MESSAGE))
        await self.clock.sleep(CLOSING_DELAY)
        self._finish_closed(session, reason, narrate_network=runtime is not None)

    def _finish_closed(self, session: Session, reason: str, *, narrate_network: bool) -> None:
        for board in list(session.devices.values()):
            if board.state in IN_FLIGHT:
                board.state = "failed"
                board.error_message = CLOSED_MESSAGE
        session.state = "closed"
        session.close_reason = reason
        session.recoverable = False
        session.interrupted_state = None
        session.state_before_pause = None
        self._touch(session)
        self._save()
        self.journal.info("provisioning", f"session {session.id} closed ({reason})")
        self.narrator.session_closed(session)
        if narrate_network:
            self._narrate_network("stopped", session.id)

    # ----------------------------------------------------------------- timers

    def _runtime_for(self, session: Session, *, password: str = "") -> _Runtime:
        gate = asyncio.Event()
        if session.state != "paused":
            gate.set()
        runtime = _Runtime(gate=gate, password=password)
        self._runtimes[session.id] = runtime
        return runtime

    def _spawn(self, runtime: _Runtime, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        runtime.tasks.add(task)
        task.add_done_callback(runtime.tasks.discard)
        task.add_done_callback(_report_crash)

    def _waiting_boards(self, session: Session) -> list[BoardHardware]:
        return [
            hardware
            for hardware in self.state.boards.values()
            if hardware.on_onboarding and hardware.mac not in session.devices
        ]

    def _schedule_discovery(
        self, session: Session, boards: Iterable[BoardHardware], spread: tuple[float, float]
    ) -> None:
        runtime = self._runtimes.get(session.id)
        if runtime is None:
            return
        for hardware in boards:
            delay = self.rng.uniform(*spread)
            self._spawn(runtime, self._discover(session.id, hardware.mac, delay))

    async def _hold(self, session_id: str, seconds: float) -> bool:
        """Sleep a simulated duration, then wait while paused; False if the session ended."""
        await self.clock.sleep(seconds)
        runtime = self._runtimes.get(session_id)
        if runtime is None:
            return False
        await runtime.gate.wait()
        return session_id in self._runtimes

    async def _discover(self, session_id: str, mac: str, delay: float) -> None:
        if not await self._hold(session_id, delay):
            return
        session = self.state.sessions[session_id]
        hardware = self.state.boards.get(mac)
        if hardware is None or not hardware.on_onboarding or mac in session.devices:
            return
        self._found(session, hardware)
        self._save()
        self._narrate_network("devices", session_id)

    def flood(self, count: int) -> tuple[list[BoardHardware], int]:
        """Put `count` boards on the network; the running session finds them all at once.

        Returns the boards added and how many the session discovered (none when no
        session runs, or it is paused: it then finds them later, one by one).
        """
        added = add_boards(self.state.boards, self.rng, count=count)
        session = self.current_session()
        runtime = self._runtimes.get(session.id) if session is not None else None
        if session is None or runtime is None or not runtime.gate.is_set():
            self._save()
            if session is not None:
                self._schedule_discovery(session, added, LATE_DISCOVERY_SPREAD)
            return added, 0
        for hardware in added:
            self._found(session, hardware)
        self._save()
        self._narrate_network("devices", session.id)
        return added, len(added)

    def _found(self, session: Session, hardware: BoardHardware) -> None:
        """The session discovers `hardware` now (the caller saves and narrates the network)."""
        mac = hardware.mac
        entry = self.state.allowlist.get(mac)
        board = Board(
            mac=mac,
            ip=hardware.ip,
            state="discovered",
            rssi=hardware.rssi,
            firmware_version=hardware.firmware_version,
            discovered_at=rfc3339(),
            session_id=session.id,
            in_allowlist=entry is not None,
            container_id=entry.container_id if entry is not None else None,
        )
        session.devices[mac] = board
        became_active = session.state == "discovering"
        if became_active:
            session.state = "active"
        self._touch(session)
        self.journal.info("provisioning", f"device {mac} discovered at {hardware.ip}")
        self.narrator.device_discovered(board)
        if became_active:
            self.narrator.session_changed(session)

    async def _discovery_deadline(self, session_id: str) -> None:
        session = self.state.sessions[session_id]
        if not await self._hold(session_id, session.config.discovery_timeout_seconds):
            return
        if session.state == "discovering":
            session.state = "active"
            self._session_changed(
                session, "provisioning", f"session {session_id}: discovery window over"
            )

    async def _pipeline(self, session_id: str, mac: str, *, verify_only: bool) -> None:
        if not verify_only:
            if not await self._hold(session_id, self.rng.uniform(*PROVISION_STEP)):
                return
            if not self._advance(session_id, mac, "provisioning", "provisioned", stage="provision"):
                return
            if not await self._hold(session_id, self.rng.uniform(*HANDOFF_STEP)):
                return
            if not self._advance(session_id, mac, "provisioned", "verifying", stage=None):
                return
        if not await self._hold(session_id, self.rng.uniform(*VERIFY_STEP)):
            return
        self._advance(session_id, mac, "verifying", "verified", stage="verify")

    def _advance(
        self, session_id: str, mac: str, expected: str, new_state: str, *, stage: str | None
    ) -> bool:
        """Apply one step's outcome; False when the board should go no further."""
        session = self.state.sessions.get(session_id)
        if session is None or session_id not in self._runtimes:
            return False
        board = session.devices.get(mac)
        if board is None or board.state != expected:
            return False
        failure = self._roll(session, board, stage) if stage else None
        if failure is not None:
            self._fail(session, board, failure)
            return False
        self._transition(session, board, new_state)
        return True

    def _roll(self, session: Session, board: Board, stage: str) -> Failure | None:
        hardware = self.state.boards.get(board.mac)
        if hardware is not None and hardware.fail_once:
            # Fails its first attempt, then is guaranteed to succeed: a demo prop.
            if hardware.attempts <= 1 and stage == "provision":
                return Failure("DEVICE_REJECTED", "device rejected credentials")
            return None
        if self.rng.random() >= self.config.fail_rate:
            return None
        if stage == "verify":
            return Failure(
                "VERIFICATION_TIMEOUT",
                f"device did not appear on {session.target_ssid!r} within "
                f"{session.config.verification_timeout_seconds}s",
            )
        code = self.rng.choice(("DEVICE_UNREACHABLE", "DEVICE_REJECTED", "DEVICE_TIMEOUT"))
        message = {
            "DEVICE_UNREACHABLE": f"cannot connect to device at {board.ip}",
            "DEVICE_REJECTED": "device rejected credentials",
            "DEVICE_TIMEOUT": (
                f"device did not respond within {session.config.provisioning_timeout_seconds}s"
            ),
        }[code]
        return Failure(code, message)

    async def _expiry(self, session_id: str) -> None:
        session = self.state.sessions[session_id]
        if session.expires_at is None:
            return
        deadline = parse_rfc3339(session.expires_at)
        lead = self.clock.scaled(min(WARNING_LEAD, self.config.session_timeout * 0.2))
        until_warning = (deadline - utcnow()).total_seconds() - lead
        if not session.warned:
            if until_warning > 0:
                await asyncio.sleep(until_warning)
            if session_id not in self._runtimes:
                return
            session.warned = True
            self._save()
            self.journal.warning(
                "provisioning", f"session {session_id} expires at {session.expires_at}"
            )
            self.narrator.session_timeout_warning(session)
        left = (deadline - utcnow()).total_seconds()
        if left > 0:
            await asyncio.sleep(left)
        if session_id in self._runtimes and session.state not in ("closing", "closed"):
            await self._close(session, "expired")

    def _new_session_id(self) -> str:
        while True:
            session_id = f"sess_{self.rng.getrandbits(48):012x}"
            if session_id not in self.state.sessions:
                return session_id


def _expired(session: Session, now: datetime) -> bool:
    return session.expires_at is not None and parse_rfc3339(session.expires_at) <= now


def _report_crash(task: asyncio.Task[None]) -> None:
    if task.cancelled():
        return
    error = task.exception()
    if error is not None:
        _LOGGER.error("simulator timer crashed", exc_info=error)


async def _cancel(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.gather(*tasks, return_exceptions=True)
