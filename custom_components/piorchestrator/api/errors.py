"""Exceptions raised by the PiOrchestrator client.

Every failure carries what a person needs to act on it and what support needs to
trace it: the server's error code and message, whether and when to retry, and the
correlation ID of the request.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from .text import clean_message, clean_text


class ErrorCode(StrEnum):
    """Error codes of the PiOrchestrator V1 API (API.md §2)."""

    SESSION_NOT_FOUND = "SESSION_NOT_FOUND"
    SESSION_EXPIRED = "SESSION_EXPIRED"
    SESSION_ALREADY_ACTIVE = "SESSION_ALREADY_ACTIVE"
    SESSION_ALREADY_CLOSED = "SESSION_ALREADY_CLOSED"
    SESSION_NOT_RECOVERABLE = "SESSION_NOT_RECOVERABLE"
    DEVICE_NOT_FOUND = "DEVICE_NOT_FOUND"
    DEVICE_NOT_IN_ALLOWLIST = "DEVICE_NOT_IN_ALLOWLIST"
    DEVICE_ALREADY_PROVISIONING = "DEVICE_ALREADY_PROVISIONING"
    DEVICE_INVALID_STATE = "DEVICE_INVALID_STATE"
    MAX_RETRIES_EXCEEDED = "MAX_RETRIES_EXCEEDED"
    TOTP_INVALID = "TOTP_INVALID"
    TOTP_EXPIRED = "TOTP_EXPIRED"
    RATE_LIMITED = "RATE_LIMITED"
    UNAUTHORIZED = "UNAUTHORIZED"
    DEVICE_UNREACHABLE = "DEVICE_UNREACHABLE"
    DEVICE_REJECTED = "DEVICE_REJECTED"
    DEVICE_TIMEOUT = "DEVICE_TIMEOUT"
    CIRCUIT_OPEN = "CIRCUIT_OPEN"
    VERIFICATION_TIMEOUT = "VERIFICATION_TIMEOUT"
    NETWORK_ERROR = "NETWORK_ERROR"
    MQTT_UNAVAILABLE = "MQTT_UNAVAILABLE"
    DATABASE_ERROR = "DATABASE_ERROR"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    VALIDATION_FAILED = "VALIDATION_FAILED"
    INVALID_REQUEST = "INVALID_REQUEST"
    MISSING_PARAMETER = "MISSING_PARAMETER"


class PiOrchestratorError(Exception):
    """Base class of every error the client raises."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        http_status: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
        correlation_id: str | None = None,
        details: str | None = None,
    ) -> None:
        """Keep every field of the server's error so callers need not parse text.

        The texts may come from the Pi, or whatever answers in its place: each is
        cleaned once here (one line, 200 characters), so no log line, state or
        notification made from an error carries a megabyte or a control code.
        """
        message = clean_message(message) or "Unknown error"
        code = clean_text(code)
        correlation_id = clean_text(correlation_id)
        details = clean_message(details)
        super().__init__(message)
        self.message = message
        self.code = code
        self.http_status = http_status
        self.retryable = retryable
        self.retry_after = retry_after
        self.correlation_id = correlation_id
        self.details = details

    def __str__(self) -> str:
        """Say what happened and how to trace it on the Pi."""
        parts = [self.message]
        if self.code:
            parts.append(f"code {self.code}")
        if self.http_status is not None:
            parts.append(f"HTTP {self.http_status}")
        if self.correlation_id:
            parts.append(f"correlation ID {self.correlation_id}")
        if len(parts) == 1:
            return self.message
        return f"{parts[0]} ({', '.join(parts[1:])})"

    def __repr__(self) -> str:
        """Show the fields a developer needs, never request data."""
        return (
            f"{type(self).__name__}(message={self.message!r}, code={self.code!r}, "
            f"http_status={self.http_status!r}, correlation_id={self.correlation_id!r})"
        )


class PiOrchestratorConnectionError(PiOrchestratorError):
    """The Pi could not be reached, or the connection broke."""


class PiOrchestratorTimeoutError(PiOrchestratorConnectionError):
    """The Pi did not answer in time."""


class PiOrchestratorAuthenticationError(PiOrchestratorError):
    """The API key is missing or wrong (HTTP 401)."""


class PiOrchestratorRateLimitedError(PiOrchestratorError):
    """Too many requests; `retry_after` says how long to wait."""


class PiOrchestratorNotFoundError(PiOrchestratorError):
    """A session, board or allowlist entry does not exist (or has expired)."""


class PiOrchestratorConflictError(PiOrchestratorError):
    """The request does not fit the current state of a session or board."""


class PiOrchestratorValidationError(PiOrchestratorError):
    """The request was malformed or a value is invalid; nothing was changed."""


class PiOrchestratorDeviceError(PiOrchestratorError):
    """The Pi could not talk to a camera board, or the board refused."""


class PiOrchestratorServerError(PiOrchestratorError):
    """The Pi failed internally, or a service it depends on is down."""


class PiOrchestratorResponseError(PiOrchestratorError):
    """The Pi answered with something that does not follow the V1 contract."""


class PiOrchestratorRedirectError(PiOrchestratorResponseError):
    """The address answered with a redirect, which the client never follows.

    Following one would hand the API key (and a WiFi password in a request body)
    to whatever host the answer names; `target` is that host, never its path or
    query. Not retryable: asking again gets the same redirect.
    """

    def __init__(self, message: str, *, target: str, http_status: int | None = None) -> None:
        """Keep where the redirect pointed, to show the person what to fix."""
        super().__init__(message, http_status=http_status)
        self.target = target


_ERROR_CLASS_BY_CODE: dict[str, type[PiOrchestratorError]] = {
    ErrorCode.SESSION_NOT_FOUND: PiOrchestratorNotFoundError,
    ErrorCode.SESSION_EXPIRED: PiOrchestratorNotFoundError,
    ErrorCode.DEVICE_NOT_FOUND: PiOrchestratorNotFoundError,
    ErrorCode.SESSION_ALREADY_ACTIVE: PiOrchestratorConflictError,
    ErrorCode.SESSION_ALREADY_CLOSED: PiOrchestratorConflictError,
    ErrorCode.SESSION_NOT_RECOVERABLE: PiOrchestratorConflictError,
    ErrorCode.DEVICE_NOT_IN_ALLOWLIST: PiOrchestratorConflictError,
    ErrorCode.DEVICE_ALREADY_PROVISIONING: PiOrchestratorConflictError,
    ErrorCode.DEVICE_INVALID_STATE: PiOrchestratorConflictError,
    ErrorCode.MAX_RETRIES_EXCEEDED: PiOrchestratorConflictError,
    ErrorCode.TOTP_INVALID: PiOrchestratorAuthenticationError,
    ErrorCode.TOTP_EXPIRED: PiOrchestratorAuthenticationError,
    ErrorCode.UNAUTHORIZED: PiOrchestratorAuthenticationError,
    ErrorCode.RATE_LIMITED: PiOrchestratorRateLimitedError,
    ErrorCode.DEVICE_UNREACHABLE: PiOrchestratorDeviceError,
    ErrorCode.DEVICE_REJECTED: PiOrchestratorDeviceError,
    ErrorCode.DEVICE_TIMEOUT: PiOrchestratorDeviceError,
    ErrorCode.CIRCUIT_OPEN: PiOrchestratorDeviceError,
    ErrorCode.VERIFICATION_TIMEOUT: PiOrchestratorDeviceError,
    ErrorCode.NETWORK_ERROR: PiOrchestratorServerError,
    ErrorCode.MQTT_UNAVAILABLE: PiOrchestratorServerError,
    ErrorCode.DATABASE_ERROR: PiOrchestratorServerError,
    ErrorCode.INTERNAL_ERROR: PiOrchestratorServerError,
    ErrorCode.VALIDATION_FAILED: PiOrchestratorValidationError,
    ErrorCode.INVALID_REQUEST: PiOrchestratorValidationError,
    ErrorCode.MISSING_PARAMETER: PiOrchestratorValidationError,
}


SESSION_GONE_CODES: Final = frozenset(
    {
        ErrorCode.SESSION_NOT_FOUND,
        ErrorCode.SESSION_EXPIRED,
        ErrorCode.SESSION_ALREADY_CLOSED,
        ErrorCode.SESSION_NOT_RECOVERABLE,
    }
)
"""Codes saying a session can never be acted on again: asking again cannot help."""

TOTP_CODES: Final = frozenset({ErrorCode.TOTP_INVALID, ErrorCode.TOTP_EXPIRED})
"""Refusals of a one-time token: the API key itself was accepted."""


def is_session_gone(err: PiOrchestratorError) -> bool:
    """Whether the session a request named no longer exists or can no longer resume."""
    return err.code in SESSION_GONE_CODES or isinstance(err, PiOrchestratorNotFoundError)


def is_refused_key(err: PiOrchestratorError) -> bool:
    """Whether the Pi refused the API key, so only a new key can help.

    A refused one-time token is an authentication error too, but the key passed:
    asking the person for a new key would not fix it.
    """
    return isinstance(err, PiOrchestratorAuthenticationError) and err.code not in TOTP_CODES


def error_class_for(code: str | None, http_status: int | None) -> type[PiOrchestratorError]:
    """Pick the exception class for a server error.

    Known codes decide; an unknown code falls back to the HTTP status class, so a
    newer Pi with codes we have never seen still produces a sensible error.
    """
    if code is not None and code in _ERROR_CLASS_BY_CODE:
        return _ERROR_CLASS_BY_CODE[code]
    if http_status is None:
        return PiOrchestratorError
    if http_status == 401:
        return PiOrchestratorAuthenticationError
    if http_status in (404, 410):
        return PiOrchestratorNotFoundError
    if http_status in (403, 409, 412, 423):
        return PiOrchestratorConflictError
    if http_status == 429:
        return PiOrchestratorRateLimitedError
    if http_status in (502, 504):
        return PiOrchestratorDeviceError
    if 400 <= http_status < 500:
        return PiOrchestratorValidationError
    if http_status >= 500:
        return PiOrchestratorServerError
    return PiOrchestratorError
