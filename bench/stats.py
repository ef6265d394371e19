"""Small statistics: percentiles of one run, and medians over repeated runs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
import math
import statistics
from typing import Any


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation, as numpy's default."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = math.ceil(position)
    if low == high:
        return ordered[low]
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def distribution(values: Sequence[float]) -> dict[str, float]:
    """Count, p50, p95, p99, max and mean of one run's samples."""
    if not values:
        return {"n": 0}
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "p99": percentile(values, 99),
        "max": max(values),
        "mean": statistics.fmean(values),
    }


def over_runs(values: Iterable[float | None]) -> dict[str, Any]:
    """Median, min and max of one figure over repeated runs."""
    runs = [value for value in values if value is not None and not _is_nan(value)]
    if not runs:
        return {"median": None, "min": None, "max": None, "runs": []}
    return {
        "median": statistics.median(runs),
        "min": min(runs),
        "max": max(runs),
        "runs": runs,
    }


def summarise(runs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """For every numeric key the runs share, its median, min and max over the runs.

    Nested mappings are summarised key by key.
    """
    if not runs:
        return {}
    summary: dict[str, Any] = {}
    for key, first in runs[0].items():
        if isinstance(first, Mapping):
            summary[key] = summarise(
                [run[key] for run in runs if isinstance(run.get(key), Mapping)]
            )
        elif isinstance(first, int | float) and not isinstance(first, bool):
            summary[key] = over_runs(run.get(key) for run in runs)
    return summary


def _is_nan(value: float) -> bool:
    return isinstance(value, float) and math.isnan(value)
