"""Monitor WebSocket messages: any text, any MonitoringData: a reading or a skip, never an
exception; every figure read is a finite number or unknown."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import HealthCheck, example, given, settings, strategies as st
import pytest

from custom_components.piorchestrator.api.monitor import (
    MONITORING_FIELDS,
    MONITORING_SCALARS,
    HealthUpdate,
    MonitorStream,
)
from tests.reliability.results import COLLECTOR, DETERMINISTIC, examples

from .strategies import (
    deep_json_texts,
    deep_monitor_updates,
    dumps,
    huge_number_literals,
    json_values,
    numbers,
    texts,
)

pytestmark = pytest.mark.timeout(300)

FUZZ = settings(
    max_examples=examples(300, 20_000),
    derandomize=DETERMINISTIC,
    deadline=2000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
UPTIMES = (
    "3 days, 4:05:06",
    "72h3m0.5s",
    "9" * 400 + ":00",
    "9" * 400 + " days",
    "1e400",
    "up 5 weeks",
    "4:99",
    "-5s",
)


def _nested_update(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"cpu_usage": 1}
    for _ in range(depth):
        value = {"system_health": value}
    return value


class _Client:
    host = "pi.test"

    async def connect_monitor(self) -> Any:
        raise NotImplementedError


figures = st.one_of(numbers, texts, json_values)
system_health = st.fixed_dictionaries(
    {},
    optional={
        "cpu_usage": figures,
        "memory_usage": figures,
        "disk_usage": figures,
        "temperature": figures,
        "uptime": st.one_of(st.sampled_from(UPTIMES), figures),
        "load_average": st.one_of(
            st.sampled_from(("0.5 0.3 0.2", "1,2,3", "", "nan inf -1")), figures
        ),
    },
)
monitoring_data = st.fixed_dictionaries(
    {},
    optional={
        "system_health": st.one_of(system_health, json_values),
        "service_status": st.one_of(
            st.fixed_dictionaries(
                {}, optional={"mqtt_connected": json_values, "database_connected": json_values}
            ),
            json_values,
        ),
        "security_metrics": st.one_of(
            st.fixed_dictionaries({}, optional={"threat_level": json_values}), json_values
        ),
    },
)
messages = st.one_of(
    st.fixed_dictionaries(
        {"type": st.sampled_from(("initial_data", "monitoring_update", "pong", "alert", ""))},
        optional={"data": st.one_of(monitoring_data, json_values), "timestamp": json_values},
    ).map(dumps),
    json_values.map(dumps),
    st.text(),
    deep_json_texts,
    huge_number_literals.map(
        lambda number: '{"type": "monitoring_update", "data": {"system_health": {"cpu_usage": '
        + number
        + "}}}"
    ),
)
sequences = st.one_of(
    st.lists(messages, min_size=1, max_size=5),
    st.tuples(messages, deep_monitor_updates, messages).map(
        lambda parts: [parts[0], *parts[1], parts[2]]
    ),
)


def _check(update: HealthUpdate | None) -> None:
    if update is None:
        return
    # Only what API.md §7 names is kept, two levels deep: the snapshot cannot grow.
    for key, value in update.raw.items():
        assert key in MONITORING_SCALARS or key in MONITORING_FIELDS, key
        if key in MONITORING_FIELDS:
            assert set(value) <= MONITORING_FIELDS[key], value
            assert not any(isinstance(field, dict) for field in value.values()), value
    health = update.health
    for value in (
        health.cpu_percent,
        health.memory_percent,
        health.disk_percent,
        health.temperature_c,
        health.uptime_seconds,
        health.load_1,
        health.load_5,
        health.load_15,
    ):
        assert value is None or math.isfinite(value), health


@FUZZ
@given(sequence=sequences)
@example(sequence=[dumps({"type": "monitoring_update", "data": _nested_update(2000)})] * 2)
@example(
    sequence=[
        '{"type": "monitoring_update", "data": {"system_health": {"cpu_usage": '
        + str(10**400)
        + "}}}"
    ]
)
@example(
    sequence=[
        '{"type": "initial_data", "data": {"system_health": {"uptime": "' + "9" * 400 + ':00"}}}'
    ]
)
@example(
    sequence=[
        '{"type": "initial_data", "data": {"system_health": {"uptime": ' + str(10**400) + "}}}"
    ]
)
@example(
    sequence=[
        '{"type": "initial_data", "data": {"system_health": {"uptime": "' + "9" * 400 + ' days"}}}'
    ]
)
def test_any_message_sequence_is_read_or_skipped(sequence: list[str]) -> None:
    COLLECTOR.count_example("monitor: messages")
    stream = MonitorStream(_Client())
    for raw in sequence:
        _check(stream._handle(raw))


def test_an_ordinary_update_is_read() -> None:
    """The fuzzing above would pass if everything were skipped: a normal update must not be."""
    stream = MonitorStream(_Client())
    update = stream._handle(
        dumps(
            {
                "type": "initial_data",
                "data": {"system_health": {"cpu_usage": 12.5, "uptime": "3 days, 4:05:06"}},
            }
        )
    )
    assert update is not None
    assert update.health.cpu_percent == 12.5
    assert update.health.uptime_seconds == 3 * 86400 + 4 * 3600 + 5 * 60 + 6
