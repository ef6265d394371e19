"""Reconnect back-off: doubling, jitter, cap, reset and the server's floor."""

from __future__ import annotations

import random

import pytest

from custom_components.piorchestrator.api.backoff import Backoff


def delays(backoff: Backoff, count: int) -> list[float]:
    return [backoff.next_delay() for _ in range(count)]


def test_without_jitter_doubles_up_to_the_cap() -> None:
    backoff = Backoff(jitter=0)
    assert delays(backoff, 8) == [1, 2, 4, 8, 16, 30, 30, 30]
    assert backoff.attempts == 8


def test_seeded_jitter_is_repeatable_and_bounded() -> None:
    first = delays(Backoff(rng=random.Random(42)), 10)  # noqa: S311
    second = delays(Backoff(rng=random.Random(42)), 10)  # noqa: S311
    assert first == second
    for delay, base in zip(first, [1, 2, 4, 8, 16, 30, 30, 30, 30, 30], strict=True):
        assert base * 0.8 <= delay <= min(base * 1.2, 30)
    # The jitter really spreads the delays.
    assert len(set(first[5:])) > 1


def test_cap_applies_after_jitter() -> None:
    rng = random.Random()  # noqa: S311
    rng.uniform = lambda a, b: b  # type: ignore[method-assign]  # always the top of the range
    assert delays(Backoff(rng=rng), 7) == [1.2, 2.4, 4.8, 9.6, 19.2, 30, 30]


def test_reset_starts_again() -> None:
    backoff = Backoff(jitter=0)
    delays(backoff, 5)
    backoff.reset()
    assert backoff.attempts == 0
    assert delays(backoff, 2) == [1, 2]


def test_server_floor_raises_delays_and_survives_reset() -> None:
    backoff = Backoff(jitter=0)
    backoff.set_floor(5)
    assert backoff.floor == 5
    assert delays(backoff, 4) == [5, 5, 5, 8]
    backoff.reset()
    assert backoff.next_delay() == 5
    backoff.set_floor(0)
    assert backoff.next_delay() == 2


def test_server_floor_may_exceed_the_cap_but_is_bounded() -> None:
    backoff = Backoff(jitter=0, max_floor=120)
    backoff.set_floor(60)
    assert backoff.next_delay() == 60
    backoff.set_floor(86400)
    assert backoff.next_delay() == 120
    backoff.set_floor(-1)
    assert backoff.floor == 0


def test_one_off_minimum_from_an_error() -> None:
    backoff = Backoff(jitter=0, max_floor=60)
    assert backoff.next_delay(5) == 5
    assert backoff.next_delay() == 2
    assert backoff.next_delay(3600) == 60
    assert backoff.next_delay(None) == 8


def test_many_attempts_do_not_overflow() -> None:
    backoff = Backoff(jitter=0)
    assert delays(backoff, 3000)[-1] == 30


@pytest.mark.parametrize(
    "kwargs",
    [{"initial": 0}, {"factor": 0.5}, {"maximum": 0.5}, {"jitter": 1.0}, {"jitter": -0.1}],
)
def test_invalid_settings_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="Back-off"):
        Backoff(**kwargs)
