"""Config flow: user, errors, aborts, reauth, reconfigure and options."""

from __future__ import annotations

from collections.abc import Generator
from unittest.mock import AsyncMock, MagicMock, create_autospec, patch

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_API_KEY, CONF_HOST, CONF_PORT, CONF_SSL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.translation import async_get_translations
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator.api.client import PiOrchestratorClient
from custom_components.piorchestrator.api.errors import (
    PiOrchestratorAuthenticationError,
    PiOrchestratorConnectionError,
    PiOrchestratorServerError,
)
from custom_components.piorchestrator.const import (
    CONF_BOARD_ENTITIES,
    CONF_ONLY_ALLOWLISTED,
    CONF_POLL_INTERVAL,
    CONF_RECONCILE_INTERVAL,
    CONF_STALE_BOARD_DAYS,
    CONF_VERIFY_SSL,
    DOMAIN,
)
from simulator import Simulator
from tests.redirects import OTHER_HOST, redirecting_pi

from .conftest import API_KEY, PiDriver

USER_INPUT = {
    CONF_HOST: "Cabinet-Pi.local",
    CONF_PORT: 8082,
    CONF_SSL: False,
    CONF_VERIFY_SSL: True,
    CONF_API_KEY: "flow-test-key",
}
ENTRY_DATA = {
    CONF_HOST: "cabinet-pi.local",
    CONF_PORT: 8082,
    CONF_SSL: False,
    CONF_VERIFY_SSL: True,
    CONF_API_KEY: "flow-test-key",
}


@pytest.fixture
def flow_client() -> Generator[MagicMock]:
    """A client whose answers each test chooses; created configs are recorded.

    Specced on the real client: a call the client does not have, or with arguments
    it does not take, fails the test.
    """
    client = create_autospec(PiOrchestratorClient, instance=True)
    with patch(
        "custom_components.piorchestrator.config_flow.create_client", return_value=client
    ) as create:
        client.create = create
        yield client


@pytest.fixture(autouse=True)
def no_setup() -> Generator[AsyncMock]:
    """Keep the flow tests to the flow: creating an entry does not set it up."""
    with patch(
        "custom_components.piorchestrator.async_setup_entry", return_value=True
    ) as setup_entry:
        yield setup_entry


async def test_user_creates_entry_with_normalised_host(
    hass: HomeAssistant, flow_client: MagicMock
) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {}

    result = await hass.config_entries.flow.async_configure(result["flow_id"], USER_INPUT)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "cabinet-pi.local"
    assert result["data"] == ENTRY_DATA
    assert result["result"].unique_id == "cabinet-pi.local:8082"
    flow_client.system_info.assert_awaited_once()
    flow_client.allowlist_stats.assert_awaited_once()


async def test_user_accepts_a_url_in_the_host_field(
    hass: HomeAssistant, flow_client: MagicMock
) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**USER_INPUT, CONF_HOST: "https://10.0.0.7:8080/dashboard"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_HOST] == "10.0.0.7"
    assert result["data"][CONF_PORT] == 8080
    assert result["data"][CONF_SSL] is True


async def test_user_without_key_for_a_dev_mode_pi(
    hass: HomeAssistant, flow_client: MagicMock
) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    user_input = {k: v for k, v in USER_INPUT.items() if k != CONF_API_KEY}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert CONF_API_KEY not in result["data"]


@pytest.mark.parametrize(
    ("failure", "field", "error"),
    [
        (PiOrchestratorConnectionError("unreachable"), "base", "cannot_connect"),
        (PiOrchestratorAuthenticationError("API key required"), CONF_API_KEY, "invalid_auth"),
        (PiOrchestratorServerError("boom", code="INTERNAL_ERROR"), "base", "unknown"),
        (RuntimeError("unexpected"), "base", "unknown"),
    ],
)
async def test_user_errors_then_recovers(
    hass: HomeAssistant,
    flow_client: MagicMock,
    failure: Exception,
    field: str,
    error: str,
) -> None:
    flow_client.allowlist_stats.side_effect = failure
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], USER_INPUT)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {field: error}

    flow_client.allowlist_stats.side_effect = None
    result = await hass.config_entries.flow.async_configure(result["flow_id"], USER_INPUT)
    assert result["type"] is FlowResultType.CREATE_ENTRY


INVALID_HOSTS = [
    ("", "invalid_host"),
    ("   ", "invalid_host"),
    ("pi local", "invalid_host"),
    ("pi\tlocal", "invalid_host"),  # a URL parser would quietly make it `pilocal`
    ("pi\nlocal", "invalid_host"),
    ("pi\u202elocal", "invalid_host"),
    ("pi/x", "invalid_host"),
    ("pi.local/api/v1/../x", "invalid_host"),
    ("pi?x=1", "invalid_host"),
    ("pi#x", "invalid_host"),
    ("pi..local", "invalid_host"),
    ("-pi.local", "invalid_host"),
    ("999.1.1.1", "invalid_host"),
    ("a" * 64 + ".local", "invalid_host"),
    ("http://", "invalid_host"),
    ("http://pi%20x", "invalid_host"),
    ("ftp://pi.local", "invalid_url"),
    ("http://pi:99999", "invalid_url"),
    ("pi:99999", "invalid_url"),
    ("http://pi:8082:1", "invalid_url"),
    ("http://[::1", "invalid_url"),
    ("http://admin:secret@pi.local", "invalid_url"),
    ("http://pi:0", "invalid_port"),
]


@pytest.mark.parametrize(("host", "error"), INVALID_HOSTS)
async def test_user_rejects_an_invalid_host_without_contacting_anything(
    hass: HomeAssistant, flow_client: MagicMock, host: str, error: str
) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**USER_INPUT, CONF_HOST: host}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_HOST: error}
    flow_client.create.assert_not_called()

    # The same flow goes on once the typing mistake is fixed.
    result = await hass.config_entries.flow.async_configure(result["flow_id"], USER_INPUT)
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(("host", "error"), INVALID_HOSTS)
async def test_reconfigure_rejects_an_invalid_host_without_contacting_anything(
    hass: HomeAssistant, flow_client: MagicMock, host: str, error: str
) -> None:
    entry = MockConfigEntry(domain=DOMAIN, unique_id="cabinet-pi.local:8082", data=ENTRY_DATA)
    entry.add_to_hass(hass)

    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**USER_INPUT, CONF_HOST: host}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_HOST: error}
    flow_client.create.assert_not_called()
    assert entry.data == ENTRY_DATA


async def test_every_form_error_has_its_text(hass: HomeAssistant) -> None:
    translations = await async_get_translations(hass, "en", "config", {DOMAIN})
    for error in {error for _, error in INVALID_HOSTS} | {"api_key_for_new_host", "redirected"}:
        assert translations[f"component.{DOMAIN}.config.error.{error}"]


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("Cabinet-Pi.local", ("cabinet-pi.local", 8082, False)),
        ("  10.0.0.7  ", ("10.0.0.7", 8082, False)),
        ("pi.local:8080", ("pi.local", 8080, False)),
        ("fe80::1", ("fe80::1", 8082, False)),
        ("[fe80::1]:8081", ("fe80::1", 8081, False)),
        ("HTTPS://Pi.Local", ("pi.local", 8082, True)),
        ("http://münchen.de:81/", ("xn--mnchen-3ya.de", 81, False)),
        ("https://10.0.0.7:8080/dashboard?tab=1", ("10.0.0.7", 8080, True)),
    ],
)
async def test_user_accepts_hosts_and_urls_people_type(
    hass: HomeAssistant, flow_client: MagicMock, host: str, expected: tuple[str, int, bool]
) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**USER_INPUT, CONF_HOST: host}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    data = result["data"]
    assert (data[CONF_HOST], data[CONF_PORT], data[CONF_SSL]) == expected


async def test_user_aborts_for_a_pi_already_configured(
    hass: HomeAssistant, flow_client: MagicMock
) -> None:
    MockConfigEntry(domain=DOMAIN, unique_id="cabinet-pi.local:8082", data=ENTRY_DATA).add_to_hass(
        hass
    )
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], USER_INPUT)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    flow_client.system_info.assert_not_awaited()


async def test_form_never_echoes_the_key_after_an_error(
    hass: HomeAssistant, flow_client: MagicMock
) -> None:
    flow_client.allowlist_stats.side_effect = PiOrchestratorAuthenticationError("nope")
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], USER_INPUT)
    suggested = {
        str(key): (key.description or {}).get("suggested_value")
        for key in result["data_schema"].schema
    }
    assert suggested[CONF_API_KEY] is None
    assert suggested[CONF_HOST] == "Cabinet-Pi.local"


async def test_reauth_asks_only_for_the_key_and_reloads(
    hass: HomeAssistant, flow_client: MagicMock
) -> None:
    entry = MockConfigEntry(domain=DOMAIN, unique_id="cabinet-pi.local:8082", data=ENTRY_DATA)
    entry.add_to_hass(hass)

    result = await entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    assert list(result["data_schema"].schema) == [CONF_API_KEY]

    flow_client.allowlist_stats.side_effect = PiOrchestratorAuthenticationError("wrong")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: "still-wrong"}
    )
    assert result["errors"] == {CONF_API_KEY: "invalid_auth"}

    flow_client.allowlist_stats.side_effect = PiOrchestratorConnectionError("down")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: "new-key"}
    )
    assert result["errors"] == {"base": "cannot_connect"}

    flow_client.allowlist_stats.side_effect = None
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: "new-key"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_API_KEY] == "new-key"
    assert entry.data[CONF_HOST] == "cabinet-pi.local"


async def test_reconfigure_a_new_host_needs_its_own_key(
    hass: HomeAssistant, flow_client: MagicMock
) -> None:
    entry = MockConfigEntry(domain=DOMAIN, unique_id="cabinet-pi.local:8082", data=ENTRY_DATA)
    entry.add_to_hass(hass)
    new_address = {CONF_HOST: "10.1.1.9", CONF_PORT: 8080, CONF_SSL: False, CONF_VERIFY_SSL: True}

    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    assert CONF_API_KEY in result["data_schema"].schema

    # The stored key belongs to the old host: it is not sent to the new one.
    result = await hass.config_entries.flow.async_configure(result["flow_id"], new_address)
    assert result["errors"] == {CONF_API_KEY: "api_key_for_new_host"}
    flow_client.create.assert_not_called()

    flow_client.system_info.side_effect = PiOrchestratorConnectionError("down")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**new_address, CONF_API_KEY: "key-of-the-new-pi"}
    )
    assert result["errors"] == {"base": "cannot_connect"}

    flow_client.system_info.side_effect = None
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**new_address, CONF_API_KEY: "key-of-the-new-pi"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert {call.args[1][CONF_API_KEY] for call in flow_client.create.call_args_list} == {
        "key-of-the-new-pi"
    }
    assert entry.unique_id == "10.1.1.9:8080"
    assert entry.data[CONF_HOST] == "10.1.1.9"
    assert entry.data[CONF_API_KEY] == "key-of-the-new-pi"
    assert entry.title == "10.1.1.9"


async def test_reconfigure_the_same_host_keeps_the_key(
    hass: HomeAssistant, flow_client: MagicMock
) -> None:
    entry = MockConfigEntry(domain=DOMAIN, unique_id="cabinet-pi.local:8082", data=ENTRY_DATA)
    entry.add_to_hass(hass)

    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: "Cabinet-Pi.local", CONF_PORT: 8080, CONF_SSL: False, CONF_VERIFY_SSL: True},
    )

    assert result["reason"] == "reconfigure_successful"
    assert entry.data == {**ENTRY_DATA, CONF_PORT: 8080}
    assert flow_client.create.call_args.args[1][CONF_API_KEY] == "flow-test-key"


async def test_reconfigure_a_host_without_key_for_a_dev_mode_pi(
    hass: HomeAssistant, flow_client: MagicMock
) -> None:
    data = {k: v for k, v in ENTRY_DATA.items() if k != CONF_API_KEY}
    entry = MockConfigEntry(domain=DOMAIN, unique_id="cabinet-pi.local:8082", data=data)
    entry.add_to_hass(hass)

    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**data, CONF_HOST: "10.1.1.9"}
    )

    assert result["reason"] == "reconfigure_successful"
    assert CONF_API_KEY not in entry.data


async def test_reconfigure_asks_before_turning_https_off(
    hass: HomeAssistant, flow_client: MagicMock
) -> None:
    https_data = {**ENTRY_DATA, CONF_SSL: True}
    entry = MockConfigEntry(domain=DOMAIN, unique_id="cabinet-pi.local:8082", data=https_data)
    entry.add_to_hass(hass)

    # The form still says HTTPS; the pasted URL says otherwise.
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {**https_data, CONF_HOST: "http://cabinet-pi.local:8082/"},
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure_http"
    assert result["description_placeholders"] == {"host": "cabinet-pi.local:8082"}
    flow_client.create.assert_not_called()
    assert entry.data[CONF_SSL] is True
    translations = await async_get_translations(hass, "en", "config", {DOMAIN})
    assert (
        "unencrypted"
        in translations[f"component.{DOMAIN}.config.step.reconfigure_http.description"]
    )

    flow_client.system_info.side_effect = PiOrchestratorConnectionError("down")
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["step_id"] == "reconfigure_http"
    assert result["errors"] == {"base": "cannot_connect"}
    assert entry.data[CONF_SSL] is True

    flow_client.system_info.side_effect = None
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["reason"] == "reconfigure_successful"
    assert entry.data == {**https_data, CONF_SSL: False}


async def test_reconfigure_keeps_https_without_asking(
    hass: HomeAssistant, flow_client: MagicMock
) -> None:
    https_data = {**ENTRY_DATA, CONF_SSL: True}
    entry = MockConfigEntry(domain=DOMAIN, unique_id="cabinet-pi.local:8082", data=https_data)
    entry.add_to_hass(hass)

    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**https_data, CONF_HOST: "https://cabinet-pi.local:8443"}
    )

    assert result["reason"] == "reconfigure_successful"
    assert entry.data == {**https_data, CONF_PORT: 8443}


async def test_reconfigure_sends_the_old_key_nowhere_new(
    hass: HomeAssistant, socket_enabled: None
) -> None:
    """Over the wire: the new host hears only the key typed for it."""
    async with redirecting_pi(307) as (_, new_pi):
        entry = MockConfigEntry(domain=DOMAIN, unique_id="cabinet-pi.local:8082", data=ENTRY_DATA)
        entry.add_to_hass(hass)
        new_address = {
            CONF_HOST: OTHER_HOST,
            CONF_PORT: new_pi.port,
            CONF_SSL: False,
            CONF_VERIFY_SSL: True,
        }

        result = await entry.start_reconfigure_flow(hass)
        result = await hass.config_entries.flow.async_configure(result["flow_id"], new_address)
        assert result["errors"] == {CONF_API_KEY: "api_key_for_new_host"}
        assert new_pi.connections == 0

        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {**new_address, CONF_API_KEY: "key-of-the-new-pi"}
        )

    assert result["reason"] == "reconfigure_successful"
    assert new_pi.header_values("X-API-Key") == ["key-of-the-new-pi"]
    assert ENTRY_DATA[CONF_API_KEY].encode() not in new_pi.received


async def test_user_flow_refuses_a_redirecting_address(
    hass: HomeAssistant, socket_enabled: None
) -> None:
    """Over the wire: the redirect is reported, its target hears nothing."""
    async with redirecting_pi(308) as (redirector, listener):
        result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {**USER_INPUT, CONF_HOST: f"http://127.0.0.1:{redirector.port}"}
        )

    assert result["errors"] == {"base": "redirected"}
    assert listener.connections == 0
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_reconfigure_rejects_bad_host_and_another_pis_address(
    hass: HomeAssistant, flow_client: MagicMock
) -> None:
    entry = MockConfigEntry(domain=DOMAIN, unique_id="cabinet-pi.local:8082", data=ENTRY_DATA)
    entry.add_to_hass(hass)
    MockConfigEntry(
        domain=DOMAIN, unique_id="other-pi:8082", data={**ENTRY_DATA, CONF_HOST: "other-pi"}
    ).add_to_hass(hass)

    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: "bad host", CONF_PORT: 8082, CONF_SSL: False, CONF_VERIFY_SSL: True},
    )
    assert result["errors"] == {CONF_HOST: "invalid_host"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: "other-pi", CONF_PORT: 8082, CONF_SSL: False, CONF_VERIFY_SSL: True},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == "cabinet-pi.local"


async def test_options_flow_stores_choices(hass: HomeAssistant) -> None:
    entry = MockConfigEntry(domain=DOMAIN, unique_id="cabinet-pi.local:8082", data=ENTRY_DATA)
    entry.add_to_hass(hass)

    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["step_id"] == "init"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            CONF_POLL_INTERVAL: 10,
            CONF_RECONCILE_INTERVAL: 30,
            CONF_BOARD_ENTITIES: False,
            CONF_ONLY_ALLOWLISTED: False,
            CONF_STALE_BOARD_DAYS: 7,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        CONF_POLL_INTERVAL: 10,
        CONF_RECONCILE_INTERVAL: 30,
        CONF_BOARD_ENTITIES: False,
        CONF_ONLY_ALLOWLISTED: False,
        CONF_STALE_BOARD_DAYS: 7,
    }


async def test_user_flow_against_the_simulated_pi(
    hass: HomeAssistant, simulator: Simulator, pi: PiDriver
) -> None:
    """Over the wire: a wrong key, then an answer no Pi would send, then success."""
    user_input = {
        CONF_HOST: f"http://127.0.0.1:{simulator.port}",
        CONF_SSL: False,
        CONF_VERIFY_SSL: True,
        CONF_API_KEY: "not-the-key",
    }
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input)
    assert result["errors"] == {CONF_API_KEY: "invalid_auth"}

    # Something at that address answers with 16 MiB: refused, not read whole.
    await pi.fault("oversize-next", {"bytes": 16 * 1024 * 1024, "paths": "/api/v1/system/info"})
    user_input[CONF_API_KEY] = API_KEY
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input)
    assert result["errors"] == {"base": "unknown"}
    assert hass.config_entries.async_entries(DOMAIN) == []

    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_PORT] == simulator.port
    assert result["data"][CONF_API_KEY] == API_KEY
