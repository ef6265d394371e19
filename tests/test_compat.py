"""Both sides of each choice in compat.py give the same answers.

The running Home Assistant exercises one side for real. The other side, the API
of releases that cannot run here (2026.11 needs Python 3.14), is exercised
against stand-ins with the same signatures, written from that release's code,
that fail on any use of what it deprecates.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.piorchestrator import compat
from custom_components.piorchestrator.const import DOMAIN

MAC = "AA:BB:CC:00:11:22"
PI = (DOMAIN, "entry-a")


async def test_a_device_is_found_only_for_its_own_entry(hass: HomeAssistant) -> None:
    mine = MockConfigEntry(domain=DOMAIN, entry_id="entry-a")
    other = MockConfigEntry(domain=DOMAIN, entry_id="entry-b")
    mine.add_to_hass(hass)
    other.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=mine.entry_id, identifiers={(DOMAIN, MAC)}
    )

    assert compat.get_device(hass, (DOMAIN, MAC), mine.entry_id) == device
    assert compat.get_device(hass, (DOMAIN, MAC), other.entry_id) is None
    assert compat.get_device(hass, (DOMAIN, "AA:BB:CC:99:99:99"), mine.entry_id) is None
    assert compat.device_belongs_to(device, mine.entry_id)
    assert not compat.device_belongs_to(device, other.entry_id)


async def test_a_board_links_to_the_registered_pi(hass: HomeAssistant) -> None:
    entry = MockConfigEntry(domain=DOMAIN, entry_id="entry-a")
    entry.add_to_hass(hass)
    registry = dr.async_get(hass)
    pi = registry.async_get_or_create(config_entry_id=entry.entry_id, identifiers={PI})

    info = compat.link_to_parent(hass, dr.DeviceInfo(identifiers={(DOMAIN, MAC)}), PI, "entry-a")
    board = registry.async_get_or_create(config_entry_id=entry.entry_id, **info)

    assert board.via_device_id == pi.id


class _Device:
    """A device as 2026.11 has it: one config entry; `config_entries` is deprecated."""

    def __init__(self, device_id: str, config_entry_id: str) -> None:
        self.id = device_id
        self.config_entry_id = config_entry_id

    @property
    def config_entries(self) -> set[str]:
        raise AssertionError("deprecated DeviceEntry.config_entries used")


class _Registry:
    """The 2026.11 device registry's lookups; `async_get_device` is deprecated."""

    def __init__(self, *devices: tuple[tuple[str, str], _Device]) -> None:
        self._devices = dict(devices)

    def async_get_device_by_identifier(
        self, identifier: tuple[str, str], config_entry_id: str
    ) -> _Device | None:
        device = self._devices.get(identifier)
        return device if device and device.config_entry_id == config_entry_id else None

    def async_get_device(self, **_: Any) -> None:
        raise AssertionError("deprecated DeviceRegistry.async_get_device used")


@pytest.fixture
def newer_api(monkeypatch: pytest.MonkeyPatch) -> _Registry:
    registry = _Registry((PI, _Device("pi-device-id", "entry-a")))
    monkeypatch.setattr(compat, "dr", SimpleNamespace(async_get=lambda hass: registry))
    monkeypatch.setattr(compat, "GET_DEVICE_BY_IDENTIFIER", True)
    monkeypatch.setattr(compat, "DEVICE_HAS_ONE_ENTRY", True)
    monkeypatch.setattr(compat, "VIA_DEVICE_ID", True)
    return registry


@pytest.mark.usefixtures("newer_api")
def test_newer_lookup_names_the_entry() -> None:
    hass: Any = object()
    device = compat.get_device(hass, PI, "entry-a")
    assert device is not None
    assert device.id == "pi-device-id"
    assert compat.get_device(hass, PI, "entry-b") is None
    assert compat.device_belongs_to(device, "entry-a")
    assert not compat.device_belongs_to(device, "entry-b")


@pytest.mark.usefixtures("newer_api")
def test_newer_link_is_by_the_parent_s_registry_id() -> None:
    hass: Any = object()
    linked = compat.link_to_parent(hass, dr.DeviceInfo(identifiers={(DOMAIN, MAC)}), PI, "entry-a")
    assert dict(linked) == {"identifiers": {(DOMAIN, MAC)}, "via_device_id": "pi-device-id"}

    # A Pi not registered yet leaves the board unlinked rather than failing it.
    unlinked = compat.link_to_parent(
        hass, dr.DeviceInfo(identifiers={(DOMAIN, MAC)}), (DOMAIN, "entry-b"), "entry-b"
    )
    assert dict(unlinked) == {"identifiers": {(DOMAIN, MAC)}}
