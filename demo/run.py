"""Bring the demo up and down: the simulator, Home Assistant, and the setup between them."""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path
import shutil
import sys
import time
from typing import Any, Final
from urllib.parse import quote

import aiohttp

from .dashboard import boards_from_registry, load_dashboard, with_board_controls
from .ha_config import write_automations, write_config, write_private
from .hass_api import DemoError, HomeAssistantApi, HomeAssistantSocket
from .naming import renamed_entity_ids
from .processes import Child, ensure_port_free, spawn, stop
from .scenario import (
    ALLOWLIST,
    API_KEY,
    BOARD_COUNT,
    FAIL_ONCE,
    PERSON_NAME,
    PI_NAME,
    REPO,
    SEED,
    TARGET_PASSWORD,
    TARGET_SSID,
    USERNAME,
    Settings,
)

DOMAIN: Final = "piorchestrator"
DASHBOARD_PATH: Final = "piorchestrator-demo"
DASHBOARD_VIEW: Final = "cabinet"
HA_START_TIMEOUT: Final = 180.0
ENTRY_TIMEOUT: Final = 60.0
OFFLINE_ONBOARDING_ENTRIES: Final = ("radio_browser", "google_translate")
"""Onboarding adds these, but they need the internet: the demo removes them."""
REGISTRY_EVENTS: Final = ("entity_registry_updated", "device_registry_updated")
REGENERATE_DELAY: Final = 1.0


def credentials(settings: Settings) -> str:
    """What the credentials file holds: every secret the person may need, none printed."""
    return (
        f"user: {USERNAME}\n"
        f"password: {settings.password}\n"
        f"pi_api_key: {API_KEY}\n"
        f"wifi_ssid: {TARGET_SSID}\n"
        f"wifi_password: {TARGET_PASSWORD}\n"
    )


def say(message: str) -> None:
    """Tell the person running the demo."""
    sys.stdout.write(f"{message}\n")
    sys.stdout.flush()


class Demo:
    """One demo run; `start`, then `stop` (always, even after a failed start)."""

    def __init__(self, settings: Settings) -> None:
        """Nothing runs yet."""
        self.settings = settings
        self.simulator: Child | None = None
        self.hass: Child | None = None
        self.entry_id: str | None = None
        self.started_at = 0.0
        self.ready_after: float | None = None
        self._session: aiohttp.ClientSession | None = None
        self._api: HomeAssistantApi | None = None
        self._socket: HomeAssistantSocket | None = None
        self._watcher: asyncio.Task[None] | None = None

    @property
    def children(self) -> list[Child]:
        """The processes started so far."""
        return [child for child in (self.simulator, self.hass) if child is not None]

    @property
    def dashboard_url(self) -> str:
        """The example dashboard's first view."""
        return f"{self.settings.ha_url}/{DASHBOARD_PATH}/{DASHBOARD_VIEW}"

    @property
    def hass_log(self) -> Path:
        """Home Assistant's own log file."""
        return self.settings.config_dir / "home-assistant.log"

    @property
    def api(self) -> HomeAssistantApi:
        """The signed-in REST client."""
        if self._api is None:
            raise DemoError("the demo has not started")
        return self._api

    async def start(self) -> None:
        """Start both processes and set Home Assistant up; raise `DemoError` on failure."""
        self.started_at = time.monotonic()
        settings = self.settings
        ensure_port_free("127.0.0.1", settings.sim_port, "DEMO_SIM_PORT")
        ensure_port_free(settings.ha_host, settings.ha_port, "DEMO_HA_PORT")
        self._prepare_directory()
        self._session = aiohttp.ClientSession()

        say(f"Starting the simulated Pi on {settings.sim_url} ...")
        self.simulator = await spawn(
            "simulator",
            [
                sys.executable,
                "-m",
                "simulator",
                *("--host", "127.0.0.1", "--port", str(settings.sim_port)),
                *("--state-file", str(settings.directory / "simulator-state.json")),
                *("--seed", str(SEED), "--boards", str(BOARD_COUNT)),
                *("--speed", str(settings.speed)),
                *("--allowlist", ",".join(ALLOWLIST), "--fail-once", FAIL_ONCE),
            ],
            settings.directory / "simulator.log",
            env={**os.environ, "PIORCHESTRATOR_API_KEY": API_KEY},
            cwd=REPO,
        )
        await self._wait_for_simulator(self.simulator)
        await self._describe_allowlist()

        say(f"Starting Home Assistant on {settings.ha_url} (config in {settings.config_dir}) ...")
        hass_bin = Path(sys.executable).parent / "hass"
        self.hass = await spawn(
            "hass",
            [str(hass_bin), "--config", str(settings.config_dir)],
            settings.directory / "hass-console.log",
            cwd=settings.directory,
        )
        self._api = HomeAssistantApi(self._session, settings.ha_url)
        hass = self.hass
        await self._api.wait_until_up(HA_START_TIMEOUT, lambda: hass.alive)

        say("Onboarding, adding the PiOrchestrator through its config flow ...")
        await self._api.onboard(PERSON_NAME, USERNAME, settings.password)
        await self._remove_offline_entries()
        self.entry_id = await self._api.add_entry(
            DOMAIN,
            {
                "host": "127.0.0.1",
                "port": settings.sim_port,
                "ssl": False,
                "verify_ssl": True,
                "api_key": API_KEY,
            },
        )
        await self._wait_for_entry()
        self._socket = await self._api.websocket()
        await self._rename_pi()

        say("Installing the dashboard, an automation from a blueprint, and a token ...")
        write_automations(settings, self.entry_id)
        await self._api.request("POST", "/api/services/automation/reload", {})
        token = await self._socket.call(
            "auth/long_lived_access_token", client_name="PiOrchestrator demo scripts", lifespan=365
        )
        write_private(settings.token_file, f"{token}\n")
        await self._install_dashboard()
        self._watcher = asyncio.create_task(self._watch_boards(), name="demo board watcher")
        self.ready_after = time.monotonic() - self.started_at

    async def stop(self) -> None:
        """Stop Home Assistant, then the simulator; safe to call more than once."""
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._watcher
            self._watcher = None
        if self._socket is not None:
            with contextlib.suppress(Exception):
                await self._socket.close()
            self._socket = None
        if self.hass is not None:
            await stop(self.hass, grace=60)
        if self.simulator is not None:
            await stop(self.simulator, grace=15)
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def ws(self, command: str, **data: Any) -> Any:
        """Send one command over the demo's WebSocket connection."""
        return await self._require_socket().call(command, **data)

    # -- Steps -------------------------------------------------------------------------

    def _prepare_directory(self) -> None:
        """Start from scratch: a demo replays its scenario (the failing board, ...) each time."""
        directory = self.settings.directory
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        for name in ("config", "screenshots"):
            shutil.rmtree(directory / name, ignore_errors=True)
        for name in (
            "simulator-state.json",
            "simulator.log",
            "hass-console.log",
            "access_token",
            "credentials",
        ):
            (directory / name).unlink(missing_ok=True)
        write_config(self.settings)
        write_private(directory / "credentials", credentials(self.settings))

    async def _wait_for_simulator(self, simulator: Child) -> None:
        session = self._require_session()
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with session.get(
                    f"{self.settings.sim_url}/api/v1/system/info",
                    timeout=aiohttp.ClientTimeout(total=2),
                ) as response:
                    if response.status == 200:
                        return
            if not simulator.alive:
                raise DemoError(f"the simulator exited:\n{simulator.tail()}")
            if time.monotonic() > deadline:
                raise DemoError("the simulator did not answer within 30 s")
            await asyncio.sleep(0.2)

    async def _describe_allowlist(self) -> None:
        """Give the allowlisted boards descriptions, as a technician would on the Pi."""
        session = self._require_session()
        for mac, description in ALLOWLIST.items():
            async with session.patch(
                f"{self.settings.sim_url}/api/v1/provisioning/allowlist/{quote(mac)}",
                json={"description": description},
                headers={"X-API-Key": API_KEY},
            ) as response:
                if response.status != 200:
                    raise DemoError(f"the simulator refused to describe {mac}: {response.status}")

    async def _remove_offline_entries(self) -> None:
        """Onboarding adds a few integrations in the background; drop those needing the internet."""
        deadline = time.monotonic() + 15
        remaining = set(OFFLINE_ONBOARDING_ENTRIES)
        while remaining and time.monotonic() < deadline:
            for entry in await self.api.entries():
                if entry["domain"] in remaining:
                    await self.api.request(
                        "DELETE", f"/api/config/config_entries/entry/{entry['entry_id']}"
                    )
                    remaining.discard(entry["domain"])
            if remaining:
                await asyncio.sleep(0.3)

    async def _wait_for_entry(self) -> None:
        deadline = time.monotonic() + ENTRY_TIMEOUT
        while True:
            entries = [e for e in await self.api.entries(DOMAIN) if e["entry_id"] == self.entry_id]
            state = entries[0]["state"] if entries else "missing"
            if state == "loaded":
                return
            if state in ("setup_error", "migration_error", "failed_unload", "missing") or (
                time.monotonic() > deadline
            ):
                reason = entries[0].get("reason") if entries else None
                raise DemoError(f"the PiOrchestrator entry is {state}: {reason}")
            await asyncio.sleep(0.3)

    async def _rename_pi(self) -> None:
        """Name the Pi's device, and its entity IDs after it, as the UI offers to do."""
        socket = self._require_socket()
        devices: list[dict[str, Any]] = await socket.call("config/device_registry/list")
        pi = next(
            (d for d in devices if [DOMAIN, self.entry_id] in d["identifiers"]),
            None,
        )
        if pi is None:
            raise DemoError("the Pi's device is missing from the device registry")
        await socket.call("config/device_registry/update", device_id=pi["id"], name_by_user=PI_NAME)
        entities: list[dict[str, Any]] = await socket.call("config/entity_registry/list")
        mine = [e["entity_id"] for e in entities if e["device_id"] == pi["id"]]
        for old, new in renamed_entity_ids(mine, pi["name"], PI_NAME).items():
            await socket.call("config/entity_registry/update", entity_id=old, new_entity_id=new)

    async def _install_dashboard(self) -> None:
        socket = self._require_socket()
        await socket.call(
            "lovelace/dashboards/create",
            url_path=DASHBOARD_PATH,
            mode="storage",
            title="PiOrchestrator",
            icon="mdi:raspberry-pi",
            show_in_sidebar=True,
            require_admin=False,
        )
        config = with_board_controls(load_dashboard(), await self._boards())
        await socket.call("lovelace/config/save", url_path=DASHBOARD_PATH, config=config)

    async def _boards(self) -> list[Any]:
        socket = self._require_socket()
        entities: list[dict[str, Any]] = await socket.call("config/entity_registry/list")
        devices: list[dict[str, Any]] = await socket.call("config/device_registry/list")
        names: dict[str, str] = {}
        for device in devices:
            for domain, identifier in device["identifiers"]:
                if domain == DOMAIN and identifier != self.entry_id:
                    names[identifier] = device.get("name_by_user") or device.get("name") or ""
        return boards_from_registry(
            str(self.entry_id),
            (
                (e["entity_id"], e.get("unique_id") or "")
                for e in entities
                if e.get("config_entry_id") == self.entry_id
            ),
            names,
        )

    async def _watch_boards(self) -> None:
        """Keep the Board controls card in step with the boards Home Assistant knows."""
        socket = self._require_socket()
        for event_type in REGISTRY_EVENTS:
            await socket.call("subscribe_events", event_type=event_type)
        while True:
            await socket.events.get()
            await asyncio.sleep(REGENERATE_DELAY)  # a new board brings several entities
            while not socket.events.empty():
                socket.events.get_nowait()
            try:
                current = await socket.call("lovelace/config", url_path=DASHBOARD_PATH, force=True)
                updated = with_board_controls(current, await self._boards())
                if updated != current:
                    await socket.call(
                        "lovelace/config/save", url_path=DASHBOARD_PATH, config=updated
                    )
            except (DemoError, ValueError) as err:
                say(f"(could not update the Board controls card: {err})")

    def _require_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise DemoError("the demo has not started")
        return self._session

    def _require_socket(self) -> HomeAssistantSocket:
        if self._socket is None:
            raise DemoError("the WebSocket API is not connected")
        return self._socket
