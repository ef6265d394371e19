"""Config flow: user, errors, aborts, reauth, reconfigure and options."""

from __future__ import annotations

from collections.abc import Generator
from unittest.mock import AsyncMock, MagicMock, patch

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_API_KEY, CONF_HOST, CONF_PORT, CONF_SSL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

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
    CONF_VERIFY_SSL,
    DOMAIN,
)
from simulator import Simulator

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
    """A client whose answers each test chooses; created configs are recorded."""
    client = MagicMock()
    client.system_info = AsyncMock()
    client.allowlist_stats = AsyncMock()
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


@pytest.mark.parametrize("host", ["", "pi local", "ftp://pi.local", "http://", "pi/x"])
async def test_user_rejects_an_invalid_host_without_contacting_anything(
    hass: HomeAssistant, flow_client: MagicMock, host: str
) -> None:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {**USER_INPUT, CONF_HOST: host}
    )
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    flow_client.create.assert_not_called()


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


async def test_reconfigure_changes_address_and_keeps_the_key(
    hass: HomeAssistant, flow_client: MagicMock
) -> None:
    entry = MockConfigEntry(domain=DOMAIN, unique_id="cabinet-pi.local:8082", data=ENTRY_DATA)
    entry.add_to_hass(hass)

    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    assert CONF_API_KEY not in result["data_schema"].schema

    flow_client.system_info.side_effect = PiOrchestratorConnectionError("down")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: "10.1.1.9", CONF_PORT: 8080, CONF_SSL: False, CONF_VERIFY_SSL: True},
    )
    assert result["errors"] == {"base": "cannot_connect"}

    flow_client.system_info.side_effect = None
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: "10.1.1.9", CONF_PORT: 8080, CONF_SSL: False, CONF_VERIFY_SSL: True},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.unique_id == "10.1.1.9:8080"
    assert entry.data[CONF_HOST] == "10.1.1.9"
    assert entry.data[CONF_API_KEY] == "flow-test-key"
    assert entry.title == "10.1.1.9"


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
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.options == {
        CONF_POLL_INTERVAL: 10,
        CONF_RECONCILE_INTERVAL: 30,
        CONF_BOARD_ENTITIES: False,
        CONF_ONLY_ALLOWLISTED: False,
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
