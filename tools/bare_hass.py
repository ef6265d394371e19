"""Drive a real Home Assistant from a bare venv through adding the integration.

Run by scripts/bare_hass_check, which prepares the venv. This runs on the test toolchain
(.venv): it starts the simulator and `hass` as subprocesses on free ports, onboards the
first user over the REST API, adds the Pi through the config flow exactly as the UI does,
and checks that the entities are there. Then it takes the entry through a reauthentication
(the Pi changes its key) and a reconfiguration, both through the flow API as the frontend
does, counting the entry's reloads. hass's log must show no import failure and no
deprecation report about the integration (tools/hass_log.py holds the patterns).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from pathlib import Path
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from typing import Any

import aiohttp

from demo.hass_api import DemoError, HomeAssistantApi, HomeAssistantSocket
from simulator.faults import CONTROL_HEADER
from tools import hass_log
from tools.hass_log import DOMAIN, EntryStates

ROOT = Path(__file__).resolve().parent.parent
API_KEY = "bare-check-api-key-0123456789"  # the simulator's key for this run only
NEW_API_KEY = "bare-check-new-api-key-9876543210"  # the key the Pi changes to
# First start: Home Assistant pip-installs what the listed integrations and ours need.
START_TIMEOUT = 600.0
ENTITIES_TIMEOUT = 60.0
# The coordinators poll every 5 s by default; a refused key shows within a few polls.
REAUTH_FLOW_TIMEOUT = 90.0
RELOAD_TIMEOUT = 60.0
# A second reload follows the first within milliseconds (both are scheduled by the same
# update of the entry); seconds of quiet in state `loaded` mean the reloads are over.
RELOAD_SETTLE = 5.0
SETTLED_BADLY = frozenset(("setup_error", "setup_retry", "migration_error", "failed_unload"))
# Not `default_config:`: parts of it need the internet or binaries this machine lacks.
CONFIGURATION = """\
homeassistant:
  name: Bare check
  latitude: 52.37
  longitude: 4.89
  elevation: 0
  unit_system: metric
  time_zone: UTC
  country: NL
  currency: EUR
http:
  server_host: 127.0.0.1
  server_port: {port}
api:
config:
onboarding:
logger:
  default: warning
  logs:
    homeassistant.requirements: info
    homeassistant.util.package: info
"""


# Starts hass although the release asks for a newer patch level of Python than this
# machine has (2026.2 asks for 3.13.2 and runs on 3.13.0, where its test suite passes).
LENIENT_HASS = """\
import sys
import homeassistant.__main__ as entry
entry.REQUIRED_PYTHON_VER = sys.version_info[:3]
sys.argv[0] = "hass"
sys.exit(entry.main())
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def say(text: str) -> None:
    """Progress for the person watching CI."""
    sys.stdout.write(f"bare_hass_check: {text}\n")
    sys.stdout.flush()


async def _wait_for_entities(api: HomeAssistantApi) -> list[dict[str, Any]]:
    """The integration's entities with a state, once every registered one has one."""
    socket_api = await api.websocket()
    try:
        deadline = time.monotonic() + ENTITIES_TIMEOUT
        while True:
            registry = await socket_api.call("config/entity_registry/list")
            ours = {
                e["entity_id"]
                for e in registry
                if e.get("platform") == DOMAIN and e.get("disabled_by") is None
            }
            states = await api.request("GET", "/api/states")
            shown = [s for s in states if s["entity_id"] in ours and s["state"] != "unavailable"]
            if ours and len(shown) == len(ours):
                return shown
            if time.monotonic() > deadline:
                raise DemoError(
                    f"{len(shown)} of {len(ours)} entities of {DOMAIN} have a state after "
                    f"{ENTITIES_TIMEOUT:.0f} s"
                )
            await asyncio.sleep(1)
    finally:
        await socket_api.close()


class EntryWatcher:
    """Follows one config entry's state the way the frontend does (`config_entries/subscribe`)."""

    def __init__(self, socket_api: HomeAssistantSocket, entry_id: str) -> None:
        """Record the states of `entry_id` announced on `socket_api`; call `start` next."""
        self._socket = socket_api
        self._entry_id = entry_id
        self.states = EntryStates()
        self._changed_at = time.monotonic()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Subscribe; the first announcement holds every entry's current state."""
        self._task = asyncio.create_task(self._follow(), name="bare check entry watcher")
        await self._socket.call("config_entries/subscribe")

    async def _follow(self) -> None:
        while True:
            # Typed as one event, but this subscription's events are lists of changes.
            changes: Any = await self._socket.events.get()
            for change in changes if isinstance(changes, list) else ():
                entry = change.get("entry") or {}
                if entry.get("entry_id") == self._entry_id and "state" in entry:
                    before = self.states.mark()
                    self.states.add(str(entry["state"]))
                    if self.states.mark() != before:
                        self._changed_at = time.monotonic()

    async def wait_reloaded(self, mark: int) -> tuple[int, float]:
        """Wait until the entry was set up again and stayed loaded.

        Return how many times it was set up, and when (monotonic) it was last loaded.
        """
        deadline = time.monotonic() + RELOAD_TIMEOUT
        while True:
            setups = self.states.setups_since(mark)
            quiet = time.monotonic() - self._changed_at >= RELOAD_SETTLE
            if setups and quiet and self.states.current == "loaded":
                return setups, self._changed_at
            if setups and quiet and self.states.current in SETTLED_BADLY:
                raise DemoError(f"the entry went {' -> '.join(self.states.since(mark))}")
            if time.monotonic() > deadline:
                raise DemoError(
                    f"the entry was not reloaded and loaded within {RELOAD_TIMEOUT:.0f} s "
                    f"(states since: {' -> '.join(self.states.since(mark)) or 'none'})"
                )
            await asyncio.sleep(0.2)

    async def close(self) -> None:
        """Stop following and close the connection."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._socket.close()


def _single_reload(watcher: EntryWatcher, mark: int, setups: int, flow: str) -> None:
    if setups > 1:
        raise DemoError(
            f"the {flow} reloaded the entry {setups} times "
            f"({' -> '.join(watcher.states.since(mark))}); once is enough"
        )


async def _set_pi_key(session: aiohttp.ClientSession, sim: str, control: str, key: str) -> None:
    """Have the simulated Pi accept only `key` from now on, as if someone changed it there."""
    async with session.post(
        f"{sim}/_sim/api-key", json={"api_key": key}, headers={CONTROL_HEADER: control}
    ) as response:
        if response.status != 200:
            raise DemoError(f"the simulator refused the key change: {await response.text()}")


async def _wait_for_reauth_flow(api: HomeAssistantApi, entry_id: str) -> str:
    """The reauth flow Home Assistant started for the entry, once it is in progress.

    The REST API has no list of flows (GET /api/config/config_entries/flow answers 405
    on 2025.4 and 2026.2); the frontend asks the WebSocket API, and so does this.
    """
    socket_api = await api.websocket()
    try:
        deadline = time.monotonic() + REAUTH_FLOW_TIMEOUT
        while True:
            for flow in await socket_api.call("config_entries/flow/progress"):
                context = flow.get("context") or {}
                if (
                    flow.get("handler") == DOMAIN
                    and context.get("source") == "reauth"
                    and context.get("entry_id") == entry_id
                ):
                    return str(flow["flow_id"])
            if time.monotonic() > deadline:
                raise DemoError(
                    f"no reauth flow in progress {REAUTH_FLOW_TIMEOUT:.0f} s after the Pi "
                    "changed its key"
                )
            await asyncio.sleep(0.5)
    finally:
        await socket_api.close()


async def _reauth(
    api: HomeAssistantApi,
    watcher: EntryWatcher,
    entry_id: str,
    sim: tuple[aiohttp.ClientSession, str, str],
) -> None:
    started = time.monotonic()
    await _set_pi_key(*sim, NEW_API_KEY)
    flow_id = await _wait_for_reauth_flow(api, entry_id)
    noticed = time.monotonic() - started
    # Opening the notification shows the flow's current step, read back like this.
    form = await api.request("GET", f"/api/config/config_entries/flow/{flow_id}")
    if form.get("type") != "form" or form.get("step_id") != "reauth_confirm":
        raise DemoError(f"the reauth flow did not ask for the key: {form}")
    mark = watcher.states.mark()
    finished = time.monotonic()
    result = await api.request(
        "POST", f"/api/config/config_entries/flow/{flow_id}", {"api_key": NEW_API_KEY}
    )
    if result.get("type") != "abort" or result.get("reason") != "reauth_successful":
        raise DemoError(f"the reauth flow did not end with reauth_successful: {result}")
    setups, loaded_at = await watcher.wait_reloaded(mark)
    _single_reload(watcher, mark, setups, "reauth")
    shown = await _wait_for_entities(api)
    say(
        f"reauth: flow in progress {noticed:.1f} s after the Pi changed its key; "
        f"reauth_successful, entry set up {setups}x "
        f"({' -> '.join(watcher.states.since(mark))}), loaded {loaded_at - finished:.2f} s "
        f"after submitting, {len(shown)} entities with a state "
        f"(step {time.monotonic() - started:.1f} s with {RELOAD_SETTLE:.0f} s watching for "
        "a second reload)"
    )


async def _reconfigure(
    api: HomeAssistantApi, watcher: EntryWatcher, entry_id: str, sim_port: int
) -> None:
    started = time.monotonic()
    # As the frontend's "Reconfigure" menu item: HA 2025.4's and 2026.2's
    # ConfigManagerFlowIndexView.get_context turn an `entry_id` into source
    # `reconfigure`, which runs the flow's async_step_reconfigure (its form's step).
    flow = await api.request(
        "POST",
        "/api/config/config_entries/flow",
        {"handler": DOMAIN, "entry_id": entry_id, "show_advanced_options": False},
    )
    if flow.get("type") != "form" or flow.get("step_id") != "reconfigure":
        raise DemoError(f"the reconfigure flow did not show its form: {flow}")
    answer: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": sim_port,
        "ssl": False,
        "verify_ssl": True,
    }
    asks_key = any(
        field.get("name") == "api_key" and field.get("required")
        for field in flow.get("data_schema") or []
    )
    if asks_key:
        answer["api_key"] = NEW_API_KEY
    mark = watcher.states.mark()
    finished = time.monotonic()
    result = await api.request("POST", f"/api/config/config_entries/flow/{flow['flow_id']}", answer)
    if result.get("type") != "abort" or result.get("reason") != "reconfigure_successful":
        raise DemoError(f"the reconfigure flow did not end with reconfigure_successful: {result}")
    setups, loaded_at = await watcher.wait_reloaded(mark)
    _single_reload(watcher, mark, setups, "reconfigure")
    shown = await _wait_for_entities(api)
    say(
        f"reconfigure: same address{' and key' if asks_key else ''}; reconfigure_successful, "
        f"entry set up {setups}x ({' -> '.join(watcher.states.since(mark))}), "
        f"loaded {loaded_at - finished:.2f} s after submitting, {len(shown)} entities with a "
        f"state (step {time.monotonic() - started:.1f} s with {RELOAD_SETTLE:.0f} s watching "
        "for a second reload)"
    )


async def _check(url: str, sim_port: int, sim_control: str, alive: Any) -> int:
    async with aiohttp.ClientSession() as session:
        api = HomeAssistantApi(session, url)
        await api.wait_until_up(START_TIMEOUT, alive)
        say("hass answers; onboarding the first user")
        created = await api.request(
            "POST",
            "/api/onboarding/users",
            {
                "client_id": api.client_id,
                "name": "Bare",
                "username": "bare",
                "password": "bare-check-password",
                "language": "en",
            },
            authenticated=False,
        )
        async with session.post(
            f"{url}/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": created["auth_code"],
                "client_id": api.client_id,
            },
        ) as response:
            tokens = await response.json()
            if response.status != 200:
                raise DemoError(f"the token endpoint refused the onboarding code: {tokens}")
        api.token = tokens["access_token"]
        say("adding the Pi through the config flow")
        entry_id = await api.add_entry(
            DOMAIN,
            {
                "host": "127.0.0.1",
                "port": sim_port,
                "ssl": False,
                "verify_ssl": True,
                "api_key": API_KEY,
            },
        )
        entries = await api.entries(DOMAIN)
        state = next(e["state"] for e in entries if e["entry_id"] == entry_id)
        if state != "loaded":
            raise DemoError(f"the entry was added but is {state}")
        shown = await _wait_for_entities(api)
        say(f"entry loaded, {len(shown)} entities with a state")
        watcher = EntryWatcher(await api.websocket(), entry_id)
        try:
            await watcher.start()
            await _reauth(
                api, watcher, entry_id, (session, f"http://127.0.0.1:{sim_port}", sim_control)
            )
            await _reconfigure(api, watcher, entry_id, sim_port)
        finally:
            await watcher.close()
        return len(shown)


def _one_line(record: str) -> str:
    return record.replace("\n", " | ")[:600]


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main(argv: list[str] | None = None) -> int:
    """Run the check; non-zero when a user could not add the integration."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hass", type=Path, required=True, help="the bare venv's hass")
    parser.add_argument("--keep", action="store_true", help="keep the configuration directory")
    parser.add_argument(
        "--integration",
        type=Path,
        default=ROOT / "custom_components" / DOMAIN,
        help="the integration to copy in (default: this checkout's)",
    )
    parser.add_argument(
        "--lenient-python",
        action="store_true",
        help="start a release that asks for a newer Python patch level than this one",
    )
    args = parser.parse_args(argv)
    hass_bin: Path = args.hass.resolve()
    command = [str(hass_bin)]
    if args.lenient_python:
        command = [str(hass_bin.with_name("python")), "-c", LENIENT_HASS]
    version = subprocess.run(  # noqa: S603
        [*command, "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    config = Path(tempfile.mkdtemp(prefix="bare-hass-"))
    shutil.copytree(
        args.integration,
        config / "custom_components" / DOMAIN,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    ha_port, sim_port = _free_port(), _free_port()
    (config / "configuration.yaml").write_text(CONFIGURATION.format(port=ha_port))
    log = config / "hass-output.log"
    say(f"Home Assistant {version} from {hass_bin.parent.parent.name}, config {config}")
    # The token goes by environment: on the command line it would show in the process list.
    sim_control = secrets.token_urlsafe(24)
    simulator = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "simulator", "--port", str(sim_port), "--api-key", API_KEY,
         "--boards", "2", "--seed", "1", "--log-level", "WARNING"],
        cwd=ROOT,
        env={**os.environ, "PIORCHESTRATOR_SIM_CONTROL_TOKEN": sim_control},
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    started = time.monotonic()
    with log.open("wb") as output:
        # Started from this checkout, `python -c` (--lenient-python) would put it on
        # sys.path, and the namespace package `custom_components` would load the
        # checkout's integration instead of the copy: start from the configuration.
        hass = subprocess.Popen(  # noqa: S603
            [*command, "-c", str(config)], stdout=output, stderr=subprocess.STDOUT, cwd=config
        )
    failure: str | None = None
    try:
        asyncio.run(
            _check(
                f"http://127.0.0.1:{ha_port}", sim_port, sim_control, lambda: hass.poll() is None
            )
        )
    except (DemoError, aiohttp.ClientError, TimeoutError, KeyError, StopIteration) as err:
        failure = f"{type(err).__name__}: {err}"
    finally:
        _stop(hass)
        _stop(simulator)
    text = log.read_text(errors="replace")
    broken = hass_log.broken(text)
    reported = hass_log.deprecations_about_us(text)
    others = [r for r in hass_log.deprecations(text) if r not in reported]
    say(f"took {time.monotonic() - started:.0f} s")
    for record in others:
        sys.stdout.write(f"  deprecation, not about {DOMAIN}: {_one_line(record)}\n")
    for record in broken + reported:
        sys.stdout.write(f"  log: {_one_line(record)}\n")
    say(
        f"log: {len(reported)} deprecation report(s) about {DOMAIN}, "
        f"{len(others)} about others, {len(broken)} load failure(s)"
    )
    if failure or broken or reported:
        say(f"FAILED: {failure or 'the log above shows a problem'} (full log: {log})")
        return 1
    if not args.keep:
        shutil.rmtree(config, ignore_errors=True)
    say(
        "passed: a Home Assistant with nothing else installed adds the Pi, shows its entities, "
        f"reauthenticates and reconfigures it, and reports no deprecated use by {DOMAIN}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
