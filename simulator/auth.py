"""API-key authentication as the Pi's middleware does it (API.md §3)."""

from __future__ import annotations

import hmac
from typing import Final

from aiohttp import web

API_KEY_HEADER: Final = "X-API-Key"
API_KEY_QUERY: Final = "api_key"

# Relative to the API base (/api/v1 or legacy /api). The /provisioning/network/status
# alias is protected like /provisioning/batch/network, of which it is a spelling.
_PROTECTED_PREFIXES: Final = (
    "/provisioning/batch",
    "/provisioning/allowlist",
    "/provisioning/sessions",
    "/provisioning/network",
)


def api_relative_path(path: str) -> str | None:
    """Strip /api/v1 or /api; None for paths outside the API."""
    for base in ("/api/v1", "/api"):
        if path == base or path.startswith(base + "/"):
            return path[len(base) :] or "/"
    return None


def is_protected(method: str, path: str) -> bool:
    """Tell whether the route needs the API key."""
    relative = api_relative_path(path)
    if relative is None:
        return False
    if any(relative == p or relative.startswith(p + "/") for p in _PROTECTED_PREFIXES):
        return True
    if relative == "/door" or relative.startswith("/door/"):
        # Only the V1 door is protected: the official dashboard calls the legacy one keyless.
        return path.startswith("/api/v1/")
    if method == "PUT" and relative.startswith("/config/"):
        return True
    return method == "POST" and path == "/api/system/reset"


class Auth:
    """Holds the current key; it can change mid-run (fault route /_sim/api-key)."""

    def __init__(self, api_key: str | None, *, dev_mode: bool) -> None:
        """Check against `api_key`; with dev_mode every request passes."""
        self.api_key = api_key
        self.dev_mode = dev_mode

    def verdict(self, request: web.Request) -> str | None:
        """Return None when allowed, else the message of the flat 401."""
        if self.dev_mode:
            return None
        presented = request.headers.get(API_KEY_HEADER) or request.query.get(API_KEY_QUERY)
        if not presented:
            return "API key required"
        # No key configured: auth is on (API_AUTH_ENABLED) and nothing can match.
        if self.api_key is None or not hmac.compare_digest(
            presented.encode(), self.api_key.encode()
        ):
            return "Invalid API key"
        return None
