"""Config flow: add a PiOrchestrator by host and API key."""

from __future__ import annotations

from collections.abc import Mapping
import ipaddress
import re
from typing import Any, Final

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_API_KEY, CONF_HOST, CONF_PORT, CONF_SSL
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol
from yarl import URL

from . import compat
from .api.errors import PiOrchestratorError, PiOrchestratorNotFoundError
from .api.numbers import finite_number
from .const import (
    CONF_BOARD_ENTITIES,
    CONF_ONLY_ALLOWLISTED,
    CONF_POLL_INTERVAL,
    CONF_RECONCILE_INTERVAL,
    CONF_STALE_BOARD_DAYS,
    CONF_VERIFY_SSL,
    DEFAULT_BOARD_ENTITIES,
    DEFAULT_ONLY_ALLOWLISTED,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_PORT,
    DEFAULT_RECONCILE_INTERVAL,
    DEFAULT_STALE_BOARD_DAYS,
    DOMAIN,
    LOGGER,
    MAX_POLL_INTERVAL,
    MAX_RECONCILE_INTERVAL,
    MAX_STALE_BOARD_DAYS,
    MIN_POLL_INTERVAL,
    MIN_RECONCILE_INTERVAL,
    MIN_STALE_BOARD_DAYS,
)
from .data import PiOrchestratorConfigEntry, create_client
from .error_handling import ErrorKind, error_kind

_PORT_SELECTOR = NumberSelector(
    NumberSelectorConfig(min=1, max=65535, step=1, mode=NumberSelectorMode.BOX)
)
_API_KEY_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_KEY_ERRORS = frozenset(("invalid_auth", "api_key_required"))
"""Errors shown on the API key field rather than above the form."""


def _connection_schema(defaults: Mapping[str, Any]) -> vol.Schema:
    return vol.Schema(
        {
            vol.Required(CONF_HOST, default=defaults.get(CONF_HOST, vol.UNDEFINED)): str,
            vol.Required(CONF_PORT, default=defaults.get(CONF_PORT, DEFAULT_PORT)): _PORT_SELECTOR,
            vol.Required(CONF_SSL, default=defaults.get(CONF_SSL, False)): bool,
            vol.Required(CONF_VERIFY_SSL, default=defaults.get(CONF_VERIFY_SSL, True)): bool,
        }
    )


def _user_schema(defaults: Mapping[str, Any]) -> vol.Schema:
    return _connection_schema(defaults).extend({vol.Optional(CONF_API_KEY): _API_KEY_SELECTOR})


_REAUTH_SCHEMA = vol.Schema({vol.Optional(CONF_API_KEY): _API_KEY_SELECTOR})


class InvalidConnectionError(ValueError):
    """A field of the connection form holds something that cannot be used."""

    def __init__(self, field: str, error: str) -> None:
        """Name the form field and the translated error to show under it."""
        super().__init__(field, error)
        self.field = field
        self.error = error


_HOST_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")


def normalize_connection(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Return host, port and TLS from the form, accepting a URL in the host field.

    A URL such as `https://pi.local:8080/` sets the scheme and port it names, so
    people can paste what they see in their browser; only its scheme, host and
    port are kept. Without a scheme the field takes a host, optionally with
    `:port`. Anything else raises `InvalidConnectionError` naming the field.
    """
    raw_host = str(user_input.get(CONF_HOST, "")).strip()
    # URL parsers drop tabs and newlines silently (`pi\tlocal` becomes `pilocal`):
    # refuse them before parsing rather than reach a host nobody typed.
    if not raw_host or not raw_host.isprintable() or any(c.isspace() for c in raw_host):
        raise InvalidConnectionError(CONF_HOST, "invalid_host")
    port = _port(user_input.get(CONF_PORT, DEFAULT_PORT), CONF_PORT)
    ssl = bool(user_input.get(CONF_SSL, False))
    has_scheme = "://" in raw_host
    if not has_scheme and _is_ipv6(raw_host):
        raw_host = f"[{raw_host}]"
    try:
        url = URL(raw_host if has_scheme else f"//{raw_host}")
        explicit_port = url.explicit_port
    except ValueError:
        # yarl checks the port when parsing: `http://pi:99999` lands here.
        raise InvalidConnectionError(CONF_HOST, "invalid_url") from None
    if has_scheme:
        if url.scheme not in ("http", "https"):
            raise InvalidConnectionError(CONF_HOST, "invalid_url")
        ssl = url.scheme == "https"
    elif url.path not in ("", "/") or url.query_string or url.fragment:
        raise InvalidConnectionError(CONF_HOST, "invalid_host")
    if url.user is not None or url.password is not None:
        # Credentials in the address would be stored and shown as the entry's host.
        raise InvalidConnectionError(CONF_HOST, "invalid_url")
    if explicit_port is not None:
        port = _port(explicit_port, CONF_HOST)
    host = _host(url.raw_host)
    return {
        CONF_HOST: host,
        CONF_PORT: port,
        CONF_SSL: ssl,
        CONF_VERIFY_SSL: bool(user_input.get(CONF_VERIFY_SSL, True)),
    }


def _is_ipv6(text: str) -> bool:
    try:
        return ipaddress.ip_address(text.strip("[]")).version == 6
    except ValueError:
        return False


def _port(value: Any, field: str) -> int:
    """A TCP port from 1 to 65535; the field is where the person typed it."""
    number = finite_number(value)
    if number is None or not number.is_integer() or not 1 <= number <= 65535:
        raise InvalidConnectionError(field, "invalid_port")
    return int(number)


def _host(raw_host: str | None) -> str:
    """An IP address or a DNS name (IDNA form, lower case), else a host field error."""
    if not raw_host:
        raise InvalidConnectionError(CONF_HOST, "invalid_host")
    host = raw_host.lower()
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    labels = host.removesuffix(".").split(".")
    if (
        len(host) > 253
        or not all(_HOST_LABEL.fullmatch(label) for label in labels)
        # All digits but not an address (`999.1.1.1`): a typo, not a name.
        or all(label.isdigit() for label in labels)
    ):
        raise InvalidConnectionError(CONF_HOST, "invalid_host")
    try:
        URL.build(scheme="http", host=host)
    except ValueError:
        raise InvalidConnectionError(CONF_HOST, "invalid_host") from None
    return host


def _connection_or_error(
    user_input: Mapping[str, Any], errors: dict[str, str]
) -> dict[str, Any] | None:
    """The form's connection, normalised; None, with the field's error added, if unusable."""
    try:
        return normalize_connection(user_input)
    except InvalidConnectionError as err:
        errors[err.field] = err.error
        return None


def _add_check_error(errors: dict[str, str], error: str) -> None:
    """Show a failed check under the key field when the key is at fault, else above the form."""
    errors[CONF_API_KEY if error in _KEY_ERRORS else "base"] = error


def unique_id_for(config: Mapping[str, Any]) -> str:
    """One entry per Pi: the Pi reports no serial, so its address identifies it."""
    return f"{config[CONF_HOST]}:{config[CONF_PORT]}"


class PiOrchestratorConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a PiOrchestrator."""

    VERSION = 1
    MINOR_VERSION = 1

    _reconfigured: dict[str, Any] | None = None
    """The settings a reconfigure step checked, kept for its HTTP confirmation step."""

    async def _async_validate(self, config: Mapping[str, Any]) -> str | None:
        """Check the Pi answers and accepts the key; return an error key or None."""
        try:
            client = create_client(self.hass, config)
            try:
                await client.system_info()
            except PiOrchestratorNotFoundError:
                # An older PiOrchestrator has only the legacy /api routes.
                if await client.answers_legacy_api():
                    return "no_v1_api"
                raise
            # System routes are open; a protected read is what proves the key.
            await client.allowlist_stats()
        except PiOrchestratorError as err:
            return _form_error(err, config)
        except Exception:  # noqa: BLE001 - a config flow must never crash on a bad Pi
            LOGGER.exception("Unexpected error while checking the Pi at %s", config[CONF_HOST])
            return "unknown"
        return None

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the Pi's address and API key."""
        errors: dict[str, str] = {}
        if user_input is not None and (config := _connection_or_error(user_input, errors)):
            if api_key := user_input.get(CONF_API_KEY):
                config[CONF_API_KEY] = api_key
            await self.async_set_unique_id(unique_id_for(config))
            self._abort_if_unique_id_configured()
            if (error := await self._async_validate(config)) is None:
                return self.async_create_entry(title=config[CONF_HOST], data=config)
            _add_check_error(errors, error)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                _user_schema({}), _without_secret(user_input)
            ),
            errors=errors,
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Start reauthentication after the Pi refused the key."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask only for the new API key."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            config = {**entry.data, CONF_API_KEY: user_input.get(CONF_API_KEY, "")}
            if (error := await self._async_validate(config)) is None:
                return self.async_update_reload_and_abort(
                    entry, data_updates={CONF_API_KEY: config[CONF_API_KEY]}
                )
            _add_check_error(errors, error)
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=_REAUTH_SCHEMA,
            errors=errors,
            description_placeholders={"host": entry.title},
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the Pi's address or TLS settings, keeping its entities.

        A new host gets the key typed here, never the stored one: that key belongs
        to the old Pi, and whatever answers at the new address must not receive it.
        """
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None and (config := _connection_or_error(user_input, errors)):
            unique_id = unique_id_for(config)
            if unique_id != entry.unique_id:
                await self.async_set_unique_id(unique_id)
                self._abort_if_unique_id_configured()
            api_key = user_input.get(CONF_API_KEY) or None
            host_changed = config[CONF_HOST] != entry.data.get(CONF_HOST)
            if host_changed and api_key is None and entry.data.get(CONF_API_KEY):
                errors[CONF_API_KEY] = "api_key_for_new_host"
            else:
                full = {**entry.data, **config}
                if api_key is not None:
                    full[CONF_API_KEY] = api_key
                elif host_changed:
                    full.pop(CONF_API_KEY, None)
                self._reconfigured = full
                if entry.data.get(CONF_SSL) and not full[CONF_SSL]:
                    return await self.async_step_reconfigure_http()
                if (error := await self._async_validate(full)) is None:
                    return self._async_finish_reconfigure(full)
                _add_check_error(errors, error)
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                _user_schema({}), _without_secret(user_input or entry.data)
            ),
            errors=errors,
            description_placeholders={"host": entry.title},
        )

    async def async_step_reconfigure_http(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Have the person confirm that a Pi reached over HTTPS is now reached over HTTP.

        A pasted `http://` URL would otherwise turn TLS off unnoticed, and the key
        would cross the network in clear from then on.
        """
        config = self._reconfigured
        if config is None:  # only reachable from the reconfigure step
            return await self.async_step_reconfigure()
        errors: dict[str, str] = {}
        if user_input is not None:
            if (error := await self._async_validate(config)) is None:
                return self._async_finish_reconfigure(config)
            errors["base"] = error
        return self.async_show_form(
            step_id="reconfigure_http",
            data_schema=vol.Schema({}),
            errors=errors,
            description_placeholders={"host": f"{config[CONF_HOST]}:{config[CONF_PORT]}"},
        )

    @callback
    def _async_finish_reconfigure(self, config: dict[str, Any]) -> ConfigFlowResult:
        return self.async_update_reload_and_abort(
            self._get_reconfigure_entry(),
            unique_id=unique_id_for(config),
            title=config[CONF_HOST],
            data=config,
        )

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: PiOrchestratorConfigEntry) -> OptionsFlowHandler:
        """Return the options flow."""
        return OptionsFlowHandler()


class OptionsFlowHandler(compat.OptionsFlowBase):
    """Tune polling and what the integration creates.

    Changed options take effect by reloading the entry: the flow's base class
    does it where Home Assistant offers that, an update listener elsewhere.
    """

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the options."""
        if user_input is not None:
            return self.async_create_entry(data=user_input)
        options = self.config_entry.options
        schema = vol.Schema(
            {
                vol.Required(
                    CONF_POLL_INTERVAL,
                    default=options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL),
                ): _seconds_selector(MIN_POLL_INTERVAL, MAX_POLL_INTERVAL),
                vol.Required(
                    CONF_RECONCILE_INTERVAL,
                    default=options.get(CONF_RECONCILE_INTERVAL, DEFAULT_RECONCILE_INTERVAL),
                ): _seconds_selector(MIN_RECONCILE_INTERVAL, MAX_RECONCILE_INTERVAL),
                vol.Required(
                    CONF_BOARD_ENTITIES,
                    default=options.get(CONF_BOARD_ENTITIES, DEFAULT_BOARD_ENTITIES),
                ): bool,
                vol.Required(
                    CONF_ONLY_ALLOWLISTED,
                    default=options.get(CONF_ONLY_ALLOWLISTED, DEFAULT_ONLY_ALLOWLISTED),
                ): bool,
                vol.Required(
                    CONF_STALE_BOARD_DAYS,
                    default=options.get(CONF_STALE_BOARD_DAYS, DEFAULT_STALE_BOARD_DAYS),
                ): NumberSelector(
                    NumberSelectorConfig(
                        min=MIN_STALE_BOARD_DAYS,
                        max=MAX_STALE_BOARD_DAYS,
                        step=1,
                        unit_of_measurement="d",
                        mode=NumberSelectorMode.BOX,
                    )
                ),
            }
        )
        return self.async_show_form(step_id="init", data_schema=schema)


def _seconds_selector(minimum: int, maximum: int) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            min=minimum, max=maximum, step=1, unit_of_measurement="s", mode=NumberSelectorMode.BOX
        )
    )


_FORM_ERRORS: Final[Mapping[ErrorKind, str]] = {
    ErrorKind.REFUSED_KEY: "invalid_auth",
    ErrorKind.UNREACHABLE: "cannot_connect",
    ErrorKind.REDIRECTED: "redirected",
    ErrorKind.CALLER_MISTAKE: "unknown",
    ErrorKind.PI_FAILURE: "unknown",
}
"""The form's error for each kind `errors.error_kind` sorts a failure into."""


def _form_error(err: PiOrchestratorError, config: Mapping[str, Any]) -> str:
    """The form error for a failed check, sorted as everywhere else in the integration."""
    kind = error_kind(err)
    if kind is ErrorKind.REFUSED_KEY and not config.get(CONF_API_KEY):
        return "api_key_required"
    if kind is ErrorKind.REDIRECTED:
        LOGGER.warning("The address %s answered with a redirect: %s", config[CONF_HOST], err)
    elif _FORM_ERRORS[kind] == "unknown":
        LOGGER.warning("The Pi at %s answered unexpectedly: %s", config[CONF_HOST], err)
    return _FORM_ERRORS[kind]


def _without_secret(user_input: Mapping[str, Any] | None) -> dict[str, Any]:
    """Refill the form after an error, but never echo the key back into it."""
    return {k: v for k, v in (user_input or {}).items() if k != CONF_API_KEY}
