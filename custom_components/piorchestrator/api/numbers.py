"""Reading numbers from a Pi that may send anything."""

from __future__ import annotations

import math
from typing import Any


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
