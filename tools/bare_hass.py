"""Drive a real Home Assistant from a bare venv through adding the integration.

Run by scripts/bare_hass_check, which prepares the venv. This runs on the test toolchain
(.venv): it starts the simulator and `hass` as subprocesses on free ports, onboards the
first user over the REST API, adds the Pi through the config flow exactly as the UI does,
and checks that the entities are there and that hass's log has no import failure.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from typing import Any

import aiohttp

from demo.hass_api import DemoError, HomeAssistantApi

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = "piorchestrator"
API_KEY = "bare-check-api-key-0123456789"  # the simulator's key for this run only
# First start: Home Assistant pip-installs what the listed integrations and ours need.
START_TIMEOUT = 600.0
ENTITIES_TIMEOUT = 60.0
# Lines in hass's log that mean a user could not use the integration.
BROKEN = (
    "No module named",
    "Error occurred loading flow",
    "Requirements for piorchestrator not found",
    "Error setting up entry",
    "Unable to install package",
)
# Deprecation reports about us: the newest release must see none.
REPORTED = "custom integration 'piorchestrator'"

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


async def _check(url: str, sim_port: int, alive: Any) -> int:
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
    simulator = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "simulator", "--port", str(sim_port), "--api-key", API_KEY,
         "--boards", "2", "--seed", "1", "--log-level", "WARNING"],
        cwd=ROOT,
    )  # fmt: skip
    started = time.monotonic()
    with log.open("wb") as output:
        hass = subprocess.Popen(  # noqa: S603
            [*command, "-c", str(config)], stdout=output, stderr=subprocess.STDOUT
        )
    failure: str | None = None
    try:
        asyncio.run(_check(f"http://127.0.0.1:{ha_port}", sim_port, lambda: hass.poll() is None))
    except (DemoError, aiohttp.ClientError, TimeoutError, KeyError, StopIteration) as err:
        failure = f"{type(err).__name__}: {err}"
    finally:
        _stop(hass)
        _stop(simulator)
    text = log.read_text(errors="replace")
    broken = [line for line in text.splitlines() if any(b in line for b in BROKEN)]
    reported = [line for line in text.splitlines() if REPORTED in line]
    say(f"took {time.monotonic() - started:.0f} s")
    for line in broken + reported:
        sys.stdout.write(f"  log: {line[:400]}\n")
    if failure or broken or reported:
        say(f"FAILED: {failure or 'the log above shows a problem'} (full log: {log})")
        return 1
    if not args.keep:
        shutil.rmtree(config, ignore_errors=True)
    say("passed: a Home Assistant with nothing else installed adds the Pi and shows its entities")
    return 0


if __name__ == "__main__":
    sys.exit(main())
