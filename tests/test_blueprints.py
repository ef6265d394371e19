"""The automation blueprints: each loads in Home Assistant and does what it says.

Every blueprint is loaded by Home Assistant's own blueprint loader (the one the
UI's import uses), turned into an automation with `use_blueprint`, and run
against the simulator over 127.0.0.1 when its trigger fires.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
import importlib.util
from pathlib import Path
import shutil
from typing import Any

from aiohttp import web
from homeassistant.components.automation.config import async_validate_config_item
from homeassistant.components.automation.helpers import async_get_blueprints
from homeassistant.components.blueprint.models import BlueprintInputs
from homeassistant.const import EVENT_CALL_SERVICE
from homeassistant.core import Event, HomeAssistant, State, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator.const import DOMAIN
from simulator import Simulator, SimulatorConfig
from tests.conftest import SimulatorConfigFactory
from tests.integration import conftest as wire
from tests.integration.conftest import WIFI_PASSWORD, PiDriver, WaitFor
from tests.loopback import serve

# The wire-level fixtures (a simulator on 127.0.0.1, an entry loaded against it, ...)
# live with the integration tests; these names make them available here.
auto_enable_custom_integrations = wire.auto_enable_custom_integrations
loaded_entry = wire.loaded_entry
wait_for = wire.wait_for
pi = wire.pi

BLUEPRINT_DIR = Path(__file__).parent.parent / "blueprints" / "automation" / "piorchestrator"
BLUEPRINTS = sorted(BLUEPRINT_DIR.glob("*.yaml"))
DOOR_OPEN = "start_batch_on_door_open.yaml"
NOTIFY_FAILED = "notify_board_failed.yaml"
AUTO_RETRY = "auto_retry_failed_board.yaml"

GOOD = "24:0A:C4:30:00:01"
FLAKY = "24:0A:C4:30:00:02"
PHONE_NAME = "Technician phone"


@pytest.fixture
def simulator_config(make_simulator_config: SimulatorConfigFactory) -> SimulatorConfig:
    """Two allowlisted boards, the second failing its first attempt."""
    return make_simulator_config(
        speed=50,
        boards=0,
        seed=11,
        allowlist=(GOOD, FLAKY),
        fail_once=(FLAKY,),
        session_timeout=100_000,
    )


@pytest.fixture
def blueprint_config_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """A config directory holding our blueprints where Home Assistant looks for them."""
    target = tmp_path / "blueprints" / "automation" / "piorchestrator"
    target.mkdir(parents=True)
    for path in BLUEPRINTS:
        shutil.copy(path, target / path.name)
    hass.config.config_dir = str(tmp_path)
    return tmp_path


@pytest.fixture
def service_calls(hass: HomeAssistant) -> list[Event]:
    """Every call of one of our services."""
    calls: list[Event] = []

    @callback
    def record(event: Event) -> None:
        if event.data.get("domain") == DOMAIN:
            calls.append(event)

    hass.bus.async_listen(EVENT_CALL_SERVICE, record)
    return calls


async def use_blueprint(hass: HomeAssistant, name: str, inputs: dict[str, Any]) -> str:
    """Set up one automation from our blueprint `name`; return its entity ID."""
    config = {
        "id": name.removesuffix(".yaml"),
        "alias": name.removesuffix(".yaml"),
        "use_blueprint": {"path": f"piorchestrator/{name}", "input": inputs},
    }
    assert await async_setup_component(hass, "automation", {"automation": [config]})
    await hass.async_block_till_done()
    entity_id = f"automation.{name.removesuffix('.yaml')}"
    state = hass.states.get(entity_id)
    assert state is not None, f"{name} did not become an automation"
    assert state.state == "on", f"{name} is {state.state}: it did not validate"
    return entity_id


def pi_entity(hass: HomeAssistant, entry: MockConfigEntry, domain: str, key: str) -> str:
    """The entity ID of one of the Pi's entities, by its key."""
    entity_id = er.async_get(hass).async_get_entity_id(domain, DOMAIN, f"{entry.entry_id}_{key}")
    assert entity_id is not None
    return entity_id


def state_of(hass: HomeAssistant, entity_id: str) -> State:
    """An entity's state, which must exist."""
    state = hass.states.get(entity_id)
    assert state is not None, f"{entity_id} has no state"
    return state


def open_session(simulator: Simulator) -> Any:
    """The simulator's open session, if any."""
    return next(
        (session for session in simulator.state.sessions.values() if session.state != "closed"),
        None,
    )


# -- Loading -----------------------------------------------------------------------------


def test_the_three_blueprints_are_there() -> None:
    assert {path.name for path in BLUEPRINTS} == {DOOR_OPEN, NOTIFY_FAILED, AUTO_RETRY}


@pytest.mark.parametrize("path", BLUEPRINTS, ids=lambda path: path.stem)
async def test_each_blueprint_loads_with_home_assistants_loader(
    hass: HomeAssistant, blueprint_config_dir: Path, path: Path
) -> None:
    blueprints = async_get_blueprints(hass)
    blueprint = await blueprints.async_get_blueprint(f"piorchestrator/{path.name}")

    assert blueprint.domain == "automation"
    assert blueprint.validate() is None  # supported by the Home Assistant we test with
    assert blueprint.metadata["source_url"].endswith(
        f"/blueprints/automation/piorchestrator/{path.name}"
    )
    for name, spec in blueprint.inputs.items():
        assert spec.get("name"), f"input {name} has no name"
        assert spec.get("description"), f"input {name} has no description"
        assert "selector" in spec, f"input {name} has no selector"
    assert set(await blueprints.async_get_blueprints()) == {
        f"piorchestrator/{other.name}" for other in BLUEPRINTS
    }


async def test_an_automation_made_from_each_blueprint_validates(
    hass: HomeAssistant, blueprint_config_dir: Path
) -> None:
    phone_entry = MockConfigEntry(domain="mobile_app", title=PHONE_NAME)
    phone_entry.add_to_hass(hass)
    phone_device = dr.async_get(hass).async_get_or_create(
        config_entry_id=phone_entry.entry_id, identifiers={("mobile_app", "phone")}
    )
    inputs: dict[str, dict[str, Any]] = {
        DOOR_OPEN: {
            "door": "binary_sensor.cabinet_pi_cabinet_door",
            "pi": "01JABCDEFGHJKMNPQRSTVWXYZ0",
            "target_ssid": "CabinetNet",
            "target_password": WIFI_PASSWORD,
        },
        NOTIFY_FAILED: {"notify_device": phone_device.id},
        AUTO_RETRY: {},
    }
    blueprints = async_get_blueprints(hass)
    for name, given in inputs.items():
        blueprint = await blueprints.async_get_blueprint(f"piorchestrator/{name}")
        config = {"use_blueprint": {"path": f"piorchestrator/{name}", "input": given}}
        BlueprintInputs(blueprint, config).validate()  # nothing required is missing
        validated = await async_validate_config_item(hass, f"automation.{name}", config)
        assert validated is not None
        assert validated.validation_status == "ok", (name, validated.validation_error)


# -- Start a batch when the cabinet opens -------------------------------------------------


async def open_door(hass: HomeAssistant, entry: MockConfigEntry, pi: PiDriver) -> None:
    """Open the cabinet on the Pi and let Home Assistant see it."""
    await pi.fault("door", {"state": "open"})
    await entry.runtime_data.door.async_refresh()
    await hass.async_block_till_done()


async def close_door(hass: HomeAssistant, entry: MockConfigEntry, pi: PiDriver) -> None:
    """Close the cabinet on the Pi and let Home Assistant see it."""
    await pi.fault("door", {"state": "closed"})
    await entry.runtime_data.door.async_refresh()
    await hass.async_block_till_done()


async def test_opening_the_door_starts_a_batch_once(
    hass: HomeAssistant,
    blueprint_config_dir: Path,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    wait_for: WaitFor,
    service_calls: list[Event],
) -> None:
    door = pi_entity(hass, loaded_entry, "binary_sensor", "door")
    automation = await use_blueprint(
        hass,
        DOOR_OPEN,
        {
            "door": door,
            "pi": loaded_entry.entry_id,
            "target_ssid": "CabinetNet",
            "target_password": WIFI_PASSWORD,
            "cooldown": 0,
        },
    )
    assert open_session(simulator) is None

    await open_door(hass, loaded_entry, pi)
    assert state_of(hass, door).state == "on"
    await wait_for(lambda: open_session(simulator) is not None)
    session = open_session(simulator)
    assert session.target_ssid == "CabinetNet"
    assert [call.data["service"] for call in service_calls] == ["start_batch"]
    first_run = state_of(hass, automation).attributes["last_triggered"]
    assert first_run is not None

    # The session is still running: a second opening starts nothing.
    await wait_for(
        lambda: state_of(hass, pi_entity(hass, loaded_entry, "sensor", "session_state")).state
        in ("discovering", "active")
    )
    await close_door(hass, loaded_entry, pi)
    await open_door(hass, loaded_entry, pi)
    assert [call.data["service"] for call in service_calls] == ["start_batch"]
    assert state_of(hass, automation).attributes["last_triggered"] == first_run
    assert [s.id for s in simulator.state.sessions.values()] == [session.id]


@pytest.mark.parametrize(("cooldown", "starts"), [(10, 1), (0.02, 2)], ids=["within", "after"])
async def test_the_cool_down_holds_even_without_the_idle_condition(
    hass: HomeAssistant,
    blueprint_config_dir: Path,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    wait_for: WaitFor,
    service_calls: list[Event],
    caplog: pytest.LogCaptureFixture,
    cooldown: float,
    starts: int,
) -> None:
    await use_blueprint(
        hass,
        DOOR_OPEN,
        {
            "door": pi_entity(hass, loaded_entry, "binary_sensor", "door"),
            "pi": loaded_entry.entry_id,
            "target_ssid": "CabinetNet",
            "target_password": WIFI_PASSWORD,
            "only_when_idle": False,
            "cooldown": cooldown,  # minutes; 0.02 is 1.2 s
        },
    )
    await open_door(hass, loaded_entry, pi)
    await wait_for(lambda: open_session(simulator) is not None)
    session = open_session(simulator)
    await pi.call("POST", f"/api/v1/provisioning/batch/{session.id}/stop")
    await wait_for(
        lambda: state_of(hass, pi_entity(hass, loaded_entry, "sensor", "session_state")).state
        == "closed"
    )
    await close_door(hass, loaded_entry, pi)
    await asyncio.sleep(1.5)

    await open_door(hass, loaded_entry, pi)
    await wait_for(lambda: len(service_calls) == starts)
    await hass.async_block_till_done()
    assert [call.data["service"] for call in service_calls] == ["start_batch"] * starts
    assert (open_session(simulator) is not None) == (starts == 2)
    assert "Error" not in caplog.text


# -- Notify a phone when a board fails ----------------------------------------------------


class PushServer:
    """Stands in for the Companion app's push service: records every notification."""

    def __init__(self) -> None:
        """Nothing received yet."""
        self.received: list[dict[str, Any]] = []
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        """Accept one notification, as the real push service does."""
        self.received.append(await request.json())
        return web.json_response({}, status=201)


@pytest.fixture
async def push_server(socket_enabled: None) -> AsyncGenerator[PushServer]:
    """A push service on 127.0.0.1."""
    server = PushServer()
    app = web.Application()
    app.router.add_post("/push", server.handle)
    async with serve(app) as port:
        server.url = f"http://127.0.0.1:{port}/push"
        yield server


@pytest.fixture
async def phone(hass: HomeAssistant, push_server: PushServer) -> str:
    """A phone registered with the Companion app; returns its device ID."""
    if importlib.util.find_spec("nacl") is None:
        pytest.fail("mobile_app needs PyNaCl: add PyNaCl==1.5.0 to requirements_test.txt")
    entry = MockConfigEntry(
        domain="mobile_app",
        title=PHONE_NAME,
        source="registration",
        data={
            "app_data": {"push_token": "push-token", "push_url": push_server.url},
            "app_id": "io.homeassistant.companion.android",
            "app_name": "Home Assistant",
            "app_version": "2025.4",
            "device_id": "technician-phone",
            "device_name": PHONE_NAME,
            "manufacturer": "Google",
            "model": "Pixel",
            "os_name": "Android",
            "os_version": "15",
            "secret": "phone-secret",
            "supports_encryption": False,
            "user_id": "technician",
            "webhook_id": "technician-phone-webhook",
        },
    )
    entry.add_to_hass(hass)
    assert await async_setup_component(hass, "mobile_app", {})
    await hass.async_block_till_done()
    device = dr.async_get(hass).async_get_device(identifiers={("mobile_app", "technician-phone")})
    assert device is not None
    assert hass.services.has_service("notify", "mobile_app_technician_phone")
    return device.id


async def start_and_provision(
    hass: HomeAssistant, entry: MockConfigEntry, simulator: Simulator, wait_for: WaitFor
) -> Any:
    """Start a batch and provision both boards through Home Assistant."""
    await wait_for(lambda: entry.runtime_data.provisioning.stream_connected)
    entry_only = {"config_entry_id": entry.entry_id}
    await hass.services.async_call(
        DOMAIN,
        "start_batch",
        {**entry_only, "target_ssid": "CabinetNet", "target_password": WIFI_PASSWORD},
        blocking=True,
    )
    session = open_session(simulator)
    await wait_for(lambda: {GOOD, FLAKY} <= set(session.devices), timeout=15)
    await hass.services.async_call(DOMAIN, "provision_all", entry_only, blocking=True)
    return session


async def test_a_failed_board_is_notified_and_retried_from_the_notification(
    hass: HomeAssistant,
    blueprint_config_dir: Path,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    wait_for: WaitFor,
    push_server: PushServer,
    phone: str,
) -> None:
    await use_blueprint(hass, NOTIFY_FAILED, {"notify_device": phone})
    session = await start_and_provision(hass, loaded_entry, simulator, wait_for)
    await wait_for(lambda: session.devices[FLAKY].state == "failed", timeout=20)
    await wait_for(lambda: len(push_server.received) == 1)

    notification = push_server.received[0]
    assert notification["push_token"] == "push-token"
    board = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, FLAKY)})
    assert board is not None
    assert notification["title"] == f"{board.name} failed to provision"
    assert notification["message"].splitlines() == [
        "device rejected credentials",
        "Retried 0 time(s) so far.",
        f"MAC {FLAKY}, session {session.id}",
    ]
    retry = f"PIORCHESTRATOR_RETRY_{loaded_entry.entry_id}_{FLAKY.replace(':', '')}"
    assert notification["data"]["actions"] == [{"action": retry, "title": "Retry"}]
    assert notification["data"]["tag"] == f"piorchestrator-{FLAKY.replace(':', '').lower()}"

    # Another app's action is none of our business.
    hass.bus.async_fire("mobile_app_notification_action", {"action": "OPEN_GARAGE"})
    await hass.async_block_till_done()
    assert session.devices[FLAKY].retry_count == 0

    # Tapping Retry on the phone.
    hass.bus.async_fire("mobile_app_notification_action", {"action": retry})
    await wait_for(lambda: session.devices[FLAKY].retry_count == 1)
    await wait_for(lambda: session.devices[FLAKY].state == "verified", timeout=20)
    assert session.devices[GOOD].state == "verified"
    assert len(push_server.received) == 1


async def test_the_notification_can_leave_out_details_and_offers_no_retry_when_none_is_left(
    hass: HomeAssistant,
    blueprint_config_dir: Path,
    loaded_entry: MockConfigEntry,
    wait_for: WaitFor,
    push_server: PushServer,
    phone: str,
) -> None:
    await use_blueprint(
        hass,
        NOTIFY_FAILED,
        {
            "notify_device": phone,
            "pi": loaded_entry.entry_id,
            "include_error": False,
            "include_reference": False,
        },
    )
    failure = {
        "config_entry_id": loaded_entry.entry_id,
        "device_id": None,
        "mac": FLAKY,
        "session_id": "sess_000000000001",
        "state": "failed",
        "previous_state": "provisioning",
        "error_message": "device did not respond",
        "retry_count": 3,
        "can_retry": False,
    }
    hass.bus.async_fire(f"{DOMAIN}_board_failed", failure)
    # A board of another Pi is not this automation's.
    hass.bus.async_fire(f"{DOMAIN}_board_failed", {**failure, "config_entry_id": "other"})
    await wait_for(lambda: len(push_server.received) == 1)
    await hass.async_block_till_done()

    notification = push_server.received[0]
    assert notification["message"] == "No retries left (3 done)."
    assert notification["data"]["actions"] == []
    assert len(push_server.received) == 1


# -- Retry a failed board automatically ----------------------------------------------------


async def test_a_failed_board_is_retried_automatically(
    hass: HomeAssistant,
    blueprint_config_dir: Path,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    wait_for: WaitFor,
    service_calls: list[Event],
) -> None:
    await use_blueprint(hass, AUTO_RETRY, {"pi": loaded_entry.entry_id, "wait": 0})
    session = await start_and_provision(hass, loaded_entry, simulator, wait_for)
    await wait_for(lambda: session.devices[FLAKY].retry_count == 1, timeout=20)
    await wait_for(lambda: session.devices[FLAKY].state == "verified", timeout=20)
    assert session.devices[GOOD].retry_count == 0
    retries = [
        call.data["service_data"]
        for call in service_calls
        if call.data["service"] == "retry_device"
    ]
    assert retries == [{"config_entry_id": loaded_entry.entry_id, "mac": FLAKY}]


async def test_automatic_retries_stop_at_the_limit(
    hass: HomeAssistant,
    blueprint_config_dir: Path,
    loaded_entry: MockConfigEntry,
    service_calls: list[Event],
) -> None:
    await use_blueprint(hass, AUTO_RETRY, {"max_retries": 1, "wait": 0})
    failure = {
        "config_entry_id": loaded_entry.entry_id,
        "device_id": None,
        "mac": FLAKY,
        "session_id": "sess_000000000001",
        "state": "failed",
        "previous_state": "provisioning",
        "error_message": "device did not respond",
        "retry_count": 1,
        "can_retry": True,
    }
    hass.bus.async_fire(f"{DOMAIN}_board_failed", failure)
    hass.bus.async_fire(f"{DOMAIN}_board_failed", {**failure, "retry_count": 3, "can_retry": False})
    await hass.async_block_till_done()
    assert service_calls == []


def look_alike(text: str) -> str:
    """`text` with each character that makes markup replaced as the blueprint does."""
    return text.replace("&", "\uff06").replace("<", "\u2039").replace(">", "\u203a")


async def test_the_notification_shows_the_pis_text_without_markup(
    hass: HomeAssistant,
    blueprint_config_dir: Path,
    loaded_entry: MockConfigEntry,
    wait_for: WaitFor,
    push_server: PushServer,
    phone: str,
) -> None:
    await use_blueprint(hass, NOTIFY_FAILED, {"notify_device": phone})
    board = dr.async_get(hass).async_get_or_create(
        config_entry_id=loaded_entry.entry_id,
        identifiers={(DOMAIN, FLAKY)},
        name='<a href="http://evil.example">Cam & co</a>',
    )
    hass.bus.async_fire(
        f"{DOMAIN}_board_failed",
        {
            "config_entry_id": loaded_entry.entry_id,
            "device_id": board.id,
            "mac": FLAKY,
            "session_id": "<i>sess</i>",
            "state": "failed",
            "previous_state": "provisioning",
            # Anyone can fire this event: the blueprint bounds what it forwards itself.
            "error_message": "<b>rejected</b>\nby <script>x</script> " + "e" * 500,
            "retry_count": 0,
            "can_retry": False,
        },
    )
    await wait_for(lambda: len(push_server.received) == 1)

    notification = push_server.received[0]
    assert notification["title"] == (
        look_alike('<a href="http://evil.example">Cam & co</a>') + " failed to provision"
    )
    error, retries, reference = notification["message"].splitlines()
    assert error.startswith(look_alike("<b>rejected</b> by <script>x</script> eee"))
    assert len(error) == 200
    assert error.endswith("\u2026")
    assert retries == "No retries left (0 done)."
    assert reference == f"MAC {FLAKY}, session " + look_alike("<i>sess</i>")
    assert not {"<", ">", "&"} & set(notification["title"] + notification["message"])
