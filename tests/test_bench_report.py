"""The fleet section of `docs/performance.md` (issue 17), written from fixed figures.

The figures themselves come from `./scripts/bench`; what a reader relies on here is
that each fleet size gets its table, with issue 17's goals judged at the size they
are stated for and not at the others.
"""

from __future__ import annotations

from typing import Any

from bench.report import write_report


def _size(n: int, *, burst_p99: float, rss_per_pi: float, offline: int) -> dict[str, Any]:
    latency = {"n": 400, "p50": 2.0, "p99": 9.0, "max": 12.0}
    return {
        "pis": n,
        "wall_s": 40.0,
        "cold_start": {"started_s": 3.0, "loaded_s": 2.9, "streams_s": 3.1, "push_s": 5.0},
        "staggered": {
            "events_written": 420,
            "all": latency,
            "new_board": {"n": 20, "p50": 20.0, "p99": 60.0, "max": 70.0},
            "unmatched": 0,
            "provision_all_spread_s": 4.0,
            "boards_verified": 20 * n,
        },
        "burst": {
            "events_written": 420,
            "all": {"n": 400, "p50": 30.0, "p99": burst_p99, "max": burst_p99 + 5},
            "new_board": {"n": 0},
            "unmatched": 0,
            "provision_all_spread_s": 0.002,
            "boards_verified": 20 * n,
        },
        "steady": {
            "window_s": 60.0,
            "cpu_share_of_one_core": 0.01,
            "cpu_seconds_per_pi_hour": 7.2,
            "cpu_seconds_per_pi_hour_net": 5.0,
            "rss_per_pi": rss_per_pi,
            "requests_per_pi_hour": 780.0,
            "requests_per_pi_hour_by_path": {"/api/v1/door/status": 720.0, "/api/v1/x": 60.0},
        },
        "restart": {"started_s": 2.8, "loaded_s": 2.7, "streams_s": 2.9, "push_s": 3.4},
        "offline_start": {
            "offline": offline,
            "online_loaded_s": 2.9,
            "started_s": 12.5,
            "offline_states_at_started": {"setup_retry": offline},
            "offline_retrying_s": 4.0,
        }
        if offline
        else None,
    }


RESULTS: dict[str, Any] = {
    "profile": "full",
    "machine": {"cpu": "Test CPU", "cores": 2, "homeassistant": "2025.4.4"},
    "figures": {
        "fleet": {
            "boards": 20,
            "speed": 1,
            "stagger_s": 0.5,
            "steady_s": 60,
            "baseline": {"started_s": 3.0, "rss": 180e6, "cpu_seconds_per_hour": 7.0},
            "sizes": {
                "10": _size(10, burst_p99=150.0, rss_per_pi=3.0e6, offline=2),
                "50": _size(50, burst_p99=900.0, rss_per_pi=3.5e6, offline=10),
            },
        }
    },
}


def _table(report: str, heading: str) -> list[str]:
    section = report.split(heading, 1)[1].split("\n\n", 2)[1]
    return section.splitlines()


def _row(table: list[str], starts: str) -> str:
    return next(line for line in table if line.startswith(f"| {starts}"))


def test_fleet_section_has_a_table_per_size_with_goals_judged_where_stated() -> None:
    """Ten Pis are judged on the burst, fifty on CPU, RSS and offline start-up."""
    report = write_report(RESULTS)

    assert "## 8. Fleet: many Pis in one Home Assistant" in report
    assert "Test CPU (2 cores)" in report
    ten = _table(report, "### 10 Pis")
    fifty = _table(report, "### 50 Pis")

    burst_ten = _row(ten, "Burst")
    assert "p99 < 100 ms |" in burst_ten
    assert "30.0 / 150 / 155 ms" in burst_ten
    assert burst_ten.endswith("**not met** |")
    # The burst goal is stated for ten Pis: at fifty it is shown, not judged.
    assert _row(fifty, "Burst").endswith("| - |")
    assert "(p99 < 100 ms at 10 Pis)" in _row(fifty, "Burst")

    assert _row(fifty, "RSS per Pi, 1,000 boards").endswith("| 3.5 MB | **met** |")
    assert _row(ten, "RSS per Pi").endswith("| 3.0 MB | - |")
    assert _row(fifty, "Steady state").endswith("| 1.00 % | **met** |")
    # Started 12.5 s after launch with ten Pis offline: over the 10 s goal.
    offline = _row(fifty, "Start-up with 10 of 50 Pis offline")
    assert "2.90 / 12.50 / 4.00 s" in offline
    assert offline.endswith("**not met** |")
    # New boards are judged at every size: 60 ms is over the 50 ms goal.
    assert _row(ten, "… of which new boards").endswith("**not met** |")
    requests = _row(fifty, "REST requests")
    assert "780 (`/api/v1/door/status` 720, `/api/v1/x` 60)" in requests


def test_figures_measured_again_say_which_code_they_measured() -> None:
    """A partial run (`--only fleet`) keeps the full run's machine row and adds its own."""
    report = write_report(
        {
            **RESULTS,
            "machine": {**RESULTS["machine"], "git": "aaaaaaa"},
            "remeasured": {
                "fleet": {
                    "started": "2026-12-07T00:29:25+00:00",
                    "machine": {"git": "bbbbbbb", "load_average_at_start": [0.1, 0.2, 0.4]},
                }
            },
        }
    )

    assert "| Code measured | aaaaaaa |" in report
    assert (
        "| Measured again: fleet | bbbbbbb, run started 2026-12-07T00:29:25+00:00, "
        "load average 0.1, 0.2, 0.4 |"
    ) in report
