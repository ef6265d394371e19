"""The shared flow-check pieces: how hass is started, and what a hass log fails.

Used by the demo's `check-flows` and the bare-venv check (tools/bare_hass.py).
"""

from __future__ import annotations

from pathlib import Path
import subprocess
import sys

from homeassistant.const import __version__ as ha_version

from demo.flows import LogFindings, hass_command, needs_lenient_python
from demo.flows_check import verdict

INSTALL = (
    "2026-12-06 23:40:40.000 INFO (SyncWorker_3) [homeassistant.util.package] Attempting "
    "install of radios==0.3.2"
)
REPORT_ABOUT_US = (
    "2026-12-06 23:01:02.345 WARNING (MainThread) [homeassistant.helpers.frame] Detected that "
    "custom integration 'piorchestrator' has an update listener and should use it for "
    "scheduling a reload. This will stop working in Home Assistant 2026.12.0"
)
REPORT_ABOUT_OTHERS = (
    "2026-12-06 23:01:03.000 WARNING (MainThread) [homeassistant.const] UNIT_X was used from "
    "hue, this is a deprecated constant which will be removed in HA Core 2027.1"
)


def test_the_lenient_command_starts_this_venvs_hass_whatever_python_it_asks_for() -> None:
    command = hass_command(Path(sys.executable).with_name("hass"), lenient_python=True)

    shown = subprocess.run(  # noqa: S603
        [*command, "--version"], capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()

    assert shown == ha_version


def test_hass_is_started_leniently_only_when_it_asks_for_a_newer_python() -> None:
    assert needs_lenient_python((3, 13, 2), (3, 13, 0))
    assert not needs_lenient_python((3, 13, 0), (3, 13, 0))
    assert not needs_lenient_python((3, 12, 0), (3, 13, 0))
    assert hass_command(Path("/venv/bin/hass"), lenient_python=False) == ["/venv/bin/hass"]
    assert hass_command(Path("/venv/bin/hass"), lenient_python=True)[:2] == [
        "/venv/bin/python",
        "-c",
    ]


def test_a_run_time_install_fails_the_demo_but_not_the_bare_venv() -> None:
    log = f"{INSTALL}\n{REPORT_ABOUT_OTHERS}\n"

    demo = LogFindings.read(log, installs_fail=True)
    bare = LogFindings.read(log, installs_fail=False)

    assert demo.failed
    assert not bare.failed
    assert f"log: {INSTALL}" in demo.details()
    assert not any(line.startswith("log:") for line in bare.details())
    assert demo.summary() == (
        "0 deprecation report(s) about piorchestrator, 1 about others, 0 load failure(s), "
        "1 package install(s) at run time"
    )


def test_a_deprecation_report_naming_us_fails_and_is_shown_on_one_line() -> None:
    findings = LogFindings.read(
        f"{REPORT_ABOUT_US}\n  continued on a second line\n", installs_fail=False
    )

    assert findings.failed
    assert findings.details() == [f"log: {REPORT_ABOUT_US} |   continued on a second line"]


def test_verdict_lines_say_pass_fail_or_skip() -> None:
    assert verdict("reauth", "", "flow took 5 s") == "check-flows reauth: PASS - flow took 5 s"
    assert verdict("reauth", "DemoError: no flow", "") == (
        "check-flows reauth: FAIL - DemoError: no flow"
    )
    assert verdict("log", None, "not reached") == "check-flows log: SKIP - not reached"
