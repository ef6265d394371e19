"""Response shapes of API.md §1 and the error-code table of §2."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
import json
from typing import Any
import uuid

from aiohttp import web

from simulator.clock import rfc3339
from simulator.macs import InvalidMacError, normalize_mac

DEFAULT_RETRY_AFTER = 5
RATE_LIMIT_RETRY_AFTER = 30

# Request keys shared by the middlewares and the handlers.
CORRELATION_ID = "piorch_correlation_id"
ENVELOPED = "piorch_enveloped"


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    """One row of API.md §2."""

    status: int
    message: str
    retryable: bool


ERRORS: Mapping[str, ErrorSpec] = {
    "SESSION_NOT_FOUND": ErrorSpec(404, "session not found", False),
    "SESSION_EXPIRED": ErrorSpec(410, "session has expired", False),
    "SESSION_ALREADY_ACTIVE": ErrorSpec(409, "another session is already active", False),
    "SESSION_ALREADY_CLOSED": ErrorSpec(409, "session is already closed", False),
    "SESSION_NOT_RECOVERABLE": ErrorSpec(409, "session cannot be recovered", False),
    "DEVICE_NOT_FOUND": ErrorSpec(404, "device not found in session", False),
    "DEVICE_NOT_IN_ALLOWLIST": ErrorSpec(403, "device not in allowlist", False),
    "DEVICE_ALREADY_PROVISIONING": ErrorSpec(409, "device is being provisioned", False),
    "DEVICE_INVALID_STATE": ErrorSpec(409, "device is in an invalid state for this action", False),
    "MAX_RETRIES_EXCEEDED": ErrorSpec(409, "maximum retry attempts exceeded", False),
    "TOTP_INVALID": ErrorSpec(401, "auth token invalid", True),
    "TOTP_EXPIRED": ErrorSpec(401, "auth token expired", True),
    "RATE_LIMITED": ErrorSpec(429, "too many requests; wait", True),
    "UNAUTHORIZED": ErrorSpec(401, "API key missing or wrong", False),
    "DEVICE_UNREACHABLE": ErrorSpec(502, "cannot connect to device", True),
    "DEVICE_REJECTED": ErrorSpec(502, "device rejected credentials", True),
    "DEVICE_TIMEOUT": ErrorSpec(504, "device did not respond in time", True),
    "CIRCUIT_OPEN": ErrorSpec(503, "device temporarily unavailable", True),
    "VERIFICATION_TIMEOUT": ErrorSpec(504, "device verification timed out", True),
    "NETWORK_ERROR": ErrorSpec(503, "onboarding network error", True),
    "MQTT_UNAVAILABLE": ErrorSpec(503, "MQTT broker not connected", True),
    "DATABASE_ERROR": ErrorSpec(500, "database error", False),
    "INTERNAL_ERROR": ErrorSpec(500, "internal error", False),
    "VALIDATION_FAILED": ErrorSpec(400, "validation failed", False),
    "INVALID_REQUEST": ErrorSpec(400, "invalid request format", False),
    "MISSING_PARAMETER": ErrorSpec(400, "required parameter missing", False),
}


class ApiError(Exception):
    """An error the API answers with; status and retryability default from §2."""

    def __init__(
        self,
        code: str,
        message: str | None = None,
        *,
        status: int | None = None,
        retryable: bool | None = None,
        retry_after: int | None = None,
        details: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Build the error; unknown codes are allowed (the table is not closed)."""
        spec = ERRORS.get(code)
        self.code = code
        self.message = message or (spec.message if spec else code.lower().replace("_", " "))
        self.status = status or (spec.status if spec else 500)
        self.retryable = (
            retryable if retryable is not None else (spec.retryable if spec else self.status >= 500)
        )
        if retry_after is None and self.retryable:
            retry_after = DEFAULT_RETRY_AFTER
        self.retry_after = retry_after
        self.details = details
        self.headers = dict(headers or {})
        super().__init__(f"{code}: {self.message}")


@dataclass(slots=True)
class Reply:
    """What a JSON handler returns; the mount decides whether it is enveloped."""

    data: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


def new_correlation_id() -> str:
    """Return a fresh request id (uuid4, as on the Pi)."""
    return str(uuid.uuid4())


def _envelope(success: bool, content: dict[str, Any], correlation_id: str) -> dict[str, Any]:
    """Frame a body as every §1 answer is: success first, the request id and time last."""
    return {"success": success, **content, "correlation_id": correlation_id, "timestamp": rfc3339()}


def success_body(data: Any, correlation_id: str) -> dict[str, Any]:
    """Build the §1 success envelope."""
    return _envelope(True, {"data": data}, correlation_id)


def error_body(error: ApiError, correlation_id: str) -> dict[str, Any]:
    """Build the nested §1 error envelope."""
    detail: dict[str, Any] = {
        "code": error.code,
        "message": error.message,
        "retryable": error.retryable,
    }
    if error.retry_after is not None:
        detail["retry_after_seconds"] = error.retry_after
    if error.details is not None:
        detail["details"] = error.details
    return _envelope(False, {"error": detail}, correlation_id)


def flat_unauthorized_body(message: str, correlation_id: str) -> dict[str, Any]:
    """Build the older flat shape the Pi's auth middleware answers 401 with."""
    return _envelope(
        False, {"error": message, "code": "UNAUTHORIZED", "retryable": False}, correlation_id
    )


def legacy_error_body(error: ApiError) -> dict[str, Any]:
    """Build a pre-V1 error: a bare object, like every legacy body."""
    body: dict[str, Any] = {"error": error.message, "code": error.code}
    if error.retry_after is not None:
        body["retry_after_seconds"] = error.retry_after
    return body


def json_response(
    body: Any, *, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    """Serialise body as a JSON response."""
    return web.Response(
        text=json.dumps(body),
        status=status,
        content_type="application/json",
        headers=headers,
    )


def render_error(error: ApiError, *, enveloped: bool, correlation_id: str) -> web.Response:
    """Turn an ApiError into the response shape its route family uses."""
    headers = dict(error.headers)
    if error.status == 429 and error.retry_after is not None:
        headers.setdefault("Retry-After", str(error.retry_after))
    if error.code == "UNAUTHORIZED" and error.status == 401:
        body = flat_unauthorized_body(error.message, correlation_id)
    elif enveloped:
        body = error_body(error, correlation_id)
    else:
        body = legacy_error_body(error)
    return json_response(body, status=error.status, headers=headers)


def render_reply(reply: Reply, *, enveloped: bool, correlation_id: str) -> web.Response:
    """Turn a Reply into a response, wrapping it in the envelope on V1 routes."""
    if reply.status == 204:
        return web.Response(status=204, headers=reply.headers)
    body = success_body(reply.data, correlation_id) if enveloped else reply.data
    return json_response(body, status=reply.status, headers=reply.headers)


async def read_json(request: web.Request, *, required: bool = True) -> dict[str, Any]:
    """Read a JSON object body; INVALID_REQUEST when it is not one."""
    raw = await request.read()
    if not raw.strip():
        if required:
            raise ApiError("INVALID_REQUEST", "request body must be a JSON object")
        return {}
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ApiError("INVALID_REQUEST", f"malformed JSON body: {err}") from err
    if not isinstance(body, dict):
        raise ApiError("INVALID_REQUEST", "request body must be a JSON object")
    return body


def mac_param(value: object) -> str:
    """Read a MAC from a path or a body: MISSING_PARAMETER when absent, else canonical or 400."""
    if value is None or value == "":
        raise ApiError("MISSING_PARAMETER", "mac is required")
    try:
        return normalize_mac(value)
    except InvalidMacError as err:
        raise ApiError("VALIDATION_FAILED", str(err)) from err


def query_flag(request: web.Request, name: str) -> bool:
    """Read a boolean query parameter; absent means false."""
    return request.query.get(name, "false").lower() in ("1", "true", "yes")
