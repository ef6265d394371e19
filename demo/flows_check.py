"""`python -m demo check-flows`: the demo's hass through a reauth and a reconfigure.

Starts the demo as `python -m demo` does (simulators, hass, onboarding, both Pis added),
then the last Pi changes its key through the simulator's control API: its entry is
reauthenticated, then reconfigured, through the REST flow API as the frontend does, each
reloading it once (demo/flows.py). Stops everything, then reads hass's log: no
deprecation report may name the integration, nothing may have failed to load, and Home
Assistant must have installed nothing at run time (every pin is in the venv).
Prints one verdict line per step; exits 0 when every step passed.
"""

from __future__ import annotations

import time
from typing import Final

import aiohttp
from homeassistant.const import __version__ as ha_version

from .flows import EntryWatcher, LogFindings, reauth, reconfigure
from .hass_api import DemoError
from .run import Demo, say
from .scenario import FLEET, Settings

NEW_API_KEY: Final = "demo-api-key-changed-on-the-pi"
"""The key the Pi changes to: the demo's make-believe, on 127.0.0.1 only."""
STEPS: Final = ("start", "reauth", "reconfigure", "log")


def verdict(step: str, outcome: str | None, detail: str) -> str:
    """One step's line: PASS, FAIL, or SKIP when an earlier step failed (`outcome` None)."""
    word = {None: "SKIP", "": "PASS"}.get(outcome, "FAIL")
    return f"check-flows {step}: {word} - {outcome or detail}"


async def check_flows(settings: Settings) -> int:
    """Run the check; 0 when every step passed."""
    demo = Demo(settings)
    pi = FLEET[-1]
    results: dict[str, tuple[str | None, str]] = {}
    step = "start"
    started = time.monotonic()
    try:
        await demo.start()
        results[step] = ("", f"Home Assistant {ha_version} ready in {demo.ready_after:.0f} s")
        watcher = EntryWatcher(await demo.api.websocket(), demo.entry_ids[pi.name])
        try:
            await watcher.start()
            async with aiohttp.ClientSession() as session:
                step = "reauth"
                sim = (settings.sim_url_of(pi), demo.control_token)
                line = await reauth(demo.api, watcher, session, sim, NEW_API_KEY)
                results[step] = ("", f"{pi.name}: {line}")
            step = "reconfigure"
            line = await reconfigure(demo.api, watcher, settings.sim_port_of(pi), NEW_API_KEY)
            results[step] = ("", f"{pi.name}: {line}")
        finally:
            await watcher.close()
    except (DemoError, aiohttp.ClientError, OSError, TimeoutError) as err:
        results[step] = (f"{type(err).__name__}: {err}", "")
    finally:
        say("Stopping Home Assistant and the simulators ...")
        await demo.stop()
    try:
        # An earlier run's log may lie there: only this run's hass has something to say.
        if demo.hass is None:
            raise FileNotFoundError("Home Assistant was not started")
        findings = LogFindings.read(demo.hass_log.read_text(errors="replace"), installs_fail=True)
    except OSError as err:
        results["log"] = (None, f"no log to read: {err}")
    else:
        for line in findings.details():
            say(f"  {line}")
        problem = f"{findings.summary()} (full log: {demo.hass_log})"
        results["log"] = (problem if findings.failed else "", findings.summary())
    for name in STEPS:
        outcome, detail = results.get(name, (None, "not reached"))
        say(verdict(name, outcome, detail))
    # A skipped step proved nothing: only a PASS of every step passes.
    failed = any(results.get(name, (None, ""))[0] != "" for name in STEPS)
    say(
        f"check-flows: {'FAILED' if failed else 'passed'} in "
        f"{time.monotonic() - started:.0f} s on Home Assistant {ha_version}"
    )
    return 1 if failed else 0
