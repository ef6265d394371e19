"""Every request the simulated Pi receives, with its time, full URL, headers and status.

The simulator's own report counts requests by path only and its access log leaves the
query string out on purpose. The scenarios need more: when each request came (to count
requests inside a back-off window), how many were in flight at once, and the full URL
(to prove no key travels in a query string). So the tests wrap the simulator's
application with one more middleware; the simulator's code is not changed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
import time
from typing import Final

from aiohttp import web
import pytest

from simulator.app import build_app as simulator_build_app
from simulator.context import Context
import simulator.server

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

STREAM_PATHS: Final = frozenset(
    {
        "/api/v1/provisioning/batch/events",
        "/api/provisioning/batch/events",
        "/api/v1/system/logs/stream",
        "/ws/monitor",
    }
)
"""Long-lived connections: not counted as requests in flight."""
SSE_PATH: Final = "/api/v1/provisioning/batch/events"


@dataclass(slots=True)
class LoggedRequest:
    """One request as the Pi saw it."""

    at: float
    """`time.monotonic()` when it arrived."""
    method: str
    path: str
    raw_url: str
    """Path and query string exactly as sent."""
    headers: dict[str, str]
    body: bytes = b""
    """The request body (not read for streams)."""
    status: int | None = None
    finished: float | None = None

    @property
    def is_fault_route(self) -> bool:
        """Whether this is one of the tests' own `/_sim/*` calls."""
        return self.path.startswith("/_sim/")

    @property
    def from_home_assistant(self) -> bool:
        """Whether Home Assistant sent it (the tests' own reads of the truth did not).

        Home Assistant's shared HTTP session names itself in the User-Agent; the
        checker's plain aiohttp session does not.
        """
        return self.headers.get("User-Agent", "").startswith("HomeAssistant/")


class RequestLog:
    """The requests received by every simulator started while the log is installed."""

    def __init__(self) -> None:
        """Start empty."""
        self.entries: list[LoggedRequest] = []
        self.in_flight = 0
        self.max_in_flight = 0

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Record the request, then let the simulator answer it."""
        entry = LoggedRequest(
            at=time.monotonic(),
            method=request.method,
            path=request.path,
            raw_url=request.raw_path,
            headers=dict(request.headers),
        )
        self.entries.append(entry)
        counted = not entry.is_fault_route and entry.path not in STREAM_PATHS
        if counted and request.can_read_body:
            entry.body = await request.read()  # kept by aiohttp for the handler
        if counted:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            entry.status = exc.status
            raise
        else:
            entry.status = response.status
            return response
        finally:
            entry.finished = time.monotonic()
            if counted:
                self.in_flight -= 1

    def api(self) -> list[LoggedRequest]:
        """Requests the integration sent (the tests' own calls left out)."""
        return [entry for entry in self.entries if entry.from_home_assistant]

    def between(
        self, start: float, end: float, *, paths: Iterable[str] | None = None
    ) -> list[LoggedRequest]:
        """Integration requests that arrived in `[start, end)`, optionally only to `paths`."""
        wanted = set(paths) if paths is not None else None
        return [
            entry
            for entry in self.api()
            if start <= entry.at < end and (wanted is None or entry.path in wanted)
        ]

    def to(self, path: str, *, status: int | None = None) -> list[LoggedRequest]:
        """Integration requests to `path`, optionally only those answered with `status`."""
        return [
            entry
            for entry in self.api()
            if entry.path == path and (status is None or entry.status == status)
        ]

    def hasty_retries(self, entries: list[LoggedRequest], min_gap: float) -> list[str]:
        """Requests sent again to a path less than `min_gap` s after it failed.

        This is what a request storm is made of: a failure answered by asking again
        at once. Returns one line per offence.
        """
        offences: list[str] = []
        for index, failed in enumerate(entries):
            if failed.status is None or failed.status < 400 or failed.finished is None:
                continue
            following = next(
                (later for later in entries[index + 1 :] if later.path == failed.path), None
            )
            if following is not None and following.at - failed.finished < min_gap:
                offences.append(
                    f"{failed.path} failed with {failed.status} and was asked again "
                    f"{following.at - failed.finished:.3f} s later"
                )
        return offences

    def overlapping(self, entries: list[LoggedRequest]) -> list[str]:
        """Requests sent to a path while an earlier one to it was still unanswered.

        Two reads of the same thing in flight at once waste a request, and their
        answers can land in either order. Returns one line per offence.
        """
        offences: list[str] = []
        for index, earlier in enumerate(entries):
            for later in entries[index + 1 :]:
                if later.path != earlier.path:
                    continue
                if earlier.finished is None or later.at < earlier.finished:
                    offences.append(
                        f"{later.method} {later.path} sent {later.at - earlier.at:.3f} s after "
                        "the same request, before its answer"
                    )
                break
        return offences

    def mark(self) -> int:
        """A position in the log, to look only at what comes after it."""
        return len(self.entries)

    def since(self, mark: int) -> list[LoggedRequest]:
        """Integration requests logged after `mark`."""
        return [entry for entry in self.entries[mark:] if entry.from_home_assistant]


def install(monkeypatch: pytest.MonkeyPatch) -> RequestLog:
    """Make every simulator started from now on record into a new log."""
    log = RequestLog()

    def build_app(ctx: Context) -> web.Application:
        app = simulator_build_app(ctx)
        app.middlewares.insert(0, log.middleware)  # outermost: sees the final status
        return app

    monkeypatch.setattr(simulator.server, "build_app", build_app)
    return log
