"""An error answer of the Pi is cleaned where the client builds its exception.

Against the simulator over 127.0.0.1: whatever the Pi puts in an error's message,
the exception (and so every log line, state and notification made from it) carries
one line of at most 200 characters.
"""

from __future__ import annotations

import aiohttp
import pytest

from custom_components.piorchestrator.api.client import PiOrchestratorClient
from custom_components.piorchestrator.api.errors import PiOrchestratorError
from custom_components.piorchestrator.api.text import MESSAGE_LENGTH
from simulator import Simulator


async def test_an_error_message_of_half_a_megabyte_becomes_one_short_line(
    client: PiOrchestratorClient, sim: Simulator
) -> None:
    message = "\u202eStorage\x07 failing\n" * 25_000
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{sim.url}/_sim/fail-next",
            json={
                "code": "INTERNAL_ERROR\n",
                "retryable": False,
                "count": 5,
                "message": message,
                "paths": ["/api/v1/provisioning/allowlist"],
            },
            headers=sim.control_headers,
        ) as answer,
    ):
        assert answer.status == 200, await answer.text()

    with pytest.raises(PiOrchestratorError) as caught:
        await client.allowlist()

    error = caught.value
    assert error.message.startswith("Storage failing Storage failing")
    assert len(error.message) == MESSAGE_LENGTH
    assert error.code == "INTERNAL_ERROR"
    text = str(error)
    assert "\n" not in text
    assert "\u202e" not in text
    assert "\x07" not in text
    assert len(text) < MESSAGE_LENGTH + 120  # the message, then its code, status and ID
