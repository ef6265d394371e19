"""Just enough of Home Assistant's REST and WebSocket APIs to set up the demo.

Everything goes through the same endpoints the frontend uses: onboarding, the
token endpoint, the config-flow manager, the registries and Lovelace.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import contextlib
import time
from typing import Any, Self

import aiohttp


class DemoError(Exception):
    """Something in the demo's setup went wrong; the message says what."""


class HomeAssistantApi:
    """A signed-in client of one Home Assistant."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        """Talk to the Home Assistant at `url`; no token until `onboard`."""
        self._session = session
        self.url = url.rstrip("/")
        self.token: str | None = None

    @property
    def client_id(self) -> str:
        """The OAuth client ID, as the frontend served from this address uses."""
        return f"{self.url}/"

    async def wait_until_up(self, within: float, alive: Callable[[], bool]) -> None:
        """Wait until the HTTP API answers; fail early if `alive()` turns false."""
        deadline = time.monotonic() + within
        while True:
            with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                async with self._session.get(
                    f"{self.url}/api/onboarding", timeout=aiohttp.ClientTimeout(total=5)
                ) as response:
                    if response.status == 200:
                        return
            if not alive():
                raise DemoError("Home Assistant exited while starting")
            if time.monotonic() > deadline:
                raise DemoError(f"Home Assistant did not answer within {within:.0f} s")
            await asyncio.sleep(0.5)

    async def onboard(self, name: str, username: str, password: str) -> None:
        """Complete every onboarding step, as a person would in the browser."""
        created = await self.request(
            "POST",
            "/api/onboarding/users",
            {
                "client_id": self.client_id,
                "name": name,
                "username": username,
                "password": password,
                "language": "en",
            },
            authenticated=False,
        )
        async with self._session.post(
            f"{self.url}/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": created["auth_code"],
                "client_id": self.client_id,
            },
        ) as response:
            tokens = await response.json()
            if response.status != 200:
                raise DemoError(f"the token endpoint refused the onboarding code: {tokens}")
        self.token = tokens["access_token"]
        await self.request("POST", "/api/onboarding/core_config", {})
        await self.request("POST", "/api/onboarding/analytics", {})
        await self.request(
            "POST",
            "/api/onboarding/integration",
            {"client_id": self.client_id, "redirect_uri": f"{self.url}/?auth_callback=1"},
        )

    async def request(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        authenticated: bool = True,
    ) -> Any:
        """Call the REST API; return the decoded answer or raise `DemoError`."""
        headers = {"Authorization": f"Bearer {self.token}"} if authenticated else {}
        async with self._session.request(
            method, f"{self.url}{path}", json=body, headers=headers
        ) as response:
            text = await response.text()
            if response.status >= 400:
                raise DemoError(f"{method} {path} answered {response.status}: {text[:500]}")
            if not text:
                return None
            return await response.json(content_type=None)

    async def add_entry(self, domain: str, user_input: dict[str, Any]) -> str:
        """Add an integration through its config flow, as the UI does; return the entry ID."""
        flow = await self.request(
            "POST",
            "/api/config/config_entries/flow",
            {"handler": domain, "show_advanced_options": False},
        )
        if flow.get("type") != "form":
            raise DemoError(f"the {domain} config flow did not show its form: {flow}")
        result = await self.request(
            "POST", f"/api/config/config_entries/flow/{flow['flow_id']}", user_input
        )
        if result.get("type") != "create_entry":
            raise DemoError(
                f"the {domain} config flow did not create an entry: "
                f"{result.get('errors') or result.get('reason') or result}"
            )
        created = result["result"]
        return str(created["entry_id"] if isinstance(created, dict) else created)

    async def entries(self, domain: str | None = None) -> list[dict[str, Any]]:
        """The config entries, of one integration or all."""
        query = f"?domain={domain}" if domain else ""
        entries: list[dict[str, Any]] = await self.request(
            "GET", f"/api/config/config_entries/entry{query}"
        )
        return entries

    async def websocket(self) -> HomeAssistantSocket:
        """A signed-in WebSocket connection."""
        if self.token is None:
            raise DemoError("sign in before opening the WebSocket API")
        ws = await self._session.ws_connect(
            f"{self.url.replace('http', 'ws', 1)}/api/websocket", heartbeat=30
        )
        socket = HomeAssistantSocket(ws)
        await socket.authenticate(self.token)
        return socket


class HomeAssistantSocket:
    """One WebSocket connection: commands with results, and subscribed events."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Wrap an open connection; call `authenticate` next."""
        self._ws = ws
        self._next_id = 1
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._reader: asyncio.Task[None] | None = None

    async def authenticate(self, token: str) -> None:
        """Sign in, then start dispatching messages."""
        hello = await self._ws.receive_json()
        if hello.get("type") != "auth_required":
            raise DemoError(f"unexpected WebSocket greeting: {hello}")
        await self._ws.send_json({"type": "auth", "access_token": token})
        answer = await self._ws.receive_json()
        if answer.get("type") != "auth_ok":
            raise DemoError(f"the WebSocket API refused the token: {answer}")
        self._reader = asyncio.create_task(self._read(), name="demo websocket reader")

    async def _read(self) -> None:
        try:
            async for message in self._ws:
                if message.type is not aiohttp.WSMsgType.TEXT:
                    continue
                payload = message.json()
                if payload.get("type") == "event":
                    self.events.put_nowait(payload["event"])
                elif (future := self._pending.pop(payload.get("id", -1), None)) is not None:
                    if payload.get("success"):
                        future.set_result(payload.get("result"))
                    else:
                        future.set_exception(DemoError(f"WebSocket command failed: {payload}"))
        finally:
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(DemoError("the WebSocket connection closed"))
            self._pending.clear()

    async def call(self, command: str, **data: Any) -> Any:
        """Send one command and return its result."""
        message_id = self._next_id
        self._next_id += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[message_id] = future
        await self._ws.send_json({"id": message_id, "type": command, **data})
        return await asyncio.wait_for(future, timeout=30)

    async def close(self) -> None:
        """Close the connection."""
        await self._ws.close()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def __aenter__(self) -> Self:
        """Use as an async context manager."""
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Close on the way out."""
        await self.close()
