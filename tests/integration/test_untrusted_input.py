"""Through Home Assistant's actions: a redirecting address and malformed session IDs.

Wire-level: the entry runs against the simulator; a redirect comes from a
second server on 127.0.0.1 whose target, on 127.0.0.2, records every byte.
"""

from __future__ import annotations

import logging
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from yarl import URL

from custom_components.piorchestrator.const import DOMAIN
from tests.redirects import OTHER_HOST, redirecting_pi

from .conftest import API_KEY, WIFI_PASSWORD, PiDriver


async def provisioning_requests(pi: PiDriver) -> dict[str, int]:
    """Requests the Pi received under /provisioning/, by path (the stream excluded)."""
    report = await pi.call("GET", "/_sim/report")
    return {
        path: sum(statuses.values())
        for path, statuses in report["requests"].items()
        if path.startswith("/api/v1/provisioning/") and not path.endswith(("/events", "/network"))
    }


@pytest.mark.parametrize("status", [301, 302, 307, 308])
async def test_start_batch_through_a_redirect_fails_clearly_and_leaks_nothing(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    status: int,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with redirecting_pi(status) as (redirector, listener):
        # Something now answers at the Pi's address in its place (a proxy, a
        # neighbour's device): the running client is pointed at it.
        client = loaded_entry.runtime_data.client
        client.url = URL.build(scheme="http", host="127.0.0.1", port=redirector.port)

        with pytest.raises(HomeAssistantError) as caught:
            await hass.services.async_call(
                DOMAIN,
                "start_batch",
                {
                    "config_entry_id": loaded_entry.entry_id,
                    "target_ssid": "CabinetNet",
                    "target_password": WIFI_PASSWORD,
                },
                blocking=True,
                return_response=True,
            )

    err = caught.value
    assert not isinstance(err, ServiceValidationError)
    assert err.translation_key == "redirected"
    text = str(err)
    assert text.startswith(
        f"The Pi answered with a redirect to http://{OTHER_HOST}:{listener.port}; "
        "check the host and port. Home Assistant does not follow redirects"
    )
    assert listener.connections == 0
    # Sent once, to the Pi's address only (other requests are the integration's own reads).
    assert redirector.requests.count(("POST", "/api/v1/provisioning/batch/start")) == 1
    for secret in (API_KEY, WIFI_PASSWORD, "steal-me"):
        assert secret not in text
        assert secret not in caplog.text


BAD_SESSION_IDS = [".", "..", "a/b", "sess_1/../../door/open", "sess 1", "s" * 65, "séss"]


@pytest.mark.parametrize("session_id", BAD_SESSION_IDS)
@pytest.mark.parametrize("service", ["stop_batch", "pause_batch", "resume_batch", "resume_session"])
async def test_a_malformed_session_id_is_refused_before_any_request(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    pi: PiDriver,
    service: str,
    session_id: str,
) -> None:
    session = await pi.start_session()
    before = await provisioning_requests(pi)
    data: dict[str, Any] = {"config_entry_id": loaded_entry.entry_id, "session_id": session_id}

    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(DOMAIN, service, data, blocking=True, return_response=True)

    err = caught.value
    assert err.translation_domain == DOMAIN
    assert err.translation_key == "invalid_session_id"
    # Home Assistant drops the translation's final full stop when it renders one.
    assert str(err) == (
        f'"{session_id}" is not a session ID: a session ID is 1 to 64 letters, digits, '
        "'_' or '-', for example sess_0123456789ab. Nothing was sent to the Pi"
    )
    after = await provisioning_requests(pi)
    # The integration's own reads of the real session go on; nothing else was asked.
    assert {
        path
        for path, count in after.items()
        if count != before.get(path, 0)
        and session["id"] not in path
        and not path.endswith("/sessions/recoverable")
    } == set()
    snapshot = await pi.call("GET", f"/api/v1/provisioning/batch/{session['id']}")
    assert snapshot["session"]["state"] in ("discovering", "active")  # not paused, not closed


async def test_an_empty_session_id_still_means_the_open_session(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, pi: PiDriver
) -> None:
    session = await pi.start_session()
    provisioning = loaded_entry.runtime_data.provisioning
    await provisioning.async_follow_session(session["id"])

    result = await hass.services.async_call(
        DOMAIN,
        "pause_batch",
        {"config_entry_id": loaded_entry.entry_id, "session_id": ""},
        blocking=True,
        return_response=True,
    )

    assert result is not None
    assert result["session"]["id"] == session["id"]
    assert result["session"]["state"] == "paused"
