"""Event parsing: any envelope, any payload, either vocabulary: an event or a skip, never
an exception, and what comes out is what the contract promises."""

from __future__ import annotations

import json
import math
import re
import unicodedata

from hypothesis import HealthCheck, example, given, settings, strategies as st
import pytest

from custom_components.piorchestrator.api.events import EventParser, ProvisioningEvent
from custom_components.piorchestrator.api.sse import SseMessage
from custom_components.piorchestrator.api.text import MESSAGE_LENGTH, NAME_LENGTH
from tests.reliability.results import COLLECTOR, DETERMINISTIC, examples

from .strategies import EVENT_TYPES, deep_json_texts, dumps, envelopes, json_values, mutate

pytestmark = pytest.mark.timeout(300)

CANONICAL_MAC = re.compile(r"^[0-9A-F]{2}(?::[0-9A-F]{2}){5}$")
FUZZ = settings(
    max_examples=examples(300, 20_000),
    derandomize=DETERMINISTIC,
    deadline=2000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
ABSURD_PROGRESS = (
    '{"version": "1.0", "type": "device.state_changed", "payload": {"mac": '
    f'"24:0A:C4:00:00:01", "new_state": "provisioned", "progress": {10**400}}}}}'
)
REAL = (
    {
        "version": "1.0",
        "type": "device.provisioning_completed",
        "timestamp": "2025-01-01T00:00:00Z",
        "session_id": "sess_1",
        "payload": {
            "device": {
                "mac": "24:0A:C4:00:00:01",
                "ip": "192.168.4.20",
                "state": "provisioned",
                "rssi": -60,
                "firmware_version": "1.2.3",
                "discovered_at": "2025-01-01T00:00:00Z",
                "retry_count": 0,
                "in_allowlist": True,
                "session_id": "sess_1",
            }
        },
    },
    {
        "version": "1.0",
        "type": "device.state_changed",
        "payload": {
            "mac": "24:0A:C4:00:00:01",
            "previous_state": "provisioning",
            "new_state": "failed",
            "progress": 40,
            "error": "device rejected credentials",
        },
    },
    {
        "version": "1.0",
        "type": "session.status",
        "payload": {
            "session": {
                "id": "sess_1",
                "state": "active",
                "target_ssid": "CabinetNet",
                "created_at": "2025-01-01T00:00:00Z",
                "updated_at": "2025-01-01T00:00:00Z",
                "device_count": 1,
            }
        },
    },
    {
        "version": "1.0",
        "type": "network.status_changed",
        "payload": {"ssid": "DelicasaOnboard", "is_active": True, "connected_devices": 2},
    },
)


def _clean(text: str | None, limit: int) -> None:
    """Text as the client promises it: one line, nothing invisible, within its length."""
    if text is None:
        return
    assert text
    assert len(text) <= limit
    assert text == text.strip()
    assert "  " not in text
    assert not any(
        unicodedata.category(char).startswith("C") or (char.isspace() and char != " ")
        for char in text
    )


def _count(number: int) -> None:
    assert 0 <= number <= 1_000_000


def _check(event: ProvisioningEvent | None) -> None:
    """What a parsed event promises its consumer."""
    if event is None:
        return
    assert event.type
    if event.board is not None:
        assert CANONICAL_MAC.match(event.board.mac)
        assert event.board.progress is None or 0 <= event.board.progress <= 100
        _clean(event.board.error_message, MESSAGE_LENGTH)
        board = event.board.board
        if board is not None:
            assert board.rssi is None or -127 <= board.rssi <= 0
            _count(board.retry_count)
            _clean(board.error_message, MESSAGE_LENGTH)
            for name in (board.ip, board.firmware_version, board.container_id):
                _clean(name, NAME_LENGTH)
    if event.session is not None:
        _clean(event.session.target_ssid, NAME_LENGTH)
        for count in (
            event.session.device_count,
            event.session.provisioned_count,
            event.session.verified_count,
            event.session.failed_count,
        ):
            _count(count)
    if event.network is not None:
        _clean(event.network.ssid, NAME_LENGTH)
        _count(event.network.connected_devices)
    if event.error is not None:
        assert event.error.message
        _clean(event.error.message, MESSAGE_LENGTH)
        _clean(event.error.code, NAME_LENGTH)


@FUZZ
@given(
    envelope=envelopes,
    event=st.sampled_from(("message", *EVENT_TYPES)),
    event_id=st.none() | st.text(max_size=8),
)
@example(
    envelope={
        "version": "1.0",
        "type": "device.state_changed",
        "payload": {"mac": "24:0A:C4:00:00:01", "new_state": "verified", "progress": 10**400},
    },
    event="message",
    event_id="1",
)
@example(
    envelope={
        "version": "1.0",
        "type": "device.discovered",
        "payload": {"mac": "24:0A:C4:00:00:01", "progress": float("nan")},
    },
    event="message",
    event_id=None,
)
def test_any_envelope_is_read_or_skipped(
    envelope: dict[str, object], event: str, event_id: str | None
) -> None:
    COLLECTOR.count_example("events: envelopes")
    _check(EventParser().parse(SseMessage(data=dumps(envelope), event=event, id=event_id)))


@FUZZ
@given(data=st.one_of(st.text(), json_values.map(dumps), deep_json_texts))
@example(data=ABSURD_PROGRESS)
@example(data="NaN")
def test_any_data_is_read_or_skipped(data: str) -> None:
    COLLECTOR.count_example("events: raw data")
    _check(EventParser().parse(SseMessage(data=data)))


@FUZZ
@given(data=st.data(), real=st.sampled_from(REAL), leaf=json_values)
def test_real_events_with_one_value_changed_or_the_text_damaged(
    data: st.DataObject, real: dict[str, object], leaf: object
) -> None:
    COLLECTOR.count_example("events: mutated real events")
    document = json.loads(json.dumps(real))
    path = data.draw(st.lists(st.text(max_size=12), max_size=3), label="path")
    node = document
    for key in path[:-1]:
        child = node.get(key) if isinstance(node, dict) else None
        if not isinstance(child, dict):
            break
        node = child
    if path and isinstance(node, dict):
        node[path[-1]] = leaf
    parser = EventParser()
    _check(parser.parse(SseMessage(data=dumps(document))))
    _check(parser.parse(SseMessage(data=mutate(json.dumps(real), data))))


HOSTILE_TEXT = st.text(
    alphabet=st.characters(categories=["Cc", "Cf", "Cs", "Co", "Zs", "Zl", "Zp", "L", "P"]),
    max_size=600,
)
HOSTILE_NUMBERS = st.one_of(
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(),
    st.integers(min_value=0, max_value=400).map(lambda digits: "9" * digits or "-"),
)
TEXT_FIELDS = ("error_message", "firmware_version", "ip", "container_id", "error", "ssid")
NUMBER_FIELDS = ("rssi", "retry_count", "connected_devices", "device_count", "progress")


def _replace_fields(node: object, fields: tuple[str, ...], value: object) -> None:
    """Set every field named in `fields`, wherever it is in the document, to `value`."""
    if isinstance(node, dict):
        for key in list(node):
            if key in fields:
                node[key] = value
            else:
                _replace_fields(node[key], fields, value)


@FUZZ
@given(
    real=st.sampled_from(REAL),
    text=HOSTILE_TEXT,
    number=HOSTILE_NUMBERS,
    target_ssid=HOSTILE_TEXT,
)
@example(real=REAL[0], text="\u202e<b>x</b>\x07" + "y" * 240, number=10**400, target_ssid="")
def test_hostile_text_and_numbers_come_out_clean_and_in_range(
    real: dict[str, object], text: str, number: object, target_ssid: str
) -> None:
    COLLECTOR.count_example("events: hostile text and numbers")
    document = json.loads(json.dumps(real))
    _replace_fields(document, TEXT_FIELDS, text)
    _replace_fields(document, NUMBER_FIELDS, number)
    _replace_fields(document, ("target_ssid",), target_ssid)
    data = json.dumps(document)  # the standard library writes any int and NaN as JSON
    _check(EventParser().parse(SseMessage(data=data)))


def test_unchanged_real_events_are_read() -> None:
    """The fuzzing above would pass if everything were skipped: real events must not be."""
    parser = EventParser()
    parsed = [parser.parse(SseMessage(data=json.dumps(real))) for real in REAL]
    assert all(event is not None for event in parsed)
    board = parsed[1].board if parsed[1] is not None else None
    assert board is not None
    assert board.progress == 40
    assert math.isfinite(float(board.progress))
