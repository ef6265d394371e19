"""The demo keeps its secrets to its owner: private files from the first byte, none printed.

The demo's directory holds the Home Assistant password, the Pi's API key, the WiFi
password (in `automations.yaml`, as every blueprint input) and a long-lived token. A file
is private only if nobody else could read it at the moment the secret was written, so
the checks run with a umask that lets everyone read, and look at the mode when the bytes
go in, not afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
import os
from pathlib import Path
import stat
import sys
from typing import IO, Any

import pytest

from demo import ha_config
from demo.__main__ import _banner
from demo.processes import spawn
from demo.run import Demo
from demo.scenario import API_KEY, TARGET_PASSWORD, Settings

SECRET_FILES = ("credentials", "config/secrets.yaml", "config/automations.yaml")


@pytest.fixture
def open_umask() -> Iterator[None]:
    """Everyone may read what is created, unless the writer says otherwise."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        directory=tmp_path / "demo",
        ha_port=8123,
        sim_port=8082,
        ha_host="127.0.0.1",
        speed=1.0,
        password="person-password-Zq81",
    )


@pytest.fixture
def writes_seen(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """(file name, its mode at that moment) for every write through the private writer."""
    seen: list[tuple[str, int]] = []
    real_fdopen = os.fdopen

    def watching_fdopen(descriptor: int, *args: Any, **kwargs: Any) -> IO[Any]:
        file = real_fdopen(descriptor, *args, **kwargs)
        real_write = file.write

        def write(data: Any) -> int:
            mode = stat.S_IMODE(os.fstat(descriptor).st_mode)
            seen.append((str(data)[:40], mode))
            return real_write(data)

        file.write = write  # type: ignore[method-assign]
        return file

    monkeypatch.setattr(ha_config.os, "fdopen", watching_fdopen)
    return seen


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("open_umask")
def test_every_secret_file_is_private_from_its_first_byte(
    settings: Settings, writes_seen: list[tuple[str, int]]
) -> None:
    Demo(settings)._prepare_directory()  # the step that writes them
    ha_config.write_automations(settings, "entry-id")

    for name in SECRET_FILES:
        assert _mode(settings.directory / name) == 0o600, name
    assert _mode(settings.directory) == 0o700
    assert TARGET_PASSWORD in (settings.config_dir / "automations.yaml").read_text()
    credentials = (settings.directory / "credentials").read_text()
    assert settings.password in credentials
    assert API_KEY in credentials
    assert writes_seen  # the secrets did go through the watched writer
    assert {mode for _, mode in writes_seen} == {0o600}
    # No temporary file is left next to them.
    assert not [p.name for p in settings.config_dir.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.usefixtures("open_umask")
def test_a_file_that_was_readable_before_is_replaced_not_reused(tmp_path: Path) -> None:
    path = tmp_path / "automations.yaml"
    path.write_text("[]\n")
    path.chmod(0o644)  # as an earlier version of the demo left it

    ha_config.write_private(path, f"password: {TARGET_PASSWORD}\n")

    assert _mode(path) == 0o600
    assert path.read_text() == f"password: {TARGET_PASSWORD}\n"


async def test_process_logs_are_private(
    settings: Settings, open_umask: None, tmp_path: Path
) -> None:
    log = tmp_path / "simulator.log"
    child = await spawn("echo", [sys.executable, "-c", "print('X-Sim-Control: t')"], log)
    assert await child.process.wait() == 0
    assert _mode(log) == 0o600
    assert "X-Sim-Control" in log.read_text()


def test_the_banner_points_to_the_credentials_and_prints_no_secret(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = Demo(settings)
    demo.ready_after = 42.0
    _banner(demo)
    printed = capsys.readouterr().out
    assert str(settings.directory / "credentials") in printed
    for secret in (settings.password, API_KEY, TARGET_PASSWORD):
        assert secret not in printed
