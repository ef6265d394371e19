"""Turn client errors into errors a person can act on, in their language.

Every PiOrchestrator error code has its own translated message saying what
happened and what to do, with the server's message, the correlation ID and, for
retryable errors, how long to wait.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import wraps
from typing import Any, Concatenate

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util

from .api.errors import (
    ErrorCode,
    PiOrchestratorAuthenticationError,
    PiOrchestratorConflictError,
    PiOrchestratorConnectionError,
    PiOrchestratorError,
    PiOrchestratorNotFoundError,
    PiOrchestratorRateLimitedError,
    PiOrchestratorRedirectError,
    PiOrchestratorTimeoutError,
    PiOrchestratorValidationError,
)
from .const import DOMAIN, LOGGER

_KNOWN_CODES = frozenset(code.value for code in ErrorCode)
_CALLER_MISTAKES = (
    PiOrchestratorValidationError,
    PiOrchestratorConflictError,
    PiOrchestratorNotFoundError,
)


def translation_key_for(err: PiOrchestratorError) -> str:
    """Pick the message for an error: by its code, else by its kind."""
    if err.code is not None and err.code in _KNOWN_CODES:
        return f"error_{err.code.lower()}"
    if isinstance(err, PiOrchestratorRedirectError):
        return "redirected"
    if isinstance(err, PiOrchestratorTimeoutError):
        return "timeout"
    if isinstance(err, PiOrchestratorConnectionError):
        return "cannot_connect"
    if isinstance(err, PiOrchestratorAuthenticationError):
        return "error_unauthorized"
    if isinstance(err, PiOrchestratorRateLimitedError):
        return "error_rate_limited"
    return "error_unknown_retryable" if err.retryable else "error_unknown"


def error_placeholders(err: PiOrchestratorError) -> dict[str, str]:
    """Values every error message may show.

    `retry_at` is the time of day (Home Assistant's time zone) the wait ends: a
    duration read later in a notification or a log no longer says when.
    """
    wait = err.retry_after if err.retry_after is not None else 0.0
    # Bounded: whatever the Pi claims, the time must stay a time.
    retry_at = dt_util.as_local(dt_util.utcnow() + timedelta(seconds=min(max(wait, 0.0), 86400)))
    return {
        "message": err.message,
        "code": err.code or "-",
        "correlation_id": err.correlation_id or "none",
        "retry_after": f"{err.retry_after:.0f}" if err.retry_after is not None else "a few",
        "retry_at": f"{retry_at:%H:%M:%S}",
    }


def to_home_assistant_error(err: PiOrchestratorError) -> HomeAssistantError:
    """Build the translated error for `err`.

    The caller's own mistakes (invalid values, a board in the wrong state, a
    session that does not exist) are validation errors; everything else is a
    failure of the Pi or the network.
    """
    error_class = (
        ServiceValidationError if isinstance(err, _CALLER_MISTAKES) else HomeAssistantError
    )
    LOGGER.debug("PiOrchestrator request failed: %s", err)
    return error_class(
        translation_domain=DOMAIN,
        translation_key=translation_key_for(err),
        translation_placeholders=error_placeholders(err),
    )


def handle_errors[_SelfT, **_P, _R](
    func: Callable[Concatenate[_SelfT, _P], Coroutine[Any, Any, _R]],
) -> Callable[Concatenate[_SelfT, _P], Coroutine[Any, Any, _R]]:
    """Decorate an entity action so client errors surface translated."""

    @wraps(func)
    async def wrapper(self: _SelfT, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with translate_errors():
            return await func(self, *args, **kwargs)

    return wrapper


@contextmanager
def translate_errors() -> Iterator[None]:
    """Re-raise client errors in the block as translated Home Assistant errors."""
    try:
        yield
    except PiOrchestratorError as err:
        raise to_home_assistant_error(err) from err
