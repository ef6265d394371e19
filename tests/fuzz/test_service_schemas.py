"""Every service action with random input: it works on canonical values, or it is refused
with a translated message before anything reaches the Pi.

The calls go through Home Assistant's service registry to a loaded entry on the
simulated Pi, whose request log shows what actually arrived.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
import re
import string
from typing import Any, Final
from urllib.parse import unquote

from homeassistant.core import HomeAssistant, SupportsResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
from hypothesis import HealthCheck, given, settings, strategies as st
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from custom_components.piorchestrator.const import DOMAIN
from simulator import Simulator, SimulatorConfig
from tests.conftest import SimulatorConfigFactory
from tests.reliability.request_log import LoggedRequest, RequestLog
from tests.reliability.results import COLLECTOR, DETERMINISTIC, examples

from .strategies import MAC_LIKE, json_values, numbers, texts

pytestmark = pytest.mark.timeout(600)

BOARDS: Final = ("24:0A:C4:FF:00:01", "24:0A:C4:FF:00:02")
CANONICAL_MAC: Final = re.compile(r"^[0-9A-F]{2}(?::[0-9A-F]{2}){5}$")
TRANSLATIONS: Final = json.loads(
    (
        Path(__file__).resolve().parents[2]
        / "custom_components/piorchestrator/translations/en.json"
    ).read_text()
)["exceptions"]
PLACEHOLDER: Final = re.compile(r"{(\w+)}")

ENTRY, SESSION, DEVICE = "<entry>", "<session>", "<device>"
"""Stand-ins for values only known at run time: the loaded entry, its session, a board."""

entry_ids = st.one_of(st.just(ENTRY), st.just(ENTRY), st.sampled_from(("", "nope")), json_values)
session_ids = st.one_of(
    st.none(), st.just(SESSION), st.sampled_from(("sess_nope", "../x", "", "a/b?c")), json_values
)
macs = st.one_of(st.sampled_from((*MAC_LIKE, *BOARDS)), texts, json_values)
words = st.one_of(texts, json_values)
passwords = st.one_of(
    st.text(min_size=0, max_size=70),
    st.text(alphabet=string.hexdigits, min_size=64, max_size=64),
    st.sampled_from(("**REDACTED**", "12345678", "")),
    json_values,
)
ssids = st.one_of(st.text(max_size=40), st.sampled_from(("CabinetNet", "é" * 17, "")), json_values)
timeouts = st.one_of(numbers, st.sampled_from(("60", "0", "3601", "abc")), json_values)

FIELDS: Final[dict[str, dict[str, st.SearchStrategy[Any]]]] = {
    "start_batch": {
        "target_ssid": ssids,
        "target_password": passwords,
        "discovery_timeout": timeouts,
        "provisioning_timeout": timeouts,
        "verification_timeout": timeouts,
    },
    "stop_batch": {"session_id": session_ids},
    "pause_batch": {"session_id": session_ids},
    "resume_batch": {"session_id": session_ids},
    "resume_session": {"session_id": session_ids},
    "list_recoverable_sessions": {},
    "provision_all": {"only_allowlisted": st.one_of(st.booleans(), words)},
    "provision_device": {"mac": macs, "device_id": st.one_of(st.just(DEVICE), words)},
    "retry_device": {"mac": macs, "device_id": st.one_of(st.just(DEVICE), words)},
    "skip_device": {"mac": macs, "device_id": st.one_of(st.just(DEVICE), words)},
    "allowlist_add": {"mac": macs, "description": words, "container_id": words},
    "allowlist_update": {"mac": macs, "description": words, "container_id": words},
    "allowlist_remove": {"mac": st.one_of(macs, st.lists(macs, max_size=4))},
    "get_allowlist": {},
}


@st.composite
def calls(draw: st.DrawFn, service: str) -> dict[str, Any]:
    """Call data: the service's own fields, each maybe missing or wrong, maybe extra keys."""
    data: dict[str, Any] = {}
    if draw(st.integers(min_value=0, max_value=9)):
        data["config_entry_id"] = draw(entry_ids)
    for name, values in FIELDS[service].items():
        if draw(st.booleans()):
            data[name] = draw(values)
    if not draw(st.integers(min_value=0, max_value=7)):
        data[draw(st.text(min_size=1, max_size=10))] = draw(json_values)
    return data


@pytest.fixture
def simulator_config(make_simulator_config: SimulatorConfigFactory) -> SimulatorConfig:
    """Two allowlisted boards; a Pi quick enough that sessions move between calls."""
    return make_simulator_config(speed=50, boards=0, seed=5, allowlist=BOARDS, fail_once=BOARDS[1:])


def _resolve(value: Any, replacements: dict[str, str]) -> Any:
    if isinstance(value, str):
        return replacements.get(value, value)
    if isinstance(value, list):
        return [_resolve(item, replacements) for item in value]
    return value


def _translated(err: HomeAssistantError) -> None:
    """A refusal a person can read: our translation key, every placeholder filled."""
    if err.translation_domain == "homeassistant":
        return  # Home Assistant's own refusals (a response asked of a no-response action)
    assert err.translation_domain == DOMAIN, repr(err)
    assert err.translation_key in TRANSLATIONS, err.translation_key
    needed = set(PLACEHOLDER.findall(TRANSLATIONS[err.translation_key]["message"]))
    assert needed <= set(err.translation_placeholders or {}), (err.translation_key, needed)


def _invalid_on_the_wire(request: LoggedRequest) -> list[str]:
    """What in a request that reached the Pi is not in the contract's canonical form."""
    problems: list[str] = []
    segments = [unquote(part) for part in request.path.split("/")]
    problems += [
        f"MAC {segment!r} in {request.path}"
        for before, segment in itertools.pairwise(segments)
        if before in ("devices", "allowlist")
        and segment not in ("bulk", "bulk-remove", "all", "stats")
        and not CANONICAL_MAC.match(segment)
    ]
    try:
        body = json.loads(request.body) if request.body else {}
    except ValueError:
        return [*problems, f"body of {request.path} is not JSON"]
    if not isinstance(body, dict):
        return problems
    for mac in [body.get("mac"), *(body.get("macs") or [])]:
        if mac is not None and not (isinstance(mac, str) and CANONICAL_MAC.match(mac)):
            problems.append(f"MAC {mac!r} in the body of {request.path}")
    if request.path.endswith("/batch/start"):
        ssid, password = body.get("target_ssid"), body.get("target_password")
        if not (isinstance(ssid, str) and 1 <= len(ssid.encode()) <= 32):
            problems.append(f"SSID {ssid!r}")
        if not (isinstance(password, str) and (password == "" or 8 <= len(password) <= 64)):
            problems.append("a WiFi password of an impossible length")
        for name, value in (body.get("config") or {}).items():
            if not (isinstance(value, int) and 1 <= value <= 3600):
                problems.append(f"{name}={value!r}")
    return problems


@pytest.mark.parametrize("service", sorted(FIELDS))
@settings(
    max_examples=examples(25, 1000),
    derandomize=DETERMINISTIC,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_random_input_is_canonical_or_refused_before_the_pi(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    request_log: RequestLog,
    service: str,
    data: st.DataObject,
) -> None:
    COLLECTOR.count_example(f"service schema: {service}")
    raw = data.draw(calls(service), label="call data")
    session = loaded_entry.runtime_data.provisioning.data.session
    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, BOARDS[0])})
    replacements = {
        ENTRY: loaded_entry.entry_id,
        SESSION: session.id if session is not None else "sess_none",
        DEVICE: device.id if device is not None else "no-device",
    }
    call = {key: _resolve(value, replacements) for key, value in raw.items()}
    mark = request_log.mark()
    refused: BaseException | None = None
    try:
        await hass.services.async_call(
            DOMAIN,
            service,
            call,
            blocking=True,
            return_response=hass.services.supports_response(DOMAIN, service)
            is not SupportsResponse.NONE,
        )
    except vol.Invalid as err:
        refused = err  # Home Assistant's schema check, naming the field at fault
    except ServiceValidationError as err:
        _translated(err)
        if not (err.translation_key or "").startswith("error_"):
            refused = err  # our own check; `error_*` ones are the Pi's answers
    except HomeAssistantError as err:
        _translated(err)  # the Pi said no: translated, with its correlation ID
    await hass.async_block_till_done()
    sent = [entry for entry in request_log.since(mark) if entry.method != "GET"]
    if refused is not None:
        assert sent == [], (refused, [entry.path for entry in sent])
    for request in sent:
        assert _invalid_on_the_wire(request) == [], (call, request.path)


@pytest.mark.parametrize(
    "value",
    [float("inf"), float("-inf"), float("nan"), 10**400, "1e400"],
    ids=["inf", "-inf", "nan", "10^400", "'1e400'"],
)
async def test_a_timeout_no_integer_can_hold_is_refused_with_a_message(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, request_log: RequestLog, value: Any
) -> None:
    """What a YAML `.inf` or an overflowing number gives a timeout: a refusal, not a crash."""
    COLLECTOR.count_example("service schema: start_batch timeouts")
    mark = request_log.mark()
    with pytest.raises((vol.Invalid, ServiceValidationError)) as refused:
        await hass.services.async_call(
            DOMAIN,
            "start_batch",
            {
                "config_entry_id": loaded_entry.entry_id,
                "target_ssid": "CabinetNet",
                "target_password": "long-enough",
                "discovery_timeout": value,
            },
            blocking=True,
        )
    if isinstance(refused.value, ServiceValidationError):
        _translated(refused.value)
    assert [entry.path for entry in request_log.since(mark) if entry.method != "GET"] == []
