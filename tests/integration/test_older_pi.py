"""An older PiOrchestrator, with only the legacy /api routes: told to update, over the wire."""

from __future__ import annotations

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_API_KEY, CONF_HOST, CONF_SSL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.translation import async_get_translations
import pytest

from custom_components.piorchestrator.const import CONF_VERIFY_SSL, DOMAIN
from simulator import Simulator, SimulatorConfig
from tests.conftest import SimulatorConfigFactory

from .conftest import API_KEY, PiDriver


@pytest.fixture
def simulator_config(make_simulator_config: SimulatorConfigFactory) -> SimulatorConfig:
    """A Pi from before the V1 API."""
    return make_simulator_config(speed=50, boards=1, seed=7, legacy_only=True)


async def test_a_pi_without_the_v1_api_is_told_to_update(
    hass: HomeAssistant, simulator: Simulator, pi: PiDriver
) -> None:
    user_input = {
        CONF_HOST: f"http://127.0.0.1:{simulator.port}",
        CONF_SSL: False,
        CONF_VERIFY_SSL: True,
        CONF_API_KEY: API_KEY,
    }
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "no_v1_api"}
    translations = await async_get_translations(hass, "en", "config", {DOMAIN})
    assert translations[f"component.{DOMAIN}.config.error.no_v1_api"] == (
        "This PiOrchestrator has no V1 API: update it to use this integration."
    )
    assert hass.config_entries.async_entries(DOMAIN) == []
    # The probe asked the open system route only: no key went to the legacy API.
    report = await pi.call("GET", "/_sim/report")
    legacy = {path for path in report["requests"] if not path.startswith("/api/v1/")}
    assert legacy == {"/api/system/info"}


async def test_a_404_from_something_else_is_not_an_older_pi(
    hass: HomeAssistant, simulator: Simulator, pi: PiDriver
) -> None:
    """Legacy routes that do not answer either: not a PiOrchestrator, nothing to update."""
    await pi.fault(
        "fail-next",
        {"count": 1, "status": 404, "code": "NOT_FOUND", "paths": ["/api/system/info"]},
    )
    user_input = {
        CONF_HOST: f"http://127.0.0.1:{simulator.port}",
        CONF_SSL: False,
        CONF_VERIFY_SSL: True,
        CONF_API_KEY: API_KEY,
    }
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], user_input)
    assert result["errors"] == {"base": "unknown"}
