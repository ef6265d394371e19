"""Both event vocabularies of API.md §6 become the same `ProvisioningEvent`s."""

from __future__ import annotations

from datetime import UTC, datetime
import json
import logging
from typing import Any

import pytest

from custom_components.piorchestrator.api.events import (
    BoardChange,
    EventError,
    EventKind,
    EventParser,
    ProvisioningEvent,
    parse_event,
)
from custom_components.piorchestrator.api.models import (
    Board,
    BoardState,
    NetworkStatus,
    SessionState,
)
from custom_components.piorchestrator.api.sse import SseMessage

TIMESTAMP = "2025-01-15T10:30:00Z"
SESSION = {
    "id": "sess_abc123",
    "state": "active",
    "target_ssid": "VendingNet",
    "created_at": "2025-01-15T10:00:00Z",
    "updated_at": "2025-01-15T10:29:00Z",
    "expires_at": "2025-01-15T11:00:00Z",
    "device_count": 3,
    "provisioned_count": 1,
    "verified_count": 1,
    "failed_count": 0,
    "config": {
        "discovery_timeout_seconds": 60,
        "provisioning_timeout_seconds": 120,
        "verification_timeout_seconds": 90,
    },
}
CANDIDATE = {
    "mac": "aa:bb:cc:dd:ee:01",
    "ip": "192.168.4.10",
    "state": "provisioning",
    "rssi": -52,
    "firmware_version": "1.2.3",
    "discovered_at": "2025-01-15T10:05:00Z",
    "retry_count": 0,
    "in_allowlist": True,
    "session_id": "sess_abc123",
}


def message(
    event_type: str | None, payload: Any, *, event_id: str | None = "1", **extra: Any
) -> SseMessage:
    envelope: dict[str, Any] = {"version": "1.0", "timestamp": TIMESTAMP, "payload": payload}
    if event_type is not None:
        envelope["type"] = event_type
    envelope.update(extra)
    return SseMessage(data=json.dumps(envelope), id=event_id)


def parse(msg: SseMessage) -> ProvisioningEvent | None:
    return EventParser().parse(msg)


# -- Vocabulary A -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("event_type", "kind"),
    [
        ("session.started", EventKind.SESSION_STARTED),
        ("session.state_changed", EventKind.SESSION_STATE_CHANGED),
        ("session.closed", EventKind.SESSION_CLOSED),
        ("session.timeout_warning", EventKind.SESSION_TIMEOUT_WARNING),
        ("session.status", EventKind.SESSION_STATE_CHANGED),  # vocabulary B
    ],
)
def test_session_events(event_type: str, kind: EventKind) -> None:
    event = parse(message(event_type, {"session": SESSION}, event_id="17"))
    assert event is not None
    assert event.kind is kind
    assert event.type == event_type
    assert event.event_id == "17"
    assert event.timestamp == datetime(2025, 1, 15, 10, 30, tzinfo=UTC)
    assert event.session is not None
    assert event.session.state is SessionState.ACTIVE
    assert event.session_id == "sess_abc123"  # from the session: the envelope had none
    assert event.board is event.network is event.error is None


@pytest.mark.parametrize(
    ("event_type", "kind"),
    [
        ("device.discovered", EventKind.BOARD_DISCOVERED),
        ("device.state_changed", EventKind.BOARD_STATE_CHANGED),
        ("device.provisioning_started", EventKind.BOARD_PROVISIONING_STARTED),
        ("device.provisioning_completed", EventKind.BOARD_PROVISIONING_COMPLETED),
        ("device.verified", EventKind.BOARD_VERIFIED),
    ],
)
def test_device_events_with_full_board(event_type: str, kind: EventKind) -> None:
    event = parse(message(event_type, {"device": CANDIDATE}))
    assert event is not None
    assert event.kind is kind
    board = Board.model_validate(CANDIDATE)
    assert event.board == BoardChange(
        mac="AA:BB:CC:DD:EE:01", state=BoardState.PROVISIONING, board=board
    )
    assert event.session_id == "sess_abc123"  # from the board


def test_device_provisioning_failed_carries_error() -> None:
    device = {**CANDIDATE, "state": "failed", "error_message": "Board rejected credentials"}
    event = parse(message("device.provisioning_failed", {"device": device}, session_id="sess_x"))
    assert event is not None
    assert event.kind is EventKind.BOARD_PROVISIONING_FAILED
    assert event.board is not None
    assert event.board.state is BoardState.FAILED
    assert event.board.error_message == "Board rejected credentials"
    assert event.session_id == "sess_x"  # the envelope wins


def test_device_event_error_outside_the_board() -> None:
    device = {**CANDIDATE, "state": "failed"}
    event = parse(
        message("device.provisioning_failed", {"device": device, "error": {"message": "timeout"}})
    )
    assert event is not None
    assert event.board is not None
    assert event.board.error_message == "timeout"


@pytest.mark.parametrize(
    ("event_type", "payload", "expected"),
    [
        (
            "network.started",
            {"status": {"ssid": "DelicasaOnboard", "is_active": True, "connected_devices": 2}},
            NetworkStatus(ssid="DelicasaOnboard", is_active=True, connected_devices=2),
        ),
        (
            "network.stopped",
            {"status": {"ssid": "DelicasaOnboard", "is_active": False, "connected_devices": 0}},
            NetworkStatus(ssid="DelicasaOnboard", is_active=False, connected_devices=0),
        ),
        (
            "network.status_changed",
            {"ssid": "DelicasaOnboard", "is_active": True, "connected_devices": 5},
            NetworkStatus(ssid="DelicasaOnboard", is_active=True, connected_devices=5),
        ),
    ],
)
def test_network_events(event_type: str, payload: dict[str, Any], expected: NetworkStatus) -> None:
    event = parse(message(event_type, payload))
    assert event is not None
    assert event.kind is EventKind.NETWORK_STATUS
    assert event.network == expected
    assert event.session_id is None


@pytest.mark.parametrize(
    ("event_type", "payload", "expected"),
    [
        (
            "error.occurred",
            {"code": "NETWORK_ERROR", "message": "Onboarding AP failed"},
            EventError("NETWORK_ERROR", "Onboarding AP failed", retryable=False),
        ),
        (
            "error",
            {"code": "MQTT_UNAVAILABLE", "message": "MQTT broker not connected", "retryable": True},
            EventError("MQTT_UNAVAILABLE", "MQTT broker not connected", retryable=True),
        ),
        ("error", {"code": "X"}, EventError("X", "X")),
        ("error", {}, EventError(None, "Unknown error")),
    ],
)
def test_error_events(event_type: str, payload: dict[str, Any], expected: EventError) -> None:
    event = parse(message(event_type, payload))
    assert event is not None
    assert event.kind is EventKind.ERROR
    assert event.error == expected


# -- Vocabulary B -----------------------------------------------------------------


def test_connection_events() -> None:
    established = parse(
        message("connection.established", {"message": "Connected", "client_id": "c1"})
    )
    heartbeat = parse(message("connection.heartbeat", None))
    assert established is not None
    assert established.kind is EventKind.CONNECTION_ESTABLISHED
    assert heartbeat is not None
    assert heartbeat.kind is EventKind.HEARTBEAT


def test_flat_device_discovered() -> None:
    payload = {
        "mac": "AA-BB-CC-DD-EE-02",
        "ip": "192.168.4.11",
        "rssi": -60,
        "firmware_version": "1.2.3",
        "in_allowlist": False,
    }
    event = parse(message("device.discovered", payload, session_id="sess_abc123"))
    assert event is not None
    assert event.kind is EventKind.BOARD_DISCOVERED
    assert event.board is not None
    assert event.board.mac == "AA:BB:CC:DD:EE:02"
    assert event.board.state is BoardState.DISCOVERED
    assert event.board.board == Board(
        mac="AA:BB:CC:DD:EE:02", ip="192.168.4.11", rssi=-60, firmware_version="1.2.3"
    )
    assert event.session_id == "sess_abc123"


def test_flat_device_state_changed() -> None:
    payload = {
        "mac": "aa:bb:cc:dd:ee:03",
        "previous_state": "provisioning",
        "new_state": "failed",
        "progress": 40,
        "error": "Device did not respond",
    }
    event = parse(message("device.state_changed", payload))
    assert event is not None
    assert event.kind is EventKind.BOARD_STATE_CHANGED
    assert event.board == BoardChange(
        mac="AA:BB:CC:DD:EE:03",
        state=BoardState.FAILED,
        previous_state=BoardState.PROVISIONING,
        progress=40,
        error_message="Device did not respond",
        board=None,
    )
    assert event.session_id is None


@pytest.mark.parametrize(
    ("progress", "expected"),
    [
        (55.6, 56),
        (150, 100),
        (-3, 0),
        (True, None),
        ("50", None),
        (float("inf"), None),
        (None, None),
    ],
)
def test_progress_is_clamped_or_dropped(progress: Any, expected: int | None) -> None:
    payload = {"mac": "AA:BB:CC:DD:EE:03", "new_state": "provisioning", "progress": progress}
    event = parse(message("device.state_changed", payload))
    assert event is not None
    assert event.board is not None
    assert event.board.progress == expected


def test_unknown_board_state_is_unknown_not_an_error() -> None:
    payload = {"mac": "AA:BB:CC:DD:EE:03", "previous_state": "", "new_state": "rebooting"}
    event = parse(message("device.state_changed", payload))
    assert event is not None
    assert event.board is not None
    assert event.board.state is BoardState.UNKNOWN
    assert event.board.previous_state is None


# -- Envelope -----------------------------------------------------------------------


def test_type_from_sse_event_field_when_envelope_has_none() -> None:
    msg = SseMessage(
        data=json.dumps({"version": "1.0", "payload": {"session": SESSION}}), event="session.closed"
    )
    event = parse(msg)
    assert event is not None
    assert event.kind is EventKind.SESSION_CLOSED
    assert event.event_id is None
    assert event.timestamp is None


def test_missing_version_is_read_as_1_0() -> None:
    msg = SseMessage(data=json.dumps({"type": "connection.heartbeat"}))
    event = parse(msg)
    assert event is not None
    assert event.kind is EventKind.HEARTBEAT


def test_bad_timestamp_is_dropped_not_fatal() -> None:
    event = parse(message("connection.heartbeat", None, timestamp="yesterday"))
    assert event is not None
    assert event.timestamp is None
    event = parse(message("connection.heartbeat", None, timestamp=12))
    assert event is not None
    assert event.timestamp is None


def test_other_version_is_skipped_with_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    parser = EventParser()
    caplog.set_level(logging.DEBUG)
    for _ in range(3):
        assert parser.parse(message("session.started", {"session": SESSION}, version="2.0")) is None
    assert parser.parse(message("session.started", {"session": SESSION}, version=3)) is None
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "2.0" in warnings[0].getMessage()
    assert "3" in warnings[1].getMessage()


def test_long_unknown_types_are_logged_shortened(caplog: pytest.LogCaptureFixture) -> None:
    parser = EventParser()
    caplog.set_level(logging.DEBUG)
    assert parser.parse(message("x" * 5000, {})) is None
    assert parser.parse(message("x" * 5000 + "y", {})) is None  # same first 120 characters
    (record,) = caplog.records
    assert len(record.getMessage()) < 200


def test_logging_once_is_bounded(caplog: pytest.LogCaptureFixture) -> None:
    parser = EventParser()
    caplog.set_level(logging.DEBUG)
    for version in range(200):
        assert parser.parse(message("connection.heartbeat", None, version=f"9.{version}")) is None
    levels = [r.levelno for r in caplog.records if "envelope version" in r.getMessage()]
    # Each version is logged; past the memory bound, only at DEBUG.
    assert levels == [logging.WARNING] * 128 + [logging.DEBUG] * 72


def test_unknown_type_is_skipped_with_one_debug_line(caplog: pytest.LogCaptureFixture) -> None:
    parser = EventParser()
    caplog.set_level(logging.DEBUG)
    for _ in range(3):
        assert parser.parse(message("door.opened", {})) is None
    records = [r for r in caplog.records if "door.opened" in r.getMessage()]
    assert len(records) == 1
    assert records[0].levelno == logging.DEBUG


@pytest.mark.parametrize("data", ["{not json", "[1, 2]", '"text"', "", "[" * 100_000])
def test_malformed_data_is_skipped(data: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    parser = EventParser()
    assert parser.parse(SseMessage(data=data)) is None
    assert parser.parse(SseMessage(data=data)) is None
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1


@pytest.mark.parametrize(
    ("event_type", "payload"),
    [
        ("session.started", {"session": {"state": "active"}}),  # no id
        ("session.started", None),
        ("device.discovered", {"device": {"mac": "not-a-mac"}}),
        ("device.discovered", {"mac": "zz"}),
        ("device.state_changed", {"new_state": "failed"}),  # no mac
        ("device.state_changed", {"mac": "nope", "new_state": "failed"}),
        ("network.started", {"status": {"connected_devices": "many"}}),
        ("device.verified", [1, 2]),
    ],
)
def test_invalid_payload_is_skipped(
    event_type: str, payload: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    assert parse(message(event_type, payload)) is None
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert event_type in warnings[0].getMessage()


def test_parse_event_uses_a_shared_parser() -> None:
    event = parse_event(message("connection.heartbeat", None))
    assert event is not None
    assert event.kind is EventKind.HEARTBEAT
    assert parse_event(SseMessage(data="nope")) is None


# -- Text and numbers from a hostile peer ----------------------------------------------


def test_an_error_of_a_megabyte_becomes_one_line_of_200_characters() -> None:
    text = "disk full\n" + "x" * 1024 * 1024
    event = parse(message("error.occurred", {"code": "INTERNAL\u202e_ERROR\n", "message": text}))

    assert event is not None
    assert event.error is not None
    assert event.error.code == "INTERNAL_ERROR"
    assert len(event.error.message) == 200
    assert event.error.message.startswith("disk full xxx")
    assert "\n" not in event.error.message


def test_a_board_error_of_either_vocabulary_is_cleaned() -> None:
    hostile = "\x1b[31mrejected\x1b[0m\r\nby\u200b board " + "!" * 500
    flat = parse(
        message(
            "device.state_changed",
            {"mac": CANDIDATE["mac"], "new_state": "failed", "error": {"message": hostile}},
        )
    )
    full = parse(
        message(
            "device.provisioning_failed",
            {"device": {**CANDIDATE, "state": "failed", "error_message": hostile}},
        )
    )

    for event in (flat, full):
        assert event is not None
        assert event.board is not None
        assert event.board.error_message is not None
        assert event.board.error_message.startswith("[31mrejected[0m by board !!!")
        assert len(event.board.error_message) == 200


def test_a_board_with_a_400_digit_rssi_is_read_without_it() -> None:
    data = json.dumps(
        {
            "version": "1.0",
            "type": "device.discovered",
            "payload": {"device": {**CANDIDATE, "rssi": 10**400}},
        }
    )
    event = parse(SseMessage(data=data, id="1"))

    assert event is not None
    assert event.board is not None
    assert event.board.board is not None
    assert event.board.board.rssi is None
    assert event.board.state is BoardState.PROVISIONING


@pytest.mark.parametrize("bad_id", ["..", ".", "a/b", "sess 1", "x" * 65, "", "sess_\u202e1", 7])
def test_a_session_with_an_id_that_could_become_a_path_is_skipped(bad_id: Any) -> None:
    """A session ID ends up in request paths, issue IDs and logs: only the Pi's form is read."""
    assert parse(message("session.started", {"session": {**SESSION, "id": bad_id}})) is None
    event = parse(message("device.discovered", {"device": {**CANDIDATE, "session_id": bad_id}}))
    assert event is not None
    assert event.board is not None
    # The board is still news; its link to a session that cannot be named is dropped.
    assert event.board.board is not None
    assert event.board.board.session_id is None
    assert event.session_id is None
    envelope_only = parse(message("device.discovered", {"device": CANDIDATE}, session_id=bad_id))
    assert envelope_only is not None
    assert envelope_only.session_id == "sess_abc123"  # the board's own, valid one
