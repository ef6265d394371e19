"""The browser test: the demo's dashboard in headless Chromium, as a technician uses it.

It logs in, sees both Pis on the fleet card with figures that move, starts a
batch from a session card's dialog (typing the network and its password), sees
the boards appear, provisions them, retries the board that fails from its own
tile, adds and removes an allowlist entry, opens the other Pi from the fleet
card, and then, signed in as a user who is not an administrator, sees no
allowlist. The WiFi password and the API key must appear nowhere the browser
keeps or shows: its storage, the URLs it requested, its console. Each step that
fails says which and why, with a screenshot; afterwards nothing of the demo may
still run, and Home Assistant must not have installed anything.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import contextlib
from dataclasses import dataclass, field
import json
from pathlib import Path
import re
import shutil
import socket
import time
from typing import Any, Final

import aiohttp
from playwright.async_api import Browser, Error as PlaywrightError, Locator, Page, async_playwright

from .flows import installs
from .ha_config import BLUEPRINTS
from .hass_api import DemoError
from .run import Demo, say
from .scenario import (
    ALLOWLIST,
    API_KEY,
    BOARD_COUNT,
    FAIL_ONCE,
    FLEET,
    PI_NAME,
    TARGET_PASSWORD,
    TARGET_SSID,
    USERNAME,
    VIEWER_NAME,
    VIEWER_USERNAME,
    Settings,
)

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
DOCS_IMAGES: Final = Path(__file__).resolve().parent.parent / "docs" / "images"
"""The README's screenshots: the e2e run that passes refreshes them."""
WIDE: Final = 1400
NARROW: Final = 360
NEW_ENTRY_MAC: Final = "24:0A:C4:D0:0E:2E"
SESSION_CARD: Final = "piorchestrator-session-card"
FLEET_CARD: Final = "piorchestrator-fleet-card"


class BrowserTestError(Exception):
    """A step of the browser test failed."""


@dataclass(slots=True)
class Timings:
    """What the run measured, printed at the end."""

    marks: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class Witness:
    """What the page let out: the URLs it requested, its console, the frames it received."""

    urls: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    frames: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        """Record from now on."""
        page.on("request", lambda request: self.urls.append(request.url))
        page.on("console", lambda message: self.console.append(message.text))
        page.on("pageerror", lambda error: self.console.append(str(error)))
        page.on(
            "requestfailed",
            lambda request: self.console.append(
                f"request failed: {request.url.split('?')[0]} ({request.failure})"
            ),
        )
        page.on(
            "websocket",
            lambda ws: ws.on(
                "framereceived",
                lambda frame: self.frames.append(frame if isinstance(frame, str) else ""),
            ),
        )


def _last_words(witness: Witness) -> str:
    """The page's last console lines, for a failure message; secrets masked all the same."""
    lines = witness.console[-8:]
    if not lines:
        return ""
    shown = "\n  ".join(_mask(line)[:300] for line in lines)
    return f"\nthe page's last console lines:\n  {shown}"


def _mask(text: str) -> str:
    for secret in (TARGET_PASSWORD, API_KEY):
        text = text.replace(secret, "***")
    return text


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
        say(f"e2e: logs: {demo.hass_log}, {settings.directory}/simulator-*.log")
        return 1
    say("e2e: passed")
    return 0


async def _drive(browser: Browser, demo: Demo, settings: Settings, timings: Timings) -> None:
    context = await browser.new_context(
        viewport={"width": WIDE, "height": 1000}, locale="en-US", timezone_id="UTC"
    )
    page = await context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    witness = Witness()
    witness.attach(page)
    step = "log in"
    try:
        await _log_in(page, demo, USERNAME, settings.password)
        logged_in = time.monotonic()

        step = "see the fleet card and a session card per Pi"
        fleet_rows = page.locator(f"{FLEET_CARD} ul.rows > li[data-entry]")
        await _wait_for(lambda: _count(fleet_rows, len(FLEET)), f"{len(FLEET)} Pis on the fleet")
        for pi in FLEET:
            await _session_card(page, pi.name).locator("header h2").wait_for()
        timings.marks["cards shown (from log-in)"] = time.monotonic() - logged_in
        await _no_card_errors(page)

        step = "see the Pi's CPU and temperature change on the fleet card"
        health = fleet_rows.filter(has_text=PI_NAME).locator(".cell.health")
        await _wait_for(lambda: _numbers(health), "the fleet card shows the Pi's figures")
        await _watch_health(health)
        await _shot(page, settings, "01-cards")

        step = "start a batch from the session card's dialog"
        card = _session_card(page, PI_NAME)
        await card.locator("button[data-action=start]").click()
        dialog = card.locator("dialog.start")
        await dialog.wait_for()
        await dialog.locator("#ssid").fill(TARGET_SSID)
        await dialog.locator("#password").fill(TARGET_PASSWORD)
        await _shot(page, settings, "02-start-dialog")
        started = time.monotonic()
        await dialog.locator("button.submit").click()
        await dialog.wait_for(state="hidden")

        step = "see the boards appear live"
        tiles = card.locator("piorchestrator-board-tile")
        await _wait_for(lambda: _at_least(tiles, 1), "a first board", BOARD_TIMEOUT_S, poll=0.1)
        timings.marks["first board shown (from Start)"] = time.monotonic() - started
        await _wait_for(
            lambda: _count(tiles, BOARD_COUNT), f"{BOARD_COUNT} boards", BOARD_TIMEOUT_S, poll=0.1
        )
        timings.marks[f"{BOARD_COUNT} boards shown (from Start)"] = time.monotonic() - started
        await _shot(page, settings, "03-boards-discovered")

        step = "find no secret in the browser after the start dialog"
        await _check_no_secrets(page, witness)
        await _check_password_cleared(dialog)

        step = "provision the allowlisted boards with Provision all"
        await card.locator("button[data-action=provision_all]").click()
        flaky = ALLOWLIST[FAIL_ONCE]
        steady = [name for mac, name in ALLOWLIST.items() if mac != FAIL_ONCE]
        provisioning = time.monotonic()
        await _wait_for(
            lambda: _states(card, {**dict.fromkeys(steady, "Verified"), flaky: "Failed"}),
            f"{', '.join(steady)} verified and {flaky} failed",
            BOARD_TIMEOUT_S,
        )
        timings.marks["Provision all to verified and failed"] = time.monotonic() - provisioning
        failed_row = fleet_rows.filter(has_text=PI_NAME).locator(".cell.failed")
        await _wait_for(
            lambda: _has_text(failed_row, flaky), f"the fleet card names {flaky} as failed"
        )
        await _shot(page, settings, "04-one-failed")
        # The README's screenshots: the moment that shows the most (a failed board first,
        # with its error and an enabled Retry; the fleet card naming it).
        await _docs_shots(page, settings)

        step = f"retry {flaky} from its own tile"
        retrying = time.monotonic()
        await _tile(card, flaky).locator("button[data-action=retry]").click()
        await _wait_for(
            lambda: _states(card, dict.fromkeys(ALLOWLIST.values(), "Verified")),
            "every allowlisted board verified",
            BOARD_TIMEOUT_S,
        )
        timings.marks["Retry to verified"] = time.monotonic() - retrying
        await _check_verified_count(demo)

        step = "add an allowlist entry as an administrator"
        allowlist = card.locator("section.allowlist")
        await allowlist.locator("#al-mac").fill("not a mac")
        await allowlist.locator("form.add button[type=submit]").click()
        await _wait_for(
            lambda: _has_text(allowlist.locator("#al-mac-error"), "not a MAC address"),
            "the card refuses a malformed MAC",
        )
        await allowlist.locator("#al-mac").fill(NEW_ENTRY_MAC.lower())
        await allowlist.locator("#al-description").fill("Spare camera")
        await allowlist.locator("form.add button[type=submit]").click()
        entry = allowlist.locator(f'li.entry[data-mac="{NEW_ENTRY_MAC}"]')
        await _wait_for(lambda: _has_text(entry, "Spare camera"), f"{NEW_ENTRY_MAC} listed")

        step = "remove the allowlist entry"
        page.on("dialog", lambda prompt: asyncio.ensure_future(prompt.accept()))
        await entry.locator("button[data-action=remove]").click()
        await _wait_for(lambda: _count(entry, 0), f"{NEW_ENTRY_MAC} gone from the allowlist")
        await _check_no_secrets(page, witness)

        step = "open the other Pi from the fleet card"
        other = FLEET[1].name
        await fleet_rows.filter(has_text=other).locator("button.row").click()
        opened = page.locator(f"{FLEET_CARD} dialog.session-dialog")
        await opened.locator(f"{SESSION_CARD} header h2").filter(has_text=other).wait_for()
        await _shot(page, settings, "06-fleet-opens-a-pi")
        await opened.locator("button.close").click()
        await opened.wait_for(state="hidden")
        await _no_card_errors(page)
        await _check_no_secrets(page, witness)
    except (PlaywrightError, TimeoutError, BrowserTestError) as err:
        await _shot(page, settings, "failure")
        raise BrowserTestError(f"step '{step}': {err}{_last_words(witness)}") from err
    finally:
        await context.close()
    await _as_viewer(browser, demo, settings, timings)


async def _as_viewer(browser: Browser, demo: Demo, settings: Settings, timings: Timings) -> None:
    """A user who is not an administrator sees the boards but no allowlist, nor receives it."""
    password = f"viewer-{settings.password}"
    user = await demo.ws("config/auth/create", name=VIEWER_NAME, group_ids=["system-users"])
    await demo.ws(
        "config/auth_provider/homeassistant/create",
        user_id=user["user"]["id"],
        username=VIEWER_USERNAME,
        password=password,
    )
    context = await browser.new_context(
        viewport={"width": WIDE, "height": 1000}, locale="en-US", timezone_id="UTC"
    )
    page = await context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    witness = Witness()
    witness.attach(page)
    step = "log in as a user who is not an administrator"
    try:
        started = time.monotonic()
        await _log_in(page, demo, VIEWER_USERNAME, password)
        step = "see the boards but no allowlist as a non-administrator"
        card = _session_card(page, PI_NAME)
        await _wait_for(
            lambda: _count(card.locator("piorchestrator-board-tile"), BOARD_COUNT),
            f"{BOARD_COUNT} boards for the viewer",
        )
        for pi in FLEET:
            await _session_card(page, pi.name).locator("header h2").wait_for()
        await _check_no_allowlist(page, witness)
        timings.marks["non-admin check"] = time.monotonic() - started
        await _shot(page, settings, "07-viewer-no-allowlist")
        await _check_no_secrets(page, witness)
    except (PlaywrightError, TimeoutError) as err:
        await _shot(page, settings, "failure-viewer")
        raise BrowserTestError(f"step '{step}': {err}") from err
    except BrowserTestError as err:
        await _shot(page, settings, "failure-viewer")
        raise BrowserTestError(f"step '{step}': {err}") from err
    finally:
        await context.close()


async def _check_no_allowlist(page: Page, witness: Witness) -> None:
    if await page.locator(f"{SESSION_CARD} section.allowlist").count():
        raise BrowserTestError("a non-administrator is shown the allowlist")
    received = [frame for frame in witness.frames if _carries_allowlist(frame)]
    if received:
        raise BrowserTestError(
            f"a non-administrator received allowlist entries: {received[0][:300]}"
        )
    if not any('"snapshot"' in frame for frame in witness.frames):
        raise BrowserTestError("the viewer's page received no snapshot at all")


async def _log_in(page: Page, demo: Demo, username: str, password: str) -> None:
    await page.goto(demo.dashboard_url)
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", password)
    await page.get_by_role("button", name="Log in").click()
    await page.wait_for_url(f"{demo.dashboard_url}*")
    if not await _cards_defined(page):
        # Seen on the first run in a fresh clone (1 in 6 runs here): the log-in
        # navigation aborted the page's import of the bundle and the page that
        # followed never defined the cards. A person reloads; so does this test,
        # once, and says so, so that it stays visible.
        say("e2e: note: the cards were not defined after logging in; reloading the page once")
        await page.reload()
        if not await _cards_defined(page):
            raise BrowserTestError("the cards' module did not load, even after a reload")


async def _cards_defined(page: Page, timeout_s: float = 15) -> bool:
    """Whether both card elements get defined within `timeout_s` of the page loading.

    Polled with plain evaluations: the frontend may still navigate (the log-in
    callback), which ends any single wait in the page.
    """
    script = f"!!(customElements.get('{FLEET_CARD}') && customElements.get('{SESSION_CARD}'))"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(PlaywrightError):
            if await page.evaluate(script):
                return True
        await asyncio.sleep(0.25)
    return False


def _session_card(page: Page, pi_name: str) -> Locator:
    """The dashboard's session card of one Pi (the fleet card's dialog holds one only open)."""
    return page.locator(SESSION_CARD).filter(has=page.locator("header h2", has_text=pi_name))


def _tile(card: Locator, board: str) -> Locator:
    return card.locator(f'piorchestrator-board-tile article[aria-label="{board}"]')


def _carries_allowlist(frame: str) -> bool:
    """Whether a WebSocket message from Home Assistant holds allowlist entries."""
    if '"allowlist"' not in frame:
        return False
    try:
        message = json.loads(frame)
    except ValueError:
        return True

    def walk(value: Any) -> bool:
        if isinstance(value, dict):
            return "allowlist" in value or any(walk(item) for item in value.values())
        if isinstance(value, list):
            return any(walk(item) for item in value)
        return False

    return walk(message)


async def _check_no_secrets(page: Page, witness: Witness) -> None:
    """The WiFi password and the API key are in no storage, URL or console message."""
    storage: dict[str, str] = await page.evaluate(
        """() => {
            const dump = (store) => {
                const out = {};
                for (let i = 0; i < store.length; i++) {
                    const key = store.key(i);
                    out[key] = store.getItem(key);
                }
                return JSON.stringify(out);
            };
            return {localStorage: dump(localStorage), sessionStorage: dump(sessionStorage)};
        }"""
    )
    places = {
        **storage,
        "a requested URL": "\n".join(witness.urls),
        "the console": "\n".join(witness.console),
        "the page's URL": page.url,
    }
    for secret, what in ((TARGET_PASSWORD, "the WiFi password"), (API_KEY, "the API key")):
        for place, text in places.items():
            if secret in text:
                raise BrowserTestError(f"{what} is in {place}")
    if not witness.urls:
        raise BrowserTestError("no request was recorded: the secrets check would prove nothing")


async def _check_password_cleared(dialog: Locator) -> None:
    """The closed start dialog keeps no copy of the password in its field."""
    if await dialog.locator("#password").input_value():
        raise BrowserTestError("the closed start dialog still holds the WiFi password")


async def _docs_shots(page: Page, settings: Settings) -> None:
    """The dashboard at a desktop's and a phone's width, for the README.

    Home Assistant scrolls its view inside its own layout, so a "full page"
    screenshot would misplace the toolbar: a tall window is used instead.
    """
    DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
    for width, height in ((WIDE, 1500), (NARROW, 1600)):
        await page.set_viewport_size({"width": width, "height": height})
        await page.mouse.move(width / 2, height / 2)
        await page.mouse.wheel(0, -50_000)
        await page.evaluate("window.scrollTo(0, 0)")
        await page.wait_for_timeout(1_000)  # let the layout and the icons settle
        name = f"cards-{width}.png"
        await page.screenshot(path=DOCS_IMAGES / name)
        shutil.copy(DOCS_IMAGES / name, settings.screenshots / f"05-{name}")
    await page.set_viewport_size({"width": WIDE, "height": 1000})


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


async def _text(locator: Locator) -> str:
    return " ".join((await locator.text_content(timeout=2_000) or "").split())


async def _numbers(*locators: Locator) -> bool:
    for locator in locators:
        if not re.search(r"\d", await _text(locator)):
            return False
    return True


async def _watch_health(health: Locator) -> None:
    """The Pi's figures must show at least three different texts within the watch window."""
    seen: set[str] = set()
    deadline = time.monotonic() + HEALTH_WATCH_SECONDS
    while time.monotonic() < deadline:
        seen.add(await _text(health))
        if len(seen) >= 3:
            say(f"e2e: the fleet card's health went {sorted(seen)}")
            return
        await asyncio.sleep(1)
    raise BrowserTestError(f"the figures did not change in {HEALTH_WATCH_SECONDS:.0f} s: {seen}")


async def _count(locator: Locator, expected: int) -> bool:
    return await locator.count() == expected


async def _at_least(locator: Locator, expected: int) -> bool:
    return await locator.count() >= expected


async def _has_text(locator: Locator, text: str) -> bool:
    return await locator.count() > 0 and text in await _text(locator.first)


async def _states(card: Locator, expected: dict[str, str]) -> bool:
    """Whether each named board's tile shows the expected state."""
    for name, state in expected.items():
        tile = _tile(card, name)
        if await tile.count() != 1 or await _text(tile.locator(".state")) != state:
            return False
    return True


async def _wait_for(
    check: Callable[[], Awaitable[bool]],
    what: str,
    within: float = STEP_TIMEOUT_MS / 1000,
    *,
    poll: float = 0.5,
) -> None:
    """Poll an async predicate until it holds, or fail saying what was awaited."""
    deadline = time.monotonic() + within
    while True:
        with contextlib.suppress(PlaywrightError):
            if await check():
                return
        if time.monotonic() > deadline:
            raise BrowserTestError(f"not seen within {within:.0f} s: {what}")
        await asyncio.sleep(poll)


async def _shot(page: Page, settings: Settings, name: str) -> None:
    with contextlib.suppress(PlaywrightError):
        await page.screenshot(path=settings.screenshots / f"{name}.png")


def _leftovers(demo: Demo, settings: Settings) -> str | None:
    """Nothing the demo started may still run or listen."""
    running = [child.name for child in demo.children if child.alive]
    if running:
        return f"still running after the test: {', '.join(running)}"
    for port in (settings.ha_port, *(settings.sim_port_of(pi) for pi in FLEET)):
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
    if installed := installs(text):
        return "Home Assistant installed packages at run time:\n" + "\n".join(installed)
    errors = [
        line
        for line in text.splitlines()
        if " ERROR " in line and "custom_components.piorchestrator" in line
    ]
    if errors:
        return "the integration logged errors:\n" + "\n".join(errors[:10])
    return None
