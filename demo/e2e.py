"""The browser test: the demo's dashboard in headless Chromium, as a technician uses it.

It logs in, checks that the Pi's CPU and temperature are shown and move, starts a
batch and provisions it with the dashboard's buttons, retries the board that
fails from its own Retry button, and sees every allowlisted board verified. Each
step that fails says which and why, with a screenshot; afterwards nothing of the
demo may still run, and Home Assistant must not have installed anything.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import contextlib
from dataclasses import dataclass, field
from pathlib import Path
import re
import shutil
import socket
import time
from typing import Any, Final

import aiohttp
from playwright.async_api import Browser, Error as PlaywrightError, Locator, Page, async_playwright

from .ha_config import BLUEPRINTS
from .hass_api import DemoError
from .run import Demo, say
from .scenario import ALLOWLIST, BOARD_COUNT, FAIL_ONCE, USERNAME, Settings

CHROMIUM_FLAGS: Final = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
STEP_TIMEOUT_MS: Final = 30_000
HEALTH_WATCH_SECONDS: Final = 45.0
BOARD_TIMEOUT_S: Final = 60.0


class BrowserTestError(Exception):
    """A step of the browser test failed."""


@dataclass(slots=True)
class Timings:
    """What the run measured, printed at the end."""

    marks: dict[str, float] = field(default_factory=dict)


def find_chromium() -> str:
    """Debian's chromium; scripts/e2e installs it. Never Playwright's own download."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise BrowserTestError(
            "Chromium is not installed: run scripts/e2e (it installs Debian's chromium) "
            "or 'apt-get install chromium'"
        )
    return path


async def run_e2e(settings: Settings) -> int:
    """Run the whole browser test; 0 when every check passed."""
    started = time.monotonic()
    try:
        chromium = find_chromium()
    except BrowserTestError as err:
        say(f"e2e: FAILED: {err}")
        return 1
    settings.screenshots.mkdir(parents=True, exist_ok=True)
    demo = Demo(settings)
    timings = Timings()
    failure: str | None = None
    try:
        try:
            await demo.start()
        except DemoError as err:
            raise BrowserTestError(f"the demo did not start: {err}") from err
        timings.marks["demo ready"] = time.monotonic() - demo.started_at
        say(f"e2e: demo ready after {timings.marks['demo ready']:.1f} s")
        await _check_blueprints(demo)
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=chromium, headless=True, args=CHROMIUM_FLAGS
            )
            try:
                await _drive(browser, demo, settings, timings)
            finally:
                await browser.close()
    except BrowserTestError as err:
        failure = str(err)
    except (PlaywrightError, DemoError, TimeoutError, aiohttp.ClientError, OSError) as err:
        failure = f"unexpected error: {err!r}"
    finally:
        await demo.stop()
    leftovers = _leftovers(demo, settings)
    if failure is None and leftovers:
        failure = leftovers
    if failure is None:
        failure = _check_log(demo.hass_log)
    for name, seconds in timings.marks.items():
        say(f"e2e: {name}: {seconds:.1f} s")
    say(f"e2e: total {time.monotonic() - started:.1f} s; screenshots in {settings.screenshots}")
    if failure is not None:
        say(f"e2e: FAILED: {failure}")
        say(f"e2e: logs: {demo.hass_log}, {settings.directory / 'simulator.log'}")
        return 1
    say("e2e: passed")
    return 0


async def _drive(browser: Browser, demo: Demo, settings: Settings, timings: Timings) -> None:
    context = await browser.new_context(
        viewport={"width": 1400, "height": 1000}, locale="en-US", timezone_id="UTC"
    )
    page = await context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    step = "log in"
    try:
        await page.goto(demo.dashboard_url)
        await page.fill("input[name=username]", USERNAME)
        await page.fill("input[name=password]", settings.password)
        await page.get_by_role("button", name="Log in").click()
        await page.wait_for_url(f"{demo.dashboard_url}*")

        step = "see the dashboard"
        cpu = _gauge_value(page, "CPU")
        temperature = _gauge_value(page, "Temperature")
        await _wait_for(lambda: _numbers(cpu, temperature), "CPU and temperature show values")
        timings.marks["first dashboard render (from demo start)"] = (
            time.monotonic() - demo.started_at
        )
        await _shot(page, settings, "01-dashboard")
        await _no_card_errors(page)

        step = "see the Pi's CPU and temperature change"
        await _watch_health(cpu, temperature)

        step = "start a batch with the dashboard's button"
        await _button(page, "Start batch").click()
        rows = _board_rows(page)
        await _wait_for(
            lambda: _count(rows, BOARD_COUNT), f"{BOARD_COUNT} boards listed", BOARD_TIMEOUT_S
        )
        await _shot(page, settings, "02-boards-discovered")

        step = "provision the allowlisted boards with the dashboard's button"
        await _button(page, "Provision all").click()
        flaky = ALLOWLIST[FAIL_ONCE]
        steady = [name for mac, name in ALLOWLIST.items() if mac != FAIL_ONCE]
        await _wait_for(
            lambda: _states(rows, {**dict.fromkeys(steady, "Verified"), flaky: "Failed"}),
            f"{', '.join(steady)} verified and {flaky} failed",
            BOARD_TIMEOUT_S,
        )
        await _shot(page, settings, "03-one-failed")

        step = f"retry {flaky} with its own Retry button"
        # The demo added the boards' rows to the Board controls card: reload to see them.
        await page.set_viewport_size({"width": 1400, "height": 1450})
        retry = await _retry_button(page, flaky)
        await retry.wait_for()
        await page.wait_for_timeout(1_000)  # let the icons of the board list load
        await _shot(page, settings, "04-retry-offered")
        await retry.click()
        rows = _board_rows(page)
        await _wait_for(
            lambda: _states(rows, dict.fromkeys(ALLOWLIST.values(), "Verified")),
            "every allowlisted board verified",
            BOARD_TIMEOUT_S,
        )
        await _check_verified_count(demo)
        await _shot(page, settings, "05-all-verified")
    except (PlaywrightError, TimeoutError) as err:
        await _shot(page, settings, "failure")
        raise BrowserTestError(f"step '{step}': {err}") from err
    except BrowserTestError as err:
        await _shot(page, settings, "failure")
        raise BrowserTestError(f"step '{step}': {err}") from err
    finally:
        await context.close()


async def _check_blueprints(demo: Demo) -> None:
    """Home Assistant lists the three blueprints, each valid, and one is in use."""
    listed: dict[str, Any] = await demo.ws("blueprint/list", domain="automation")
    ours = {path: item for path, item in listed.items() if path.startswith("piorchestrator/")}
    expected = {f"piorchestrator/{path.name}" for path in BLUEPRINTS.glob("*.yaml")}
    if set(ours) != expected:
        raise BrowserTestError(
            f"Home Assistant lists blueprints {sorted(ours)}, not {sorted(expected)}"
        )
    broken = {path: item["error"] for path, item in ours.items() if "error" in item}
    if broken:
        raise BrowserTestError(f"blueprints failed to load: {broken}")
    automation = await demo.api.request(
        "GET", "/api/states/automation.start_a_batch_when_the_cabinet_opens"
    )
    if automation["state"] != "on":
        raise BrowserTestError(f"the automation made from a blueprint is {automation['state']}")


async def _no_card_errors(page: Page) -> None:
    """No card failed to render, and no card names a missing entity."""
    problems = page.locator("hui-error-card, hui-warning, hui-warning-element")
    count = await problems.count()
    if count:
        texts = [await _text(problems.nth(index)) for index in range(count)]
        raise BrowserTestError(f"the dashboard shows {count} card error(s): {texts}")


async def _check_verified_count(demo: Demo) -> None:
    """Home Assistant's own count agrees with the page."""
    verified = await demo.api.request("GET", "/api/states/sensor.cabinet_pi_boards_verified")
    if verified["state"] != str(len(ALLOWLIST)):
        raise BrowserTestError(f"Home Assistant counts {verified['state']} verified boards")


def _gauge_value(page: Page, name: str) -> Locator:
    return page.locator("hui-gauge-card").filter(has_text=name).locator("ha-gauge .value-text")


def _button(page: Page, name: str) -> Locator:
    return page.locator("hui-button-card").filter(has_text=name)


async def _retry_button(page: Page, board: str) -> Locator:
    """The Retry button in the row after `board`'s state, in the Board controls card.

    The demo rewrites that card a moment after boards appear; the page shows the
    new card once reloaded, so this reloads until the board's row is there.
    """
    for _attempt in range(5):
        await page.reload()
        card = page.locator("hui-entities-card").filter(has_text="Board controls")
        rows = card.locator("hui-sensor-entity-row, hui-button-entity-row")
        with contextlib.suppress(PlaywrightError):
            await rows.first.wait_for(timeout=10_000)
        for index in range(await rows.count() - 1):
            if await rows.nth(index).filter(has_text=board).count():
                return rows.nth(index + 1).get_by_role("button")
        await asyncio.sleep(2)
    raise BrowserTestError(f"no Retry row for {board} in the Board controls card")


def _board_rows(page: Page) -> Locator:
    return page.locator("hui-markdown-card tbody tr")


async def _text(locator: Locator) -> str:
    return " ".join((await locator.text_content(timeout=2_000) or "").split())


async def _numbers(*locators: Locator) -> bool:
    for locator in locators:
        if not re.search(r"\d", await _text(locator)):
            return False
    return True


async def _watch_health(cpu: Locator, temperature: Locator) -> None:
    """Both figures must show at least two different values within the watch window."""
    seen: dict[str, set[str]] = {"CPU": set(), "temperature": set()}
    deadline = time.monotonic() + HEALTH_WATCH_SECONDS
    while time.monotonic() < deadline:
        seen["CPU"].add(await _text(cpu))
        seen["temperature"].add(await _text(temperature))
        if all(len(values) >= 2 for values in seen.values()):
            say(f"e2e: CPU went {sorted(seen['CPU'])}, temperature {sorted(seen['temperature'])}")
            return
        await asyncio.sleep(1)
    raise BrowserTestError(f"the figures did not change in {HEALTH_WATCH_SECONDS:.0f} s: {seen}")


async def _count(rows: Locator, expected: int) -> bool:
    return await rows.count() == expected


async def _states(rows: Locator, expected: dict[str, str]) -> bool:
    """Whether each named board's row shows the expected state."""
    for name, state in expected.items():
        row = rows.filter(has_text=name)
        if await row.count() != 1:
            return False
        cells = row.locator("td")
        if await cells.count() < 3 or not (await _text(cells.nth(2))).startswith(state):
            return False
    return True


async def _wait_for(
    check: Callable[[], Awaitable[bool]], what: str, within: float = STEP_TIMEOUT_MS / 1000
) -> None:
    """Poll an async predicate until it holds, or fail saying what was awaited."""
    deadline = time.monotonic() + within
    while True:
        with contextlib.suppress(PlaywrightError):
            if await check():
                return
        if time.monotonic() > deadline:
            raise BrowserTestError(f"not seen within {within:.0f} s: {what}")
        await asyncio.sleep(0.5)


async def _shot(page: Page, settings: Settings, name: str) -> None:
    with contextlib.suppress(PlaywrightError):
        await page.screenshot(path=settings.screenshots / f"{name}.png")


def _leftovers(demo: Demo, settings: Settings) -> str | None:
    """Nothing the demo started may still run or listen."""
    running = [child.name for child in demo.children if child.alive]
    if running:
        return f"still running after the test: {', '.join(running)}"
    for port in (settings.ha_port, settings.sim_port):
        with socket.socket() as probe:
            probe.settimeout(1)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return f"something still listens on port {port} after the test"
    return None


def _check_log(log: Path) -> str | None:
    """Home Assistant installed nothing, and the integration logged no error."""
    try:
        text = log.read_text(errors="replace")
    except OSError as err:
        return f"cannot read Home Assistant's log: {err}"
    installs = [line for line in text.splitlines() if "Attempting install" in line]
    if installs:
        return "Home Assistant installed packages at run time:\n" + "\n".join(installs)
    errors = [
        line
        for line in text.splitlines()
        if " ERROR " in line and "custom_components.piorchestrator" in line
    ]
    if errors:
        return "the integration logged errors:\n" + "\n".join(errors[:10])
    return None
