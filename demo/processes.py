"""The demo's two child processes: started in their own sessions, stopped in order."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
import errno
import os
from pathlib import Path
import signal
import socket

from .hass_api import DemoError


@dataclass(slots=True)
class Child:
    """A process the demo started, with the file its output goes to."""

    name: str
    process: asyncio.subprocess.Process
    log: Path

    @property
    def alive(self) -> bool:
        """Whether it is still running."""
        return self.process.returncode is None

    def tail(self, lines: int = 20) -> str:
        """The last lines of its output, for error messages."""
        try:
            text = self.log.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


async def spawn(
    name: str,
    argv: list[str],
    log: Path,
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> Child:
    """Start `argv` in a new session, its output appended to `log`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    # Private: a log may quote what it was sent (the simulator's control token is in it).
    descriptor = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(descriptor, "ab") as output:
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=output,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
            env=env,
            cwd=cwd,
        )
    return Child(name, process, log)


async def stop(child: Child, grace: float) -> None:
    """SIGTERM its process group, then SIGKILL what is left after `grace` seconds."""
    if child.alive:
        _signal_group(child, signal.SIGTERM)
        try:
            await asyncio.wait_for(child.process.wait(), grace)
        except TimeoutError:
            _signal_group(child, signal.SIGKILL)
            await child.process.wait()
    # Whatever it started itself (none expected) goes with its group.
    _signal_group(child, signal.SIGKILL)


def _signal_group(child: Child, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.process.pid, sig)


def ensure_port_free(host: str, port: int, variable: str) -> None:
    """Fail with a clear message when something already listens on the port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                raise DemoError(
                    f"port {port} is in use (another demo or Home Assistant?); "
                    f"stop it or choose another port with {variable}=..."
                ) from None
            raise
