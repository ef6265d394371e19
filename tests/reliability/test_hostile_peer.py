"""Whatever answers at the Pi's address cannot freeze, flood, fool or rob Home Assistant.

Each scenario has the simulated Pi send one hostile input of issue 12 over real sockets
to the real integration, then make one ordinary change right after it: a board
provisioned from the Pi's side, or a CPU figure. What counts is what a person would
notice: that change shows in Home Assistant within `NEXT_CHANGE_BOUND` seconds of the
hostile input, no stream task died (none was even restarted), no traceback reached
the log, and the registries stayed within the board cap. The measured time goes into
the reliability report's "Hostile peer" table.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Iterator
import contextlib
from dataclasses import dataclass
import json
import logging
import time
from typing import Final
from urllib.parse import quote

from aiohttp import web
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er, issue_registry as ir
from homeassistant.helpers.event import async_track_state_change_event
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator import board_cap
from custom_components.piorchestrator.const import DOMAIN, MAX_BOARDS
from simulator import Simulator
from tests.integration.conftest import API_KEY, WIFI_PASSWORD
from tests.waiting import wait_until

from .conftest import ScenarioFactory
from .harness import NORMAL_BOARDS, Scenario
from .request_log import SSE_PATH

NEXT_CHANGE_BOUND: Final = 2.0
"""Seconds within which the next ordinary change must show after a hostile input."""
INTEGRATION_LOGGER: Final = "custom_components.piorchestrator"
PEER_LOGGERS: Final = ("simulator", "aiohttp.server", "aiohttp.access", "aiohttp.web")
"""The simulated Pi's own log: what the peer logs about itself is not Home Assistant's."""


def _heartbeat(*, event_id: str | None = None) -> str:
    """A vocabulary-B heartbeat frame: harmless, but it goes through every layer."""
    head = f"id: {event_id}\n" if event_id is not None else ""
    data = json.dumps({"version": "1.0", "type": "connection.heartbeat", "payload": None})
    return f"{head}data: {data}\n\n"


class Watch:
    """What a person (or their log) would notice going wrong while the peer is hostile."""

    def __init__(
        self, hass: HomeAssistant, entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
    ) -> None:
        """Watch `entry`'s streams and the log captured by `caplog`."""
        self.hass = hass
        self.entry = entry
        self.caplog = caplog
        caplog.set_level(logging.INFO, logger=INTEGRATION_LOGGER)

    def healthy(self, *, cap: int = MAX_BOARDS) -> None:
        """No stream task died or was restarted, no traceback, registries within the cap."""
        provisioning = self.entry.runtime_data.provisioning
        health = self.entry.runtime_data.health
        assert provisioning.stream_supervisor.restart_count == 0, "the event stream task died"
        assert health.supervisor.restart_count == 0, "the monitor task died"
        problems = [
            f"{record.name} {record.levelname}: {record.getMessage()[:200]}"
            for record in self.caplog.records
            if not record.name.startswith(PEER_LOGGERS)
            and (
                (record.exc_info is not None and record.levelno >= logging.INFO)
                or "never retrieved" in record.getMessage()
                or "Error doing job" in record.getMessage()
                or "restarting it in" in record.getMessage()
            )
        ]
        assert problems == [], "\n".join(problems)
        boards = [
            device
            for device in dr.async_entries_for_config_entry(
                dr.async_get(self.hass), self.entry.entry_id
            )
            if (DOMAIN, self.entry.entry_id) not in device.identifiers
        ]
        assert len(boards) <= cap, f"{len(boards)} board devices, the cap is {cap}"


@pytest.fixture
def watch(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> Watch:
    """Watch the loaded entry."""
    return Watch(hass, loaded_entry, caplog)


def _board_state(scenario: Scenario, mac: str) -> str | None:
    entity_id = scenario.checker.entity_id("sensor", f"{mac}_provisioning_state")
    state = scenario.hass.states.get(entity_id) if entity_id else None
    return state.state if state else None


async def _open_session(scenario: Scenario) -> None:
    """A session whose boards Home Assistant shows as discovered, streams up."""
    provisioning = scenario.entry.runtime_data.provisioning
    health = scenario.entry.runtime_data.health
    await wait_until(
        lambda: provisioning.stream_connected and health.transport == "push", scenario.hass
    )
    await scenario.start_session(password=WIFI_PASSWORD)
    await wait_until(
        lambda: all(_board_state(scenario, mac) == "discovered" for mac in NORMAL_BOARDS),
        scenario.hass,
    )


async def _next_board_change(scenario: Scenario, mac: str, since: float) -> float:
    """Provision `mac` from the Pi's side; seconds from `since` until Home Assistant shows it."""
    await scenario.call(
        "POST",
        f"/api/v1/provisioning/batch/{scenario.session_id}/devices/{quote(mac, safe='')}/provision",
    )
    await wait_until(
        lambda: _board_state(scenario, mac) not in ("discovered", None),
        scenario.hass,
        timeout=NEXT_CHANGE_BOUND + 5,
    )
    return time.monotonic() - since


@contextlib.contextmanager
def _states_of(hass: HomeAssistant, entity_id: str) -> Iterator[list[str]]:
    """Every state `entity_id` takes while the block runs."""
    seen: list[str] = []

    @callback
    def record(event: Event[EventStateChangedData]) -> None:
        if (new := event.data["new_state"]) is not None:
            seen.append(new.state)

    unsubscribe = async_track_state_change_event(hass, [entity_id], record)
    try:
        yield seen
    finally:
        unsubscribe()


async def _next_cpu_figure(scenario: Scenario, figure: float, since: float) -> float:
    """The Pi pushes an ordinary CPU figure; seconds from `since` until Home Assistant shows it."""
    entity_id = scenario.checker.entity_id("sensor", "cpu_usage")
    assert entity_id is not None
    update = {"type": "monitoring_update", "data": {"system_health": {"cpu_usage": figure}}}
    with _states_of(scenario.hass, entity_id) as seen:
        await scenario.fault("raw-ws", text=json.dumps(update))
        await wait_until(
            lambda: any(_float(state) == figure for state in seen),
            scenario.hass,
            timeout=NEXT_CHANGE_BOUND + 5,
        )
    return time.monotonic() - since


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _within_bound(
    scenario: Scenario,
    seconds: float,
    *,
    sent: str,
    user_sees: str,
    next_change: str,
    bound: float = NEXT_CHANGE_BOUND,
) -> None:
    scenario.record.hostile_peer(
        sent=sent,
        user_sees=user_sees,
        next_change=next_change,
        next_change_s=seconds,
        bound_s=bound,
    )
    assert seconds <= bound, (
        f"the next ordinary change took {seconds:.2f} s to show (bound {bound} s)"
    )


def _sse_reconnects(entry: MockConfigEntry) -> int:
    return int(entry.runtime_data.provisioning.stream.diagnostics["reconnect_count"])


# -- The event stream ----------------------------------------------------------------


@pytest.mark.parametrize("digits", [400, 5000])
async def test_a_retry_field_of_thousands_of_digits_is_ignored(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    make_scenario: ScenarioFactory,
    watch: Watch,
    digits: int,
) -> None:
    scenario = await make_scenario(
        f"hostile_retry_{digits}_digits", f"An SSE `retry:` field of {digits:,} digits"
    )
    await _open_session(scenario)
    reconnects = _sse_reconnects(loaded_entry)
    started = time.monotonic()
    await scenario.fault("raw-sse", text=f"retry: {'9' * digits}\n\n")
    seconds = await _next_board_change(scenario, NORMAL_BOARDS[0], started)
    watch.healthy()
    # Not a broken connection: the field alone is dropped.
    assert _sse_reconnects(loaded_entry) == reconnects
    _within_bound(
        scenario,
        seconds,
        sent=f"`retry:` of {digits:,} digits",
        user_sees="nothing: the field is ignored, the stream goes on",
        next_change="a board provisioned",
    )
    await scenario.complete()
    await scenario.unload()


@pytest.mark.parametrize(
    ("label", "event_id"),
    [("unicode_digit", "\u00b2"), ("4400_digits", "7" * 4400)],
    ids=["id ²", "id of 4,400 digits"],
)
async def test_an_event_id_no_integer_can_hold_is_ignored(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    make_scenario: ScenarioFactory,
    watch: Watch,
    label: str,
    event_id: str,
) -> None:
    shown = "`id: ²` (a Unicode digit)" if label == "unicode_digit" else "an id of 4,400 digits"
    scenario = await make_scenario(f"hostile_id_{label}", f"An SSE event with {shown}")
    await _open_session(scenario)
    reconnects = _sse_reconnects(loaded_entry)
    started = time.monotonic()
    await scenario.fault("raw-sse", text=_heartbeat(event_id=event_id))
    seconds = await _next_board_change(scenario, NORMAL_BOARDS[0], started)
    watch.healthy()
    assert _sse_reconnects(loaded_entry) == reconnects
    _within_bound(
        scenario,
        seconds,
        sent=shown,
        user_sees="nothing: the id is not used, the stream goes on",
        next_change="a board provisioned",
    )
    await scenario.complete()
    await scenario.unload()


async def test_a_20_kb_event_id_does_not_block_reconnecting(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    make_scenario: ScenarioFactory,
    watch: Watch,
) -> None:
    scenario = await make_scenario(
        "hostile_long_id_reconnect",
        "An SSE event id of 20 kB, then the Pi drops the stream (the id would go back as "
        "Last-Event-ID, which the server refuses)",
    )
    coordinator = loaded_entry.runtime_data.provisioning
    await _open_session(scenario)
    long_id = "1" * 20_000
    reconnects = _sse_reconnects(loaded_entry)
    started = time.monotonic()
    await scenario.fault("raw-sse", text=_heartbeat(event_id=long_id))
    await scenario.fault("drop-streams", streams=["sse"])
    await wait_until(
        lambda: _sse_reconnects(loaded_entry) > reconnects and coordinator.stream_connected, hass
    )
    scenario.record.reconnect("sse", time.monotonic() - started)
    seconds = await _next_board_change(scenario, NORMAL_BOARDS[0], started)
    watch.healthy()
    sent_back = [
        entry.headers.get("Last-Event-ID", "")
        for entry in scenario.log.api()
        if entry.path == "/api/v1/provisioning/batch/events" and entry.at >= started
    ]
    assert sent_back, "the event stream was not reopened"
    assert all(len(value) <= 256 for value in sent_back), [len(value) for value in sent_back]
    _within_bound(
        scenario,
        seconds,
        sent="an event id of 20 kB, then the stream dropped",
        user_sees="nothing: the id is not kept, the stream reconnects at once",
        next_change="a board provisioned (after the reconnect)",
    )
    await scenario.complete()
    await scenario.unload()


async def test_a_signal_strength_of_400_digits_is_not_shown(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    make_scenario: ScenarioFactory,
    watch: Watch,
) -> None:
    scenario = await make_scenario(
        "hostile_rssi_400_digits", 'A board event whose "rssi" has 400 digits'
    )
    await _open_session(scenario)
    victim, other = NORMAL_BOARDS[0], NORMAL_BOARDS[1]
    discovered = next(
        event
        for event in simulator.context.events._buffer
        if event.type == "device.discovered" and event.data["payload"]["device"]["mac"] == victim
    )
    data = json.loads(json.dumps(discovered.data))
    data["payload"]["device"]["rssi"] = "RSSI"
    frame = "data: " + json.dumps(data).replace('"RSSI"', "9" * 400) + "\n\n"
    signal = scenario.checker.entity_id("sensor", f"{victim}_signal_strength")
    assert signal is not None
    with _states_of(hass, signal) as shown:
        started = time.monotonic()
        await scenario.fault("raw-sse", text=frame)
        seconds = await _next_board_change(scenario, other, started)
    watch.healthy()
    assert all(len(state) < 12 for state in shown), shown
    _within_bound(
        scenario,
        seconds,
        sent='`"rssi": <400 digits>` in a board event',
        user_sees="the board's signal strength unknown until the Pi sends a real one",
        next_change="another board provisioned",
    )
    # Every board's next event carries its real signal strength again.
    await scenario.provision_all()
    await scenario.complete()
    await scenario.unload()


# -- The monitor WebSocket -------------------------------------------------------------


async def test_a_monitor_update_nested_2000_deep_twice_does_not_freeze_health(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    make_scenario: ScenarioFactory,
    watch: Watch,
) -> None:
    scenario = await make_scenario(
        "hostile_deep_monitor_update", "A monitoring_update nested 2,000 deep, sent twice"
    )
    health = loaded_entry.runtime_data.health
    await _open_session(scenario)
    deep = '{"x": ' * 2000 + "1" + "}" * 2000
    frame = f'{{"type": "monitoring_update", "data": {{"camera_status": {{"cam": {deep}}}}}}}'
    started = time.monotonic()
    await scenario.fault("raw-ws", text=frame, repeat=2)
    seconds = await _next_cpu_figure(scenario, 42.5, started)
    watch.healthy()
    assert health.transport == "push"
    _within_bound(
        scenario,
        seconds,
        sent="a monitoring_update nested 2,000 deep, twice",
        user_sees="nothing: only the fields API.md names are kept",
        next_change="a CPU figure",
    )
    await scenario.complete()
    await scenario.unload()


BLOAT_UPDATES: Final = 40
BLOAT_BYTES: Final = 1024 * 1024


async def test_forty_monitor_updates_of_1_mib_with_new_names_keep_the_snapshot_small(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    make_scenario: ScenarioFactory,
    watch: Watch,
) -> None:
    scenario = await make_scenario(
        "hostile_monitor_bloat",
        f"{BLOAT_UPDATES} monitoring_updates of 1 MiB, each with 64 names never sent before",
    )
    monitor = loaded_entry.runtime_data.health.monitor
    await _open_session(scenario)
    await scenario.fault("monitor-bloat", count=BLOAT_UPDATES, bytes=BLOAT_BYTES)
    started = time.monotonic()
    seconds = await _next_cpu_figure(scenario, 42.5, started)
    watch.healthy()
    # What the monitor keeps between updates (it grew to 66 MiB before it was bounded).
    kept = len(json.dumps(monitor._snapshot, default=str))
    scenario.record.notes["monitor_snapshot_bytes"] = kept
    assert kept < 16 * 1024, kept
    _within_bound(
        scenario,
        seconds,
        sent=f"{BLOAT_UPDATES} monitoring_updates of 1 MiB with new names each",
        user_sees=f"nothing: the snapshot keeps the named fields only ({kept:,} bytes)",
        next_change="a CPU figure",
    )
    await scenario.unload()


# -- Floods ----------------------------------------------------------------------------------

FLOOD: Final = 300
FLOOD_CAP: Final = 40
"""The board cap during the flood test: the shipped 1,000 scaled down to keep it short
(the cap itself, not its value, is what is under test)."""


async def test_300_new_boards_at_once_stay_within_the_cap(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    make_scenario: ScenarioFactory,
    watch: Watch,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(board_cap, "MAX_BOARDS", FLOOD_CAP)
    scenario = await make_scenario(
        "hostile_registry_flood",
        f"{FLOOD} boards never seen, all discovered in the same instant "
        f"(board cap lowered to {FLOOD_CAP})",
    )
    await _open_session(scenario)
    started = time.monotonic()
    flood = await scenario.fault("flood", count=FLOOD)
    assert flood["discovered"] == FLOOD, flood
    seconds = await _next_board_change(scenario, NORMAL_BOARDS[0], started)
    watch.healthy(cap=FLOOD_CAP)
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), loaded_entry.entry_id)
    entities = er.async_entries_for_config_entry(er.async_get(hass), loaded_entry.entry_id)
    scenario.record.notes["after_the_flood"] = {"devices": len(devices), "entities": len(entities)}
    warnings = [
        record.getMessage()
        for record in watch.caplog.records
        if record.levelno == logging.WARNING and "new boards are not added" in record.getMessage()
    ]
    assert len(warnings) == 1, warnings
    issues = [
        issue_id
        for (domain, issue_id) in ir.async_get(hass).issues
        if domain == DOMAIN and issue_id.startswith("too_many_boards")
    ]
    assert len(issues) == 1, issues
    _within_bound(
        scenario,
        seconds,
        sent=f"{FLOOD} new boards discovered at once (cap lowered to {FLOOD_CAP})",
        user_sees="boards beyond the cap not added; one WARNING and one repair issue",
        next_change="a known board provisioned",
    )
    await scenario.unload()


ERROR_EVENTS: Final = 20
ERROR_MESSAGE_BYTES: Final = 1_000_000
"""About 1 MiB, as large as the client's 1 MiB frame limit lets through once the
message's line breaks are escaped in JSON: every event is read, and logged."""


class _ByteCounter(logging.Handler):
    """Counts the bytes Home Assistant's log file would grow by.

    The integration logs at `level`; everything else at Home Assistant's default
    (INFO). The tests run the event loop in debug mode, whose chatter a real
    installation does not log.
    """

    def __init__(self, level: int) -> None:
        """Count from zero, in Home Assistant's own log format."""
        super().__init__(logging.NOTSET)
        self.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s (%(threadName)s) [%(name)s] %(message)s")
        )
        self.level_of_ours = level
        self.bytes = 0

    def emit(self, record: logging.LogRecord) -> None:
        """Count one record as the log file would hold it (traceback included)."""
        if record.name.startswith(PEER_LOGGERS):
            return
        ours = record.name.startswith(INTEGRATION_LOGGER)
        if record.levelno >= (self.level_of_ours if ours else logging.INFO):
            self.bytes += len(self.format(record).encode()) + 1


@pytest.mark.parametrize(
    ("level", "limit"),
    [(logging.INFO, 100_000), (logging.DEBUG, 1_000_000)],
    ids=["default level", "DEBUG"],
)
async def test_twenty_error_events_of_1_mib_keep_the_log_small(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    make_scenario: ScenarioFactory,
    watch: Watch,
    level: int,
    limit: int,
) -> None:
    name = logging.getLevelName(level)
    scenario = await make_scenario(
        f"hostile_error_flood_{name.lower()}",
        f"{ERROR_EVENTS} error events of 1 MiB each (code not DEVICE_*), "
        f"integration logging at {name}",
    )
    await _open_session(scenario)
    reconnects = _sse_reconnects(loaded_entry)
    counter = _ByteCounter(level)
    ours = logging.getLogger(INTEGRATION_LOGGER)
    previous = ours.level
    ours.setLevel(level)
    logging.getLogger().addHandler(counter)
    try:
        # The simulated Pi builds its 20 MB in Home Assistant's own event loop: the
        # clock starts once they are on their way.
        await scenario.fault(
            "error-event",
            code="PI_MELTDOWN",
            message_bytes=ERROR_MESSAGE_BYTES,
            count=ERROR_EVENTS,
        )
        started = time.monotonic()
        seconds = await _next_board_change(scenario, NORMAL_BOARDS[0], started)
    finally:
        logging.getLogger().removeHandler(counter)
        ours.setLevel(previous)
    scenario.record.notes[f"log_bytes_at_{name.lower()}"] = counter.bytes
    watch.healthy()
    # Every event was read (none refused as too large): their logging is what is measured.
    assert _sse_reconnects(loaded_entry) == reconnects
    said = [
        record.getMessage()
        for record in watch.caplog.records
        if "PI_MELTDOWN" in record.getMessage() and record.levelno >= logging.WARNING
    ]
    assert len(said) == 1, [len(message) for message in said]
    assert len(said[0]) < 500, said[0][:500]
    assert counter.bytes < limit, f"the log grew by {counter.bytes} bytes (limit {limit})"
    _within_bound(
        scenario,
        seconds,
        sent=f"{ERROR_EVENTS} error events of {ERROR_MESSAGE_BYTES:,} bytes each (log at {name})",
        user_sees=f"one WARNING, messages cut to 200 characters: the log grew by "
        f"{counter.bytes:,} bytes",
        next_change="a board provisioned",
    )
    await scenario.complete()
    await scenario.unload()


# -- Redirects -------------------------------------------------------------------------------


REDIRECT_BOUND: Final = 32.0
"""The streams' longest back-off (30 s) and a little: a redirect is a failed attempt."""


@dataclass(slots=True)
class _Received:
    """One request the second listener received."""

    method: str
    path_qs: str
    headers: dict[str, str]
    body: bytes


@pytest.fixture
async def elsewhere(socket_enabled: None) -> AsyncGenerator[tuple[str, list[_Received]]]:
    """A second listener, on 127.0.0.2, that records everything it receives."""
    received: list[_Received] = []

    async def record(request: web.Request) -> web.Response:
        received.append(
            _Received(request.method, request.path_qs, dict(request.headers), await request.read())
        )
        return web.json_response({"success": True, "data": {}})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", record)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.2", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.2:{port}", received
    finally:
        await runner.cleanup()


async def test_a_redirecting_pi_gets_neither_the_key_nor_the_password_elsewhere(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    make_scenario: ScenarioFactory,
    elsewhere: tuple[str, list[_Received]],
    watch: Watch,
) -> None:
    location, received = elsewhere
    scenario = await make_scenario(
        "hostile_redirect",
        f"Every REST, SSE and WebSocket request answered with 307 to a listener on "
        f"{location.split('//')[1].split(':')[0]}; a batch started from Home Assistant, both "
        "streams dropped",
    )
    provisioning = loaded_entry.runtime_data.provisioning
    health = loaded_entry.runtime_data.health
    await _open_session(scenario)
    await scenario.fault("redirect", location=location, status=307, count=None)
    with pytest.raises(HomeAssistantError) as refused:
        await hass.services.async_call(
            DOMAIN,
            "start_batch",
            {
                "config_entry_id": loaded_entry.entry_id,
                "target_ssid": "CabinetNet",
                "target_password": WIFI_PASSWORD,
            },
            blocking=True,
        )
    assert refused.value.translation_key == "redirected"
    assert "127.0.0.2" in (refused.value.translation_placeholders or {}).get("message", "")
    mark = scenario.log.mark()
    await scenario.fault("drop-streams", streams=["sse", "ws"])
    await wait_until(
        lambda: {entry.path for entry in scenario.log.since(mark) if entry.status == 307}
        >= {SSE_PATH, "/ws/monitor"},
        hass,
    )
    # Shown as down, never as live, while every answer is a redirect.
    await wait_until(lambda: not provisioning.stream_connected and health.transport != "push", hass)
    # Nothing followed: the listener got no request at all, so neither secret.
    assert received == [], [(item.method, item.path_qs) for item in received]
    assert not any(
        secret in text
        for secret in (API_KEY, WIFI_PASSWORD)
        for item in received
        for text in (item.path_qs, repr(item.headers), item.body.decode(errors="replace"))
    )

    await scenario.fault("redirect", count=0)
    started = time.monotonic()
    # The Pi moves on; Home Assistant shows it once the event stream is back,
    # after the back-off the redirects ran up (failed attempts like any other).
    await wait_until(
        lambda: provisioning.stream_connected and health.transport == "push",
        hass,
        REDIRECT_BOUND + 5,
    )
    scenario.record.reconnect(
        "both streams, once the redirects stopped", time.monotonic() - started
    )
    seconds = await _next_board_change(scenario, NORMAL_BOARDS[0], started)
    watch.healthy()
    assert received == []
    _within_bound(
        scenario,
        seconds,
        sent="307 to a listener on 127.0.0.2 for every request, a batch started, streams dropped",
        user_sees="the action fails: the Pi answered with a redirect to 127.0.0.2…; "
        "streams shown as down; the listener received nothing",
        next_change="a board provisioned once the redirects stopped",
        bound=REDIRECT_BOUND,
    )
    await scenario.unload()


# -- Text ---------------------------------------------------------------------------------------

HOSTILE_TEXT: Final = "<b>*x*</b>\u202e\u200b\x07" + "y" * 240
"""253 characters: within what the Pi accepts (256), far beyond a name."""


async def test_a_board_description_with_markup_and_control_characters_is_cleaned(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    make_scenario: ScenarioFactory,
    watch: Watch,
) -> None:
    scenario = await make_scenario(
        "hostile_text",
        "An allowlist description with markup, U+202E, BEL and 240 more characters, for a "
        "board that then joins; a board error message of 5,000 characters with markup, "
        "U+202E, BEL and a line break",
    )
    await _open_session(scenario)
    newcomer = "24:0A:C4:AA:00:E1"
    await scenario.call(
        "POST", "/api/v1/provisioning/allowlist", {"mac": newcomer, "description": HOSTILE_TEXT}
    )
    # What the allowlist's minute poll does, without waiting a minute for it.
    allowlist = loaded_entry.runtime_data.allowlist
    await allowlist.async_refresh()
    assert newcomer in allowlist.data.entries
    await scenario.fault("boards", macs=[newcomer])
    await wait_until(lambda: _board_state(scenario, newcomer) == "discovered", hass)
    started = time.monotonic()
    seconds = await _next_board_change(scenario, NORMAL_BOARDS[0], started)
    watch.healthy()
    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, newcomer)})
    assert device is not None
    names = [device.name or "", device.name_by_user or ""]
    for entity in er.async_entries_for_device(er.async_get(hass), device.id):
        state = hass.states.get(entity.entity_id)
        names += [entity.entity_id, state.attributes.get("friendly_name", "") if state else ""]
    for text in names:
        assert not any(char in text for char in "\u202e\u200b\x07"), repr(text)
    assert device.name is not None and len(device.name) <= 64, device.name
    # A board's error message: one line of at most 200 characters in its state.
    victim = NORMAL_BOARDS[1]
    message = "<script>x</script>\u202e\u0007" + "z" * 5000 + "\nsecond line"
    fields = {"error_message": json.dumps(message)}
    # Not `scenario.fault`: this route's own `kind` would clash with the record's.
    scenario.record.fault(
        "tampered-event", mac=victim, event="changed", error_message=fields["error_message"]
    )
    await scenario.call(
        "POST", "/_sim/tampered-event", {"mac": victim, "kind": "changed", "fields": fields}
    )
    board_state = scenario.checker.entity_id("sensor", f"{victim}_provisioning_state")
    assert board_state is not None

    def error_shown() -> str | None:
        state = hass.states.get(board_state)
        return state.attributes.get("error_message") if state else None

    await wait_until(lambda: error_shown() is not None, hass)
    shown_error = str(error_shown())
    assert len(shown_error) <= 200, len(shown_error)
    assert not any(char in shown_error for char in "\u202e\x07\n"), repr(shown_error[:40])
    assert all(len(entity_id) < 120 for entity_id in names[2::2]), names
    _within_bound(
        scenario,
        seconds,
        sent="a board description with markup, U+202E, U+200B, BEL and 240 more characters; "
        "a board error message of 5,000 characters with the same and a line break",
        user_sees=f"the board named {device.name[:16]!r}… ({len(device.name)} characters, "
        f"no control, bidi or zero-width character); its error one line of {len(shown_error)}",
        next_change="another board provisioned",
    )
    await scenario.unload()


async def test_error_events_too_large_to_read_do_not_keep_the_stream_down(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    make_scenario: ScenarioFactory,
    watch: Watch,
) -> None:
    scenario = await make_scenario(
        "hostile_oversized_error_events",
        f"{ERROR_EVENTS} error events of exactly 1 MiB of message (frames beyond the client's "
        "1 MiB limit), kept in the Pi's replay buffer",
    )
    provisioning = loaded_entry.runtime_data.provisioning
    await _open_session(scenario)
    await scenario.fault(
        "error-event", code="PI_MELTDOWN", message_bytes=1024 * 1024, count=ERROR_EVENTS
    )
    # Let whatever the stream does with them play out: a frame it cannot read is
    # one frame skipped, not a connection given up again and again.
    settle = time.monotonic()
    while time.monotonic() - settle < 3 * NEXT_CHANGE_BOUND:
        await asyncio.sleep(0.1)
        await hass.async_block_till_done()
    assert provisioning.stream_connected, provisioning.stream.diagnostics["last_error"]
    started = time.monotonic()
    for mac in NORMAL_BOARDS[:2]:
        seconds = await _next_board_change(scenario, mac, started)
        _within_bound(
            scenario,
            seconds,
            sent=f"{ERROR_EVENTS} error events of 1 MiB of message each (frames too large)",
            user_sees="the frames skipped; the stream stays up",
            next_change="two boards provisioned, 6 s later",
        )
        started = time.monotonic()
    await wait_until(lambda: provisioning.stream_connected, hass)
    watch.healthy()
    await scenario.complete()
    await scenario.unload()
