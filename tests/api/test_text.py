"""Text and numbers from the Pi, made safe once when they are parsed."""

from __future__ import annotations

import logging
import re

import pytest

from custom_components.piorchestrator.api import numbers
from custom_components.piorchestrator.api.health import health_from_monitoring
from custom_components.piorchestrator.api.models import (
    AllowlistEntry,
    Board,
    NetworkStatus,
    Session,
    SystemInfo,
)
from custom_components.piorchestrator.api.stream import OnceLogger
from custom_components.piorchestrator.api.text import (
    MESSAGE_LENGTH,
    NAME_LENGTH,
    clean_message,
    clean_text,
    escape_markdown,
)

MAC = "24:0A:C4:00:00:01"
HOSTILE = "<b>**Cam**</b> [x](http://evil.example)\u202e\x07 \u200bnorth\t\ncabinet " + "z" * 240


def shown_by_markdown(escaped: str) -> str:
    """The text CommonMark shows for `escaped`: each backslash escape as its character."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", escaped)


def test_a_hostile_name_keeps_only_what_a_person_can_read() -> None:
    name = clean_text(HOSTILE)

    assert name is not None
    assert len(name) == NAME_LENGTH
    assert name.startswith("<b>**Cam**</b> [x](http://evil.example) north cabinet zzz")
    assert name.endswith("…")
    assert not {"\u202e", "\x07", "\u200b", "\t", "\n"} & set(name)


@pytest.mark.parametrize(
    "invisible",
    [
        "\u202e",  # right-to-left override
        "\u2066",  # left-to-right isolate
        "\u200b",  # zero-width space
        "\u200d",  # zero-width joiner
        "\u2060",  # word joiner
        "\ufeff",  # byte order mark
        "\x00",
        "\x1b",
        "\x7f",
        "\ud800",  # a lone surrogate: JSON can carry one; nothing can encode it
    ],
)
def test_invisible_characters_are_removed(invisible: str) -> None:
    assert clean_text(f"Cam{invisible}era") == "Camera"


@pytest.mark.parametrize("value", [None, 5, b"bytes", "", " \t\n", "\u202e\u200b", ["x"]])
def test_nothing_readable_is_no_text(value: object) -> None:
    assert clean_text(value) is None


def test_whitespace_of_every_kind_is_one_space() -> None:
    assert clean_text("  north\u00a0\u2003cabinet\r\n\u2028door\x85\x0bleft ") == (
        "north cabinet door left"
    )


def test_an_error_message_is_one_line_of_at_most_200_characters() -> None:
    message = clean_message("first line\nsecond line\r\n" + "x" * 1024 * 1024)

    assert message is not None
    assert len(message) == MESSAGE_LENGTH
    assert message.startswith("first line second line xxx")
    assert message.endswith("…")


def test_a_short_text_is_kept_as_it_is() -> None:
    assert clean_text("Cabinet 3 — north wall") == "Cabinet 3 — north wall"
    assert clean_message("device rejected credentials") == "device rejected credentials"


def test_markdown_shows_escaped_text_as_it_is() -> None:
    text = "[click](http://evil.example) <img src=x> *bold* _it_ `code` # 1. - + | ~~s~~ &amp; \\"
    escaped = escape_markdown(text)

    # Every character that makes markup is escaped, and Markdown shows the original.
    assert not re.search(r"(?<!\\)[\[\]<>*_`#|~&]", escaped.replace("\\\\", ""))
    assert shown_by_markdown(escaped) == text


def test_models_clean_names_and_messages_when_parsing() -> None:
    entry = AllowlistEntry.model_validate({"mac": MAC, "description": HOSTILE})
    board = Board.model_validate(
        {"mac": MAC, "error_message": "bad\n" * 1000, "firmware_version": "1.0\u202e"}
    )
    session = Session.model_validate({"id": "s1", "state": "active", "target_ssid": "Net\x07"})
    network = NetworkStatus.model_validate({"ssid": "\u200bNet\u202e"})

    assert entry.description == clean_text(HOSTILE)
    assert board.error_message is not None
    assert len(board.error_message) == MESSAGE_LENGTH
    assert "\n" not in board.error_message
    assert board.firmware_version == "1.0"
    assert session.target_ssid == "Net"
    assert network.ssid == "Net"


HUGE = int("9" * 400)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("rssi", HUGE, None),
        ("rssi", -HUGE, None),
        ("rssi", 5, None),
        ("rssi", -128, None),
        ("rssi", -127, -127),
        ("rssi", 0, 0),
        ("rssi", "-61", -61),
        ("rssi", "1e400", None),
        ("rssi", float("nan"), None),
        ("rssi", -60.6, -61),
        ("rssi", True, None),  # not 1: a boolean is no signal strength
        ("rssi", None, None),
    ],
)
def test_a_board_signal_outside_minus_127_to_0_is_unknown(
    field: str, value: object, expected: int | None
) -> None:
    assert getattr(Board.model_validate({"mac": MAC, field: value}), field) == expected


def test_a_count_out_of_range_reads_as_not_reported() -> None:
    board = Board.model_validate({"mac": MAC, "retry_count": HUGE, "rssi": False})
    session = Session.model_validate(
        {"id": "s1", "state": "active", "device_count": -1, "verified_count": 1_000_001}
    )

    assert board.retry_count == 0
    assert session.device_count == 0
    assert session.verified_count == 0


def test_health_figures_outside_their_ranges_are_unknown() -> None:
    info = SystemInfo.model_validate(
        {
            "cpu": {"usage_percent": 100.5, "core_count": HUGE, "per_core": [12.5, -3]},
            "memory": {"used_percent": 42, "used_mb": HUGE},
            "disk": {"used_percent": 1e308},
            "temperature_celsius": 151,
            "uptime": HUGE,
        }
    )

    assert info.cpu.usage_percent is None
    assert info.cpu.core_count is None
    assert info.cpu.per_core == [12.5, None]
    assert info.memory.used_percent == 42
    assert info.memory.used_mb is None
    assert info.disk.used_percent is None
    assert info.temperature_celsius is None
    assert info.uptime is None
    assert SystemInfo.model_validate({"temperature_celsius": -60}).temperature_celsius == -60


def test_a_number_out_of_range_is_logged_once_without_its_digits(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Said once per process: start from a process that has said nothing yet.
    monkeypatch.setattr(numbers, "_ONCE", OnceLogger(logging.getLogger(numbers.__name__)))
    caplog.set_level(logging.DEBUG)
    for _ in range(5):
        Board.model_validate({"mac": MAC, "rssi": HUGE + 1})

    warnings = [record for record in caplog.records if "rssi" in record.getMessage()]
    assert [record.levelno for record in warnings] == [logging.WARNING]
    assert "9999" not in caplog.text


def test_a_value_that_is_no_number_is_still_refused() -> None:
    with pytest.raises(ValueError, match="rssi"):
        Board.model_validate({"mac": MAC, "rssi": "strong"})


def test_pushed_health_figures_have_the_same_ranges() -> None:
    health = health_from_monitoring(
        {
            "system_health": {
                "cpu_usage": 250,
                "memory_usage": "55.5",
                "disk_usage": -1,
                "temperature": 10**400,
            }
        }
    )

    assert health.cpu_percent is None
    assert health.memory_percent == 55.5
    assert health.disk_percent is None
    assert health.temperature_c is None
