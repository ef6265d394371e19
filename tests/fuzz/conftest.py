"""Fixtures of the fuzzing suite: the integration's fixtures and the request log, for the
service-schema fuzzing that must prove nothing invalid reaches the Pi."""

from __future__ import annotations

from tests.integration.conftest import (  # noqa: F401 - fixtures, re-exported for this suite
    auto_enable_custom_integrations,
    loaded_entry,
    wait_for,
)
from tests.reliability.conftest import request_log, simulator  # noqa: F401 - fixtures
