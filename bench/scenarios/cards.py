"""The cards in a browser: how soon a board's change shows, and what a 500-board session costs.

A real `hass` (the integration, `frontend` and what it pulls in) runs on a
throw-away configuration with two Pis, each a simulator in its own process:

- a latency Pi (50 boards at the Pi's pace in the full profile): a session card
  is put on a page of Home Assistant's frontend in headless Chromium, with a
  `MutationObserver` on every board tile; the simulator timestamps every event
  as it writes it (CLOCK_MONOTONIC, mapped to the wall clock here), the page
  timestamps the moment a tile first shows the board's new state (the wall
  clock, calibrated against `performance.now()`). Latency = DOM - event.
- a 500-board Pi: once Home Assistant knows all its boards, a fresh session card
  is put on the page and timed until all 500 tiles are rendered and painted
  (two animation frames); then single boards are provisioned one at a time and
  the DOM mutations and tile renders each causes are counted, per tile.

Debian's Chromium through Playwright for Python, as `scripts/e2e`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from pathlib import Path
import shutil
import signal
import sys
import time
from typing import Any

import aiohttp

from demo.hass_api import HomeAssistantApi, HomeAssistantSocket

from ..harness import ROOT, SimChild, make_entry
from ..profiles import Profile
from ..stats import distribution, over_runs, summarise
from .common import FAST, fast_config
from .realhass import entry_dicts, free_port, store_entries

USERNAME = "bench"
PASSWORD = "bench-password-not-secret"  # noqa: S105 - a throw-away local user
SESSION_CARD = "piorchestrator-session-card"
ALLOWLISTED = tuple(f"24:0A:C4:B0:00:{index:02X}" for index in range(1, 9))
"""Boards of the 500-board Pi that may be provisioned one at a time."""

PAGE_PROBE = r"""
(() => {
  if (window.__bench) return;
  // Date.now() is whole milliseconds; its largest lead over performance.now() is the
  // offset that maps the page's monotonic clock onto the wall clock within about 0.1 ms.
  let offset = -Infinity;
  const until = performance.now() + 20;
  while (performance.now() < until) offset = Math.max(offset, Date.now() - performance.now());
  const now = () => performance.now() + offset;
  const bench = {
    records: [], arrivals: [], snapshots: [], changes: 0, counting: false,
    byTile: new Map(), cardRoot: 0, renders: new Map(),
    reset() { this.byTile = new Map(); this.cardRoot = 0; this.renders = new Map(); this.changes = 0; },
  };
  window.__bench = bench;
  const Tile = customElements.get("piorchestrator-board-tile");
  const update = Tile.prototype.update;
  Tile.prototype.update = function (changed) {
    if (bench.counting) {
      const mac = this.board?.mac ?? "?";
      bench.renders.set(mac, (bench.renders.get(mac) ?? 0) + 1);
    }
    return update.call(this, changed);
  };
  const hass = document.querySelector("home-assistant").hass;
  const connection = hass.connection;
  const subscribe = connection.subscribeMessage.bind(connection);
  connection.subscribeMessage = (callback, message, options) =>
    subscribe((event) => {
      if (message.type === "piorchestrator/subscribe") {
        const at = now();
        if (event.kind === "snapshot") bench.snapshots.push([message.entry_id, at]);
        else if (bench.counting) bench.changes += 1;
        for (const board of event.boards ?? event.pi?.boards ?? []) {
          bench.arrivals.push([at, board.mac, board.state]);
        }
      }
      return callback(event);
    }, message, options);
  const watched = new WeakSet();
  const options = { subtree: true, childList: true, characterData: true, attributes: true };
  const stateOf = (tile) => tile.shadowRoot?.querySelector("article .state")?.textContent?.trim();
  function watchTile(tile) {
    if (watched.has(tile) || !tile.shadowRoot) return;
    watched.add(tile);
    let last = null;
    const check = () => {
      const mac = tile.board?.mac;
      const state = stateOf(tile);
      if (mac && state && state !== last) {
        last = state;
        bench.records.push([now(), mac, state]);
      }
    };
    new MutationObserver((list) => {
      if (bench.counting) {
        const mac = tile.board?.mac ?? "?";
        bench.byTile.set(mac, (bench.byTile.get(mac) ?? 0) + list.length);
      }
      check();
    }).observe(tile.shadowRoot, options);
    check();
  }
  bench.mount = (entryId) => {
    const card = document.createElement("piorchestrator-session-card");
    card.setConfig({ type: "custom:piorchestrator-session-card", entry_id: entryId });
    card.style.cssText = "position:absolute;inset:0 auto auto 0;width:1400px;z-index:99;background:#fff";
    const started = now();
    card.hass = hass;
    document.body.append(card);
    const root = card.shadowRoot;
    const scan = () => root.querySelectorAll("piorchestrator-board-tile").forEach(watchTile);
    new MutationObserver((list) => {
      if (bench.counting) bench.cardRoot += list.length;
      scan();
    }).observe(root, options);
    scan();
    bench.card = card;
    return started;
  };
  bench.painted = (count) => new Promise((resolve) => {
    const look = () => {
      const tiles = bench.card.shadowRoot.querySelectorAll("piorchestrator-board-tile");
      const drawn = [...tiles].filter((tile) => stateOf(tile)).length;
      if (drawn >= count) {
        requestAnimationFrame(() => requestAnimationFrame(() => resolve(now())));
      } else {
        requestAnimationFrame(look);
      }
    };
    look();
  });
  bench.unmount = () => { bench.card?.remove(); bench.card = undefined; };
  bench.take = () => {
    const out = { records: bench.records, arrivals: bench.arrivals };
    bench.records = [];
    bench.arrivals = [];
    return out;
  };
  bench.counts = () => ({
    byTile: Object.fromEntries(bench.byTile), cardRoot: bench.cardRoot,
    renders: Object.fromEntries(bench.renders), changes: bench.changes,
  });
  bench.call = (service, data) => hass.callService("piorchestrator", service, data);
})();
"""

STATE_LABELS = {
    "Discovered": "discovered",
    "Provisioning": "provisioning",
    "Provisioned": "provisioned",
    "Verifying": "verifying",
    "Verified": "verified",
    "Failed": "failed",
}


def _prepare(config: Path, port: int, sims: list[SimChild]) -> list[str]:
    shutil.rmtree(config, ignore_errors=True)
    (config / "custom_components").mkdir(parents=True)
    (config / "custom_components" / "piorchestrator").symlink_to(
        ROOT / "custom_components" / "piorchestrator"
    )
    (config / "configuration.yaml").write_text(
        "homeassistant:\n"
        "  name: Bench\n"
        "  time_zone: UTC\n"
        "  unit_system: metric\n"
        "  latitude: 0\n"
        "  longitude: 0\n"
        "http:\n"
        "  server_host: 127.0.0.1\n"
        f"  server_port: {port}\n"
        "frontend:\n"
        "logger:\n"
        "  default: warning\n"
    )
    entries = [make_entry(sim) for sim in sims]
    stored = entry_dicts(entries)
    for index, entry in enumerate(stored):
        entry["title"] = f"Bench Pi {index + 1}"
    store_entries(config, stored)
    return [str(entry.entry_id) for entry in entries]


def _wall_offset_ns() -> int:
    """What to add to `time.perf_counter_ns()` to get the wall clock, in nanoseconds."""
    samples = []
    for _ in range(200):
        before = time.perf_counter_ns()
        wall = time.time_ns()
        after = time.perf_counter_ns()
        samples.append((after - before, wall - (before + after) // 2))
    return min(samples)[1]


async def _boards_known(socket_: HomeAssistantSocket, entry_id: str, count: int) -> None:
    """Wait until Home Assistant reports `count` boards for the entry."""
    await socket_.call("piorchestrator/subscribe", entry_id=entry_id)
    macs: set[str] = set()
    deadline = time.monotonic() + 300
    while len(macs) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"Home Assistant knows {len(macs)} of {count} boards")
        with contextlib.suppress(TimeoutError):
            event = await asyncio.wait_for(socket_.events.get(), 5)
            if event.get("kind") == "snapshot":
                macs = {board["mac"] for board in event["pi"]["boards"]}
            else:
                macs.update(board["mac"] for board in event.get("boards", []))
                macs.difference_update(event.get("removed_boards", []))


def _delays(
    events: list[list[Any]], records: list[list[Any]], offset_ns: int, *, labels: bool = True
) -> list[float | None]:
    """Each board event's delay until the page first had that state, in ms (None: never).

    `records` are (wall ms, MAC, state): as the tile shows it (`labels`), or as it
    arrived in a WebSocket message.
    """
    shown: dict[tuple[str, str], list[float]] = {}
    for at, mac, label in records:
        state = STATE_LABELS.get(label) if labels else label
        if state is not None:
            shown.setdefault((mac, state), []).append(at)
    delays: list[float | None] = []
    for t_ns, _id, _type, mac, state in events:
        if mac is None or state is None:
            continue
        sent_ms = (t_ns + offset_ns) / 1e6
        later = [at for at in shown.get((mac, state), []) if at >= sent_ms - 1]
        delays.append(max(0.0, min(later) - sent_ms) if later else None)
    return delays


async def cards(profile: Profile, work: Path) -> dict[str, Any]:
    """Figure 7: the session card in Chromium, at the Pi's pace and with 500 boards."""
    from playwright.async_api import async_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise RuntimeError("Chromium is missing: run scripts/e2e once, or apt-get install chromium")
    live = await SimChild.start(boards=profile.cards_boards, speed=profile.cards_speed)
    big = await SimChild.start(
        **fast_config(FAST, boards=profile.cards_render_boards, allowlist=ALLOWLISTED)
    )
    config = work / "cards-hass"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process: asyncio.subprocess.Process | None = None
    try:
        live_entry, big_entry = _prepare(config, port, [live, big])
        process = await asyncio.create_subprocess_exec(
            str(Path(sys.executable).parent / "hass"),
            "-c",
            str(config),
            "--skip-pip",
            env=dict(os.environ),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=(work / "cards-hass.log").open("w"),
        )
        hass_process = process
        async with aiohttp.ClientSession() as session:
            api = HomeAssistantApi(session, url)
            await api.wait_until_up(180, lambda: hass_process.returncode is None)
            await api.onboard("Bench", USERNAME, PASSWORD)
            socket_ = await api.websocket()
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(
                    executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"]
                )
                try:
                    page = await browser.new_page(viewport={"width": 1400, "height": 1000})
                    await page.goto(f"{url}/profile/general")
                    await page.fill("input[name=username]", USERNAME)
                    await page.fill("input[name=password]", PASSWORD)
                    await page.get_by_role("button", name="Log in").click()
                    await page.wait_for_url("**/profile/**")
                    await page.wait_for_function(
                        "customElements.get('piorchestrator-board-tile') && "
                        "document.querySelector('home-assistant')?.hass?.connection"
                    )
                    await page.evaluate(PAGE_PROBE)
                    latency = await _latency(page, live, live_entry, profile)
                    render = await _render(page, big, socket_, big_entry, profile)
                finally:
                    await browser.close()
            await socket_.close()
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 60)
    finally:
        if process is not None and process.returncode is None:
            process.kill()
            with contextlib.suppress(ProcessLookupError):
                await process.wait()
        await live.close()
        await big.close()
    return {
        "latency": latency,
        "render": render,
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "summary": summarise([latency, render]),
    }


async def _latency(page: Any, sim: SimChild, entry_id: str, profile: Profile) -> dict[str, Any]:
    await page.evaluate(f"window.__bench.mount({json.dumps(entry_id)})")
    await page.wait_for_function(
        f"window.__bench.snapshots.some(([id]) => id === {json.dumps(entry_id)})"
    )
    await page.evaluate("window.__bench.take()")
    offset = _wall_offset_ns()
    await sim.call("record", on=True)
    done = await sim.call("run_session", within=600)
    await asyncio.sleep(2)
    recorded = await sim.call("take")
    page_side = await page.evaluate("window.__bench.take()")
    await page.evaluate("window.__bench.unmount()")
    shown = _delays(recorded["events"], page_side["records"], offset)
    arrived = _delays(recorded["events"], page_side["arrivals"], offset, labels=False)
    return {
        "boards": done["boards"],
        "speed": profile.cards_speed,
        "events": len(recorded["events"]),
        "ms": distribution([d for d in shown if d is not None]),
        "message_ms": distribution([d for d in arrived if d is not None]),
        "dom_after_message_ms": distribution(
            [d - a for d, a in zip(shown, arrived, strict=True) if d is not None and a is not None]
        ),
        "unmatched": shown.count(None),
    }


async def _render(
    page: Any, sim: SimChild, socket_: HomeAssistantSocket, entry_id: str, profile: Profile
) -> dict[str, Any]:
    count = profile.cards_render_boards
    await sim.call("start_session")
    await _boards_known(socket_, entry_id, count)
    # What Home Assistant alone takes to build and send the 500-board snapshot.
    server: list[float] = []
    for _ in range(profile.cards_render_repeats):
        while not socket_.events.empty():
            socket_.events.get_nowait()
        asked = time.perf_counter()
        await socket_.call("piorchestrator/subscribe", entry_id=entry_id)
        while (await asyncio.wait_for(socket_.events.get(), 30)).get("kind") != "snapshot":
            pass
        server.append((time.perf_counter() - asked) * 1000)
    mount: list[float] = []
    snapshot: list[float] = []
    for attempt in range(profile.cards_render_repeats):
        if attempt:
            await page.evaluate("window.__bench.unmount()")
            await page.wait_for_timeout(500)
        started = await page.evaluate(f"window.__bench.mount({json.dumps(entry_id)})")
        painted = await page.evaluate(f"window.__bench.painted({count})")
        snapshot_at = await page.evaluate(
            f"window.__bench.snapshots.filter(([id]) => id === {json.dumps(entry_id)}).at(-1)[1]"
        )
        mount.append(painted - started)
        snapshot.append(painted - snapshot_at)
    await page.wait_for_timeout(500)
    per_action: list[dict[str, Any]] = []
    for mac in ALLOWLISTED[: profile.cards_single_updates]:
        await page.evaluate("window.__bench.reset(); window.__bench.counting = true")
        await page.evaluate(
            "([entry, mac]) => window.__bench.call('provision_device', "
            "{config_entry_id: entry, mac})",
            [entry_id, mac],
        )
        await page.wait_for_function(
            """(mac) => [...window.__bench.card.shadowRoot
                .querySelectorAll('piorchestrator-board-tile')]
                .some((t) => t.board?.mac === mac && t.board.state === 'verified')""",
            arg=mac,
            timeout=30_000,
        )
        await page.wait_for_timeout(300)
        counts = await page.evaluate(
            "(() => { window.__bench.counting = false; return window.__bench.counts(); })()"
        )
        by_tile: dict[str, int] = counts["byTile"]
        renders: dict[str, int] = counts["renders"]
        per_action.append(
            {
                "change_messages": counts["changes"],
                "mutations_in_board": by_tile.get(mac, 0),
                "other_tiles_mutated": len([m for m in by_tile if m != mac]),
                "mutations_in_card": counts["cardRoot"],
                "board_renders": renders.get(mac, 0),
                "other_tiles_rendered": len([m for m in renders if m != mac]),
            }
        )
    await page.evaluate("window.__bench.unmount()")
    return {
        "boards": count,
        "mount_to_paint_ms": over_runs(mount),
        "snapshot_to_paint_ms": over_runs(snapshot),
        "subscribe_to_snapshot_ms_server": over_runs(server),
        "single_updates": per_action,
        "max_other_tiles_mutated": max(a["other_tiles_mutated"] for a in per_action),
        "max_other_tiles_rendered": max(a["other_tiles_rendered"] for a in per_action),
        "mutations_per_change_message": (
            sum(a["mutations_in_board"] + a["mutations_in_card"] for a in per_action)
            / max(1, sum(a["change_messages"] for a in per_action))
        ),
    }
