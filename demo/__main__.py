"""Command line: `python -m demo` runs the demo, `python -m demo e2e` tests it in a browser.

`python -m demo check-flows` takes a Pi through reauth and reconfigure and reads hass's log.
Each uses the Home Assistant of the venv whose Python runs them: `.venv-newest/bin/python -m
demo` (what `scripts/demo --ha newest` runs) starts 2026.2.3's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

import aiohttp

from .flows_check import check_flows
from .hass_api import DemoError
from .run import Demo, say
from .scenario import FLEET, USERNAME, Settings


def build_parser() -> argparse.ArgumentParser:
    """Describe the two commands."""
    parser = argparse.ArgumentParser(
        prog="python -m demo",
        description=(
            "A real Home Assistant with the PiOrchestrator integration, next to two simulated Pis. "
            "Ports and paths come from DEMO_HA_PORT (8123), DEMO_SIM_PORT (8082; the second Pi one above), "
            "DEMO_HA_HOST (127.0.0.1), DEMO_DIR (.demo), DEMO_SPEED (1; 3 for e2e) and "
            "DEMO_PASSWORD (random)."
        ),
    )
    parser.add_argument(
        "command",
        nargs="?",
        choices=("run", "e2e", "check-flows"),
        default="run",
        help=(
            "run: start and keep running until Ctrl-C (default); e2e: the browser test; "
            "check-flows: start, reauthenticate and reconfigure a Pi through the flow API, "
            "stop, and fail on a deprecation report naming the integration"
        ),
    )
    return parser


async def run(settings: Settings) -> int:
    """Start the demo, print how to reach it, and run until Ctrl-C or SIGTERM."""
    demo = Demo(settings)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    code = 0
    try:
        starting = asyncio.create_task(demo.start())
        interrupted = asyncio.create_task(stopping.wait())
        await asyncio.wait({starting, interrupted}, return_when=asyncio.FIRST_COMPLETED)
        if not starting.done():
            starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await starting
            say("Interrupted while starting.")
            return 130
        interrupted.cancel()
        starting.result()
        _banner(demo)
        exits = [asyncio.create_task(child.process.wait()) for child in demo.children]
        waiter = asyncio.create_task(stopping.wait())
        await asyncio.wait({waiter, *exits}, return_when=asyncio.FIRST_COMPLETED)
        for child in demo.children:
            if not child.alive and not stopping.is_set():
                say(f"{child.name} exited unexpectedly (code {child.process.returncode}):")
                say(child.tail())
                code = 1
        waiter.cancel()
    except (DemoError, aiohttp.ClientError, OSError) as err:
        say(f"The demo could not start: {err or type(err).__name__}")
        say(f"Logs: {settings.directory}/simulator-*.log, {demo.hass_log}")
        code = 1
    finally:
        say("Stopping Home Assistant and the simulator ...")
        await demo.stop()
        say("Stopped.")
    return code


def _banner(demo: Demo) -> None:
    settings = demo.settings
    ready = f"{demo.ready_after:.0f} s" if demo.ready_after is not None else "?"
    say("")
    say(f"PiOrchestrator demo is ready (set up in {ready}).")
    say(f"  Dashboard:  {demo.dashboard_url}")
    # Passwords and keys stay in files only their owner may read: a terminal is seen,
    # scrolled back and pasted.
    say(f"  User:       {USERNAME} (password in {settings.directory / 'credentials'})")
    say(f"  API token:  {settings.token_file} (long-lived, for scripts and REST)")
    for pi in FLEET:
        say(f"  {pi.name}: simulated at {settings.sim_url_of(pi)}, {pi.boards} boards;")
        allowlisted = ", ".join(f"{name} ({mac})" for mac, name in pi.allowlist.items())
        say(f"      allowlisted: {allowlisted}")
        if pi.fail_once:
            say(f"      {pi.allowlist[pi.fail_once]} fails once, then succeeds when retried.")
    say(f"  Secrets:    {settings.directory / 'credentials'} (API key, WiFi, /_sim/ header)")
    say(f"  Logs:       {demo.hass_log}, {settings.directory}/simulator-*.log")
    say("Try, on a Pi's session card: Start (SSID and password are in the credentials file),")
    say("then Provision all, then Retry on the board that failed.")
    say("Press Ctrl-C to stop.")


def main() -> int:
    """Entry point."""
    args = build_parser().parse_args()
    # The browser test runs the simulator three times faster: health every 1.7 s, boards
    # provisioned in seconds.
    settings = Settings.from_environment(default_speed=3.0 if args.command == "e2e" else 1.0)
    try:
        if args.command == "e2e":
            # Imported here: only the browser test needs Playwright.
            from .e2e import run_e2e

            return asyncio.run(run_e2e(settings))
        if args.command == "check-flows":
            return asyncio.run(check_flows(settings))
        return asyncio.run(run(settings))
    except KeyboardInterrupt:
        return 130
    except DemoError as err:
        say(f"FAILED: {err}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
