"""Streams that stay connected but stop delivering: caught, said once, made up for.

Each scenario keeps the connection (and its keepalives or pongs) alive while the Pi
withholds what matters, and measures how long Home Assistant kept showing a value
the Pi had already left behind.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Generator
import logging
import time
from typing import Any

from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.piorchestrator.api.models import BoardState
from custom_components.piorchestrator.bus_events import (
    EVENT_BOARD_STATE_CHANGED,
    EVENT_SESSION_STATE_CHANGED,
)
from custom_components.piorchestrator.const import (
    CONF_POLL_INTERVAL,
    CONF_RECONCILE_INTERVAL,
    DEFAULT_RECONCILE_INTERVAL,
    DOMAIN,
)
from custom_components.piorchestrator.health_coordinator import Transport
from custom_components.piorchestrator.reconciliation import Reason, ReconcileRecord
from simulator import Simulator
from tests.conftest import ConfigEntryFactory
from tests.integration.conftest import WIFI_PASSWORD
from tests.waiting import wait_until

from .conftest import POLL_INTERVAL, ScenarioFactory
from .harness import BOARDS, NORMAL_BOARDS, Scenario
from .request_log import RequestLog
from .results import LONG

RECONCILE_SECONDS = 10 if LONG else 2
"""The reconciliation interval of these scenarios: the smallest the options allow in
the long profile; scaled down for CI, as the other suites scale their timers."""
MARGIN_SECONDS = 3.0
"""What a reconciliation may take beyond its interval: the 1 s it leaves events in
flight to land, one request and applying the answer."""
JUMP_BOUND_SECONDS = 5.0
"""How soon a gap an event id reveals must be made up: 1 s for the hint to hold,
then a reconciliation (as above); a twelfth of the default interval."""
SESSION_PATH_PREFIX = "/api/v1/provisioning/batch/sess_"
"""Reads of a session (the simulator's session IDs start with `sess_`), not of the
onboarding network or the event stream under the same path."""
NEWCOMER = "24:0A:C4:AA:00:E1"
"""A board that joins the onboarding network late in a scenario."""


@pytest.fixture
def reconcile_interval() -> int:
    """Seconds between reconciliations while a session is open (parametrized to change)."""
    return RECONCILE_SECONDS


@pytest.fixture
def config_entry(
    simulator: Simulator, make_config_entry: ConfigEntryFactory, reconcile_interval: int
) -> MockConfigEntry:
    """The suite's entry, reconciling every `reconcile_interval` seconds."""
    return make_config_entry(
        simulator,
        options={CONF_POLL_INTERVAL: POLL_INTERVAL, CONF_RECONCILE_INTERVAL: reconcile_interval},
    )


class BoardEvents:
    """Every board transition fired on the bus, to prove none is told twice."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.fired: list[tuple[str, str]] = []
        self.stop = hass.bus.async_listen(EVENT_BOARD_STATE_CHANGED, self._record)

    @callback
    def _record(self, event: Event[dict[str, Any]]) -> None:
        self.fired.append((event.data["mac"], event.data["state"]))

    def duplicates(self) -> list[tuple[str, str]]:
        """Boards announced twice in a row in the same state: a replay.

        The same state again after another one is a new attempt (a retried board
        starts `provisioning` twice), not a duplicate.
        """
        last: dict[str, str] = {}
        repeated: list[tuple[str, str]] = []
        for mac, state in self.fired:
            if last.get(mac) == state:
                repeated.append((mac, state))
            last[mac] = state
        return repeated


def _integration_lines(
    caplog: pytest.LogCaptureFixture, level: int, *, logger: str, containing: str
) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == logger and record.levelno == level and containing in record.getMessage()
    ]


def _reconciliation_lines(caplog: pytest.LogCaptureFixture) -> tuple[list[str], list[str]]:
    """What the integration said about its event stream: WARNING and INFO lines."""
    logger = "custom_components.piorchestrator"
    return (
        _integration_lines(caplog, logging.WARNING, logger=logger, containing="missed"),
        _integration_lines(caplog, logging.INFO, logger=logger, containing="again"),
    )


async def _begin(
    make_scenario: ScenarioFactory,
    entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    name: str,
    title: str,
) -> tuple[Scenario, str]:
    """Open a scenario: the stream connected, the log captured, a session running."""
    scenario = await make_scenario(name, title)
    coordinator = entry.runtime_data.provisioning
    await wait_until(lambda: coordinator.stream_connected, scenario.hass)
    caplog.set_level(logging.INFO, logger="custom_components.piorchestrator")
    return scenario, await scenario.start_session(password=WIFI_PASSWORD)


def _report_silence(
    scenario: Scenario,
    caplog: pytest.LogCaptureFixture,
    *,
    check_every_s: float,
    bound_s: float,
    detected_after_s: float,
    longest_stale_s: float,
    caught_by: dict[str, int],
    duplicate_events: int | None = None,
    requests_per_check: float | None = None,
) -> tuple[list[str], list[str]]:
    """Record an SSE silence for the report; return what was logged about it."""
    warnings, infos = _reconciliation_lines(caplog)
    scenario.record.silent_stream(
        stream="sse",
        check_every_s=check_every_s,
        bound_s=bound_s,
        detected_after_s=detected_after_s,
        longest_stale_s=longest_stale_s,
        caught_by=caught_by,
        warnings=len(warnings),
        infos=len(infos),
        duplicate_events=duplicate_events,
        requests_per_check=requests_per_check,
    )
    return warnings, infos


async def _prove_stream_whole(scenario: Scenario, record: ReconcileRecord) -> None:
    """Make an id jump with nothing lost behind it: its check finds the stream whole."""
    checks_before = record.by_reason["gap"]
    await scenario.fault("skip-ids", count=2)
    await scenario.fault("boards", macs=[NEWCOMER])  # its discovery carries the jump
    await wait_until(
        lambda: record.by_reason["gap"] > checks_before and record.last_differences == 0,
        scenario.hass,
    )


def _session_reads(log: RequestLog, mark: int) -> int:
    """GETs of a session (what one reconciliation costs) since `mark`."""
    return sum(
        1
        for entry in log.since(mark)
        if entry.method == "GET" and entry.path.startswith(SESSION_PATH_PREFIX)
    )


def _caught_by(record: ReconcileRecord) -> dict[str, int]:
    """The checks that compared the stream with the Pi so far, and what asked for them."""
    checks = {
        f"{reason} check": count
        for reason, count in record.by_reason.items()
        if Reason(reason).checks_stream
    }
    return checks | {f"hint: {signal}": count for signal, count in record.gap_signals.items()}


def _shows(entry: MockConfigEntry, mac: str, state: str) -> bool:
    board = entry.runtime_data.provisioning.data.boards.get(mac)
    return board is not None and board.state == BoardState(state)


class StaleBoards:
    """How long each board showed a state the Pi had already left.

    Samples the simulated Pi and Home Assistant side by side every 20 ms: a board
    is stale from the first sample where the two differ until they agree again.
    Event delivery makes such spells a few milliseconds long; a silent stream
    makes them last until a reconciliation.
    """

    def __init__(self, scenario: Scenario) -> None:
        self._scenario = scenario
        self._stale_since: dict[str, float] = {}
        self.longest = 0.0
        self._task = asyncio.get_running_loop().create_task(self._sample())

    @property
    def all_current(self) -> bool:
        """Whether every board showed the Pi's state at the last sample."""
        return not self._stale_since

    async def _sample(self) -> None:
        entry = self._scenario.entry
        while True:
            now = time.monotonic()
            for mac, state in self._scenario.pi_states().items():
                if _shows(entry, mac, state):
                    if (since := self._stale_since.pop(mac, None)) is not None:
                        self.longest = max(self.longest, now - since)
                else:
                    self._stale_since.setdefault(mac, now)
            await asyncio.sleep(0.02)

    def stop(self) -> float:
        """Stop sampling; the longest stale spell seen, ongoing ones included."""
        self._task.cancel()
        now = time.monotonic()
        return max([self.longest, *(now - since for since in self._stale_since.values())])


@pytest.fixture
def stale_boards() -> Generator[Callable[[Scenario], StaleBoards]]:
    """Start measuring stale boards in a scenario; sampling ends with the test."""
    meters: list[StaleBoards] = []

    def start(scenario: Scenario) -> StaleBoards:
        meters.append(meter := StaleBoards(scenario))
        return meter

    yield start
    for meter in meters:
        meter.stop()


@pytest.mark.parametrize(
    ("muted", "label"),
    [((), "all_boards"), ((NORMAL_BOARDS[1],), "one_board")],
    ids=["all boards", "one board"],
)
async def test_device_events_withheld_on_a_live_stream_are_made_up_within_the_interval(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    make_scenario: ScenarioFactory,
    request_log: RequestLog,
    caplog: pytest.LogCaptureFixture,
    hass_client: ClientSessionGenerator,
    stale_boards: Callable[[Scenario], StaleBoards],
    muted: tuple[str, ...],
    label: str,
) -> None:
    scenario, _ = await _begin(
        make_scenario,
        loaded_entry,
        caplog,
        f"sse_silent_{label}",
        f"Device events of {'every board' if not muted else 'one board'} withheld while a "
        "batch is provisioned, the stream, its keepalives and the session events carrying on "
        f"(reconciliation every {RECONCILE_SECONDS} s)",
    )
    coordinator = loaded_entry.runtime_data.provisioning
    record = coordinator.reconciliation
    events = BoardEvents(hass)
    reconnects = coordinator.stream.diagnostics["reconnect_count"]

    await scenario.fault("mute-events", macs=list(muted), seconds=3600)
    mark = request_log.mark()
    meter = stale_boards(scenario)
    provisioned_at = time.monotonic()
    await scenario.provision_all()
    # The first change the stream withheld: how long until a reconciliation found it.
    await wait_until(
        lambda: record.detections >= 1, hass, timeout=RECONCILE_SECONDS + MARGIN_SECONDS
    )
    detected_after = time.monotonic() - provisioned_at
    await scenario.settle()
    await wait_until(lambda: meter.all_current, hass, timeout=RECONCILE_SECONDS + MARGIN_SECONDS)
    longest_stale = meter.stop()
    assert coordinator.stream.diagnostics["reconnect_count"] == reconnects, "it stayed connected"
    caught_by = _caught_by(record)
    checks = record.by_reason["periodic"] + record.by_reason["gap"]
    reads = _session_reads(request_log, mark)
    # Measured before the full check: it may move Home Assistant's clock forward,
    # which runs reconciliations of its own.
    await scenario.check()

    # Events flow again: the next reconciliation finds nothing and says so once.
    await scenario.fault("mute-events", seconds=0)
    clean_before = record.by_reason["periodic"]
    await wait_until(
        lambda: record.by_reason["periodic"] > clean_before and record.last_differences == 0,
        hass,
        timeout=RECONCILE_SECONDS * 2 + MARGIN_SECONDS,
    )
    # Support sees it too: each recent check of the stream with what it found.
    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, loaded_entry)
    recent = diagnostics["provisioning"]["reconciliation"]["recent_checks"]
    assert any(check["differences"] > 0 for check in recent), recent
    assert recent[-1]["differences"] == 0
    # The board that failed its first attempt is retried from Home Assistant, live.
    await scenario.complete()
    events.stop()

    warnings, infos = _report_silence(
        scenario,
        caplog,
        check_every_s=RECONCILE_SECONDS,
        bound_s=RECONCILE_SECONDS + MARGIN_SECONDS,
        detected_after_s=detected_after,
        longest_stale_s=longest_stale,
        caught_by=caught_by,
        duplicate_events=len(events.duplicates()),
        requests_per_check=round(reads / checks, 2) if checks else None,
    )
    # No board showed a state the Pi had left for longer than the interval (+ margin).
    assert longest_stale <= RECONCILE_SECONDS + MARGIN_SECONDS
    assert record.differences_found >= (len(muted) or len(NORMAL_BOARDS))
    assert len(warnings) == 1, warnings
    assert "stayed connected" in warnings[0]
    assert len(infos) == 1, infos
    # Transitions made up by reconciliation were announced once, none replayed.
    assert events.duplicates() == []
    assert all((mac, "verified") in events.fired for mac in NORMAL_BOARDS)
    assert checks and reads == checks, "one request per reconciliation"
    await scenario.unload()


@pytest.mark.parametrize("reconcile_interval", [DEFAULT_RECONCILE_INTERVAL])
async def test_an_event_id_that_jumps_makes_up_lost_events_long_before_the_interval(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    make_scenario: ScenarioFactory,
    simulator: Simulator,
    request_log: RequestLog,
    caplog: pytest.LogCaptureFixture,
    stale_boards: Callable[[Scenario], StaleBoards],
) -> None:
    scenario, session_id = await _begin(
        make_scenario,
        loaded_entry,
        caplog,
        "sse_id_jump",
        "A board's whole provisioning lost on the Pi's side, leaving only a jump in event ids "
        f"(reconciliation every {DEFAULT_RECONCILE_INTERVAL} s, the default)",
    )
    record = loaded_entry.runtime_data.provisioning.reconciliation
    events = BoardEvents(hass)
    victim = NORMAL_BOARDS[0]
    meter = stale_boards(scenario)
    await _lose_provisioning_of(scenario, simulator, session_id, victim)
    assert _shows(loaded_entry, victim, "discovered")

    mark = request_log.mark()
    jumped_at = time.monotonic()
    await scenario.provision_all()  # the first event of the other boards carries the jump
    await wait_until(lambda: _shows(loaded_entry, victim, "verified"), hass, timeout=10)
    made_up = time.monotonic() - jumped_at
    await wait_until(lambda: meter.all_current, hass)
    longest_stale = meter.stop()
    caught_by = _caught_by(record)
    requests_per_check = _session_reads(request_log, mark) / record.by_reason["gap"]
    await scenario.settle()
    await scenario.check()
    await _prove_stream_whole(scenario, record)
    await scenario.complete()
    events.stop()

    warnings, infos = _report_silence(
        scenario,
        caplog,
        check_every_s=DEFAULT_RECONCILE_INTERVAL,
        bound_s=JUMP_BOUND_SECONDS,
        detected_after_s=made_up,
        longest_stale_s=longest_stale,
        caught_by=caught_by,
        duplicate_events=len(events.duplicates()),
        requests_per_check=round(requests_per_check, 2),
    )
    # The jump alone asked for the check: made up far sooner than the 60 s interval.
    assert made_up <= JUMP_BOUND_SECONDS
    assert caught_by.get("periodic check", 0) == 0
    assert record.gap_signals["event_id_jump"] == 2
    assert record.differences_found >= 1
    assert len(warnings) == 1, warnings
    assert len(infos) == 1, infos
    # The lost board's arrival is announced once; nothing is replayed.
    assert events.fired.count((victim, "verified")) == 1
    assert events.duplicates() == []
    # Freshness is visible: the diagnostic sensor shows when the last event came.
    freshness = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{loaded_entry.entry_id}_last_provisioning_event"
    )
    assert freshness is not None
    shown = dt_util.parse_datetime(hass.states.get(freshness).state)  # type: ignore[union-attr]
    assert shown is not None
    assert abs((dt_util.utcnow() - shown).total_seconds()) < 10
    await scenario.unload()


@pytest.mark.parametrize("reconcile_interval", [DEFAULT_RECONCILE_INTERVAL])
async def test_session_counters_that_disagree_make_up_a_lost_board_before_the_interval(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    make_scenario: ScenarioFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    scenario, session_id = await _begin(
        make_scenario,
        loaded_entry,
        caplog,
        "sse_counters_disagree",
        "A board verified with its events withheld; the session's next event counts it "
        f"(reconciliation every {DEFAULT_RECONCILE_INTERVAL} s, the default)",
    )
    record = loaded_entry.runtime_data.provisioning.reconciliation
    batch = f"/api/v1/provisioning/batch/{session_id}"
    victim = NORMAL_BOARDS[0]
    await scenario.fault("mute-events", macs=[victim], seconds=3600)
    await scenario.call("POST", f"{batch}/devices/{victim}/provision", {})
    await wait_until(lambda: scenario.pi_states()[victim] == "verified", hass)
    assert _shows(loaded_entry, victim, "discovered")

    # Pausing sends the session with its counters: one verified board, which
    # Home Assistant has not seen.
    await scenario.call("POST", f"{batch}/pause", {})
    paused_at = time.monotonic()
    await wait_until(lambda: _shows(loaded_entry, victim, "verified"), hass, timeout=10)
    made_up = time.monotonic() - paused_at
    caught_by = _caught_by(record)
    await scenario.fault("mute-events", seconds=0)
    await scenario.call("POST", f"{batch}/resume", {})
    await scenario.provision_all()
    await scenario.settle()
    await scenario.check()
    await _prove_stream_whole(scenario, record)
    await scenario.complete()

    warnings, infos = _report_silence(
        scenario,
        caplog,
        check_every_s=DEFAULT_RECONCILE_INTERVAL,
        bound_s=JUMP_BOUND_SECONDS,
        detected_after_s=made_up,
        longest_stale_s=made_up,
        caught_by=caught_by,
    )
    assert made_up <= JUMP_BOUND_SECONDS
    assert caught_by.get("hint: counters", 0) >= 1
    assert caught_by.get("periodic check", 0) == 0
    assert len(warnings) == 1, warnings
    assert len(infos) == 1, infos
    await scenario.unload()


async def test_a_board_the_pi_dropped_without_a_word_leaves_the_session_in_time(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    make_scenario: ScenarioFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    scenario, session_id = await _begin(
        make_scenario,
        loaded_entry,
        caplog,
        "sse_board_vanished",
        "A discovered board dropped from the Pi's session without any event, as after a lost "
        f"record (reconciliation every {RECONCILE_SECONDS} s)",
    )
    coordinator = loaded_entry.runtime_data.provisioning
    vanished = NORMAL_BOARDS[-1]
    boards_sensor = scenario.checker.entity_id("sensor", "boards_discovered")
    assert boards_sensor is not None
    await wait_until(lambda: _shown(hass, boards_sensor) == str(len(BOARDS)), hass)

    await scenario.fault("forget-board", session_id=session_id, mac=vanished)
    forgotten_at = time.monotonic()
    await wait_until(
        lambda: vanished not in coordinator.data.session_boards,
        hass,
        timeout=RECONCILE_SECONDS + MARGIN_SECONDS,
    )
    stale_for = time.monotonic() - forgotten_at
    caught_by = _caught_by(coordinator.reconciliation)
    # The session's board count follows: one fewer than before.
    assert _shown(hass, boards_sensor) == str(len(BOARDS) - 1)
    await scenario.check()
    await scenario.provision_all()
    await scenario.complete()

    warnings, _ = _report_silence(
        scenario,
        caplog,
        check_every_s=RECONCILE_SECONDS,
        bound_s=RECONCILE_SECONDS + MARGIN_SECONDS,
        detected_after_s=stale_for,
        longest_stale_s=stale_for,
        caught_by=caught_by,
    )
    assert stale_for <= RECONCILE_SECONDS + MARGIN_SECONDS
    assert coordinator.reconciliation.differences_found >= 1
    assert len(warnings) == 1, warnings
    await scenario.unload()


async def test_a_session_paused_unseen_shows_paused_within_the_interval(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    make_scenario: ScenarioFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    scenario, session_id = await _begin(
        make_scenario,
        loaded_entry,
        caplog,
        "sse_session_change_lost",
        "The session paused on the Pi while every provisioning event, the session's included, "
        f"is withheld (reconciliation every {RECONCILE_SECONDS} s)",
    )
    record = loaded_entry.runtime_data.provisioning.reconciliation
    batch = f"/api/v1/provisioning/batch/{session_id}"
    session_sensor = scenario.checker.entity_id("sensor", "session_state")
    assert session_sensor is not None
    await wait_until(lambda: _shown(hass, session_sensor) == "active", hass)
    fired: list[tuple[str | None, str]] = []

    @callback
    def session_changed(event: Event[dict[str, Any]]) -> None:
        fired.append((event.data["previous_state"], event.data["state"]))

    stop_listening = hass.bus.async_listen(EVENT_SESSION_STATE_CHANGED, session_changed)

    await scenario.fault("mute-events", sessions=True, seconds=3600)
    await scenario.call("POST", f"{batch}/pause", {})
    paused_at = time.monotonic()
    await wait_until(
        lambda: _shown(hass, session_sensor) == "paused",
        hass,
        timeout=RECONCILE_SECONDS + MARGIN_SECONDS,
    )
    stale_for = time.monotonic() - paused_at
    caught_by = _caught_by(record)
    await scenario.check()

    # Events flow again: resuming is seen live, and the next check finds nothing.
    await scenario.fault("mute-events", seconds=0)
    await scenario.call("POST", f"{batch}/resume", {})
    await wait_until(lambda: _shown(hass, session_sensor) == "active", hass, timeout=MARGIN_SECONDS)
    clean_before = record.by_reason["periodic"]
    await wait_until(
        lambda: record.by_reason["periodic"] > clean_before and record.last_differences == 0,
        hass,
        timeout=RECONCILE_SECONDS * 2 + MARGIN_SECONDS,
    )
    stop_listening()
    await scenario.provision_all()
    await scenario.complete()

    warnings, infos = _report_silence(
        scenario,
        caplog,
        check_every_s=RECONCILE_SECONDS,
        bound_s=RECONCILE_SECONDS + MARGIN_SECONDS,
        detected_after_s=stale_for,
        longest_stale_s=stale_for,
        caught_by=caught_by,
        duplicate_events=len(fired) - len(set(fired)),
    )
    assert stale_for <= RECONCILE_SECONDS + MARGIN_SECONDS
    assert len(warnings) == 1, warnings
    assert len(infos) == 1, infos
    # Automations heard of the pause once (found by the check), then of the resume.
    assert fired == [("active", "paused"), ("paused", "active")]
    await scenario.unload()


def _shown(hass: HomeAssistant, entity_id: str) -> str | None:
    state = hass.states.get(entity_id)
    return state.state if state is not None else None


async def _lose_provisioning_of(
    scenario: Scenario, simulator: Simulator, session_id: str, mac: str
) -> None:
    """Provision `mac` with its events withheld, then make the next id jump past them.

    That is how events lost on the Pi's side look on the wire: nothing arrives,
    and the next event's id is further ahead than the last one seen.
    """
    broker = simulator.context.events
    withheld_before = broker.withheld.total()
    await scenario.fault("mute-events", macs=[mac], seconds=3600)
    await scenario.call(
        "POST", f"/api/v1/provisioning/batch/{session_id}/devices/{mac}/provision", {}
    )
    await wait_until(lambda: scenario.pi_states()[mac] == "verified", scenario.hass)
    await scenario.fault("skip-ids", count=broker.withheld.total() - withheld_before)
    await scenario.fault("mute-events", seconds=0)


async def test_a_monitor_that_answers_pings_but_sends_no_update_is_replaced(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    make_scenario: ScenarioFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    scenario = await make_scenario(
        "ws_silent",
        "Monitor WebSocket answering pings but sending no monitoring_update for 5 s, while a "
        "batch runs",
    )
    health = loaded_entry.runtime_data.health
    await wait_until(lambda: health.transport is Transport.PUSH, hass)
    # The watchdog learns the Pi's cadence (0.5 s here) before it can judge silence.
    await wait_until(lambda: health.monitor.diagnostics["expected_update_interval"] < 1, hass)
    watchdog = max(3 * health.monitor.diagnostics["expected_update_interval"], 2.0)
    connection = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{loaded_entry.entry_id}_connection"
    )
    assert connection is not None
    shown: list[str] = []

    @callback
    def follow(event: Event[EventStateChangedData]) -> None:
        # The state, not its attributes: the next attempt's time changes on its own.
        new, old = event.data["new_state"], event.data["old_state"]
        if new is not None and (old is None or new.state != old.state):
            shown.append(new.state)

    unsubscribe = async_track_state_change_event(hass, [connection], follow)
    caplog.set_level(logging.INFO, logger="custom_components.piorchestrator")
    await scenario.start_session(password=WIFI_PASSWORD)
    await scenario.provision_all()

    muted_for = 5.0
    await scenario.fault("mute-monitor", seconds=muted_for)
    muted_at = time.monotonic()
    last_pushed = health.last_update_at
    # Nothing is pushed any more: fresh figures can only come from a poll, or from
    # the snapshot a replacement connection starts with.
    await wait_until(lambda: health.transport is Transport.POLLING, hass, timeout=watchdog + 3)
    detected_after = time.monotonic() - muted_at
    await wait_until(lambda: health.last_update_at != last_pushed, hass, timeout=3)
    fresh_again = time.monotonic() - muted_at
    assert health.transport is Transport.POLLING
    await wait_until(lambda: health.transport is Transport.PUSH, hass, timeout=muted_for + 10)
    scenario.record.reconnect(
        "ws pushing again after the mute", time.monotonic() - muted_at - muted_for
    )
    # The indicator follows with the first pushed update on the new connection.
    await wait_until(lambda: shown[-1:] == ["push"], hass, timeout=3)
    unsubscribe()
    await scenario.complete()

    stream_logger = "custom_components.piorchestrator.api.stream"
    warnings = _integration_lines(
        caplog, logging.WARNING, logger=stream_logger, containing="monitor"
    )
    infos = _integration_lines(caplog, logging.INFO, logger=stream_logger, containing="monitor")
    scenario.record.silent_stream(
        stream="ws",
        check_every_s=watchdog,
        bound_s=watchdog + 2,
        detected_after_s=detected_after,
        longest_stale_s=fresh_again,
        caught_by={"watchdog": health.monitor.diagnostics["silence_detections"]},
        warnings=len(warnings),
        infos=len(infos),
        duplicate_events=None,
        requests_per_check=None,
    )
    # Health was stale no longer than the watchdog plus one poll.
    assert fresh_again <= watchdog + 2
    assert len(warnings) == 1, warnings
    assert "no health update for" in warnings[0]
    assert len(infos) == 1, infos
    # The connection indicator went to polling once and back once: no flapping.
    assert shown == ["polling", "push"]
    await scenario.unload()


async def test_no_open_session_means_no_reconciliation_requests(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    make_scenario: ScenarioFactory,
    request_log: RequestLog,
) -> None:
    scenario = await make_scenario(
        "sse_quiet_without_session",
        f"No session open for {2.5 * RECONCILE_SECONDS:.0f} s (2.5 reconciliation intervals)",
    )
    coordinator = loaded_entry.runtime_data.provisioning
    await wait_until(lambda: coordinator.stream_connected, hass)
    start = time.monotonic()
    await wait_until(lambda: time.monotonic() - start >= 2.5 * RECONCILE_SECONDS, hass, timeout=60)
    reads = [
        entry
        for entry in request_log.between(start, time.monotonic())
        if entry.path.startswith("/api/v1/provisioning/batch/")
        and entry.path != "/api/v1/provisioning/batch/events"
    ]
    scenario.record.window(
        "reconciliation with no session open", 2.5 * RECONCILE_SECONDS, len(reads), 0
    )
    assert coordinator.update_interval is None
    assert reads == []
    await scenario.unload()
