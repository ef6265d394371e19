"""The reliability report sees one run when pytest-xdist splits the suites over workers.

Each worker has its own collector; the controller never runs a test. If the merge lost
a worker's part, the report would count fewer tests, examples or searches, and could
call a run clear that had a failure on the other worker.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from tests.reliability import results
from tests.reliability.results import Collector


def _session(nodeids: list[str], worker: str | None) -> pytest.Session:
    config = (
        SimpleNamespace() if worker is None else SimpleNamespace(workerinput={"workerid": worker})
    )
    items = [SimpleNamespace(nodeid=nodeid) for nodeid in nodeids]
    return cast(pytest.Session, SimpleNamespace(config=config, items=items))


def _worker(monkeypatch: pytest.MonkeyPatch, name: str, nodeids: list[str], fill: Any) -> None:
    collector = Collector()
    fill(collector)
    monkeypatch.setattr(results, "COLLECTOR", collector)
    results.pytest_sessionfinish(_session(nodeids, name), 0)


def test_workers_parts_merge_into_one_report(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    results_file = tmp_path / "results.json"
    monkeypatch.setattr(results, "RESULTS_FILE", results_file)
    collected = [
        "tests/reliability/a.py::first",
        "tests/fuzz/b.py::second",
        "tests/reliability/a.py::third",
    ]
    (tmp_path / "results.gw7.json").write_text("{}")  # left by an interrupted run

    controller = Collector()
    monkeypatch.setattr(results, "COLLECTOR", controller)
    results.pytest_sessionstart(_session([], None))
    assert not (tmp_path / "results.gw7.json").exists()

    def gw0(collector: Collector) -> None:
        collector.scenario("late", "runs third", collected[2]).states_compared = 3
        collector.count_example("sse parser")
        collector.searched("logs", items=10, leaks=0)
        collector.outcomes[collected[2]] = {"outcome": "failed", "seconds": 1.0, "phase": "call"}

    def gw1(collector: Collector) -> None:
        collector.scenario("early", "runs first", collected[0]).states_compared = 2
        collector.count_example("sse parser")
        collector.count_example("sse parser")
        collector.searched("logs", items=5, leaks=1)
        collector.outcomes[collected[0]] = {"outcome": "passed", "seconds": 1.0, "phase": "call"}
        collector.outcomes[collected[1]] = {"outcome": "passed", "seconds": 1.0, "phase": "call"}

    _worker(monkeypatch, "gw0", collected, gw0)
    _worker(monkeypatch, "gw1", collected, gw1)
    assert not results_file.exists()  # only the controller writes the report's input

    monkeypatch.setattr(results, "COLLECTOR", controller)
    results.pytest_sessionfinish(_session([], None), 1)

    merged = json.loads(results_file.read_text())
    assert set(merged["outcomes"]) == set(collected)
    assert merged["outcomes"][collected[2]]["outcome"] == "failed"
    assert merged["fuzz"] == {"sse parser": 3}
    assert merged["secrets"] == {"logs": {"items": 15, "leaks": 1}}
    assert [scenario["name"] for scenario in merged["scenarios"]] == ["early", "late"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["results.json"]
