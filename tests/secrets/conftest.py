"""Fixtures of the secret-leak suite: the scenarios' simulator (with its request log)
and entry, so every URL the integration requests can be inspected."""

from __future__ import annotations

from tests.integration.conftest import (  # noqa: F401 - fixtures, re-exported for this suite
    auto_enable_custom_integrations,
    wait_for,
)
from tests.reliability.conftest import (  # noqa: F401 - fixtures, re-exported for this suite
    config_entry,
    http,
    request_log,
    simulator,
    simulator_config,
)
