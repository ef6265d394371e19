"""Reading numbers from a Pi that may send anything."""

from __future__ import annotations

import logging
import math
from typing import Any, Final

from .stream import OnceLogger

_LOGGER = logging.getLogger(__name__)
_ONCE: Final = OnceLogger(_LOGGER)

RSSI_RANGE: Final = (-127.0, 0.0)
"""dBm, as WiFi reports it."""
PERCENT_RANGE: Final = (0.0, 100.0)
COUNT_RANGE: Final = (0.0, 1e6)
"""Boards, retries, entries, seconds of a timeout: more than a million is broken."""
CELSIUS_RANGE: Final = (-60.0, 150.0)
"""Wider than any Pi survives."""
NANOSECONDS_RANGE: Final = (0.0, 2.0**63)
"""An uptime; the largest a Go duration holds."""


def finite_number(value: Any) -> float | None:
    """Return `value` as a finite float, from a number or numeric text, else None.

    Booleans, NaN, infinities and integers too large for a float are no
    number: each would crash or mislead whatever computes with it next.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def is_numeric(value: Any) -> bool:
    """Whether `value` is a number or numeric text, however large (booleans are not)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return False
        return True
    return isinstance(value, int | float)


def in_range(value: Any, bounds: tuple[float, float], field: str) -> float | None:
    """Return `value` as a finite float within `bounds` (inclusive), else None.

    A number outside the range is logged once per field (say-once, per process):
    a Pi that keeps sending it does not flood the log. Nothing from the Pi is
    echoed, since the value may be hundreds of digits long.
    """
    if value is None:
        return None
    number = finite_number(value)
    low, high = bounds
    if number is not None and low <= number <= high:
        return number
    _ONCE.log(
        f"range:{field}",
        logging.WARNING,
        "The Pi sent a %s outside %.0f..%.0f or not a number; it shows as unknown "
        "(later ones are not logged)",
        field,
        low,
        high,
    )
    return None
