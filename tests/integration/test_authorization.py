"""Who may make the Pi hand WiFi credentials to a board outside the allowlist.

One test per rule, each with a non-administrator against the simulator: the
refusal is checked on the Pi's side (no request for the board, its state
unchanged), and the same call by an administrator or an automation is checked
to go through, so each refusal is the rule at work and not a broken action.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from homeassistant.auth.const import GROUP_ID_USER
from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError, Unauthorized, UnknownUser
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator, WebSocketGenerator

from custom_components.piorchestrator.const import CONF_ONLY_ALLOWLISTED, DOMAIN
from simulator import Simulator, SimulatorConfig
from tests.conftest import SimulatorConfigFactory

from .conftest import WIFI_PASSWORD, EntityIdOf, PiDriver, WaitFor

LISTED = "24:0A:C4:20:00:01"
LISTED_FLAKY = "24:0A:C4:20:00:02"
STRANGER = "30:AE:A4:20:00:09"
"""Not on the allowlist; fails its first attempt, so it can be retried."""
ALL_BOARDS = (LISTED, LISTED_FLAKY, STRANGER)


@pytest.fixture
def simulator_config(make_simulator_config: SimulatorConfigFactory) -> SimulatorConfig:
    """Two allowlisted boards and a stranger; two of them fail their first attempt."""
    return make_simulator_config(
        speed=50,
        boards=0,
        seed=13,
        allowlist=(LISTED, LISTED_FLAKY),
        fail_once=(LISTED_FLAKY, STRANGER),
        session_timeout=100_000,
    )


@pytest.fixture
async def hass_user(hass: HomeAssistant) -> MockUser:
    """An ordinary user (not an administrator): may control entities, unlike read-only."""
    group = await hass.auth.async_get_group(GROUP_ID_USER)
    assert group is not None
    return MockUser(name="Technician", groups=[group]).add_to_hass(hass)


async def call(
    hass: HomeAssistant, service: str, data: dict[str, Any], context: Context | None = None
) -> Any:
    """Call one of our actions and return its response."""
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=True, context=context
    )


def as_user(user: MockUser) -> Context:
    """The context of a call made by `user` (from the UI, the API or a script)."""
    return Context(user_id=user.id)


def pi_requests(simulator: Simulator, ending: str) -> int:
    """Requests the Pi received on paths ending with `ending`, whatever their answer."""
    requests = simulator.context.stats.requests
    return sum(
        sum(statuses.values()) for path, statuses in requests.items() if path.endswith(ending)
    )


def pi_states(simulator: Simulator, session_id: str) -> dict[str, str]:
    """The Pi's truth: each board's state in the session."""
    return {mac: board.state for mac, board in simulator.state.sessions[session_id].devices.items()}


async def start_and_discover(hass: HomeAssistant, entry: MockConfigEntry, wait_for: WaitFor) -> str:
    """Start a batch (as an automation would) and wait until every board is known."""
    await wait_for(lambda: entry.runtime_data.provisioning.stream_connected)
    result = await call(
        hass,
        "start_batch",
        {
            "config_entry_id": entry.entry_id,
            "target_ssid": "CabinetNet",
            "target_password": WIFI_PASSWORD,
        },
    )
    boards = entry.runtime_data.provisioning.data.boards
    await wait_for(lambda: all(mac in boards for mac in ALL_BOARDS), timeout=15)
    return str(result["session"]["id"])


async def fail_the_flaky_boards(
    hass: HomeAssistant, entry: MockConfigEntry, simulator: Simulator, wait_for: WaitFor
) -> str:
    """An administrator provisions every board; the stranger and one listed board fail."""
    session_id = await start_and_discover(hass, entry, wait_for)
    await call(
        hass,
        "provision_all",
        {"config_entry_id": entry.entry_id, "only_allowlisted": False},
        Context(),
    )
    states = entry.runtime_data.provisioning.data.boards
    await wait_for(
        lambda: pi_states(simulator, session_id)
        == {LISTED: "verified", LISTED_FLAKY: "failed", STRANGER: "failed"}
        and states[STRANGER].state == "failed"
        and states[LISTED_FLAKY].state == "failed",
        timeout=20,
    )
    return session_id


def assert_refused_in_words(err: Unauthorized, key: str) -> None:
    """A refusal a person can read: translated, every placeholder filled."""
    assert err.translation_domain == DOMAIN
    assert err.translation_key == key
    text = str(err)
    assert "administrator" in text
    assert "{" not in text


async def set_option_only_allowlisted(
    hass: HomeAssistant, entry: MockConfigEntry, wait_for: WaitFor, value: bool
) -> None:
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, CONF_ONLY_ALLOWLISTED: value}
    )
    await hass.async_block_till_done()
    await wait_for(lambda: entry.state is ConfigEntryState.LOADED)


# -- provision_all ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "field"),
    [(True, {"only_allowlisted": False}), (False, {})],
    ids=["in the call", "by the option"],
)
@pytest.mark.parametrize("allowed", ["admin", "automation"])
async def test_provision_all_for_every_board_is_refused_to_a_non_admin(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    wait_for: WaitFor,
    hass_user: MockUser,
    hass_read_only_user: MockUser,
    hass_admin_user: MockUser,
    option: bool,
    field: dict[str, Any],
    allowed: str,
) -> None:
    await set_option_only_allowlisted(hass, loaded_entry, wait_for, option)
    session_id = await start_and_discover(hass, loaded_entry, wait_for)
    data = {"config_entry_id": loaded_entry.entry_id, **field}

    for user in (hass_user, hass_read_only_user):
        with pytest.raises(Unauthorized) as err:
            await call(hass, "provision_all", data, as_user(user))
        assert_refused_in_words(err.value, "admin_required_provision_all")
    with pytest.raises(UnknownUser):
        await call(hass, "provision_all", data, Context(user_id="deleted-user"))

    assert pi_requests(simulator, "/provision-all") == 0
    assert set(pi_states(simulator, session_id).values()) == {"discovered"}

    # The same call by an administrator, or by an automation (no user), goes through.
    context = as_user(hass_admin_user) if allowed == "admin" else Context()
    result = await call(hass, "provision_all", data, context)
    assert (result["initiated_count"], result["only_allowlisted"]) == (3, False)
    await wait_for(lambda: pi_states(simulator, session_id)[STRANGER] != "discovered")


@pytest.mark.parametrize(
    ("option", "field"),
    [(True, {}), (True, {"only_allowlisted": True}), (False, {"only_allowlisted": True})],
    ids=["default", "in the call", "in the call over the option"],
)
async def test_provision_all_of_allowlisted_boards_is_open_to_everyone(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    wait_for: WaitFor,
    hass_user: MockUser,
    option: bool,
    field: dict[str, Any],
) -> None:
    await set_option_only_allowlisted(hass, loaded_entry, wait_for, option)
    session_id = await start_and_discover(hass, loaded_entry, wait_for)

    result = await call(
        hass,
        "provision_all",
        {"config_entry_id": loaded_entry.entry_id, **field},
        as_user(hass_user),
    )

    assert (result["initiated_count"], result["skipped_count"]) == (2, 1)
    await wait_for(lambda: pi_states(simulator, session_id)[LISTED] == "verified", timeout=20)
    assert pi_states(simulator, session_id)[STRANGER] == "discovered"


async def test_a_non_admin_is_refused_over_the_rest_and_websocket_apis(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    wait_for: WaitFor,
    hass_client: ClientSessionGenerator,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
) -> None:
    """What the person sees: 401 from the REST API, the reason in the frontend's error."""
    session_id = await start_and_discover(hass, loaded_entry, wait_for)
    # Both before the first client: a client freezes the HTTP router.
    assert await async_setup_component(hass, "api", {})
    assert await async_setup_component(hass, "websocket_api", {})
    data = {"config_entry_id": loaded_entry.entry_id, "only_allowlisted": False}

    rest = await hass_client(hass_read_only_access_token)
    response = await rest.post(f"/api/services/{DOMAIN}/provision_all", json=data)
    assert response.status == HTTPStatus.UNAUTHORIZED

    websocket = await hass_ws_client(hass, hass_read_only_access_token)
    await websocket.send_json_auto_id(
        {"type": "call_service", "domain": DOMAIN, "service": "provision_all", "service_data": data}
    )
    answer = await websocket.receive_json()
    assert answer["success"] is False
    assert answer["error"]["translation_key"] == "admin_required_provision_all"
    assert "Only a Home Assistant administrator can provision boards" in answer["error"]["message"]

    assert pi_requests(simulator, "/provision-all") == 0
    assert set(pi_states(simulator, session_id).values()) == {"discovered"}


# -- provision_device / retry_device ---------------------------------------------------------


async def test_provision_device_on_an_unlisted_board_is_for_admins_only(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    wait_for: WaitFor,
    hass_user: MockUser,
    hass_admin_user: MockUser,
) -> None:
    session_id = await start_and_discover(hass, loaded_entry, wait_for)
    stranger = {"config_entry_id": loaded_entry.entry_id, "mac": STRANGER}

    with pytest.raises(Unauthorized) as err:
        await call(hass, "provision_device", stranger, as_user(hass_user))
    assert_refused_in_words(err.value, "admin_required_unlisted_board")
    assert err.value.translation_placeholders == {"mac": STRANGER}
    assert pi_requests(simulator, "/provision") == 0
    assert pi_states(simulator, session_id)[STRANGER] == "discovered"

    # Skipping hands out nothing: anyone may.
    await call(hass, "skip_device", stranger, as_user(hass_user))
    assert simulator.state.sessions[session_id].devices[STRANGER].skipped is True

    # An administrator's request reaches the Pi (which has its own word on unlisted boards).
    with pytest.raises(HomeAssistantError) as refused_by_pi:
        await call(hass, "provision_device", stranger, as_user(hass_admin_user))
    assert not isinstance(refused_by_pi.value, Unauthorized)
    assert refused_by_pi.value.translation_key == "error_device_not_in_allowlist"
    assert pi_requests(simulator, "/provision") == 1


async def test_provision_device_on_an_allowlisted_board_is_open_to_everyone(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    wait_for: WaitFor,
    hass_user: MockUser,
) -> None:
    session_id = await start_and_discover(hass, loaded_entry, wait_for)

    result = await call(
        hass,
        "provision_device",
        {"config_entry_id": loaded_entry.entry_id, "mac": LISTED},
        as_user(hass_user),
    )

    assert result["state"] == "provisioning"
    await wait_for(lambda: pi_states(simulator, session_id)[LISTED] == "verified", timeout=20)


async def test_an_entry_removed_from_the_allowlist_counts_at_once(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    wait_for: WaitFor,
    hass_user: MockUser,
) -> None:
    session_id = await start_and_discover(hass, loaded_entry, wait_for)
    assert LISTED in loaded_entry.runtime_data.allowlist.data.entries
    # Removed on the Pi's own dashboard: Home Assistant's copy still lists it.
    del simulator.state.allowlist[LISTED]

    with pytest.raises(Unauthorized):
        await call(
            hass,
            "provision_device",
            {"config_entry_id": loaded_entry.entry_id, "mac": LISTED},
            as_user(hass_user),
        )

    assert LISTED in loaded_entry.runtime_data.allowlist.data.entries
    assert pi_requests(simulator, "/provision") == 0
    assert pi_states(simulator, session_id)[LISTED] == "discovered"


async def test_when_the_pi_cannot_say_whether_a_board_is_allowlisted_nothing_is_sent(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    pi: PiDriver,
    wait_for: WaitFor,
    hass_user: MockUser,
) -> None:
    session_id = await start_and_discover(hass, loaded_entry, wait_for)
    await pi.fault(
        "fail-next",
        {
            "count": 5,
            "code": "DATABASE_ERROR",
            "retryable": False,
            "paths": ["/api/v1/provisioning/allowlist/"],
        },
    )

    with pytest.raises(HomeAssistantError) as err:
        await call(
            hass,
            "provision_device",
            {"config_entry_id": loaded_entry.entry_id, "mac": LISTED},
            as_user(hass_user),
        )

    assert not isinstance(err.value, Unauthorized)  # the Pi's failure, said as such
    assert err.value.translation_key == "error_database_error"
    assert pi_requests(simulator, "/provision") == 0
    assert pi_states(simulator, session_id)[LISTED] == "discovered"


async def test_retry_device_on_an_unlisted_board_is_for_admins_only(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    wait_for: WaitFor,
    hass_user: MockUser,
    hass_admin_user: MockUser,
) -> None:
    session_id = await fail_the_flaky_boards(hass, loaded_entry, simulator, wait_for)
    stranger = {"config_entry_id": loaded_entry.entry_id, "mac": STRANGER}

    with pytest.raises(Unauthorized) as err:
        await call(hass, "retry_device", stranger, as_user(hass_user))
    assert_refused_in_words(err.value, "admin_required_unlisted_board")
    assert pi_requests(simulator, "/retry") == 0
    assert pi_states(simulator, session_id)[STRANGER] == "failed"

    await call(hass, "retry_device", stranger, as_user(hass_admin_user))
    await wait_for(lambda: pi_states(simulator, session_id)[STRANGER] == "verified", timeout=20)


async def test_retry_device_on_an_allowlisted_board_is_open_to_everyone(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    wait_for: WaitFor,
    hass_user: MockUser,
) -> None:
    session_id = await fail_the_flaky_boards(hass, loaded_entry, simulator, wait_for)

    await call(
        hass,
        "retry_device",
        {"config_entry_id": loaded_entry.entry_id, "mac": LISTED_FLAKY},
        as_user(hass_user),
    )

    await wait_for(lambda: pi_states(simulator, session_id)[LISTED_FLAKY] == "verified", timeout=20)


# -- Board buttons ---------------------------------------------------------------------------


async def press(hass: HomeAssistant, entity_id: str, context: Context) -> None:
    await hass.services.async_call(
        BUTTON_DOMAIN, SERVICE_PRESS, {ATTR_ENTITY_ID: entity_id}, blocking=True, context=context
    )


async def test_provision_button_of_an_unlisted_board_is_for_admins_only(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    wait_for: WaitFor,
    entity_id_of: EntityIdOf,
    hass_user: MockUser,
    hass_admin_user: MockUser,
) -> None:
    session_id = await start_and_discover(hass, loaded_entry, wait_for)
    stranger = await entity_id_of(BUTTON_DOMAIN, f"{loaded_entry.entry_id}_{STRANGER}_provision")
    listed = await entity_id_of(BUTTON_DOMAIN, f"{loaded_entry.entry_id}_{LISTED}_provision")
    await wait_for(lambda: hass.states.get(stranger).state != "unavailable")

    with pytest.raises(Unauthorized) as err:
        await press(hass, stranger, as_user(hass_user))
    assert_refused_in_words(err.value, "admin_required_unlisted_board")
    assert pi_requests(simulator, "/provision") == 0
    assert pi_states(simulator, session_id)[STRANGER] == "discovered"

    # An administrator's press reaches the Pi, which refuses an unlisted board itself.
    with pytest.raises(HomeAssistantError) as refused_by_pi:
        await press(hass, stranger, as_user(hass_admin_user))
    assert refused_by_pi.value.translation_key == "error_device_not_in_allowlist"
    assert pi_requests(simulator, "/provision") == 1

    # Anyone may press it for an allowlisted board.
    await wait_for(lambda: hass.states.get(listed).state != "unavailable")
    await press(hass, listed, as_user(hass_user))
    await wait_for(lambda: pi_states(simulator, session_id)[LISTED] == "verified", timeout=20)


async def test_retry_button_of_an_unlisted_board_is_for_admins_only(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    wait_for: WaitFor,
    entity_id_of: EntityIdOf,
    hass_user: MockUser,
    hass_admin_user: MockUser,
) -> None:
    session_id = await fail_the_flaky_boards(hass, loaded_entry, simulator, wait_for)
    stranger = await entity_id_of(BUTTON_DOMAIN, f"{loaded_entry.entry_id}_{STRANGER}_retry")
    listed = await entity_id_of(BUTTON_DOMAIN, f"{loaded_entry.entry_id}_{LISTED_FLAKY}_retry")
    await wait_for(
        lambda: hass.states.get(stranger).state != "unavailable"
        and hass.states.get(listed).state != "unavailable"
    )

    with pytest.raises(Unauthorized):
        await press(hass, stranger, as_user(hass_user))
    assert pi_requests(simulator, "/retry") == 0
    assert pi_states(simulator, session_id)[STRANGER] == "failed"

    await press(hass, listed, as_user(hass_user))
    await press(hass, stranger, as_user(hass_admin_user))
    await wait_for(
        lambda: pi_states(simulator, session_id)
        == {LISTED: "verified", LISTED_FLAKY: "verified", STRANGER: "verified"},
        timeout=20,
    )


async def test_skip_button_of_an_unlisted_board_is_open_to_everyone(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    simulator: Simulator,
    wait_for: WaitFor,
    entity_id_of: EntityIdOf,
    hass_user: MockUser,
) -> None:
    session_id = await start_and_discover(hass, loaded_entry, wait_for)
    skip = await entity_id_of(BUTTON_DOMAIN, f"{loaded_entry.entry_id}_{STRANGER}_skip")
    await wait_for(lambda: hass.states.get(skip).state != "unavailable")

    await press(hass, skip, as_user(hass_user))

    assert simulator.state.sessions[session_id].devices[STRANGER].skipped is True


# -- The option that sets the default -------------------------------------------------------


async def test_the_options_flow_is_for_admins_only_over_http(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    hass_read_only_access_token: str,
    wait_for: WaitFor,
) -> None:
    assert await async_setup_component(hass, "config", {})
    reader = await hass_client(hass_read_only_access_token)
    admin = await hass_client()
    url = "/api/config/config_entries/options/flow"

    response = await reader.post(url, json={"handler": loaded_entry.entry_id})
    assert response.status == HTTPStatus.UNAUTHORIZED

    # Not even with a flow an administrator opened.
    response = await admin.post(url, json={"handler": loaded_entry.entry_id})
    assert response.status == HTTPStatus.OK
    flow = await response.json()
    assert flow["type"] == "form"
    response = await reader.post(f"{url}/{flow['flow_id']}", json={CONF_ONLY_ALLOWLISTED: False})
    assert response.status == HTTPStatus.UNAUTHORIZED
    response = await reader.get(f"{url}/{flow['flow_id']}")
    assert response.status == HTTPStatus.UNAUTHORIZED
    assert loaded_entry.options.get(CONF_ONLY_ALLOWLISTED, True) is True

    response = await admin.post(f"{url}/{flow['flow_id']}", json={CONF_ONLY_ALLOWLISTED: False})
    assert response.status == HTTPStatus.OK
    assert (await response.json())["type"] == "create_entry"
    assert loaded_entry.options[CONF_ONLY_ALLOWLISTED] is False
    await wait_for(lambda: loaded_entry.state is ConfigEntryState.LOADED)  # reloaded
