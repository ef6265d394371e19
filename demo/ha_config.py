"""The demo's Home Assistant configuration directory, written from scratch."""

from __future__ import annotations

import os
from pathlib import Path
import shutil
from typing import Final

from homeassistant.util import slugify
from homeassistant.util.yaml import dump

from .scenario import PI_NAME, REPO, TARGET_PASSWORD, TARGET_SSID, Settings

BLUEPRINTS: Final = REPO / "blueprints" / "automation" / "piorchestrator"
DOOR_BLUEPRINT: Final = "piorchestrator/start_batch_on_door_open.yaml"

# Only what the demo uses, instead of `default_config:` (parts of which need the internet
# or binaries this machine does not have). Latitude and longitude 0 keep onboarding from
# adding a weather service that would need the internet.
CONFIGURATION: Final = """\
homeassistant:
  name: PiOrchestrator demo
  latitude: 0
  longitude: 0
  elevation: 0
  unit_system: metric
  time_zone: UTC
  currency: EUR
  country: DE
  language: en

http:
  server_host: {host}
  server_port: {port}

frontend:
api:
config:
lovelace:
automation: !include automations.yaml
script: !include scripts.yaml
blueprint:
logbook:
history:
recorder:
  purge_keep_days: 1
person:
mobile_app:
notify:
onboarding:
system_health:

logger:
  default: warning
  logs:
    custom_components.piorchestrator: info
    homeassistant.util.package: info
    # mobile_app imports camera, which looks for the optional libturbojpeg: harmless here.
    homeassistant.components.camera.img_util: critical
    # Onboarding adds Google Translate text-to-speech, which checks for an ffmpeg binary
    # this machine does not have; the demo removes that entry (it needs the internet).
    haffmpeg: critical
    # The demo renames the Pi's entities a second after they appear: no history to move yet.
    homeassistant.components.recorder.entity_registry: error
"""


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner may read, from its first byte: secrets go in such files.

    A new file is created beside `path` with mode 0600 and moved over it. Opening `path`
    itself would keep the mode of a file that already exists (an earlier run's, or one
    written before it held a secret), and chmod afterwards leaves a moment when others
    may read it.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.unlink(missing_ok=True)
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(text)
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_config(settings: Settings) -> None:
    """Write a fresh configuration directory for `settings`."""
    config = settings.config_dir
    config.mkdir(parents=True)
    (config / "configuration.yaml").write_text(
        CONFIGURATION.format(host=settings.ha_host, port=settings.ha_port)
    )
    write_private(
        config / "secrets.yaml",
        dump(
            {
                "piorchestrator_target_ssid": TARGET_SSID,
                "piorchestrator_target_password": TARGET_PASSWORD,
            }
        ),
    )
    (config / "scripts.yaml").write_text("{}\n")
    # Empty now, but it will hold the WiFi password: private from the start.
    write_private(config / "automations.yaml", "[]\n")

    installed = config / "blueprints" / "automation" / "piorchestrator"
    installed.mkdir(parents=True)
    for blueprint in sorted(BLUEPRINTS.glob("*.yaml")):
        shutil.copy(blueprint, installed / blueprint.name)

    custom = config / "custom_components"
    custom.mkdir()
    (custom / "piorchestrator").symlink_to(REPO / "custom_components" / "piorchestrator")


def write_automations(settings: Settings, entry_id: str) -> None:
    """One automation from a blueprint: a batch starts when the cabinet opens."""
    automations = [
        {
            "id": "piorchestrator_demo_door",
            "alias": "Start a batch when the cabinet opens",
            "description": "Made from the PiOrchestrator blueprint, by the demo.",
            "use_blueprint": {
                "path": DOOR_BLUEPRINT,
                "input": {
                    "door": f"binary_sensor.{slugify(PI_NAME)}_cabinet_door",
                    "pi": entry_id,
                    "target_ssid": TARGET_SSID,
                    "target_password": TARGET_PASSWORD,
                    "only_when_idle": True,
                    "cooldown": 5,
                },
            },
        }
    ]
    write_private(settings.config_dir / "automations.yaml", dump(automations))
