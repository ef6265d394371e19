"""Collects what the reliability, fuzzing and secret suites measured, for the report.

Every suite records into one process-wide `COLLECTOR`; the pytest hooks below
(registered once, by the root `tests/conftest.py`) add each test's outcome and
write `.reliability/results.json` when the session ends.
`tests/reliability/report.py` renders that file as `docs/reliability.md`.

Under pytest-xdist each worker is its own process with its own `COLLECTOR`: a
worker writes its part next to the results file, and the controller, whose
session ends after every worker's, merges the parts into the one results file.

Two profiles: the default one is short enough for CI; `PIORCH_LONG=1` runs the
long fuzzing and soak profile (more examples, more boards, unscaled timers).
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
import json
import os
from pathlib import Path
import platform
from typing import Any, Final

import pytest

LONG: Final = os.environ.get("PIORCH_LONG", "") not in ("", "0", "false", "no")
"""Whether the long fuzzing and soak profile runs."""
PROFILE: Final = "long" if LONG else "default"
DETERMINISTIC: Final = not LONG and "PIORCH_FUZZ_EXAMPLES" not in os.environ
"""Fuzzing in CI is repeatable (a fixed seed per test); the long profile explores."""

ROOT: Final = Path(__file__).resolve().parents[2]
RESULTS_FILE: Final = Path(
    os.environ.get("PIORCH_RELIABILITY_RESULTS", ROOT / ".reliability" / "results.json")
)

_SUITES: Final = ("tests/reliability/", "tests/fuzz/", "tests/secrets/")


def examples(default: int, long: int) -> int:
    """Hypothesis `max_examples` for the current profile (`PIORCH_FUZZ_EXAMPLES` overrides)."""
    if override := os.environ.get("PIORCH_FUZZ_EXAMPLES"):
        return int(override)
    return long if LONG else default


@dataclass(slots=True)
class ScenarioRecord:
    """One fault scenario: what was broken, what was measured, what was compared."""

    name: str
    title: str
    nodeid: str
    boards: int = 0
    faults: list[dict[str, Any]] = field(default_factory=list)
    reconnects: list[dict[str, Any]] = field(default_factory=list)
    """Each: `stream`, `seconds` from the end of the fault to the stream delivering again."""
    backoff_windows: list[dict[str, Any]] = field(default_factory=list)
    """Each: `what`, `window_s`, `requests` sent inside the window, `limit`."""
    states_compared: int = 0
    final_states_checked: int = 0
    mismatches: list[str] = field(default_factory=list)
    """What still differed from the Pi's truth when the checker gave up (must be empty)."""
    converged_after_s: float | None = None
    silence: dict[str, Any] | None = None
    """For a stream that stayed connected but went silent: how soon it was noticed and
    made up for, and what was said about it (see `silent_stream`)."""
    hostile: dict[str, Any] | None = None
    """For input a hostile peer sent (see `hostile_peer`): what, what the user saw, how soon
    the next ordinary change showed."""
    notes: dict[str, Any] = field(default_factory=dict)

    def fault(self, kind: str, **details: Any) -> None:
        """Note one injected fault (long frames shortened to their start and size)."""
        shown = {
            key: "<redacted>"
            if "key" in key or "password" in key
            else f"{value[:60]!r}... ({len(value)} chars)"
            if isinstance(value, str) and len(value) > 80
            else value
            for key, value in details.items()
        }
        self.faults.append({"kind": kind, **shown})

    def reconnect(self, stream: str, seconds: float) -> None:
        """Note how long a stream took to come back."""
        self.reconnects.append({"stream": stream, "seconds": round(seconds, 3)})

    def silent_stream(
        self,
        *,
        stream: str,
        check_every_s: float,
        bound_s: float,
        detected_after_s: float,
        longest_stale_s: float,
        caught_by: dict[str, int],
        warnings: int,
        infos: int,
        duplicate_events: int | None,
        requests_per_check: float | None,
    ) -> None:
        """Note how a connected-but-silent stream was caught.

        `check_every_s` is the reconciliation interval (SSE) or the watchdog's
        period (WebSocket); `detected_after_s` how long after the stream went
        silent (or, for an id jump, after the jump) a check found the difference;
        `longest_stale_s` the longest Home Assistant showed a value the Pi had
        already left (a board's state; for the WebSocket, the health figures);
        `bound_s` what the scenario requires of it.
        """
        self.silence = {
            "stream": stream,
            "check_every_s": round(check_every_s, 3),
            "bound_s": round(bound_s, 3),
            "detected_after_s": round(detected_after_s, 3),
            "longest_stale_s": round(longest_stale_s, 3),
            "caught_by": dict(sorted(caught_by.items())),
            "warnings": warnings,
            "infos": infos,
            "duplicate_events": duplicate_events,
            "requests_per_check": requests_per_check,
        }

    def hostile_peer(
        self, *, sent: str, user_sees: str, next_change: str, next_change_s: float, bound_s: float
    ) -> None:
        """Note what a hostile peer sent and how soon the next ordinary change showed.

        `next_change_s` runs from the end of the hostile input to Home Assistant showing
        `next_change`, an ordinary change the Pi made right after it.
        """
        self.hostile = {
            "sent": sent,
            "user_sees": user_sees,
            "next_change": next_change,
            "next_change_s": round(next_change_s, 3),
            "bound_s": bound_s,
        }

    def window(self, what: str, window_s: float, requests: int, limit: int) -> None:
        """Note the requests sent while the integration should have been waiting."""
        self.backoff_windows.append(
            {"what": what, "window_s": round(window_s, 3), "requests": requests, "limit": limit}
        )


@dataclass(slots=True)
class Collector:
    """Everything measured in this pytest session."""

    scenarios: dict[str, ScenarioRecord] = field(default_factory=dict)
    fuzz: dict[str, int] = field(default_factory=dict)
    """Examples run per fuzz target."""
    secrets: dict[str, dict[str, int]] = field(default_factory=dict)
    """Per place searched: `items` inspected and `leaks` found."""
    outcomes: dict[str, dict[str, Any]] = field(default_factory=dict)
    started: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def scenario(self, name: str, title: str, nodeid: str) -> ScenarioRecord:
        """Start (or restart, on a rerun) the record of a scenario."""
        record = ScenarioRecord(name=name, title=title, nodeid=nodeid)
        self.scenarios[nodeid] = record
        return record

    def count_example(self, target: str) -> None:
        """Note one fuzzing example run against `target`."""
        self.fuzz[target] = self.fuzz.get(target, 0) + 1

    def searched(self, place: str, items: int, leaks: int) -> None:
        """Note a search for secrets in one place."""
        entry = self.secrets.setdefault(place, {"items": 0, "leaks": 0})
        entry["items"] += items
        entry["leaks"] += leaks

    def to_json(self) -> dict[str, Any]:
        """The results document."""
        return {
            "profile": PROFILE,
            "started": self.started,
            "finished": datetime.now(UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "scenarios": [asdict(record) for record in self.scenarios.values()],
            "fuzz": dict(sorted(self.fuzz.items())),
            "secrets": dict(sorted(self.secrets.items())),
            "outcomes": dict(sorted(self.outcomes.items())),
        }

    def merge(self, document: dict[str, Any]) -> None:
        """Add what another process (an xdist worker) measured, from its results document."""
        for scenario in document.get("scenarios", []):
            record = ScenarioRecord(**scenario)
            self.scenarios[record.nodeid] = record
        for target, count in document.get("fuzz", {}).items():
            self.fuzz[target] = self.fuzz.get(target, 0) + count
        for place, found in document.get("secrets", {}).items():
            self.searched(place, found["items"], found["leaks"])
        self.outcomes.update(document.get("outcomes", {}))
        self.started = min(self.started, document.get("started", self.started))

    def order(self, nodeids: list[str]) -> None:
        """Put the scenarios in collection order, as one process would have run them."""
        rank = {nodeid: index for index, nodeid in enumerate(nodeids)}
        self.scenarios = dict(
            sorted(self.scenarios.items(), key=lambda item: rank.get(item[0], len(rank)))
        )

    def write(self, path: Path | None = None, extra: dict[str, Any] | None = None) -> None:
        """Write the results file (or `path`), if any of the suites ran."""
        if not self.outcomes:
            return
        path = path or RESULTS_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        document = {**self.to_json(), **(extra or {})}
        path.write_text(json.dumps(document, indent=2, sort_keys=False) + "\n")


COLLECTOR: Final = Collector()


# -- pytest hooks, registered by the root tests/conftest.py -------------------------


def _worker_id(config: pytest.Config) -> str | None:
    """The xdist worker this process is (`gw0`, ...), or None for the controller or a plain run."""
    workerinput: dict[str, Any] | None = getattr(config, "workerinput", None)
    return None if workerinput is None else str(workerinput["workerid"])


def _worker_parts() -> list[Path]:
    return sorted(RESULTS_FILE.parent.glob(f"{RESULTS_FILE.stem}.gw*.json"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Record the outcome of every test of the three suites."""
    report = yield
    if not item.nodeid.startswith(_SUITES):
        return report
    if report.when == "call" or report.outcome != "passed":
        previous = COLLECTOR.outcomes.get(item.nodeid)
        if previous is None or previous["outcome"] == "passed":
            COLLECTOR.outcomes[item.nodeid] = {
                "outcome": report.outcome,
                "seconds": round(report.duration, 2),
                "phase": report.when,
            }
    return report


def pytest_sessionstart(session: pytest.Session) -> None:
    """Drop the parts an earlier, interrupted xdist run left behind (controller only)."""
    if _worker_id(session.config) is None:
        for part in _worker_parts():
            part.unlink()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write the results file; a worker writes its part, the controller merges the parts."""
    if (worker := _worker_id(session.config)) is not None:
        part = RESULTS_FILE.with_name(f"{RESULTS_FILE.stem}.{worker}.json")
        COLLECTOR.write(part, {"order": [item.nodeid for item in session.items]})
        return
    order: list[str] = [item.nodeid for item in session.items]
    for part in _worker_parts():
        document = json.loads(part.read_text())
        COLLECTOR.merge(document)
        order = order or document.get("order", [])
        part.unlink()
    COLLECTOR.order(order)
    COLLECTOR.write()
