"""What one connection of the event stream sent decides what the next one asks for:
ids and retries of any length or digits, refusals in between. The stream never raises,
never sends back an id over 256 bytes, drops it after a 4xx, and keeps its back-off
floor within 1-300 s. The coordinator's gap check reads any id without raising."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from hypothesis import HealthCheck, example, given, settings, strategies as st
import pytest

from custom_components.piorchestrator.api.errors import (
    PiOrchestratorConnectionError,
    PiOrchestratorValidationError,
)
from custom_components.piorchestrator.api.event_stream import ProvisioningEventStream
from custom_components.piorchestrator.api.provisioning import NoHooks, ProvisioningTracker
from custom_components.piorchestrator.api.sse import MAX_ID_BYTES
from tests.reliability.results import COLLECTOR, DETERMINISTIC, examples

from .strategies import connections_with_ids, digit_texts, long_ids

pytestmark = pytest.mark.timeout(300)

FUZZ = settings(
    max_examples=examples(100, 5_000),
    derandomize=DETERMINISTIC,
    deadline=3000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class _Content:
    def __init__(self, chunk: bytes) -> None:
        self._chunks = [chunk]

    async def readany(self) -> bytes:
        await asyncio.sleep(0)
        return self._chunks.pop(0) if self._chunks else b""


class _Response:
    def __init__(self, chunk: bytes) -> None:
        self.content = _Content(chunk)

    def close(self) -> None:
        self.content = _Content(b"")


class _ScriptedPi:
    """Serves each scripted connection in turn, refusing some attempts with a 400."""

    host = "pi.test"

    def __init__(self, connections: Sequence[bytes], refusals: Sequence[bool]) -> None:
        self._connections = list(connections)
        self._refusals = list(refusals)
        self.sent: list[str | None] = []
        self.refused: list[bool] = []

    @property
    def exhausted(self) -> bool:
        return not self._connections

    async def open_event_stream(
        self, *, session_id: str | None = None, last_event_id: str | None = None
    ) -> Any:
        self.sent.append(last_event_id)
        refuse = bool(self._refusals) and self._refusals.pop(0)
        self.refused.append(refuse)
        if refuse:
            raise PiOrchestratorValidationError("Header refused", http_status=400)
        if not self._connections:
            raise PiOrchestratorConnectionError("gone")
        return _Response(self._connections.pop(0))


async def _run(
    connections: list[bytes], refusals: list[bool]
) -> tuple[_ScriptedPi, ProvisioningEventStream]:
    """Follow the stream through every scripted connection; it must not raise or hang."""
    pi = _ScriptedPi(connections, refusals)
    stream: ProvisioningEventStream

    async def sleep(_seconds: float) -> None:
        await asyncio.sleep(0)
        if pi.exhausted:
            await stream.close()

    stream = ProvisioningEventStream(pi, sleep=sleep)
    async with asyncio.timeout(10):
        async for _item in stream:
            pass
    return pi, stream


async def test_what_the_next_connection_asks_for() -> None:
    """The fuzzing below would pass if no id were ever sent: the plain case must send one."""
    pi, stream = await _run(
        [
            b"id: 1\ndata: {}\n\nid: " + b"7" * 20_000 + b"\nretry: " + b"9" * 5000 + b"\n\n",
            "id: \u00b2\nretry: 2500\ndata: {}\n\n".encode(),
            b"data: {}\n\n",
        ],
        [False, True],
    )
    assert pi.sent == [None, "1", None, "\u00b2"]
    assert stream.diagnostics["backoff_floor"] == 2.5


@FUZZ
@given(connections=connections_with_ids(), refusals=st.lists(st.booleans(), max_size=6))
@example(
    connections=[b"id: 1\ndata: {}\n\nid: " + b"7" * 20_000 + b"\ndata: {}\n\n", b"data: {}\n\n"],
    refusals=[],
)
@example(
    connections=[
        b"id: 1\ndata: {}\n\nretry: " + b"9" * 5000 + b"\n\n",
        "id: \u00b2\ndata: {}\n\n".encode(),
        b"data: {}\n\n",
    ],
    refusals=[False, True],
)
async def test_long_ids_and_refusals_before_a_reconnect(
    connections: list[bytes], refusals: list[bool]
) -> None:
    COLLECTOR.count_example("event stream: ids across reconnects")
    pi, stream = await _run(connections, refusals)
    for index, sent in enumerate(pi.sent):
        assert sent is None or len(sent.encode()) <= MAX_ID_BYTES, len(sent or "")
        if index and pi.refused[index - 1]:
            assert sent is None, "a 4xx must drop Last-Event-ID on the next attempt"
    floor = stream.diagnostics["backoff_floor"]
    assert floor == 0 or 1 <= floor <= 300


@FUZZ
@given(ids=st.lists(st.one_of(long_ids, digit_texts, st.text(max_size=30)), max_size=6))
@example(ids=["\u00b2", "1" * 4400, "9" * 400, "3"])
def test_the_gap_check_reads_any_event_id(ids: list[str]) -> None:
    """`²` passes isdigit() and fails int(); 4,400 digits pass the one and fail the other."""
    COLLECTOR.count_example("coordinator: event ids")
    suspected: list[str] = []
    hooks = NoHooks()
    hooks.suspect = suspected.append  # type: ignore[method-assign]
    tracker = ProvisioningTracker(hooks)
    for event_id in ids:
        tracker.check_event_id(event_id)
    last = tracker.last_event_id
    assert last is None or last < 10**18
