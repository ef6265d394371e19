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

from demo import flows
from demo.flows import EntryWatcher, LogFindings
from demo.hass_api import DemoError, HomeAssistantApi
from tools.hass_log import DOMAIN

ROOT = Path(__file__).resolve().parent.parent
API_KEY = "bare-check-api-key-0123456789"  # the simulator's key for this run only
NEW_API_KEY = "bare-check-new-api-key-9876543210"  # the key the Pi changes to
# First start: Home Assistant pip-installs what the listed integrations and ours need.
START_TIMEOUT = 600.0
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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def say(text: str) -> None:
    """Progress for the person watching CI."""
    sys.stdout.write(f"bare_hass_check: {text}\n")
    sys.stdout.flush()


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
        shown = await flows.wait_for_entities(api, entry_id)
        say(f"entry loaded, {len(shown)} entities with a state")
        watcher = EntryWatcher(await api.websocket(), entry_id)
        try:
            await watcher.start()
            sim = (f"http://127.0.0.1:{sim_port}", sim_control)
            say(f"reauth: {await flows.reauth(api, watcher, session, sim, NEW_API_KEY)}")
            say(f"reconfigure: {await flows.reconfigure(api, watcher, sim_port, NEW_API_KEY)}")
        finally:
            await watcher.close()
        return len(shown)


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
    command = flows.hass_command(hass_bin, lenient_python=args.lenient_python)
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
        # From the configuration, not the checkout (flows.hass_command says why).
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
    # Home Assistant installs the integration's requirements into the bare venv: expected.
    findings = LogFindings.read(log.read_text(errors="replace"), installs_fail=False)
    say(f"took {time.monotonic() - started:.0f} s")
    for line in findings.details():
        sys.stdout.write(f"  {line}\n")
    say(f"log: {findings.summary()}")
    if failure or findings.failed:
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
