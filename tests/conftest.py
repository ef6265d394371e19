"""Fixtures for every test that runs Home Assistant.

The integration depends on `frontend` (it serves the cards). Once `frontend` is set
up, `http` starts its real server on 0.0.0.0:8123, as it would in a real run: in a
test that would listen on every interface, and clash with a running demo or with
another test run. Home Assistant's own test suite stops the server starting the
same way; `hass_client` and `hass_ws_client` talk to the app without it.
"""

from __future__ import annotations

from collections.abc import Generator
from unittest.mock import patch

import pytest


@pytest.fixture(autouse=True)
def no_http_server(request: pytest.FixtureRequest) -> Generator[None]:
    """Keep Home Assistant's HTTP server from listening, in tests that run Home Assistant."""
    if "hass" not in request.fixturenames:
        # The client library's and the simulator's tests never import Home Assistant.
        yield
        return
    with (
        patch("homeassistant.components.http.start_http_server_and_save_config"),
        patch("homeassistant.components.http.HomeAssistantHTTP.stop"),
    ):
        yield
