"""Async REST client for the PiOrchestrator V1 API.

The client sends: URLs, the API-key header, retries, the rate-limit hold-back, the
body cap, opening both streams and a log of recent requests. What an answer means
(the envelopes of API.md §1, error codes, model parsing) is `envelope.py`'s. Callers
get typed models or a `PiOrchestratorError`; they never see a status code or an
envelope.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
import logging
import time
from types import SimpleNamespace
from typing import Any, Final
from urllib.parse import quote

import aiohttp
from yarl import URL

from .envelope import (
    DEFAULT_RETRY_AFTER,
    Answer,
    Attempt,
    correlation_of,
    interpret,
    parse,
    parse_list,
    unwrap,
    wrap,
)
from .errors import (
    ErrorCode,
    PiOrchestratorAuthenticationError,
    PiOrchestratorConnectionError,
    PiOrchestratorError,
    PiOrchestratorNotFoundError,
    PiOrchestratorRateLimitedError,
    PiOrchestratorRedirectError,
    PiOrchestratorResponseError,
    PiOrchestratorTimeoutError,
    PiOrchestratorValidationError,
)
from .mac import normalize_mac
from .models import (
    AllowlistEntry,
    AllowlistEntryResult,
    AllowlistStats,
    Board,
    BoardAction,
    BoardActionResult,
    BoardState,
    BulkAddResult,
    BulkRemoveResult,
    ClearResult,
    DoorCommandResult,
    DoorHistoryEntry,
    DoorStatus,
    NetworkStatus,
    ProvisionAllResult,
    Session,
    SessionAction,
    SessionResult,
    SessionSnapshot,
    SystemInfo,
    is_session_id,
)

_LOGGER = logging.getLogger(__name__)

DEFAULT_PORT: Final = 8082
DEFAULT_BASE_PATH: Final = "/api/v1"
LEGACY_BASE_PATH: Final = "/api"
MAX_BODY_BYTES: Final = 8 * 1024 * 1024
"""The largest REST answer read. A session of 500 boards is about 0.1 MiB; anything
past this is not the Pi talking, and reading it whole could exhaust the host's memory."""
_READ_CHUNK_BYTES: Final = 64 * 1024
_REDIRECT_STATUSES: Final = range(300, 400)
RECENT_REQUESTS: Final = 50
"""Requests kept for diagnostics, successes included: enough to trace a batch's last moves."""
RECENT_FAILURES: Final = 20


class _Unset(Enum):
    UNSET = "UNSET"


UNSET: Final = _Unset.UNSET
"""Marks an optional argument that was not given, as opposed to one set to None."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How the client retries errors the Pi marks retryable.

    The total wait is bounded so a caller (a person pressing a button) is not kept
    waiting: an error that asks for a longer wait surfaces at once with its
    `retry_after`, for the caller to show.
    """

    max_attempts: int = 3
    max_total_wait: float = 10.0
    connection_retry_delay: float = 1.0


@dataclass(frozen=True, slots=True)
class FailedRequest:
    """A request that ended in an error, kept for diagnostics."""

    at: datetime
    method: str
    path: str
    code: str | None
    http_status: int | None
    message: str
    correlation_id: str | None


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request the Pi answered (or did not), kept to trace it in the Pi's logs.

    `path` never holds a query string: the only secret that may travel in one
    (`?api_key=`) is never sent, and parameters are not kept either.
    """

    at: datetime
    method: str
    path: str
    status: int | None
    """The HTTP status; None when no answer came (timeout, refused connection)."""
    duration_ms: float
    correlation_id: str | None


class PiOrchestratorClient:
    """Talks to one PiOrchestrator over its V1 REST API."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        host: str,
        port: int = DEFAULT_PORT,
        *,
        api_key: str | None = None,
        ssl: bool = False,
        verify_ssl: bool = True,
        base_path: str = DEFAULT_BASE_PATH,
        request_timeout: float = 10.0,
        retry_policy: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Bind to a Pi; `session` is borrowed, never closed by the client.

        `sleep` and `clock` are for tests that wait without waiting.
        """
        self._session = session
        self.host = host
        self.port = port
        self._api_key = api_key or None
        self._ssl = ssl
        self._verify_ssl = verify_ssl
        self.base_path = "/" + base_path.strip("/") if base_path.strip("/") else ""
        self._timeout = aiohttp.ClientTimeout(total=request_timeout)
        self._retry = retry_policy or RetryPolicy()
        self._sleep = sleep
        self.recent_failures: deque[FailedRequest] = deque(maxlen=RECENT_FAILURES)
        self.recent_requests: deque[RequestRecord] = deque(maxlen=RECENT_REQUESTS)
        self._quiet_until = 0.0
        self._held_until: datetime | None = None
        self._hold_listeners: list[Callable[[], None]] = []
        self._clock = clock
        self.url = URL.build(scheme="https" if ssl else "http", host=host, port=port)

    def __repr__(self) -> str:
        """Identify the Pi without revealing the key."""
        return f"PiOrchestratorClient(url={str(self.url)!r}, base_path={self.base_path!r})"

    @property
    def held_until(self) -> datetime | None:
        """Until when requests wait for the Pi's rate limit to pass (UTC); None when not held."""
        if self._quiet_until <= self._clock():
            return None
        return self._held_until

    def add_hold_listener(self, changed: Callable[[], None]) -> Callable[[], None]:
        """Call `changed()` when a rate limit starts or grows; returns the removal."""
        self._hold_listeners.append(changed)
        return lambda: self._hold_listeners.remove(changed)

    @property
    def uses_envelope(self) -> bool:
        """Whether responses are wrapped (V1) or bare (the legacy `/api` routes)."""
        return self.base_path != LEGACY_BASE_PATH

    # -- System ---------------------------------------------------------------

    async def system_info(self) -> SystemInfo:
        """Return the Pi's CPU, memory, disk, temperature, uptime and load."""
        return parse(SystemInfo, await self._get("/system/info", protected=False))

    async def answers_legacy_api(self) -> bool:
        """Whether the Pi answers the legacy `/api` routes (an older Pi without `/api/v1`).

        Asked once, without retries: it only explains why the V1 API did not answer.
        """
        started = time.monotonic()
        url = self.url.with_path(f"{LEGACY_BASE_PATH}/system/info", encoded=True)
        status: int | None = None
        try:
            async with self._session.get(
                url,
                headers=self._headers(protected=False),
                timeout=self._timeout,
                ssl=self._ssl_option,
                allow_redirects=False,
            ) as response:
                status = response.status
                await response.read()
        except (TimeoutError, aiohttp.ClientError):
            return False
        finally:
            self._record_request("GET", url.path, status, started, None)
        return 200 <= status < 300

    # -- Batch provisioning -----------------------------------------------------

    async def start_batch(
        self,
        target_ssid: str,
        target_password: str,
        *,
        discovery_timeout: int | None = None,
        provisioning_timeout: int | None = None,
        verification_timeout: int | None = None,
    ) -> SessionResult:
        """Start a session that brings discovered boards onto `target_ssid`."""
        body: dict[str, Any] = {"target_ssid": target_ssid, "target_password": target_password}
        config = {
            name: value
            for name, value in (
                ("discovery_timeout_seconds", discovery_timeout),
                ("provisioning_timeout_seconds", provisioning_timeout),
                ("verification_timeout_seconds", verification_timeout),
            )
            if value is not None
        }
        if config:
            body["config"] = config
        return parse(SessionResult, await self._post("/provisioning/batch/start", body))

    async def get_batch(self, session_id: str, *, include_devices: bool = True) -> SessionSnapshot:
        """Return a session, with its boards unless told otherwise."""
        params = {"include_devices": "true"} if include_devices else None
        answer = await self._get(
            f"/provisioning/batch/{_session_segment(session_id)}", params=params
        )
        return parse(SessionSnapshot, answer)

    async def session_action(self, session_id: str, action: SessionAction) -> SessionResult:
        """Stop, pause or resume a session."""
        # Checked again at run time: the action becomes a path segment, and a
        # caller without a type checker could pass any text.
        segment = SessionAction(action).value
        answer = await self._post(f"/provisioning/batch/{_session_segment(session_id)}/{segment}")
        return parse(SessionResult, answer)

    async def provision_all(
        self, session_id: str, *, only_allowlisted: bool = True
    ) -> ProvisionAllResult:
        """Provision every discovered board, by default only allowlisted ones."""
        answer = await self._post(
            f"/provisioning/batch/{_session_segment(session_id)}/provision-all",
            {"only_allowlisted": only_allowlisted},
        )
        return parse(ProvisionAllResult, answer)

    async def list_boards(self, session_id: str, *, state: BoardState | None = None) -> list[Board]:
        """Return the boards of a session, optionally only those in `state`."""
        params = {"state": state.value} if state is not None else None
        answer = await self._get(
            f"/provisioning/batch/{_session_segment(session_id)}/devices", params=params
        )
        return parse_list(Board, answer, "devices")

    async def board_action(
        self, session_id: str, mac: str, action: BoardAction
    ) -> BoardActionResult:
        """Provision, retry or skip one board of a session."""
        segment = BoardAction(action).value
        path = (
            f"/provisioning/batch/{_session_segment(session_id)}"
            f"/devices/{_mac_segment(mac)}/{segment}"
        )
        return parse(BoardActionResult, await self._post(path))

    async def network_status(self) -> NetworkStatus:
        """Return the onboarding network's status.

        Firmware has been seen serving it at two paths; the second is tried when
        the first does not exist.
        """
        try:
            answer = await self._get("/provisioning/batch/network")
        except PiOrchestratorNotFoundError:
            answer = await self._get("/provisioning/network/status")
        return parse(NetworkStatus, answer)

    # -- Allowlist ----------------------------------------------------------------

    async def allowlist(self, *, available_only: bool = False) -> list[AllowlistEntry]:
        """Return the allowlist, or only its entries not yet used."""
        params = {"available": "true"} if available_only else None
        answer = await self._get("/provisioning/allowlist", params=params)
        return parse_list(AllowlistEntry, answer, "entries")

    async def allowlist_entry(self, mac: str) -> AllowlistEntry:
        """Return one allowlist entry."""
        answer = await self._get(f"/provisioning/allowlist/{_mac_segment(mac)}")
        return parse(AllowlistEntry, unwrap(answer, "entry"))

    async def allowlist_add(
        self, mac: str, *, description: str | None = None, container_id: str | None = None
    ) -> AllowlistEntry:
        """Approve a board for provisioning."""
        body: dict[str, Any] = {"mac": normalize_mac(mac)}
        if description is not None:
            body["description"] = description
        if container_id is not None:
            body["container_id"] = container_id
        answer = await self._post("/provisioning/allowlist", body)
        return parse(AllowlistEntryResult, wrap(answer, "entry")).entry

    async def allowlist_update(
        self,
        mac: str,
        *,
        description: str | None | _Unset = UNSET,
        container_id: str | None | _Unset = UNSET,
    ) -> AllowlistEntry:
        """Change an entry's description or container; omitted fields stay as they are."""
        body = {
            name: value
            for name, value in (("description", description), ("container_id", container_id))
            if value is not UNSET
        }
        answer = await self._request(
            "PATCH", f"/provisioning/allowlist/{_mac_segment(mac)}", json_body=body
        )
        return parse(AllowlistEntryResult, wrap(answer, "entry")).entry

    async def allowlist_remove(self, mac: str) -> None:
        """Withdraw a board's approval."""
        await self._request("DELETE", f"/provisioning/allowlist/{_mac_segment(mac)}")

    async def allowlist_bulk_add(self, entries: Iterable[Mapping[str, Any]]) -> BulkAddResult:
        """Approve many boards at once; each entry has `mac` and optional details."""
        body = [{**entry, "mac": normalize_mac(str(entry["mac"]))} for entry in entries]
        answer = await self._post("/provisioning/allowlist/bulk", {"entries": body})
        return parse(BulkAddResult, answer)

    async def allowlist_bulk_remove(self, macs: Iterable[str]) -> BulkRemoveResult:
        """Withdraw many approvals at once."""
        body = {"macs": [normalize_mac(mac) for mac in macs]}
        return parse(
            BulkRemoveResult, await self._post("/provisioning/allowlist/bulk-remove", body)
        )

    async def allowlist_clear(self) -> ClearResult:
        """Remove every allowlist entry."""
        return parse(ClearResult, await self._request("DELETE", "/provisioning/allowlist/all"))

    async def allowlist_stats(self) -> AllowlistStats:
        """Return how many entries exist, are used and are available."""
        return parse(AllowlistStats, await self._get("/provisioning/allowlist/stats"))

    # -- Session recovery ------------------------------------------------------

    async def recoverable_sessions(self) -> list[Session]:
        """Return sessions interrupted by a Pi restart that can be resumed."""
        answer = await self._get("/provisioning/sessions/recoverable")
        return parse_list(Session, answer, "sessions")

    async def resume_session(self, session_id: str) -> SessionResult:
        """Resume an interrupted session; its boards keep their states."""
        answer = await self._post(f"/provisioning/sessions/{_session_segment(session_id)}/resume")
        return parse(SessionResult, answer)

    # -- Cabinet door -----------------------------------------------------------

    async def door_status(self) -> DoorStatus:
        """Return the cabinet door's contact and lock state."""
        return parse(DoorStatus, await self._get("/door/status"))

    async def open_door(
        self, *, duration: int | None = None, testing_mode: bool | None = None
    ) -> DoorCommandResult:
        """Unlock and open the door, for `duration` seconds if given."""
        body: dict[str, Any] = {}
        if duration is not None:
            body["duration"] = duration
        if testing_mode is not None:
            body["testing_mode"] = testing_mode
        return self._door_result(await self._post("/door/open", body))

    async def close_door(self) -> DoorCommandResult:
        """Close and lock the door."""
        return self._door_result(await self._post("/door/close"))

    async def door_history(self, *, limit: int = 20) -> list[DoorHistoryEntry]:
        """Return the latest door commands, newest first as the Pi orders them."""
        answer = await self._get("/door/history", params={"limit": str(limit)})
        return parse_list(DoorHistoryEntry, answer, "history")

    # -- Streams -----------------------------------------------------------------

    async def open_event_stream(
        self, *, session_id: str | None = None, last_event_id: str | None = None
    ) -> aiohttp.ClientResponse:
        """Open the SSE stream of provisioning events; the caller closes it.

        The key goes in the header, never in the query string, so it cannot end up
        in a proxy's or the Pi's access log.
        """
        if (held := self._held_back("GET", "/provisioning/batch/events")) is not None:
            raise held
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        params = {"session_id": _checked_session_id(session_id)} if session_id else None
        path = "/provisioning/batch/events"
        url = self._url(path)
        started = time.monotonic()
        try:
            response = await self._session.get(
                url,
                params=params,
                headers=self._headers(protected=True, extra=headers),
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=self._timeout.total),
                ssl=self._ssl_option,
                allow_redirects=False,
            )
        except (TimeoutError, aiohttp.ClientError) as err:
            self._record_request("GET", url.path, None, started, None)
            raise self._transport_error("GET", path, err) from err
        # The time to the stream's headers: how long the Pi took to accept it.
        self._record_request(
            "GET", url.path, response.status, started, response.headers.get("X-Correlation-ID")
        )
        if response.status in _REDIRECT_STATUSES:
            response.release()
            redirect = self._redirect_error("GET", path, response)
            self._record_failure("GET", path, redirect)
            raise redirect
        if response.status != 200:
            try:
                # The stream's own timeout is unbounded; its error answer is not.
                async with asyncio.timeout(self._timeout.total):
                    attempt = await self._read_answer("GET", path, response)
            except (TimeoutError, aiohttp.ClientError) as err:
                attempt = Attempt(error=self._transport_error("GET", path, err))
            finally:
                response.release()
            self._note_rate_limit(attempt.error)
            error = attempt.error or PiOrchestratorResponseError(
                "The Pi did not open the event stream", http_status=response.status
            )
            self._record_failure("GET", path, error)
            raise error
        return response

    async def connect_monitor(self) -> aiohttp.ClientWebSocketResponse:
        """Open the `/ws/monitor` WebSocket of system health; the caller closes it."""
        if (held := self._held_back("GET", "/ws/monitor")) is not None:
            raise held
        url = self.url.with_scheme("wss" if self._ssl else "ws").with_path("/ws/monitor")
        # aiohttp's ws_connect always follows redirects and takes no option to stop.
        # A session sharing the caller's connections, with a trace that refuses any
        # redirect before it is followed, keeps the handshake at the Pi's address.
        refuse = aiohttp.TraceConfig()
        # aiosignal's Signal[T] types its items as taking T; aiohttp's T is the callback.
        refuse.on_request_redirect.append(_refuse_redirect)  # type: ignore[arg-type]
        try:
            async with aiohttp.ClientSession(
                connector=self._session.connector,
                connector_owner=False,
                headers=self._session.headers,
                timeout=self._session.timeout,
                trace_configs=[refuse],
            ) as session:
                return await session.ws_connect(
                    url,
                    timeout=aiohttp.ClientWSTimeout(ws_close=self._timeout.total),
                    ssl=self._ssl_option,
                    autoping=True,
                    heartbeat=None,
                )
        except _RedirectRefusedError as redirect:
            error = self._redirect_error("GET", "/ws/monitor", redirect.response)
            self._record_failure("GET", "/ws/monitor", error)
            raise error from None
        except (TimeoutError, aiohttp.ClientError) as err:
            raise self._transport_error("GET", "/ws/monitor", err) from err

    # -- Plumbing ----------------------------------------------------------------

    @staticmethod
    def _door_result(answer: Answer) -> DoorCommandResult:
        # The door endpoints put `success` inside `data`; a refusal there is a
        # failed command, not a transport error, so the caller decides.
        result = parse(DoorCommandResult, answer)
        return result.model_copy(update={"correlation_id": answer.correlation_id})

    async def _get(
        self, path: str, *, params: Mapping[str, str] | None = None, protected: bool = True
    ) -> Answer:
        return await self._request("GET", path, params=params, protected=protected)

    async def _post(self, path: str, body: Mapping[str, Any] | None = None) -> Answer:
        return await self._request("POST", path, json_body=dict(body) if body is not None else {})

    @property
    def _ssl_option(self) -> bool:
        # aiohttp: True verifies certificates as usual, False accepts any (a Pi
        # with a self-signed certificate).
        return self._verify_ssl

    def _url(self, path: str) -> URL:
        return self.url.with_path(f"{self.base_path}{path}", encoded=True)

    def _headers(
        self, *, protected: bool, extra: Mapping[str, str] | None = None
    ) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if extra:
            headers.update(extra)
        if protected and self._api_key:
            headers["X-API-Key"] = self._api_key
        return headers

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Mapping[str, Any] | None = None,
        protected: bool = True,
    ) -> Answer:
        """Send a request, retrying what the Pi says is retryable, and unwrap it."""
        idempotent = method in ("GET", "PUT", "DELETE", "HEAD")
        waited = 0.0
        attempt_number = 0
        while True:
            attempt_number += 1
            attempt = await self._attempt(method, path, params, json_body, protected)
            error = attempt.error
            if error is None:
                return attempt.answer
            delay = self._retry_delay(error, idempotent=idempotent)
            if (
                delay is None
                or attempt_number >= self._retry.max_attempts
                or waited + delay > self._retry.max_total_wait
            ):
                self._record_failure(method, path, error)
                raise error
            _LOGGER.debug(
                "%s %s failed (%s); retrying in %.1f s",
                method,
                path,
                error.code or error.http_status,
                delay,
            )
            waited += delay
            await self._sleep(delay)

    def _retry_delay(self, error: PiOrchestratorError, *, idempotent: bool) -> float | None:
        """Seconds to wait before trying again, or None when it must not be retried."""
        if isinstance(error, PiOrchestratorAuthenticationError):
            return None
        if isinstance(error, PiOrchestratorConnectionError):
            # A request that may have reached the Pi is not sent twice: starting a
            # batch or provisioning a board must not happen twice by accident.
            return self._retry.connection_retry_delay if idempotent else None
        if error.retryable:
            return error.retry_after if error.retry_after is not None else DEFAULT_RETRY_AFTER
        return None

    async def _attempt(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        json_body: Mapping[str, Any] | None,
        protected: bool,
    ) -> Attempt:
        if (held := self._held_back(method, path)) is not None:
            return Attempt(error=held)
        started = time.monotonic()
        url = self._url(path)
        try:
            async with self._session.request(
                method,
                url,
                params=params,
                json=json_body,
                headers=self._headers(protected=protected),
                timeout=self._timeout,
                ssl=self._ssl_option,
                allow_redirects=False,
            ) as response:
                if response.status in _REDIRECT_STATUSES:
                    # Unread: a redirect's body is not the Pi's answer.
                    self._record_request(method, url.path, response.status, started, None)
                    return Attempt(error=self._redirect_error(method, path, response))
                attempt = await self._read_answer(method, path, response)
                self._note_rate_limit(attempt.error)
                correlation_id = attempt.answer.correlation_id or correlation_of(attempt.error)
                record = self._record_request(
                    method, url.path, response.status, started, correlation_id
                )
                _LOGGER.debug(
                    "%s %s -> %s in %.0f ms (correlation ID %s)",
                    method,
                    path,
                    response.status,
                    record.duration_ms,
                    correlation_id,
                )
                return attempt
        except (TimeoutError, aiohttp.ClientError) as err:
            self._record_request(method, url.path, None, started, None)
            return Attempt(error=self._transport_error(method, path, err))

    def _record_request(
        self,
        method: str,
        path: str,  # the URL's whole path, never its query
        status: int | None,
        started: float,
        correlation_id: str | None,
    ) -> RequestRecord:
        record = RequestRecord(
            at=datetime.now(UTC),
            method=method,
            path=path,
            status=status,
            duration_ms=round((time.monotonic() - started) * 1000, 1),
            correlation_id=correlation_id,
        )
        self.recent_requests.append(record)
        return record

    def _note_rate_limit(self, error: PiOrchestratorError | None) -> None:
        """The Pi limits a client, not a path: after a 429 nothing is sent until it passes."""
        if isinstance(error, PiOrchestratorRateLimitedError) and error.retry_after:
            until = self._clock() + error.retry_after
            if until <= self._quiet_until:
                return
            self._quiet_until = until
            self._held_until = datetime.now(UTC) + timedelta(seconds=error.retry_after)
            for changed in list(self._hold_listeners):
                changed()

    def _held_back(self, method: str, path: str) -> PiOrchestratorRateLimitedError | None:
        """The error to answer with, without asking the Pi, while its rate limit lasts."""
        remaining = self._quiet_until - self._clock()
        if remaining <= 0:
            return None
        _LOGGER.debug("%s %s held back for %.1f s by the Pi's rate limit", method, path, remaining)
        return PiOrchestratorRateLimitedError(
            "The Pi asked for fewer requests; waiting before asking again",
            code=ErrorCode.RATE_LIMITED,
            http_status=429,
            retryable=True,
            retry_after=remaining,
        )

    def _redirect_error(
        self, method: str, path: str, response: aiohttp.ClientResponse
    ) -> PiOrchestratorRedirectError:
        target = _redirect_target(response.headers.get("Location"), self.url)
        _LOGGER.debug("%s %s answered HTTP %s to %s", method, path, response.status, target)
        return PiOrchestratorRedirectError(
            f"The Pi answered with a redirect to {target}; check the host and port",
            target=target,
            http_status=response.status,
        )

    def _transport_error(self, method: str, path: str, err: BaseException) -> PiOrchestratorError:
        if isinstance(err, TimeoutError | aiohttp.ServerTimeoutError):
            error: PiOrchestratorError = PiOrchestratorTimeoutError(
                f"The Pi at {self.host} did not answer {method} {path} in time"
            )
        else:
            error = PiOrchestratorConnectionError(
                f"Cannot reach the Pi at {self.host}:{self.port} ({type(err).__name__})"
            )
        return error

    async def _read_answer(
        self, method: str, path: str, response: aiohttp.ClientResponse
    ) -> Attempt:
        """Read a bounded body and interpret it; a body too large is refused unread."""
        declared = response.content_length
        body = bytearray()
        if declared is None or declared <= MAX_BODY_BYTES:
            async for chunk in response.content.iter_chunked(_READ_CHUNK_BYTES):
                body += chunk
                if len(body) > MAX_BODY_BYTES:
                    break
        if (declared is not None and declared > MAX_BODY_BYTES) or len(body) > MAX_BODY_BYTES:
            return Attempt(
                error=PiOrchestratorResponseError(
                    f"The Pi at {self.host} answered {method} {path} with more than "
                    f"{MAX_BODY_BYTES // (1024 * 1024)} MiB; the answer was not read. "
                    "Check that the host and port point at PiOrchestrator",
                    http_status=response.status,
                )
            )
        return interpret(response.status, response.headers, bytes(body))

    def _record_failure(self, method: str, path: str, error: PiOrchestratorError) -> None:
        _LOGGER.debug("%s %s failed: %s", method, path, error)
        self.recent_failures.append(
            FailedRequest(
                at=datetime.now(UTC),
                method=method,
                path=path,
                code=error.code,
                http_status=error.http_status,
                message=error.message,
                correlation_id=error.correlation_id,
            )
        )


class _RedirectRefusedError(Exception):
    """Raised inside aiohttp to stop it following a redirect."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        super().__init__(response.status)
        self.response = response


async def _refuse_redirect(
    session: aiohttp.ClientSession,
    context: SimpleNamespace,
    params: aiohttp.TraceRequestRedirectParams,
) -> None:
    params.response.close()
    raise _RedirectRefusedError(params.response)


def _redirect_target(location: str | None, base: URL) -> str:
    """Where a redirect points, as scheme, host and port only.

    The path and query are left out: they can hold anything, a key included.
    """
    if not location:
        return "no address"
    try:
        origin = base.join(URL(location)).origin()
    except ValueError:
        return "an invalid address"
    text = str(origin)
    if len(text) > 300 or not text.isprintable():
        return "an invalid address"
    return text


def _checked_session_id(session_id: str) -> str:
    """`session_id` if it has the Pi's form, else an error before anything is sent."""
    if not is_session_id(session_id):
        raise PiOrchestratorValidationError(
            "A session ID is 1 to 64 letters, digits, '_' or '-'",
            code=ErrorCode.VALIDATION_FAILED,
        )
    return session_id


def _session_segment(session_id: str) -> str:
    return _segment(_checked_session_id(session_id))


def _segment(value: str) -> str:
    """Percent-encode one path segment, so an ID cannot change the path."""
    return quote(value, safe="")


def _mac_segment(mac: str) -> str:
    return _segment(normalize_mac(mac))
