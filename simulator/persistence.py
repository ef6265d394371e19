"""Atomic JSON persistence of the simulator state.

Every acknowledged change is written before the acknowledgement leaves (temp file, fsync,
os.replace, fsync of the directory), so even `kill -9` loses nothing acknowledged.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any


class StateFileError(RuntimeError):
    """The state file exists but cannot be used; refusing beats silently starting empty."""


class StateStore:
    """Reads and writes one state file; a store without a path keeps nothing."""

    def __init__(self, path: Path | None) -> None:
        """Bind the store to `path` (None: in-memory only)."""
        self.path = path
        self.writes = 0

    def load(self) -> dict[str, Any] | None:
        """Return the stored document, or None when there is none yet."""
        if self.path is None or not self.path.exists():
            return None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise StateFileError(f"cannot read state file {self.path}: {err}") from err
        if not isinstance(data, dict):
            raise StateFileError(f"state file {self.path} does not hold a JSON object")
        return data

    def save(self, document: dict[str, Any]) -> None:
        """Replace the file atomically with `document`."""
        if self.path is None:
            return
        payload = json.dumps(document, indent=1, sort_keys=True).encode()
        directory = self.path.parent
        directory.mkdir(parents=True, exist_ok=True)
        temp = directory / f".{self.path.name}.{os.getpid()}.tmp"
        # 0600: the file names the customer's boards; nobody else needs to read it.
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            temp.replace(self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                temp.unlink()
            raise
        self._sync_directory(directory)
        self.writes += 1

    @staticmethod
    def _sync_directory(directory: Path) -> None:
        # The rename is only durable once the directory entry is on disk.
        try:
            dir_fd = os.open(directory, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(dir_fd)
        except OSError:
            pass
        finally:
            os.close(dir_fd)
