"""Bring the demo up and down: the simulator, Home Assistant, and the setup between them."""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path
import secrets
import shutil
import sys
import time
from typing import Any, Final
from urllib.parse import quote

import aiohttp
from homeassistant.const import REQUIRED_PYTHON_VER, __version__ as ha_version

from .dashboard import load_dashboard, with_session_cards
from .flows import hass_command, needs_lenient_python
from .ha_config import write_automations, write_config, write_private
from .hass_api import DemoError, HomeAssistantApi, HomeAssistantSocket
from .naming import renamed_entity_ids
from .processes import Child, ensure_port_free, spawn, stop
from .scenario import (
    API_KEY,
    FLEET,
    PERSON_NAME,
    REPO,
    TARGET_PASSWORD,
    TARGET_SSID,
    USERNAME,
    PiSpec,
    Settings,
)

DOMAIN: Final = "piorchestrator"
DASHBOARD_PATH: Final = "piorchestrator-demo"
DASHBOARD_VIEW: Final = "cabinet"
HA_START_TIMEOUT: Final = 180.0
ENTRY_TIMEOUT: Final = 60.0
OFFLINE_ONBOARDING_ENTRIES: Final = ("radio_browser", "google_translate")
"""Onboarding adds these, but they need the internet: the demo removes them."""


def credentials(settings: Settings, control_token: str) -> str:
    """What the credentials file holds: every secret the person may need, none printed."""
    return (
        f"user: {USERNAME}\n"
        f"password: {settings.password}\n"
        f"pi_api_key: {API_KEY}\n"
        f"wifi_ssid: {TARGET_SSID}\n"
        f"wifi_password: {TARGET_PASSWORD}\n"
        f"simulator_control_header: X-Sim-Control: {control_token}\n"
    )


def simulator_log(settings: Settings, pi: PiSpec) -> Path:
    """Where one simulated Pi's output goes."""
    return settings.directory / f"simulator-{pi.port_offset + 1}.log"


def say(message: str) -> None:
    """Tell the person running the demo."""
    sys.stdout.write(f"{message}\n")
    sys.stdout.flush()


class Demo:
    """One demo run; `start`, then `stop` (always, even after a failed start)."""

    def __init__(self, settings: Settings) -> None:
        """Nothing runs yet."""
        self.settings = settings
        self.simulators: dict[str, Child] = {}
        """The simulated Pis by name."""
        self.hass: Child | None = None
        self.entry_ids: dict[str, str] = {}
        """Each Pi's config entry, by name, in the order of `FLEET`."""
        # The simulators' /_sim/ fault routes answer only this header; the demo sets it so
        # that a script (or a person, from .demo/credentials) can use them.
        self.control_token = secrets.token_urlsafe(24)
        self.started_at = 0.0
        self.ready_after: float | None = None
        self._session: aiohttp.ClientSession | None = None
        self._api: HomeAssistantApi | None = None
        self._socket: HomeAssistantSocket | None = None

    @property
    def entry_id(self) -> str | None:
        """The first Pi's config entry (the blueprint automation watches its door)."""
        return self.entry_ids.get(FLEET[0].name)

    @property
    def control_headers(self) -> dict[str, str]:
        """The header the simulators' /_sim/ routes want."""
        return {"X-Sim-Control": self.control_token}

    @property
    def children(self) -> list[Child]:
        """The processes started so far."""
        hass = [self.hass] if self.hass is not None else []
        return [*hass, *self.simulators.values()]

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
        for pi in FLEET:
            ensure_port_free("127.0.0.1", settings.sim_port_of(pi), "DEMO_SIM_PORT")
        ensure_port_free(settings.ha_host, settings.ha_port, "DEMO_HA_PORT")
        self._prepare_directory()
        self._session = aiohttp.ClientSession()

        for pi in FLEET:
            say(f"Starting the simulated {pi.name} on {settings.sim_url_of(pi)} ...")
            fail_once = ("--fail-once", pi.fail_once) if pi.fail_once else ()
            child = await spawn(
                f"simulator ({pi.name})",
                [
                    sys.executable,
                    "-m",
                    "simulator",
                    *("--host", "127.0.0.1", "--port", str(settings.sim_port_of(pi))),
                    *("--state-file", str(settings.directory / f"simulator-{pi.seed}.json")),
                    *("--seed", str(pi.seed), "--boards", str(pi.boards)),
                    *("--speed", str(settings.speed)),
                    *("--allowlist", ",".join(pi.allowlist), *fail_once),
                ],
                simulator_log(settings, pi),
                env={
                    **os.environ,
                    "PIORCHESTRATOR_API_KEY": API_KEY,
                    "PIORCHESTRATOR_SIM_CONTROL_TOKEN": self.control_token,
                },
                cwd=REPO,
            )
            self.simulators[pi.name] = child
            await self._wait_for_simulator(pi, child)
            await self._describe_allowlist(pi)

        say(f"Starting Home Assistant on {settings.ha_url} (config in {settings.config_dir}) ...")
        # The hass of the venv the demo runs in (.venv, or .venv-newest with --ha newest).
        hass_bin = Path(sys.executable).parent / "hass"
        lenient = needs_lenient_python(REQUIRED_PYTHON_VER)
        if lenient:
            say(
                f"Home Assistant {ha_version} asks for Python "
                f"{'.'.join(map(str, REQUIRED_PYTHON_VER))}; starting it on "
                f"{'.'.join(map(str, sys.version_info[:3]))} all the same."
            )
        self.hass = await spawn(
            "hass",
            [*hass_command(hass_bin, lenient_python=lenient), "--config", str(settings.config_dir)],
            settings.directory / "hass-console.log",
            cwd=settings.directory,
        )
        self._api = HomeAssistantApi(self._session, settings.ha_url)
        hass = self.hass
        await self._api.wait_until_up(HA_START_TIMEOUT, lambda: hass.alive)

        say("Onboarding, adding each Pi through the config flow ...")
        await self._api.onboard(PERSON_NAME, USERNAME, settings.password)
        await self._remove_offline_entries()
        self._socket = await self._api.websocket()
        for pi in FLEET:
            entry_id = await self._api.add_entry(
                DOMAIN,
                {
                    "host": "127.0.0.1",
                    "port": settings.sim_port_of(pi),
                    "ssl": False,
                    "verify_ssl": True,
                    "api_key": API_KEY,
                },
            )
            self.entry_ids[pi.name] = entry_id
            await self._wait_for_entry(entry_id)
            await self._rename_pi(pi, entry_id)

        say("Installing the dashboard, an automation from a blueprint, and a token ...")
        write_automations(settings, str(self.entry_id))
        await self._api.request("POST", "/api/services/automation/reload", {})
        token = await self._socket.call(
            "auth/long_lived_access_token", client_name="PiOrchestrator demo scripts", lifespan=365
        )
        write_private(settings.token_file, f"{token}\n")
        await self._install_dashboard()
        self.ready_after = time.monotonic() - self.started_at

    async def stop(self) -> None:
        """Stop Home Assistant, then the simulator; safe to call more than once."""
        if self._socket is not None:
            with contextlib.suppress(Exception):
                await self._socket.close()
            self._socket = None
        if self.hass is not None:
            await stop(self.hass, grace=60)
        for child in self.simulators.values():
            await stop(child, grace=15)
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
        for pattern in ("simulator*.json", "simulator*.log"):
            for stale in directory.glob(pattern):
                stale.unlink()
        for name in ("hass-console.log", "access_token", "credentials"):
            (directory / name).unlink(missing_ok=True)
        write_config(self.settings)
        write_private(directory / "credentials", credentials(self.settings, self.control_token))

    async def _wait_for_simulator(self, pi: PiSpec, simulator: Child) -> None:
        session = self._require_session()
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with session.get(
                    f"{self.settings.sim_url_of(pi)}/api/v1/system/info",
                    timeout=aiohttp.ClientTimeout(total=2),
                ) as response:
                    if response.status == 200:
                        return
            if not simulator.alive:
                raise DemoError(f"the simulated {pi.name} exited:\n{simulator.tail()}")
            if time.monotonic() > deadline:
                raise DemoError(f"the simulated {pi.name} did not answer within 30 s")
            await asyncio.sleep(0.2)

    async def _describe_allowlist(self, pi: PiSpec) -> None:
        """Give the allowlisted boards descriptions, as a technician would on the Pi."""
        session = self._require_session()
        for mac, description in pi.allowlist.items():
            async with session.patch(
                f"{self.settings.sim_url_of(pi)}/api/v1/provisioning/allowlist/{quote(mac)}",
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

    async def _wait_for_entry(self, entry_id: str) -> None:
        deadline = time.monotonic() + ENTRY_TIMEOUT
        while True:
            entries = [e for e in await self.api.entries(DOMAIN) if e["entry_id"] == entry_id]
            state = entries[0]["state"] if entries else "missing"
            if state == "loaded":
                return
            if state in ("setup_error", "migration_error", "failed_unload", "missing") or (
                time.monotonic() > deadline
            ):
                reason = entries[0].get("reason") if entries else None
                raise DemoError(f"the PiOrchestrator entry is {state}: {reason}")
            await asyncio.sleep(0.3)

    async def _rename_pi(self, pi: PiSpec, entry_id: str) -> None:
        """Name the Pi's entry, its device, and its entity IDs after it, as the UI offers to."""
        socket = self._require_socket()
        await socket.call("config_entries/update", entry_id=entry_id, title=pi.name)
        devices: list[dict[str, Any]] = await socket.call("config/device_registry/list")
        device = next((d for d in devices if [DOMAIN, entry_id] in d["identifiers"]), None)
        if device is None:
            raise DemoError(f"the device of {pi.name} is missing from the device registry")
        await socket.call(
            "config/device_registry/update", device_id=device["id"], name_by_user=pi.name
        )
        entities: list[dict[str, Any]] = await socket.call("config/entity_registry/list")
        mine = [e["entity_id"] for e in entities if e["device_id"] == device["id"]]
        for old, new in renamed_entity_ids(mine, device["name"], pi.name).items():
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
        config = with_session_cards(load_dashboard(), self.entry_ids.values())
        await socket.call("lovelace/config/save", url_path=DASHBOARD_PATH, config=config)

    def _require_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise DemoError("the demo has not started")
        return self._session

    def _require_socket(self) -> HomeAssistantSocket:
        if self._socket is None:
            raise DemoError("the WebSocket API is not connected")
        return self._socket
