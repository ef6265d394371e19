"""The cards' bundle: served by the integration and loaded into every dashboard."""

from __future__ import annotations

from collections.abc import Generator
import hashlib
from pathlib import Path
from unittest.mock import patch

from homeassistant.components.frontend import DATA_EXTRA_MODULE_URL
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.piorchestrator import frontend
from custom_components.piorchestrator.const import DOMAIN

BUNDLE_TEXT = 'customElements.define("piorchestrator-test-card", class extends HTMLElement {});\n'


@pytest.fixture
def bundle(tmp_path: Path) -> Generator[Path]:
    """A stand-in bundle, so the test does not depend on the built cards."""
    path = tmp_path / frontend.BUNDLE.name
    path.write_text(BUNDLE_TEXT)
    with patch.object(frontend, "BUNDLE", path):
        yield path


def module_urls(hass: HomeAssistant) -> list[str]:
    """Our URLs among the frontend's extra modules."""
    return [url for url in hass.data[DATA_EXTRA_MODULE_URL].urls if DOMAIN in url]


async def test_bundle_is_registered_once_and_served(
    hass: HomeAssistant, bundle: Path, hass_client: ClientSessionGenerator
) -> None:
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()

    digest = hashlib.sha256(BUNDLE_TEXT.encode()).hexdigest()[:16]
    url = f"/{DOMAIN}_static/piorchestrator-cards.js?v=0.1.0-{digest}"
    assert module_urls(hass) == [url]

    client = await hass_client()
    response = await client.get(url)
    assert response.status == 200
    assert await response.text() == BUNDLE_TEXT
    assert "javascript" in response.headers["Content-Type"]
    # Cached for long: the version and hash in the URL are what change it.
    assert "max-age" in response.headers.get("Cache-Control", "")

    # Asking again (as a reload of an entry would) adds nothing and does not fail.
    assert await frontend.async_register_frontend(hass) == url
    assert module_urls(hass) == [url]


async def test_reloading_an_entry_registers_nothing_again(
    hass: HomeAssistant, bundle: Path, loaded_entry: MockConfigEntry
) -> None:
    before = module_urls(hass)
    assert len(before) == 1
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert module_urls(hass) == before


async def test_a_new_bundle_gets_a_new_url(hass: HomeAssistant, bundle: Path) -> None:
    first = await hass.async_add_executor_job(frontend.bundle_hash, bundle)
    bundle.write_text(BUNDLE_TEXT + "// changed\n")
    assert await hass.async_add_executor_job(frontend.bundle_hash, bundle) != first


async def test_missing_bundle_is_said_and_nothing_is_registered(
    hass: HomeAssistant, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with patch.object(frontend, "BUNDLE", tmp_path / "piorchestrator-cards.js"):
        assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    assert module_urls(hass) == []
    assert "bundle piorchestrator-cards.js is missing" in caplog.text


async def test_the_shipped_cards_are_served(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    shipped = await hass.async_add_executor_job(frontend.BUNDLE.read_bytes)
    digest = hashlib.sha256(shipped).hexdigest()[:16]
    [url] = module_urls(hass)
    assert url.endswith(f"-{digest}")

    response = await (await hass_client()).get(url)
    assert response.status == 200
    body = await response.read()
    assert body == shipped
    for tag in ("piorchestrator-session-card", "piorchestrator-fleet-card"):
        assert tag.encode() in body
