"""Service actions: batch provisioning, session recovery and the allowlist.

Registered once in `async_setup`, so they exist (and validate) while no entry
is loaded; each names its Pi with `config_entry_id`. Input is checked before
anything is sent: a bad MAC, an unknown board or a missing session raises a
translated `ServiceValidationError` and no request leaves Home Assistant.
Failures of the Pi become translated errors through `errors.translate_errors`,
which also asks for a new key when the Pi refuses the stored one.

The WiFi password of `start_batch` is kept out of everything Home Assistant
records about a call (see `_start_batch_schema`).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from contextlib import suppress
from datetime import UTC, datetime
from typing import Any, Final, cast

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.service import async_register_admin_service
import voluptuous as vol

from . import compat
from .api.client import UNSET
from .api.errors import PiOrchestratorValidationError
from .api.mac import normalize_mac
from .api.models import BoardAction, Session, SessionAction, is_session_id
from .api.numbers import finite_number
from .authorization import async_require_admin, async_require_admin_unless_allowlisted
from .const import (
    ATTR_CONFIG_ENTRY_ID,
    ATTR_MAC,
    ATTR_SESSION_ID,
    ATTR_STATE,
    ATTR_TARGET_SSID,
    CONF_ONLY_ALLOWLISTED,
    DEFAULT_ONLY_ALLOWLISTED,
    DOMAIN,
)
from .coordinator import Allowlist
from .data import PiOrchestratorConfigEntry
from .devices import board_mac, open_session_id
from .error_handling import translate_errors
from .repairs import async_delete_recovery_issue

SERVICE_START_BATCH: Final = "start_batch"
SERVICE_STOP_BATCH: Final = "stop_batch"
SERVICE_PAUSE_BATCH: Final = "pause_batch"
SERVICE_RESUME_BATCH: Final = "resume_batch"
SERVICE_RESUME_SESSION: Final = "resume_session"
SERVICE_LIST_RECOVERABLE_SESSIONS: Final = "list_recoverable_sessions"
SERVICE_PROVISION_ALL: Final = "provision_all"
SERVICE_PROVISION_DEVICE: Final = "provision_device"
SERVICE_RETRY_DEVICE: Final = "retry_device"
SERVICE_SKIP_DEVICE: Final = "skip_device"
SERVICE_ALLOWLIST_ADD: Final = "allowlist_add"
SERVICE_ALLOWLIST_UPDATE: Final = "allowlist_update"
SERVICE_ALLOWLIST_REMOVE: Final = "allowlist_remove"
SERVICE_GET_ALLOWLIST: Final = "get_allowlist"

ATTR_TARGET_PASSWORD: Final = "target_password"  # noqa: S105 - a field name
ATTR_DISCOVERY_TIMEOUT: Final = "discovery_timeout"
ATTR_PROVISIONING_TIMEOUT: Final = "provisioning_timeout"
ATTR_VERIFICATION_TIMEOUT: Final = "verification_timeout"
ATTR_ONLY_ALLOWLISTED: Final = "only_allowlisted"
ATTR_DESCRIPTION: Final = "description"
ATTR_CONTAINER_ID: Final = "container_id"

REDACTED: Final = "**REDACTED**"
MAX_TIMEOUT: Final = 3600

_ENTRY_FIELD: Final[dict[vol.Marker, Any]] = {vol.Required(ATTR_CONFIG_ENTRY_ID): cv.string}


def _session_id(value: Any) -> str:
    """A session ID of the Pi's form, checked before it can become a path segment.

    Raises the translated error itself: Home Assistant passes a schema's
    `vol.Invalid` on untranslated, and `.` or `..` deserve a clear answer.
    """
    text = cv.string(value)
    if text and not is_session_id(text):  # empty: the open session
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_session_id",
            translation_placeholders={"session_id": text[:80]},
        )
    return text


SESSION_SCHEMA: Final = vol.Schema({**_ENTRY_FIELD, vol.Optional(ATTR_SESSION_ID): _session_id})
ENTRY_SCHEMA: Final = vol.Schema(_ENTRY_FIELD)
PROVISION_ALL_SCHEMA: Final = vol.Schema(
    {**_ENTRY_FIELD, vol.Optional(ATTR_ONLY_ALLOWLISTED): cv.boolean}
)
BOARD_SCHEMA: Final = vol.Schema(
    {
        **_ENTRY_FIELD,
        vol.Optional(ATTR_DEVICE_ID): cv.string,
        vol.Optional(ATTR_MAC): cv.string,
    }
)
ALLOWLIST_ENTRY_SCHEMA: Final = vol.Schema(
    {
        **_ENTRY_FIELD,
        vol.Required(ATTR_MAC): cv.string,
        vol.Optional(ATTR_DESCRIPTION): cv.string,
        vol.Optional(ATTR_CONTAINER_ID): cv.string,
    }
)
ALLOWLIST_REMOVE_SCHEMA: Final = vol.Schema(
    {**_ENTRY_FIELD, vol.Required(ATTR_MAC): vol.All(cv.ensure_list, [cv.string])}
)


def _whole_seconds(value: Any) -> int:
    """Seconds as a whole number; no float, text or infinity that int() would choke on."""
    number = finite_number(value)
    if number is None or not number.is_integer():
        raise vol.Invalid("expected a whole number of seconds")
    return int(number)


_TIMEOUT = vol.All(_whole_seconds, vol.Range(min=1, max=MAX_TIMEOUT))
START_BATCH_FIELDS: Final = vol.Schema(
    {
        **_ENTRY_FIELD,
        vol.Required(ATTR_TARGET_SSID): cv.string,
        vol.Required(ATTR_TARGET_PASSWORD): object,
        vol.Optional(ATTR_DISCOVERY_TIMEOUT): _TIMEOUT,
        vol.Optional(ATTR_PROVISIONING_TIMEOUT): _TIMEOUT,
        vol.Optional(ATTR_VERIFICATION_TIMEOUT): _TIMEOUT,
    }
)


class _Secret:
    """A value that shows as redacted wherever it is printed."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __repr__(self) -> str:
        return REDACTED

    __str__ = __repr__


def _start_batch_schema(data: dict[str, Any]) -> dict[str, Any]:
    """Take the WiFi password out of the caller's data before Home Assistant records it.

    Home Assistant runs a service's schema on the caller's dict, then fires the
    `call_service` event with that same dict (kept by the recorder, shown in
    traces and in DEBUG logs), and logs the dict when a schema rejects it. So
    this schema never rejects anything (`_start_batch` validates), replaces the
    password in the caller's dict by a placeholder, and hands the handler a copy
    holding the password in a wrapper that prints as redacted.
    """
    processed = dict(data)
    password = data.get(ATTR_TARGET_PASSWORD)
    if password is not None:
        processed[ATTR_TARGET_PASSWORD] = _Secret(password)
        with suppress(RuntimeError):  # a read-only dict: nothing recorded can change
            data[ATTR_TARGET_PASSWORD] = REDACTED
    return processed


START_BATCH_SCHEMA: Final = vol.Schema(_start_batch_schema)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register every service of the integration."""

    def register(
        name: str,
        handler: Callable[[HomeAssistant, ServiceCall], Coroutine[Any, Any, ServiceResponse]],
        schema: vol.Schema,
        supports_response: SupportsResponse = SupportsResponse.OPTIONAL,
    ) -> None:
        async def service(call: ServiceCall) -> ServiceResponse:
            return await handler(hass, call)

        hass.services.async_register(
            DOMAIN, name, service, schema=schema, supports_response=supports_response
        )

    def register_admin(
        name: str,
        handler: Callable[[HomeAssistant, ServiceCall], Coroutine[Any, Any, None]],
        schema: vol.Schema,
    ) -> None:
        async def service(call: ServiceCall) -> None:
            await handler(hass, call)

        async_register_admin_service(hass, DOMAIN, name, service, schema)

    register(SERVICE_START_BATCH, _start_batch, START_BATCH_SCHEMA)
    register(SERVICE_STOP_BATCH, _session_action(SessionAction.STOP), SESSION_SCHEMA)
    register(SERVICE_PAUSE_BATCH, _session_action(SessionAction.PAUSE), SESSION_SCHEMA)
    register(SERVICE_RESUME_BATCH, _session_action(SessionAction.RESUME), SESSION_SCHEMA)
    register(SERVICE_RESUME_SESSION, _resume_session, SESSION_SCHEMA)
    register(
        SERVICE_LIST_RECOVERABLE_SESSIONS,
        _list_recoverable_sessions,
        ENTRY_SCHEMA,
        SupportsResponse.ONLY,
    )
    register(SERVICE_PROVISION_ALL, _provision_all, PROVISION_ALL_SCHEMA)
    register(SERVICE_PROVISION_DEVICE, _board_action(BoardAction.PROVISION), BOARD_SCHEMA)
    register(SERVICE_RETRY_DEVICE, _board_action(BoardAction.RETRY), BOARD_SCHEMA)
    register(SERVICE_SKIP_DEVICE, _board_action(BoardAction.SKIP), BOARD_SCHEMA)
    register_admin(SERVICE_ALLOWLIST_ADD, _allowlist_add, ALLOWLIST_ENTRY_SCHEMA)
    register_admin(SERVICE_ALLOWLIST_UPDATE, _allowlist_update, ALLOWLIST_ENTRY_SCHEMA)
    register_admin(SERVICE_ALLOWLIST_REMOVE, _allowlist_remove, ALLOWLIST_REMOVE_SCHEMA)
    # Home Assistant's admin-service helper cannot return a response: same check, by hand.
    register(SERVICE_GET_ALLOWLIST, _get_allowlist, ENTRY_SCHEMA, SupportsResponse.ONLY)


# -- Lookups and checks ---------------------------------------------------------


def _validation_error(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def _loaded_entry(hass: HomeAssistant, data: Mapping[str, Any]) -> PiOrchestratorConfigEntry:
    """The loaded entry the call names, else a translated error."""
    entry_id = data[ATTR_CONFIG_ENTRY_ID]
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise _validation_error("entry_not_found", config_entry_id=entry_id)
    if entry.state is not ConfigEntryState.LOADED:
        raise _validation_error("entry_not_loaded", title=entry.title)
    return cast(PiOrchestratorConfigEntry, entry)


def _mac(value: str, field: str) -> str:
    """`value` as a canonical MAC, or an error naming the field."""
    try:
        return normalize_mac(value)
    except PiOrchestratorValidationError:
        raise _validation_error("invalid_mac", field=field, value=value) from None


def _active_session_id(entry: PiOrchestratorConfigEntry, data: Mapping[str, Any]) -> str:
    """The session the call names, else the one in progress."""
    if session_id := data.get(ATTR_SESSION_ID):
        return str(session_id)
    if (session_id := open_session_id(entry.runtime_data.provisioning.data)) is None:
        raise _validation_error("no_active_session")
    return session_id


def _board(hass: HomeAssistant, entry: PiOrchestratorConfigEntry, data: Mapping[str, Any]) -> str:
    """The MAC of the board the call names by device or by MAC (exactly one)."""
    device_id = data.get(ATTR_DEVICE_ID)
    mac = data.get(ATTR_MAC)
    if bool(device_id) == bool(mac):
        raise _validation_error("board_required")
    if mac:
        return _mac(mac, ATTR_MAC)
    device = dr.async_get(hass).async_get(str(device_id))
    found = board_mac(device)
    if device is None or found is None or not compat.device_belongs_to(device, entry.entry_id):
        raise _validation_error("invalid_device", device_id=str(device_id))
    return found


def _session_dict(session: Session) -> dict[str, Any]:
    return session.model_dump(mode="json")


# -- Batch sessions --------------------------------------------------------------


def _validate_start(data: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """Check `start_batch`'s input without ever showing the password."""
    try:
        fields: dict[str, Any] = START_BATCH_FIELDS(dict(data))
    except vol.Invalid as err:
        field = str(err.path[0]) if err.path else "-"
        raise _validation_error("invalid_field", field=field) from None
    secret = fields[ATTR_TARGET_PASSWORD]
    password = secret.value if isinstance(secret, _Secret) else secret
    if isinstance(password, int | float) and not isinstance(password, bool):
        password = str(password)  # YAML reads an all-digit password as a number
    if (
        not isinstance(password, str)
        or password == REDACTED
        or not (
            password == ""
            or 8 <= len(password) <= 63
            or (len(password) == 64 and all(c in "0123456789abcdefABCDEF" for c in password))
        )
    ):
        raise _validation_error("invalid_password")
    ssid = fields[ATTR_TARGET_SSID]
    if not 1 <= len(ssid.encode()) <= 32:
        raise _validation_error("invalid_ssid")
    return fields, password


async def _start_batch(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    fields, password = _validate_start(call.data)
    entry = _loaded_entry(hass, fields)
    with translate_errors(hass, entry):
        result = await entry.runtime_data.client.start_batch(
            fields[ATTR_TARGET_SSID],
            password,
            discovery_timeout=fields.get(ATTR_DISCOVERY_TIMEOUT),
            provisioning_timeout=fields.get(ATTR_PROVISIONING_TIMEOUT),
            verification_timeout=fields.get(ATTR_VERIFICATION_TIMEOUT),
        )
    return {"session": _session_dict(result.session), "message": result.message}


def _session_action(
    action: SessionAction,
) -> Callable[[HomeAssistant, ServiceCall], Coroutine[Any, Any, ServiceResponse]]:
    async def handler(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
        entry = _loaded_entry(hass, call.data)
        session_id = _active_session_id(entry, call.data)
        with translate_errors(hass, entry):
            result = await entry.runtime_data.client.session_action(session_id, action)
        return {"session": _session_dict(result.session), "message": result.message}

    return handler


# -- Session recovery --------------------------------------------------------------


def _newest_first(sessions: list[Session]) -> list[Session]:
    def started(session: Session) -> datetime:
        moment = session.created_at or session.updated_at or datetime.min.replace(tzinfo=UTC)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    return sorted(sessions, key=started, reverse=True)


async def _list_recoverable_sessions(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    entry = _loaded_entry(hass, call.data)
    with translate_errors(hass, entry):
        sessions = await entry.runtime_data.client.recoverable_sessions()
    return {"sessions": [_session_dict(session) for session in _newest_first(sessions)]}


async def _resume_session(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    entry = _loaded_entry(hass, call.data)
    client = entry.runtime_data.client
    with translate_errors(hass, entry):
        session_id = call.data.get(ATTR_SESSION_ID)
        if not session_id:
            recoverable = _newest_first(await client.recoverable_sessions())
            if not recoverable:
                raise _validation_error("no_recoverable_session")
            session_id = recoverable[0].id
        result = await client.resume_session(session_id)
    async_delete_recovery_issue(hass, entry.entry_id, session_id)
    await entry.runtime_data.provisioning.async_follow_session(session_id)
    return {
        "session": _session_dict(result.session),
        "devices": [board.model_dump(mode="json") for board in result.devices],
        "message": result.message,
    }


# -- Boards ------------------------------------------------------------------------


async def _provision_all(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    entry = _loaded_entry(hass, call.data)
    only_allowlisted = call.data.get(
        ATTR_ONLY_ALLOWLISTED,
        entry.options.get(CONF_ONLY_ALLOWLISTED, DEFAULT_ONLY_ALLOWLISTED),
    )
    if not only_allowlisted:  # boards outside the allowlist would get the credentials
        await async_require_admin(hass, call.context, "admin_required_provision_all")
    session_id = _active_session_id(entry, call.data)
    with translate_errors(hass, entry):
        result = await entry.runtime_data.client.provision_all(
            session_id, only_allowlisted=only_allowlisted
        )
    return {
        "initiated_count": result.initiated_count,
        "skipped_count": result.skipped_count,
        "only_allowlisted": only_allowlisted,
        "message": result.message,
    }


def _board_action(
    action: BoardAction,
) -> Callable[[HomeAssistant, ServiceCall], Coroutine[Any, Any, ServiceResponse]]:
    async def handler(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
        entry = _loaded_entry(hass, call.data)
        mac = _board(hass, entry, call.data)
        session_id = _active_session_id(entry, call.data)
        client = entry.runtime_data.client
        with translate_errors(hass, entry):
            if action.sends_credentials:
                await async_require_admin_unless_allowlisted(hass, call.context, client, mac)
            result = await client.board_action(session_id, mac, action)
        return {ATTR_MAC: result.mac, ATTR_STATE: result.state.value, "message": result.message}

    return handler


# -- Allowlist (administrators only) --------------------------------------------------


async def _allowlist_add(hass: HomeAssistant, call: ServiceCall) -> None:
    entry = _loaded_entry(hass, call.data)
    mac = _mac(call.data[ATTR_MAC], ATTR_MAC)
    with translate_errors(hass, entry):
        await entry.runtime_data.client.allowlist_add(
            mac,
            description=call.data.get(ATTR_DESCRIPTION),
            container_id=call.data.get(ATTR_CONTAINER_ID),
        )
    await entry.runtime_data.allowlist.async_request_refresh()


async def _allowlist_update(hass: HomeAssistant, call: ServiceCall) -> None:
    entry = _loaded_entry(hass, call.data)
    mac = _mac(call.data[ATTR_MAC], ATTR_MAC)
    if ATTR_DESCRIPTION not in call.data and ATTR_CONTAINER_ID not in call.data:
        raise _validation_error("nothing_to_update")
    with translate_errors(hass, entry):
        await entry.runtime_data.client.allowlist_update(
            mac,
            description=call.data.get(ATTR_DESCRIPTION, UNSET),
            container_id=call.data.get(ATTR_CONTAINER_ID, UNSET),
        )
    await entry.runtime_data.allowlist.async_request_refresh()


async def _allowlist_remove(hass: HomeAssistant, call: ServiceCall) -> None:
    entry = _loaded_entry(hass, call.data)
    macs = list(dict.fromkeys(_mac(value, ATTR_MAC) for value in call.data[ATTR_MAC]))
    if not macs:
        raise _validation_error("invalid_field", field=ATTR_MAC)
    client = entry.runtime_data.client
    with translate_errors(hass, entry):
        if len(macs) == 1:
            await client.allowlist_remove(macs[0])
        else:
            await client.allowlist_bulk_remove(macs)
    await entry.runtime_data.allowlist.async_request_refresh()


async def _get_allowlist(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    await async_require_admin(hass, call.context)
    entry = _loaded_entry(hass, call.data)
    with translate_errors(hass, entry):
        entries = await entry.runtime_data.client.allowlist()
    allowlist = Allowlist({item.mac: item for item in entries})
    return {
        "entries": [
            {**item.model_dump(mode="json"), "available": not item.used}
            for item in sorted(allowlist.entries.values(), key=lambda item: item.mac)
        ],
        "stats": {
            "total": allowlist.total,
            "used": allowlist.used,
            "available": allowlist.available,
        },
    }
