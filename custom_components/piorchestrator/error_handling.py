"""The one place client errors become Home Assistant's: translated, and acted on.

Every PiOrchestrator error code has its own translated message saying what
happened and what to do, with the server's message, the correlation ID and, for
retryable errors, how long to wait. Whatever made the request (an action, a
button, the lock, a repair, a coordinator, the config flow), `error_kind` sorts
the error the same way, so a refused key asks for a new one wherever it shows.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from datetime import timedelta
from enum import StrEnum
from functools import wraps
from typing import Any, Concatenate, Protocol

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    HomeAssistantError,
    ServiceValidationError,
)
from homeassistant.helpers.update_coordinator import UpdateFailed
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
    is_refused_key,
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


class ErrorKind(StrEnum):
    """What a failed request means for Home Assistant, whoever made it."""

    REFUSED_KEY = "refused_key"
    """Only a new API key helps: reauthentication."""
    UNREACHABLE = "unreachable"
    REDIRECTED = "redirected"
    CALLER_MISTAKE = "caller_mistake"
    """An invalid value, a board in the wrong state, a session that does not exist."""
    PI_FAILURE = "pi_failure"


def error_kind(err: PiOrchestratorError) -> ErrorKind:
    """Sort a client error; every caller decides from this and nothing else."""
    if is_refused_key(err):
        return ErrorKind.REFUSED_KEY
    if isinstance(err, PiOrchestratorRedirectError):
        return ErrorKind.REDIRECTED
    if isinstance(err, PiOrchestratorConnectionError):
        return ErrorKind.UNREACHABLE
    if isinstance(err, _CALLER_MISTAKES):
        return ErrorKind.CALLER_MISTAKE
    return ErrorKind.PI_FAILURE


def to_home_assistant_error(err: PiOrchestratorError) -> HomeAssistantError:
    """Build the translated error for `err`.

    The caller's own mistakes are validation errors; everything else is a
    failure of the Pi, the network or the key.
    """
    error_class = (
        ServiceValidationError
        if error_kind(err) is ErrorKind.CALLER_MISTAKE
        else HomeAssistantError
    )
    return error_class(
        translation_domain=DOMAIN,
        translation_key=translation_key_for(err),
        translation_placeholders=error_placeholders(err),
    )


@callback
def async_handle_client_error(
    hass: HomeAssistant, entry: ConfigEntry[Any], err: PiOrchestratorError
) -> ErrorKind:
    """Act on a failed request outside a coordinator; return its kind.

    A refused key starts reauthentication of the entry. Home Assistant keeps one
    reauthentication flow per entry, so calls failing together ask only once.
    """
    kind = error_kind(err)
    LOGGER.debug("PiOrchestrator request failed (%s): %s", kind, err)
    if kind is ErrorKind.REFUSED_KEY:
        entry.async_start_reauth(hass)
    return kind


@contextmanager
def translate_errors(hass: HomeAssistant, entry: ConfigEntry[Any]) -> Iterator[None]:
    """Re-raise client errors in the block translated, after acting on them."""
    try:
        yield
    except PiOrchestratorError as err:
        async_handle_client_error(hass, entry, err)
        raise to_home_assistant_error(err) from err


@contextmanager
def translate_update_errors() -> Iterator[None]:
    """The coordinator flavour: what `DataUpdateCoordinator` understands.

    A refused key becomes `ConfigEntryAuthFailed`, from which Home Assistant
    starts reauthentication itself (or fails setup into it); anything else marks
    the coordinator's entities unavailable with a translated reason.
    """
    try:
        yield
    except PiOrchestratorError as err:
        error_class = (
            ConfigEntryAuthFailed if error_kind(err) is ErrorKind.REFUSED_KEY else UpdateFailed
        )
        raise error_class(
            translation_domain=DOMAIN,
            translation_key=translation_key_for(err),
            translation_placeholders=error_placeholders(err),
        ) from err


class _CoordinatorOfEntry(Protocol):
    @property
    def config_entry(self) -> ConfigEntry[Any]:
        """The entry whose key the requests carry."""


class _EntityOfEntry(Protocol):
    """An entity acting on the Pi: it knows Home Assistant and its entry's coordinator."""

    @property
    def hass(self) -> HomeAssistant:
        """Home Assistant, once the entity is added."""

    @property
    def coordinator(self) -> _CoordinatorOfEntry:
        """The coordinator feeding the entity."""


def handle_errors[_EntityT: _EntityOfEntry, **_P, _R](
    func: Callable[Concatenate[_EntityT, _P], Coroutine[Any, Any, _R]],
) -> Callable[Concatenate[_EntityT, _P], Coroutine[Any, Any, _R]]:
    """Decorate an entity action so client errors surface as `translate_errors` makes them."""

    @wraps(func)
    async def wrapper(self: _EntityT, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with translate_errors(self.hass, self.coordinator.config_entry):
            return await func(self, *args, **kwargs)

    return wrapper
