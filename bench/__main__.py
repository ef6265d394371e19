"""`python -m bench`: run the measurements, write the results and the report.

    python -m bench                 # the full profile (about 8 minutes here)
    python -m bench --smoke         # a short profile for CI (under a minute)
    python -m bench --only latency,burst
    python -m bench --only cards    # the cards in Chromium (needs Debian's chromium)
    python -m bench --profile       # also profile the burst (pyinstrument) and the fleet (py-spy)
    python -m bench --report-only   # rewrite docs/performance.md from .bench/results.json

The full profile writes `.bench/results.json` and `docs/performance.md`; the smoke
profile writes `.bench/results-smoke.json` and `.bench/performance-smoke.md`, so a
CI run never replaces the published figures.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime
import json
import logging
from pathlib import Path
import sys
import time
from typing import Any

from . import sampling
from .harness import ROOT, machine
from .profiles import FULL, SMOKE, Profile
from .report import splice_cards, write_report
from .scenarios import SCENARIOS, burst

LOGGER = logging.getLogger("bench")


def _say(message: str) -> None:
    sys.stderr.write(f"bench: {message}\n")
    sys.stderr.flush()


async def _run(
    profile: Profile, only: list[str], work: Path, *, profile_burst: bool
) -> dict[str, Any]:
    results: dict[str, Any] = {
        "profile": profile.name,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "figures": {},
        "durations_s": {},
    }
    for name in only:
        _say(f"{name} ...")
        started = time.perf_counter()
        try:
            if name == "burst" and profile_burst:
                results["figures"][name] = await _profiled_burst(profile, work)
            else:
                results["figures"][name] = await SCENARIOS[name](profile, work)
        except Exception as err:  # one broken figure must not lose the others
            LOGGER.exception("%s failed", name)
            results.setdefault("errors", {})[name] = f"{type(err).__name__}: {err}"
        took = time.perf_counter() - started
        results["durations_s"][name] = round(took, 1)
        _say(f"{name} done in {took:.1f} s")
    return results


async def _profiled_burst(profile: Profile, work: Path) -> dict[str, Any]:
    tools = ROOT / ".bench" / "tools"
    if tools.is_dir():
        sys.path.insert(0, str(tools))
    try:
        from pyinstrument import Profiler  # type: ignore[import-not-found]  # optional
    except ImportError:
        _say("pyinstrument is not installed (see docs/performance.md); burst runs unprofiled")
        return await burst(profile, work)
    profiler = Profiler(interval=0.0005, async_mode="disabled")
    result = await burst(profile, work, profiler=profiler)
    (work / "profile-burst.txt").write_text(
        profiler.output_text(unicode=False, color=False, show_all=False)
    )
    (work / "profile-burst.html").write_text(profiler.output_html())
    _say(f"profile written to {work / 'profile-burst.txt'}")
    return result


def main() -> int:
    """Parse the command line and run."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="the short CI profile")
    parser.add_argument("--only", default="", help="comma-separated: " + ",".join(SCENARIOS))
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile the burst (pyinstrument) and the fleet's hass (py-spy)",
    )
    parser.add_argument("--report-only", action="store_true", help="rewrite the report only")
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)

    profile = SMOKE if arguments.smoke else FULL
    work = ROOT / ".bench"
    work.mkdir(exist_ok=True)
    suffix = "-smoke" if arguments.smoke else ""
    results_path = work / f"results{suffix}.json"
    report_path = (
        work / "performance-smoke.md" if arguments.smoke else ROOT / "docs" / "performance.md"
    )

    if not arguments.report_only:
        only = [name for name in arguments.only.split(",") if name] or [
            name for name in SCENARIOS if name != "e2e" or profile.e2e_runs
        ]
        unknown = [name for name in only if name not in SCENARIOS]
        if unknown:
            parser.error(f"unknown scenario(s): {', '.join(unknown)}")
        if arguments.profile and not sampling.enable(work / "tools"):
            _say("py-spy is not installed (see docs/performance.md); the fleet runs unprofiled")
        started = time.perf_counter()
        results = asyncio.run(_run(profile, only, work, profile_burst=arguments.profile))
        results["total_s"] = round(time.perf_counter() - started, 1)
        if arguments.only and results_path.exists():
            # A partial run updates its figures in the last full results.
            previous = json.loads(results_path.read_text())
            previous["figures"].update(results["figures"])
            previous["durations_s"].update(results["durations_s"])
            # The machine table stays the full run's; the figures measured again say
            # which code they measured, and when.
            previous.setdefault("remeasured", {}).update(
                {
                    name: {"started": results["started"], "machine": results["machine"]}
                    for name in results["figures"]
                }
            )
            previous["total_s"] = round(sum(previous["durations_s"].values()), 1)
            previous["errors"] = {
                name: error
                for name, error in {
                    **previous.get("errors", {}),
                    **results.get("errors", {}),
                }.items()
                if name not in results["figures"]
            }
            results = previous
        results_path.write_text(json.dumps(results, indent=1, default=str))
        _say(f"results written to {results_path} ({results['total_s']} s)")
    results = json.loads(results_path.read_text())
    report_path.parent.mkdir(parents=True, exist_ok=True)
    if set(results["figures"]) == {"cards"} and report_path.exists():
        # The cards alone (no earlier full results): replace their section in the report
        # in place, keeping the other figures it holds.
        report_path.write_text(splice_cards(report_path.read_text(), results["figures"]["cards"]))
    else:
        report_path.write_text(write_report(results))
    _say(f"report written to {report_path}")
    errors = results.get("errors") or {}
    for name, error in errors.items():
        _say(f"FAILED {name}: {error}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
